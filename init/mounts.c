/* SPDX-License-Identifier: MIT */
/* The new root at /sysroot: a tmpfs or the configured partition, with the verified /usr on it. */
#include <errno.h>
#include <sys/mount.h>

#include "log.h"
#include "stages.h"
#include "sysops.h"

int stage_mounts(struct context *ctx) {
	int r;

	r = sys->mkdir("/sysroot", 0755);
	if (r < 0 && r != -EEXIST)
		return log_error_errno(r, "Cannot create /sysroot: %m");
	if (ctx->cfg.root_tmpfs)
		r = sys->mount("tmpfs", "/sysroot", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755");
	else
		r = sys->mount(ctx->dev_root, "/sysroot", ctx->cfg.root_fstype, MS_NOSUID | MS_NODEV,
			       ctx->cfg.root_flags[0] ? ctx->cfg.root_flags : NULL);
	if (r < 0)
		return log_error_errno(r, "Cannot mount the root (%s) on /sysroot: %m",
				       ctx->cfg.root_tmpfs ? "tmpfs" : ctx->dev_root);

	r = sys->mkdir("/sysroot/usr", 0755);
	if (r < 0 && r != -EEXIST)
		return log_error_errno(r, "Cannot create /sysroot/usr: %m");
	r = sys->mount("/dev/mapper/usr", "/sysroot/usr", ctx->cfg.usr_fstype, MS_RDONLY | MS_NODEV, NULL);
	if (r < 0)
		return log_error_errno(r, "Cannot mount /dev/mapper/usr (%s) on /sysroot/usr: %m", ctx->cfg.usr_fstype);
	log_info("Mounted %s on /sysroot and the verified /usr read-only on /sysroot/usr",
		 ctx->cfg.root_tmpfs ? "a tmpfs" : ctx->dev_root);
	return 0;
}
