/* SPDX-License-Identifier: MIT */
/* config_parse() as stage_config(), verinit-measure and verinit-check-config use it: the input is
 * /etc/verinit.conf. Checked: a refusal says why in one line; an accepted file gives a config whose
 * every string is terminated and in its one spelling, whose numbers and enums are in range, whose
 * cross-field rules hold (what mount_root() and devices need), and which, written back as a file,
 * parses to the same config (the round trip). */
#include <sys/mount.h>

#include "config.h"
#include "fuzz.h"
#include "mountopts.h"

static void check_path(const char *p, bool may_be_empty) {
	char out[CONFIG_PATH_MAX];
	FUZZ_CHECK(memchr(p, '\0', CONFIG_PATH_MAX) != NULL);
	if (!p[0]) {
		FUZZ_CHECK(may_be_empty);
		return;
	}
	FUZZ_CHECK(config_parse_path(p, strlen(p), out) == 0);
	FUZZ_CHECK(strcmp(out, p) == 0);
}

static void check_device(const char *d, bool may_be_empty) {
	char out[CONFIG_PATH_MAX];
	FUZZ_CHECK(memchr(d, '\0', CONFIG_PATH_MAX) != NULL);
	if (!d[0]) {
		FUZZ_CHECK(may_be_empty);
		return;
	}
	FUZZ_CHECK(config_parse_device(d, strlen(d), out) == 0);
	FUZZ_CHECK(strcmp(out, d) == 0);
}

