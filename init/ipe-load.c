/* SPDX-License-Identifier: MIT */
/* Loads the configured IPE policy from verified storage, activates it and sets its mode, so that
 * the system's first instruction already runs under it. The kernel checks the policy's signature
 * (secondary and platform keyrings); verinit reads its name and version to know what to activate
 * and to refuse a downgrade of a policy that is already there. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "ipe-install.h"
#include "ipe.h"
#include "log.h"
#include "policy.h"
#include "stage.h"
#include "stages.h"
#include "sysops.h"

#define SECURITYFS "/sys/kernel/security"
#define IPE_DIR SECURITYFS "/ipe"

static int policy_file(char *buf, size_t size, const char *name, const char *file) {
	int w = snprintf(buf, size, IPE_DIR "/policies/%s/%s", name, file);
	return w < 0 || (size_t) w >= size ? -ENAMETOOLONG : 0;
}

/* 0 when the kernel already holds exactly these bytes under this name. */
static int loaded_same(const char *name, const uint8_t *blob, size_t len) {
	static uint8_t have[1U << 20]; /* an IPE policy is KiBs; a longer loaded one is simply "other bytes" */
	char path[160];
	int r = policy_file(path, sizeof path, name, "pkcs7");
	if (r < 0)
		return r;
	_cleanup_close_ int fd = sys->open(path, O_RDONLY, 0);
	if (fd < 0)
		return fd;
	ssize_t n = sys_read_full(fd, have, sizeof have);
	if (n == -E2BIG)
		return 1;
	if (n < 0)
		return (int) n;
	return (size_t) n == len && memcmp(have, blob, len) == 0 ? 0 : 1;
}

/* The same name is loaded already (a boot policy built into the kernel, say): replace it through
 * its update file if ours is newer or equal, never with an older one. */
static int update_existing(struct context *ctx, const char *name, const struct ipe_version *ours,
			   const uint8_t *blob, size_t len) {
	char path[160], text[32] = "";
	struct ipe_version theirs;
	int r = policy_file(path, sizeof path, name, "version");
	if (r < 0)
		return r;
	ssize_t n = sys_read_small_file(path, text, sizeof text);
	if (n < 0 || ipe_version_parse(text, (size_t) n, &theirs) < 0)
		return log_error_errno(n < 0 ? (int) n : -EBADMSG, "Cannot read the version of the loaded IPE policy %s", name);
	if (ipe_version_cmp(ours, &theirs) < 0)
		return stage_fail(ctx, REASON_IPE_DOWNGRADE, -EPERM,
				  "IPE policy %s %u.%u.%u is older than the loaded %u.%u.%u: refusing to downgrade", name,
				  ours->major, ours->minor, ours->patch, theirs.major, theirs.minor, theirs.patch);
	if (loaded_same(name, blob, len) == 0) {
		log_info("IPE policy %s %u.%u.%u is loaded already", name, ours->major, ours->minor, ours->patch);
		return 0;
	}
	r = policy_file(path, sizeof path, name, "update");
	return r < 0 ? r : policy_write(path, blob, len);
}

static enum reason load_reason(int r) {
	switch (r) {
	case -ENOKEY:
	case -EKEYREJECTED:
	case -EKEYEXPIRED:
	case -EKEYREVOKED:
		return REASON_IPE_UNTRUSTED;
	case -EBADMSG:
	case -EINVAL:
		return REASON_IPE_MALFORMED;
	case -ESTALE:
		return REASON_IPE_DOWNGRADE;
	default:
		return REASON_IPE;
	}
}

