/* SPDX-License-Identifier: MIT */
/* Hands over to the system's init, which must be a file on the verified /usr.
 * Every system call goes through the ops table (sysops.h), switch_root and execve included.
 * Left raw, in lib/sys/switchroot.c: the openat2 resolutions inside the new root (init_open_checked,
 * exec_chain_checked, root_path_exists) and their fstat and pread, on the fd sys->open gave for
 * /sysroot: path resolution against a real tree, which the tests give them as a directory. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "pcr-events.h"
#include "report.h"
#include "stage.h"
#include "stages.h"
#include "strbuf.h"
#include "switchroot.h"
#include "sysops.h"

/* "Hand-over 1.234 s after the kernel started (...): early-mounts 65 ms, ...": one line that says
 * where the boot's time went, for the console and the journal; it also fills the report's CPU time
 * and peak memory. */
static void log_timing(struct context *ctx) {
	char buf[512];
	size_t used = 0;
	struct cpu_time now_cpu = { 0, 0 };

	if (cpu_time(&now_cpu, &ctx->maxrss_kb) == 0) {
		ctx->cpu.user_us = now_cpu.user_us - ctx->cpu_start.user_us;
		ctx->cpu.system_us = now_cpu.system_us - ctx->cpu_start.system_us;
	}
	buf[0] = '\0';
	for (size_t i = 0; i < ctx->n_timing; i++) {
		const struct stage_timing *t = &ctx->timing[i];
		uint64_t end = t->end_us ? t->end_us : sys->now_us();
		if (!strbuf_append(buf, sizeof buf, &used, "%s%s %" PRIu64 " ms", i ? ", " : "", t->name,
				   (end - t->start_us) / 1000))
			break;
	}
	uint64_t now = sys->now_us();
	log_info("Hand-over %" PRIu64 ".%03" PRIu64 " s after the kernel started (kernel %" PRIu64 " ms, verinit %" PRIu64
		 " ms, CPU %" PRIu64 " ms user + %" PRIu64 " ms system, max RSS %ld KiB): %s",
		 now / 1000000, now / 1000 % 1000, ctx->start_us / 1000, (now - ctx->start_us) / 1000,
		 ctx->cpu.user_us / 1000, ctx->cpu.system_us / 1000, ctx->maxrss_kb, buf);
}

int handover_record(struct context *ctx) {
	log_timing(ctx);
	int r = measure_leave(ctx);
	if (r < 0)
		return stage_failed(ctx, REASON_MEASURE, r);
	/* Written into the initramfs's /run, which switch_root() moves into the new root. */
	r = report_write(ctx);
	if (r < 0)
		return stage_fail(ctx, REASON_INTERNAL, r, "Cannot write the boot report %s: %m", REPORT_PATH);
	return 0;
}

/* What executing the init loads must come from the verified /usr too: its "#!" interpreter or ELF
 * loader (the root could hold its own /lib64), and no /etc/ld.so.preload may add libraries to it. */
static int check_exec_chain(struct context *ctx, int rootfd, dev_t usr_dev) {
	char bad[EXEC_INTERP_MAX] = "";
	struct parse_error err = { .msg = "" };
	const char *init = ctx->cfg.init;

	int r = exec_chain_checked(rootfd, init, usr_dev, bad, &err);
	if (r < 0) {
		ctx->reason = REASON_INIT_UNVERIFIED;
		if (err.msg[0] && strcmp(bad, init) == 0)
			return log_error_errno(r, "The init %s cannot be executed as checked: %s", init, err.msg);
		if (err.msg[0])
			return log_error_errno(r, "%s, which executing the init %s loads, cannot be checked: %s", bad, init,
					       err.msg);
		if (strcmp(bad, init) == 0)
			return log_error_errno(r, "The init %s %s: %m", init,
					       r == -EXDEV ? "is not on the verified /usr" : "cannot be used");
		return log_error_errno(r, "%s, which executing the init %s loads, %s: %m", bad, init,
				       r == -EXDEV ? "is not on the verified /usr" : "cannot be used");
	}
	r = root_path_exists(rootfd, "/etc/ld.so.preload");
	if (r != 0)
		return stage_fail(ctx, REASON_INIT_UNVERIFIED, r < 0 ? r : -EPERM,
				  "/etc/ld.so.preload %s on the new root: the dynamic loader would "
				  "load what it names into the init",
				  r < 0 ? "cannot be checked" : "exists");
	return 0;
}

int stage_handover(struct context *ctx) {
	struct stat usr;
	const char *init = ctx->cfg.init;

	/* The device to trust is the verified one itself (ctx->usr_dev), not whatever /sysroot/usr is
	 * now. */
	int r = sys->lstat("/sysroot/usr", &usr);
	if (r < 0)
		return log_error_errno(r, "Cannot stat /sysroot/usr: %m");
	if (!S_ISDIR(usr.st_mode) || usr.st_dev != ctx->usr_dev)
		return stage_fail(ctx, REASON_INIT_UNVERIFIED, -EXDEV, "/sysroot/usr is not the verified /dev/mapper/usr");
	_cleanup_close_ int rootfd = sys->open("/sysroot", O_RDONLY | O_DIRECTORY, 0);
	if (rootfd < 0)
		return log_error_errno(rootfd, "Cannot open /sysroot: %m");
	_cleanup_close_ int initfd = init_open_checked(rootfd, init, ctx->usr_dev);
	if (initfd < 0)
		return stage_fail(ctx, REASON_INIT_UNVERIFIED, initfd, "The init %s %s: %m", init,
				  initfd == -EXDEV ? "is not on the verified /usr" : "cannot be used");
	r = check_exec_chain(ctx, rootfd, ctx->usr_dev);
	if (r < 0)
		return r;

	struct stat checked, now;
	r = sys->fstat(initfd, &checked);
	if (r < 0)
		return log_error_errno(r, "Cannot stat %s: %m", init);
	r = handover_record(ctx);
	if (r < 0)
		return r;
	/* No more drivers for the initramfs to load: its module tree is about to be deleted. */
	modules_stop(ctx);
	r = sys->switch_root("/sysroot");
	if (r < 0)
		return r;
	/* exec goes by path (a script's interpreter needs one): it must still be the file checked. */
	r = sys->stat(init, &now);
	if (r < 0 || now.st_dev != checked.st_dev || now.st_ino != checked.st_ino)
		return stage_fail(ctx, REASON_INIT_UNVERIFIED, -ESTALE, "%s is no longer the file that was checked", init);

	/* A clean start for the system: console as stdio, nothing else open, a fixed environment. */
	_cleanup_close_ int console = sys->open("/dev/console", O_RDWR | O_NOCTTY, 0);
	if (console < 0)
		return log_error_errno(console, "Cannot open /dev/console in the new root: %m");
	for (int fd = 0; fd < 3; fd++) {
		r = sys->dup2(console, fd);
		if (r < 0)
			return log_error_errno(r, "Cannot set up stdio: %m");
	}
	log_info("Handing over to %s", init);
	log_set_fds(-EBADF, -EBADF);
	char *const argv[] = { (char *) init, NULL };
	char *const envp[] = { "HOME=/", "TERM=linux", "PATH=/usr/sbin:/usr/bin", NULL };
	/* Closes every other fd and resets the signals first (sysops.c). */
	r = sys->execve(init, argv, envp);
	log_set_fds(-EBADF, STDERR_FILENO);
	return stage_fail(ctx, REASON_INIT_UNVERIFIED, r, "Cannot execute %s: %m", init);
}