static bool one_of(const char *s, const char *const *list) {
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

static void check_config(const struct config *c) {
	static const char *const usr_fs[] = { "erofs", "squashfs", "ext4", NULL };
	static const char *const root_fs[] = { "ext4", "xfs", "btrfs", NULL };

	FUZZ_CHECK(c->usr_discovery < _USR_DISCOVERY_MAX);
	FUZZ_CHECK(c->failure < _FAILURE_ACTION_MAX);
	FUZZ_CHECK(c->kernel_verify < _REQUIREMENT_MAX);
	FUZZ_CHECK(c->verity_on_corruption < _VERITY_MODE_MAX);
	FUZZ_CHECK(c->tpm < _REQUIREMENT_MAX && c->ipe < _REQUIREMENT_MAX && c->selinux < _REQUIREMENT_MAX);
	FUZZ_CHECK(c->ipe_mode < _IPE_MODE_MAX && c->selinux_mode < _SELINUX_MODE_MAX);
	FUZZ_CHECK(c->cmdline_init < _CMDLINE_INIT_MAX);

	if (c->usr_discovery == USR_DISCOVERY_EXPLICIT) {
		check_device(c->usr_data, false);
		check_device(c->usr_hash, false);
		FUZZ_CHECK(strcmp(c->usr_data, c->usr_hash) != 0);
		if (!c->root_tmpfs)
			FUZZ_CHECK(strcmp(c->root_device, c->usr_data) != 0 && strcmp(c->root_device, c->usr_hash) != 0);
	} else
		FUZZ_CHECK(!c->usr_data[0] && !c->usr_hash[0]);
	FUZZ_CHECK_STR(c->usr_signature);
	if (strcmp(c->usr_signature, "partition") != 0)
		check_path(c->usr_signature, false);
	FUZZ_CHECK_STR(c->usr_fstype);
	FUZZ_CHECK(one_of(c->usr_fstype, usr_fs));
	FUZZ_CHECK_STR(c->root_device);
	if (c->root_tmpfs)
		FUZZ_CHECK(!c->root_device[0] && strcmp(c->root_fstype, "ext4") == 0);
	else
		check_device(c->root_device, false);
	FUZZ_CHECK_STR(c->root_fstype);
	FUZZ_CHECK(one_of(c->root_fstype, root_fs));

	/* mount_root() parses root.flags again and must not fail on what the file was allowed. */
	FUZZ_CHECK_STR(c->root_flags);
	char data[CONFIG_FLAGS_MAX];
	unsigned long flags = 0;
	FUZZ_CHECK(mountopts_parse(c->root_flags, &flags, data, sizeof data) == 0);
	/* A device root runs no unverified code unless something stops it or the file accepted it. */
	if (!c->root_tmpfs && c->root_exec == ROOT_EXEC_VERIFIED)
		FUZZ_CHECK((flags & MS_NOEXEC) || (c->ipe_policy[0] && c->ipe_mode == IPE_ENFORCE && c->ipe == REQUIREMENT_REQUIRED));
	if (c->root_tmpfs)
		FUZZ_CHECK(c->root_exec == ROOT_EXEC_VERIFIED);

	check_path(c->certificates, false);
	FUZZ_CHECK(c->n_modules >= 1 && c->n_modules <= CONFIG_MODULES_MAX);
	for (size_t i = 0; i < c->n_modules; i++) {
		FUZZ_CHECK_STR(c->modules[i]);
		FUZZ_CHECK(c->modules[i][0] != '\0');
		FUZZ_CHECK(strspn(c->modules[i], "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") ==
			   strlen(c->modules[i]));
	}
	FUZZ_CHECK(c->device_timeout >= 1 && c->device_timeout <= 600);
	FUZZ_CHECK(c->tpm_timeout >= 1 && c->tpm_timeout <= 600);
	FUZZ_CHECK(c->failure_delay <= 3600);
	FUZZ_CHECK(c->pcr_phase >= 8 && c->pcr_phase <= 23 && c->pcr_facts >= 8 && c->pcr_facts <= 23);

	check_path(c->ipe_policy, true);
	if (!c->ipe_policy[0])
		FUZZ_CHECK(c->ipe_mode == IPE_ENFORCE && c->ipe == REQUIREMENT_REQUIRED);
	check_path(c->selinux_policy, true);
	if (!c->selinux_policy[0])
		FUZZ_CHECK(c->selinux_mode == SELINUX_ENFORCING && c->selinux == REQUIREMENT_REQUIRED);

	char init[CONFIG_PATH_MAX];
	FUZZ_CHECK_STR(c->init);
	FUZZ_CHECK(config_parse_init(c->init, strlen(c->init), init) == 0 && strcmp(init, c->init) == 0);

	/* Only the command line sets these. */
	FUZZ_CHECK(!c->usrhash[0] && !c->usr_data_hint[0] && !c->usr_hash_hint[0] && !c->usr_flags[0] && !c->debug);
}

/* The config as a file: every key whose value is not implied by another. */
static size_t render(const struct config *c, char *buf, size_t size) {
	size_t n = 0;
#define PUT(...)                                                   \
	do {                                                       \
		int w_ = snprintf(buf + n, size - n, __VA_ARGS__); \
		FUZZ_CHECK(w_ >= 0 && (size_t) w_ < size - n);     \
		n += (size_t) w_;                                  \
	} while (0)
	PUT("# rendered\n\nusr.discovery=%s\n", usr_discovery_to_string(c->usr_discovery));
	if (c->usr_discovery == USR_DISCOVERY_EXPLICIT)
		PUT("usr.data=%s\nusr.hash=%s\n", c->usr_data, c->usr_hash);
	PUT("usr.signature=%s\nusr.fstype=%s\n", c->usr_signature, c->usr_fstype);
	if (c->root_tmpfs)
		PUT("root=tmpfs\n");
	else
		PUT("root=%s\nroot.fstype=%s\n", c->root_device, c->root_fstype);
	if (c->root_flags[0])
		PUT("root.flags=%s\n", c->root_flags);
	if (!c->root_tmpfs)
		PUT("root.exec=%s\n", root_exec_to_string(c->root_exec));
	PUT("certificates=%s\nmodules=", c->certificates);
	for (size_t i = 0; i < c->n_modules; i++)
		PUT("%s%s", i ? " " : "", c->modules[i]);
	PUT("\ndevice_timeout=%u\nfailure=%s\nfailure_delay=%u\nkernel_verify=%s\n", c->device_timeout,
	    failure_action_to_string(c->failure), c->failure_delay, requirement_to_string(c->kernel_verify));
	PUT("verity.on_corruption=%s\ninit=%s\ncmdline.init=%s\ntpm=%s\ntpm_timeout=%u\npcr.phase=%u\npcr.facts=%u\n",
	    verity_mode_to_string(c->verity_on_corruption), c->init, cmdline_init_to_string(c->cmdline_init),
	    requirement_to_string(c->tpm), c->tpm_timeout, c->pcr_phase, c->pcr_facts);
	if (c->ipe_policy[0])
		PUT("ipe.policy=%s\nipe.mode=%s\nipe=%s\n", c->ipe_policy, ipe_mode_to_string(c->ipe_mode),
		    requirement_to_string(c->ipe));
	if (c->selinux_policy[0])
		PUT("selinux.policy=%s\nselinux.mode=%s\nselinux=%s", c->selinux_policy,
		    selinux_mode_to_string(c->selinux_mode), requirement_to_string(c->selinux));
#undef PUT
	return n;
}

#define SAME(field) FUZZ_CHECK(memcmp(&a->field, &b->field, sizeof a->field) == 0)

static void check_same(const struct config *a, const struct config *b) {
	SAME(usr_discovery);
	SAME(usr_data);
	SAME(usr_hash);
	SAME(usr_signature);
	SAME(usr_fstype);
	SAME(root_tmpfs);
	SAME(root_device);
	SAME(root_fstype);
	SAME(root_flags);
	SAME(root_exec);
	SAME(certificates);
	SAME(n_modules);
	for (size_t i = 0; i < a->n_modules; i++)
		FUZZ_CHECK(strcmp(a->modules[i], b->modules[i]) == 0);
	SAME(device_timeout);
	SAME(failure);
	SAME(failure_delay);
	SAME(kernel_verify);
	SAME(verity_on_corruption);
	SAME(tpm);
	SAME(tpm_timeout);
	SAME(pcr_phase);
	SAME(pcr_facts);
	SAME(ipe_policy);
	SAME(ipe_mode);
	SAME(ipe);
	SAME(selinux_policy);
	SAME(selinux_mode);
	SAME(selinux);
	SAME(init);
	SAME(cmdline_init);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	static struct config c, again;
	static char text[CONFIG_FILE_MAX];
	struct parse_error err = {};

	int r = config_parse((const char *) data, size, &c, &err);
	fuzz_trace("config_parse: %d line %u %s", r, err.line, r < 0 ? err.msg : "");
	if (r < 0) {
		FUZZ_CHECK(r == -EINVAL || r == -EBADMSG || r == -E2BIG);
		fuzz_check_error(&err, true);
		return 0;
	}
	FUZZ_CHECK(r == 0);
	check_config(&c);

	size_t n = render(&c, text, sizeof text);
	r = config_parse(text, n, &again, &err);
	if (r != 0) {
		fprintf(stderr, "the rendered config does not parse: line %u: %s\n%.*s\n", err.line, err.msg, (int) n, text);
		abort();
	}
	check_same(&c, &again);
	return 0;
}
