/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "jsonutil.h"
#include "log.h"
#include "macro.h"
#include "pcr.h"
#include "report.h"
#include "sysops.h"

static json_object *stage_json(const struct stage_timing *t, bool *oom) {
	json_object *s = json_object_new_object();
	if (!s) {
		*oom = true;
		return NULL;
	}
	json_add(s, "name", json_object_new_string(t->name), oom);
	json_add(s, "start_us", json_object_new_uint64(t->start_us), oom);
	/* Only the stage writing the report has not ended: failures never reach here. */
	if (t->end_us) {
		json_add(s, "end_us", json_object_new_uint64(t->end_us), oom);
		json_add(s, "cpu_user_us", json_object_new_uint64(t->user_us), oom);
		json_add(s, "cpu_system_us", json_object_new_uint64(t->system_us), oom);
		json_add(s, "verdict", json_object_new_string("ok"), oom);
	} else
		json_add(s, "verdict", json_object_new_string("running"), oom);
	return s;
}

static json_object *tpm_json(const struct context *ctx, bool *oom) {
	json_object *t = json_object_new_object(), *banks = json_object_new_array();
	if (!t || !banks) {
		json_object_put(t);
		json_object_put(banks);
		*oom = true;
		return NULL;
	}
	for (int b = 0; b < _PCR_BANK_MAX; b++) {
		if (!(ctx->tpm_banks & (1U << b)))
			continue;
		json_object *name = json_object_new_string(pcr_bank_name((enum pcr_bank) b));
		if (!name || json_object_array_add(banks, name) < 0) {
			json_object_put(name);
			*oom = true;
		}
	}
	json_add(t, "present", json_object_new_boolean(ctx->tpm_present), oom);
	json_add(t, "banks", banks, oom);
	json_add(t, "pcr_phase", json_object_new_int((int) ctx->cfg.pcr_phase), oom);
	json_add(t, "pcr_facts", json_object_new_int((int) ctx->cfg.pcr_facts), oom);
	json_add(t, "events", json_object_new_int((int) ctx->measured), oom);
	return t;
}

static void add_name(json_object *a, const char *name, bool *oom) {
	json_object *n = json_object_new_string(name);
	if (!n || json_object_array_add(a, n) < 0) {
		json_object_put(n);
		*oom = true;
	}
}

/* What the modules stage did with each configured module, and what it left out of the loads as
 * made for another CPU (init/modules.c): a fleet reads which drivers its machines needed. */
static json_object *modules_json(const struct context *ctx, bool *oom) {
	static const struct {
		const char *key;
		enum module_state state;
	} lists[] = { { "loaded", MODULE_LOADED },
		      { "awaiting", MODULE_PENDING },
		      { "no_hardware", MODULE_NO_HARDWARE },
		      { "not_needed", MODULE_NOT_NEEDED } };
	const struct modules_state *m = &ctx->modules;
	json_object *o = json_object_new_object();
	if (!o) {
		*oom = true;
		return NULL;
	}
	for (size_t l = 0; l < ELEMENTSOF(lists); l++) {
		json_object *a = json_object_new_array();
		for (size_t i = 0; a && i < ctx->cfg.n_modules; i++)
			if (m->state[i] == lists[l].state)
				add_name(a, ctx->cfg.modules[i], oom);
		json_add(o, lists[l].key, a, oom);
	}
	json_object *cpu = json_object_new_array();
	for (size_t i = 0; cpu && i < m->n_not_for_cpu; i++)
		add_name(cpu, m->not_for_cpu[i], oom);
	json_add(o, "not_for_cpu", cpu, oom);
	return o;
}

/* A policy: null when none is configured; else what was asked, and what came of it. */
static json_object *policy_json(const char *path, const char *mode, const char *sha256, const char *name,
				const char *error, bool *oom) {
	if (!path[0])
		return json_object_new_null();
	json_object *p = json_object_new_object();
	if (!p) {
		*oom = true;
		return NULL;
	}
	json_add(p, "path", json_object_new_string(path), oom);
	json_add(p, "mode", json_object_new_string(mode), oom);
	json_add(p, "loaded", json_object_new_boolean(sha256[0] != '\0'), oom);
	if (sha256[0])
		json_add(p, "sha256", json_object_new_string(sha256), oom);
	if (name && name[0])
		json_add(p, "name", json_object_new_string(name), oom);
	if (error[0])
		json_add(p, "error", json_object_new_string(error), oom); /* an optional policy that failed */
	return p;
}

/* Each partition chosen, with its GPT label (json-c escapes it) and attribute bits. */
static json_object *partitions_json(const struct context *ctx, bool *oom) {
	json_object *a = json_object_new_array();
	if (!a) {
		*oom = true;
		return NULL;
	}
	for (size_t i = 0; i < ctx->n_chosen; i++) {
		const struct part *p = &ctx->chosen[i].part;
		char attrs[19];
		json_object *o = json_object_new_object();
		if (!o || json_object_array_add(a, o) < 0) {
			json_object_put(o);
			*oom = true;
			break;
		}
		(void) snprintf(attrs, sizeof attrs, "0x%016" PRIx64, p->flags);
		json_add(o, "role", json_object_new_string(ctx->chosen[i].role), oom);
		json_add(o, "device", json_object_new_string(p->dev), oom);
		json_add(o, "partuuid", json_object_new_string(p->uuid), oom);
		json_add(o, "label", json_object_new_string(p->name), oom);
		json_add(o, "attributes", json_object_new_string(attrs), oom);
	}
	return a;
}

