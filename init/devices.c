/* SPDX-License-Identifier: MIT */
/* Waits, without udev, for the partitions /usr needs and picks exactly one per role. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "blockscan.h"
#include "partuuid.h"
#include "log.h"
#include "stages.h"
#include "sysops.h"

#define POLL_US 50000

static const char *want_text(const struct part_want *w, char *buf, size_t size) {
	(void) snprintf(buf, size, "%s%s%s", w->name ? w->name : "",
			w->name && w->type ? " of type " : "", w->type ? w->type : "");
	return buf;
}

/* Each chosen partition must own its sectors: a hostile table could otherwise lay another
 * partition (a writable one, say) over /usr or its hash tree. Returns 0 or -EBADMSG. */
static int refuse_overlaps(struct context *ctx, const char *const *roles, const struct part *parts, size_t np,
			   const int *picked, size_t n) {
	for (size_t i = 0; i < n; i++) {
		int j = discover_overlap(parts, np, (size_t) picked[i]);
		if (j < 0)
			continue;
		const struct part *a = &parts[picked[i]], *b = &parts[j];
		ctx->reason = REASON_PARTITION_OVERLAP;
		return log_error_errno(-EBADMSG,
				       "%s %s (sectors %" PRIu64 "+%" PRIu64 ") overlaps %s (sectors %" PRIu64 "+%" PRIu64
				       "); refusing the partition table",
				       roles[i], a->dev, a->start, a->size, b->dev, b->start, b->size);
	}
	return 0;
}

/* A role chosen again (usr by PARTUUID after the signature) replaces what it was. */
static void remember(struct context *ctx, const char *role, const struct part *p) {
	size_t i = 0;
	while (i < ctx->n_chosen && strcmp(ctx->chosen[i].role, role) != 0)
		i++;
	if (i == ELEMENTSOF(ctx->chosen))
		return;
	ctx->chosen[i] = (struct chosen_part){ role, *p };
	if (i == ctx->n_chosen)
		ctx->n_chosen++;
}

/* The partitions of a wanted type that discovery passed over, and why: an operator who finds
 * none chosen (or the other slot chosen) sees it was not for want of a partition. */
static void log_skipped(const struct part *parts, size_t np, const struct part_want *wants, size_t n, int level) {
	for (size_t i = 0; i < np; i++) {
		const char *why = part_skip_reason(&parts[i]);
		if (!why)
			continue;
		for (size_t w = 0; w < n; w++)
			if (wants[w].discovering && wants[w].type && strcasecmp(wants[w].type, parts[i].type) == 0) {
				const char *role = discover_type_role(parts[i].type);
				log_internal(level, 0, "%s: %s, %s: skipped", parts[i].dev, role ? role : parts[i].type,
					     why);
				break;
			}
	}
}

int devices_await(struct context *ctx, const char *const *roles, const struct part_want *wants, size_t n,
		  struct part *out) {
	struct part parts[BLOCKSCAN_MAX];
	char seen[256] = "", buf[160];
	int picked[4];
	uint64_t next_note = 0;

	if (n > ELEMENTSOF(picked))
		return log_error_errno(-EINVAL, "Asked for %zu partitions; at most %zu", n, ELEMENTSOF(picked));

	for (;;) {
		int np = blockscan("/sys/class/block", parts, seen, sizeof seen);
		if (np < 0)
			return log_error_errno(np, "Cannot list block devices in /sys/class/block: %m");

		size_t found = 0;
		const char *missing = NULL;
		int r;
		for (size_t i = 0; i < n; i++) {
			r = discover_pick(parts, (size_t) np, &wants[i]);
			if (r == -ENOTUNIQ) {
				ctx->reason = REASON_DEVICE_AMBIGUOUS;
				return log_error_errno(r, "Two or more partitions match %s (%s); refusing to guess",
						       roles[i], want_text(&wants[i], buf, sizeof buf));
			}
			if (r < 0) {
				missing = missing ? missing : roles[i];
				continue;
			}
			out[i] = parts[r];
			picked[i] = r;
			found++;
		}
		if (found == n) {
			r = refuse_overlaps(ctx, roles, parts, (size_t) np, picked, n);
			if (r < 0)
				return r;
			log_skipped(parts, (size_t) np, wants, n, LOG_INFO);
			for (size_t i = 0; i < n; i++) {
				remember(ctx, roles[i], &out[i]);
				label_escape(out[i].name, buf, sizeof buf);
				if (out[i].uuid[0])
					log_info("%s: %s (PARTUUID %s, label '%s', attributes 0x%016" PRIx64 ")", roles[i],
						 out[i].dev, out[i].uuid, buf, out[i].flags);
				else
					log_info("%s: %s (whole disk)", roles[i], out[i].dev);
			}
			return 0;
		}

		uint64_t now = sys->now_us();
		if (now >= ctx->device_deadline_us) {
			ctx->reason = REASON_DEVICE_TIMEOUT;
			for (size_t i = 0; i < n; i++)
				if (discover_pick(parts, (size_t) np, &wants[i]) < 0)
					log_error("Missing: %s (%s)", roles[i], want_text(&wants[i], buf, sizeof buf));
			for (int i = 0; i < np; i++)
				if (parts[i].type[0]) {
					label_escape(parts[i].name, buf, sizeof buf);
					log_error("Seen: %s type %s PARTUUID %s label '%s'", parts[i].dev, parts[i].type,
						  parts[i].uuid, buf);
				} else
					log_error("Seen: %s (whole disk)", parts[i].dev);
			log_skipped(parts, (size_t) np, wants, n, LOG_ERR);
			return log_error_errno(-ETIMEDOUT, "No %s after %u s; disks seen: %s", missing,
					       ctx->cfg.device_timeout, seen[0] ? seen : "none");
		}
		if (now >= next_note) {
			log_info("Waiting for %s (%s)", missing, seen[0] ? seen : "no disks yet");
			next_note = now + 5000000;
		}
		/* Not a plain sleep: a driver's devices (a SCSI host's disks) may need drivers of their own. */
		r = modules_hotplug(ctx, POLL_US);
		if (r < 0)
			return r;
	}
}

