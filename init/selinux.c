/* SPDX-License-Identifier: MIT */
/* Loads the configured binary SELinux policy from verified storage and sets enforcing or
 * permissive before the hand-over. selinuxfs stays mounted on /sys/fs/selinux, which moves with
 * /sys into the new root. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>

#include "log.h"
#include "policy.h"
#include "stages.h"
#include "sysops.h"

#define SELINUXFS "/sys/fs/selinux"

/* selinuxfs is registered only when SELinux is among the active LSMs. */
static int selinux_active(void) {
	static char buf[4096];
	ssize_t n = sys_read_small_file("/proc/filesystems", buf, sizeof buf);
	if (n < 0)
		return (int) n;
	return strstr(buf, "\tselinuxfs\n") ? 1 : 0;
}

static int selinux_load(struct context *ctx) {
	const struct config *c = &ctx->cfg;
	const uint8_t *blob = NULL;

	int r = selinux_active();
	if (r <= 0) {
		ctx->reason = REASON_SELINUX_UNAVAILABLE;
		return log_error_errno(r < 0 ? r : -EOPNOTSUPP,
				       "SELinux is not active in this kernel: its command line needs an lsm= word that "
				       "includes selinux (e.g. lsm=lockdown,capability,landlock,yama,selinux,ipe)");
	}
	ssize_t n = policy_read(c->selinux_policy, &blob, ctx->selinux_sha256);
	if (n < 0) {
		ctx->reason = REASON_POLICY_UNVERIFIED;
		return log_error_errno((int) n, "Cannot read the SELinux policy %s from verified storage%s: %m",
				       c->selinux_policy,
				       n == -EXDEV ? " (it is not on the initramfs or the dm-verity /usr)" : "");
	}
	r = sys->mount("selinuxfs", SELINUXFS, "selinuxfs", MS_NOSUID | MS_NOEXEC, NULL);
	if (r < 0 && r != -EBUSY)
		return log_error_errno(r, "Cannot mount selinuxfs on %s: %m", SELINUXFS);

	ctx->reason = REASON_SELINUX_LOAD;
	/* One write: the kernel parses what a single write brings ("ebitmap: truncated map" otherwise). */
	r = policy_write(SELINUXFS "/load", blob, (size_t) n);
	if (r < 0)
		return log_error_errno(r, "The kernel refused the SELinux policy %s: %m", c->selinux_policy);
	r = sys_write_file(SELINUXFS "/enforce", c->selinux_mode == SELINUX_ENFORCING ? "1" : "0");
	if (r < 0)
		return log_error_errno(r, "Cannot set SELinux %s: %m", selinux_mode_to_string(c->selinux_mode));
	ctx->reason = REASON_NONE;
	log_info("SELinux policy %s loaded, %s (SHA-256 %s)", c->selinux_policy,
		 selinux_mode_to_string(c->selinux_mode), ctx->selinux_sha256);
	(void) snprintf(ctx->status, sizeof ctx->status, "%s", selinux_mode_to_string(c->selinux_mode));
	return 0;
}

int stage_selinux(struct context *ctx) {
	const struct config *c = &ctx->cfg;

	if (!c->selinux_policy[0]) {
		(void) snprintf(ctx->status, sizeof ctx->status, "none configured");
		return 0;
	}
	return policy_result(ctx, selinux_load(ctx), c->selinux, "selinux", c->selinux_policy, ctx->selinux_error,
			     ctx->selinux_sha256);
}