ssize_t report_format(const struct context *ctx, char *buf, size_t size) {
	_cleanup_(json_putp) json_object *top = json_object_new_object();
	json_object *usr = json_object_new_object(), *stages = json_object_new_array();
	const struct config *c = &ctx->cfg;
	bool oom = !top;

	if (!top || !usr || !stages) {
		json_object_put(usr);
		json_object_put(stages);
		return -ENOMEM;
	}
	json_add(top, "version", json_object_new_int(REPORT_VERSION), &oom);
	json_add(usr, "root_hash", json_object_new_string(ctx->sig.root_hash_hex), &oom);
	json_add(usr, "signer", json_object_new_string(ctx->signer), &oom);
	json_add(usr, "signer_sha256", json_object_new_string(ctx->signer_fpr), &oom);
	json_add(usr, "kernel_verified", json_object_new_boolean(ctx->kernel_verified), &oom);
	/* usrhash= chose the image; without it, the disk did (PCR 15 says the same). */
	json_add(usr, "pinned", json_object_new_boolean(c->usrhash[0] != '\0'), &oom);
	json_add(usr, "data_device", json_object_new_string(ctx->dev_data), &oom);
	json_add(usr, "hash_device", json_object_new_string(ctx->dev_hash), &oom);
	/* Where the signature came from: its partition, or the configured file. */
	json_add(usr, "signature", json_object_new_string(c->usr_signature[0] == '/' ? c->usr_signature : ctx->dev_sig),
		 &oom);
	json_add(usr, "fstype", json_object_new_string(c->usr_fstype), &oom);
	json_add(usr, "flags", json_object_new_string(c->usr_flags), &oom);
	json_add(usr, "verity_on_corruption", json_object_new_string(verity_mode_to_string(c->verity_on_corruption)),
		 &oom);
	json_add(top, "usr", usr, &oom);
	json_add(top, "tpm", tpm_json(ctx, &oom), &oom);
	json_add(top, "modules", modules_json(ctx, &oom), &oom);
	/* json_object_object_add takes a NULL value as JSON null: json_json_add() would count it as OOM. */
	json_object *ipe = policy_json(c->ipe_policy, ipe_mode_to_string(c->ipe_mode), ctx->ipe_sha256,
				       ctx->ipe_name, ctx->ipe_error, &oom);
	json_object *selinux = policy_json(c->selinux_policy, selinux_mode_to_string(c->selinux_mode),
					   ctx->selinux_sha256, NULL, ctx->selinux_error, &oom);
	if (json_object_object_add(top, "ipe", ipe) < 0 || json_object_object_add(top, "selinux", selinux) < 0)
		oom = true;
	json_add(top, "root", json_object_new_string(c->root_tmpfs ? "tmpfs" : ctx->dev_root), &oom);
	json_add(top, "partitions", partitions_json(ctx, &oom), &oom);
	json_add(top, "init", json_object_new_string(c->init), &oom);
	for (size_t i = 0; i < ctx->n_timing; i++) {
		json_object *s = stage_json(&ctx->timing[i], &oom);
		if (s && json_object_array_add(stages, s) < 0) {
			json_object_put(s);
			oom = true;
		}
	}
	json_add(top, "stages", stages, &oom);
	json_add(top, "kernel_us", json_object_new_uint64(ctx->start_us), &oom);
	json_add(top, "cpu_user_us", json_object_new_uint64(ctx->cpu.user_us), &oom);
	json_add(top, "cpu_system_us", json_object_new_uint64(ctx->cpu.system_us), &oom);
	json_add(top, "maxrss_kb", json_object_new_int64(ctx->maxrss_kb), &oom);
	if (oom)
		return -ENOMEM;

	const char *text = json_object_to_json_string_ext(top, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
								       JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!text)
		return -ENOMEM;
	size_t len = strlen(text);
	if (len >= size)
		return -ENOBUFS;
	memcpy(buf, text, len + 1);
	return (ssize_t) len;
}

int report_write(const struct context *ctx) {
	static char text[REPORT_SIZE_MAX];
	ssize_t len = report_format(ctx, text, sizeof text);
	if (len < 0)
		return (int) len;
	int r = sys->mkdir(REPORT_DIR, 0755);
	if (r < 0 && r != -EEXIST)
		return r;
	_cleanup_close_ int fd = sys->open(REPORT_PATH, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0644);
	if (fd < 0)
		return fd;
	ssize_t n = sys->write(fd, text, (size_t) len);
	if (n < 0)
		return (int) n;
	if (n != len)
		return -EIO;
	n = sys->write(fd, "\n", 1);
	return n < 0    ? (int) n
	       : n == 1 ? 0
			: -EIO;
}