/* Which partitions to await, and where each one's device name goes. auto: usr and usr-verity by
 * type GUID (narrowed by command-line hints); explicit: the configured devices; partuuid: named by
 * the signed root hash, so awaited after the signature (stage_verity). The signature partition by
 * type GUID, unless the signature is a file; the root when it is a partition. */
int stage_devices(struct context *ctx) {
	const struct config *c = &ctx->cfg;
	const char *roles[4];
	struct part_want wants[4];
	char *dest[4];
	struct part found[4];
	size_t n = 0;

#define WANT(role, type, name, discovering, d)                                                     \
	(roles[n] = (role), wants[n] = (struct part_want){ (type), (name), (discovering) }, dest[n++] = (d))
	/* A hint names its partition: taken as named, like the explicit devices and the root. */
	const char *data_hint = c->usr_data_hint[0] ? c->usr_data_hint : NULL;
	const char *hash_hint = c->usr_hash_hint[0] ? c->usr_hash_hint : NULL;
	if (c->usr_signature[0] != '/')
		WANT("usr-verity-sig", GPT_USR_VERITY_SIG_X86_64, NULL, true, ctx->dev_sig);
	if (c->usr_discovery == USR_DISCOVERY_AUTO) {
		WANT("usr", GPT_USR_X86_64, data_hint, !data_hint, ctx->dev_data);
		WANT("usr-verity", GPT_USR_VERITY_X86_64, hash_hint, !hash_hint, ctx->dev_hash);
	} else if (c->usr_discovery == USR_DISCOVERY_EXPLICIT) {
		WANT("usr", NULL, c->usr_data, false, ctx->dev_data);
		WANT("usr-verity", NULL, c->usr_hash, false, ctx->dev_hash);
	}
	if (!c->root_tmpfs)
		WANT("root", NULL, c->root_device, false, ctx->dev_root);
#undef WANT

	ctx->device_deadline_us = sys->now_us() + (uint64_t) c->device_timeout * 1000000;
	if (n == 0)
		return 0;
	int r = devices_await(ctx, roles, wants, n, found);
	if (r < 0)
		return r;
	size_t used = 0;
	for (size_t i = 0; i < n; i++) {
		(void) snprintf(dest[i], sizeof ctx->dev_sig, "%s", found[i].dev);
		int w = snprintf(ctx->status + used, sizeof ctx->status - used, "%s%s %s", i ? ", " : "", roles[i],
				 found[i].dev);
		if (w > 0 && (size_t) w < sizeof ctx->status - used)
			used += (size_t) w;
	}
	return 0;
}

int devices_await_by_roothash(struct context *ctx) {
	static const char *const roles[] = { "usr", "usr-verity" };
	char data_uuid[37], hash_uuid[37], want_data[48], want_hash[48];
	struct part found[2];

	partuuid_from_roothash(ctx->sig.root_hash, data_uuid, hash_uuid);
	(void) snprintf(want_data, sizeof want_data, "PARTUUID=%s", data_uuid);
	(void) snprintf(want_hash, sizeof want_hash, "PARTUUID=%s", hash_uuid);
	const struct part_want wants[2] = { { GPT_USR_X86_64, want_data, true },
					    { GPT_USR_VERITY_X86_64, want_hash, true } };
	int r = devices_await(ctx, roles, wants, 2, found);
	if (r < 0)
		return r;
	(void) snprintf(ctx->dev_data, sizeof ctx->dev_data, "%s", found[0].dev);
	(void) snprintf(ctx->dev_hash, sizeof ctx->dev_hash, "%s", found[1].dev);
	return 0;
}