int ipe_install(struct context *ctx, const char *name, const struct ipe_version *version, const uint8_t *blob,
		size_t len) {
	const struct config *c = &ctx->cfg;
	char path[160];

	int r = policy_write(IPE_DIR "/new_policy", blob, len);
	if (r == -EEXIST)
		r = update_existing(ctx, name, version, blob, len);
	if (r < 0) {
		if (ctx->reason == REASON_NONE)
			ctx->reason = load_reason(r);
		return log_error_errno(r, "The kernel refused the IPE policy %s (%s): %m", name, c->ipe_policy);
	}

	ctx->reason = REASON_IPE;
	r = policy_file(path, sizeof path, name, "active");
	if (r >= 0)
		r = sys_write_file(path, "1");
	if (r < 0)
		return log_error_errno(r, "Cannot activate the IPE policy %s: %m", name);
	const char *want = c->ipe_mode == IPE_ENFORCE ? "1" : "0";
	r = sys_write_file(IPE_DIR "/enforce", want);
	if (r < 0)
		return log_error_errno(r, "Cannot set IPE to %s: %m", ipe_mode_to_string(c->ipe_mode));
	/* What PCR 15 states is what the kernel reads back, not what was asked for. */
	char mode[8];
	ssize_t n = sys_read_small_file(IPE_DIR "/enforce", mode, sizeof mode);
	if (n < 0)
		return log_error_errno((int) n, "Cannot read back " IPE_DIR "/enforce: %m");
	if (strcmp(mode, want) != 0 && !(mode[0] == want[0] && mode[1] == '\n'))
		return log_error_errno(-EPERM, "IPE reads back enforce=%.2s after verinit set %s", mode, want);
	ctx->reason = REASON_NONE;
	return 0;
}

static int ipe_load(struct context *ctx) {
	const struct config *c = &ctx->cfg;
	struct parse_error err = {};
	struct ipe_version version;
	const uint8_t *blob = NULL;

	ssize_t n = policy_read(c->ipe_policy, ctx->usr_dev, &blob, ctx->ipe_sha256);
	if (n < 0)
		return stage_fail(ctx, REASON_POLICY_UNVERIFIED, (int) n,
				  "Cannot read the IPE policy %s from verified storage%s: %m", c->ipe_policy,
				  n == -EXDEV ? " (it is not on the initramfs or the dm-verity /usr)" : "");
	int r = ipe_policy_header(blob, (size_t) n, ctx->ipe_name, &version, &err);
	if (r < 0)
		return stage_fail(ctx, REASON_IPE_MALFORMED, r, "IPE policy %s: %s", c->ipe_policy, err.msg);

	/* securityfs is not one of the early mounts: only the policies need it. */
	if (sys->access(IPE_DIR, F_OK) < 0) {
		r = sys->mount("securityfs", SECURITYFS, "securityfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
		if (r < 0 && r != -EBUSY)
			return log_error_errno(r, "Cannot mount securityfs on %s: %m", SECURITYFS);
	}
	if (sys->access(IPE_DIR, F_OK) < 0)
		return stage_fail(ctx, REASON_IPE_UNAVAILABLE, -EOPNOTSUPP,
				  "The kernel has no IPE (%s is missing): it needs CONFIG_SECURITY_IPE "
				  "and ipe in its lsm= list",
				  IPE_DIR);

	r = ipe_install(ctx, ctx->ipe_name, &version, blob, (size_t) n);
	if (r < 0)
		return r;
	log_info("IPE policy %s %u.%u.%u active in %s mode (SHA-256 %s, from %s)", ctx->ipe_name, version.major,
		 version.minor, version.patch, ipe_mode_to_string(c->ipe_mode), ctx->ipe_sha256, c->ipe_policy);
	stage_status(ctx, "%s, %s", ctx->ipe_name, ipe_mode_to_string(c->ipe_mode));
	return 0;
}

int stage_ipe(struct context *ctx) {
	const struct config *c = &ctx->cfg;

	if (!c->ipe_policy[0]) {
		stage_status(ctx, "none configured: the kernel's own policy stays");
		return 0;
	}
	return policy_result(ctx, ipe_load(ctx), c->ipe, "ipe", c->ipe_policy, ctx->ipe_error, ctx->ipe_sha256);
}
