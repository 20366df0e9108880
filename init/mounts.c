/* SPDX-License-Identifier: MIT */
/* The new root at /sysroot: a tmpfs or the configured partition, with the verified /usr on it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "log.h"
#include "measurements.h"
#include "macro.h"
#include "mountopts.h"
#include "stages.h"
#include "sysops.h"

static int mount_root(struct context *ctx) {
	const struct config *c = &ctx->cfg;
	unsigned long flags = MS_NOSUID | MS_NODEV;
	char data[CONFIG_FLAGS_MAX];

	int r = mountopts_parse(c->root_flags, &flags, data, sizeof data);
	if (r < 0)
		return log_error_errno(r, "Bad root.flags=%s: %m", c->root_flags);
	if (c->root_tmpfs) {
		char tmpfs_data[CONFIG_FLAGS_MAX + 16];
		/* tmpfs takes the last of repeated options: the configured ones win over the default. */
		r = snprintf(tmpfs_data, sizeof tmpfs_data, "mode=0755%s%s", data[0] ? "," : "", data);
		if (r < 0 || (size_t) r >= sizeof tmpfs_data)
			return log_error_errno(-E2BIG, "root.flags=%s is too long for a tmpfs", c->root_flags);
		r = sys->mount("tmpfs", "/sysroot", "tmpfs", flags, tmpfs_data);
	} else
		r = sys->mount(ctx->dev_root, "/sysroot", c->root_fstype, flags, data[0] ? data : NULL);
	if (r < 0)
		return log_error_errno(r, "Cannot mount the root (%s) on /sysroot: %m",
				       c->root_tmpfs ? "tmpfs" : ctx->dev_root);
	return 0;
}

static int mount_usr(struct context *ctx) {
	const struct config *c = &ctx->cfg;
	/* Read-only and nodev whatever mount.usrflags= adds: the command line only narrows. The same
	 * string is what PCR 15 states. */
	char opts[MEASURE_FLAGS_MAX], data[MEASURE_FLAGS_MAX];
	unsigned long flags = 0;

	measure_usr_flags(c, opts);
	int r = mountopts_parse(opts, &flags, data, sizeof data);
	if (r < 0 || data[0])
		return log_error_errno(r < 0 ? r : -EINVAL, "Bad mount.usrflags=%s: only VFS flags are allowed",
				       c->usr_flags);
	r = sys->mount("/dev/mapper/usr", "/sysroot/usr", c->usr_fstype, flags, NULL);
	if (r < 0)
		return log_error_errno(r, "Cannot mount /dev/mapper/usr (%s) on /sysroot/usr: %m", c->usr_fstype);
	return 0;
}

int stage_mounts(struct context *ctx) {
	int r = sys->mkdir("/sysroot", 0755);
	if (r < 0 && r != -EEXIST)
		return log_error_errno(r, "Cannot create /sysroot: %m");
	r = mount_root(ctx);
	if (r < 0)
		return r;
	r = sys->mkdir("/sysroot/usr", 0755);
	if (r < 0 && r != -EEXIST)
		return log_error_errno(r, "Cannot create /sysroot/usr: %m");
	/* On a device root, /usr is whatever the disk has: mount(2) follows a symlink there and would
	 * put the verified /usr elsewhere. Only a directory of the root itself takes it. */
	_cleanup_close_ int usrdir = sys->open("/sysroot/usr", O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC, 0);
	if (usrdir < 0)
		return log_error_errno(usrdir, "/usr on the new root is not a directory (a symlink?): %m");
	r = mount_usr(ctx);
	if (r < 0)
		return r;
	struct stat st;
	r = sys->stat("/dev/mapper/usr", &st);
	if (r >= 0 && !S_ISBLK(st.st_mode))
		r = -ENOTBLK;
	if (r < 0)
		return log_error_errno(r, "Cannot stat /dev/mapper/usr: %m");
	ctx->usr_dev = st.st_rdev;
	log_info("Mounted %s on /sysroot and the verified /usr read-only on /sysroot/usr%s%s",
		 ctx->cfg.root_tmpfs ? "a tmpfs" : ctx->dev_root, ctx->cfg.usr_flags[0] ? " with " : "",
		 ctx->cfg.usr_flags);
	return 0;
}
