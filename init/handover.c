/* SPDX-License-Identifier: MIT */
/* Hands over to the system's init, which must be a file on the verified /usr. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"
#include "measure.h"
#include "report.h"
#include "stages.h"
#include "switchroot.h"
#include "sysops.h"

int handover_record(struct context *ctx) {
	int r = measure_leave(ctx);
	if (r < 0) {
		ctx->reason = REASON_MEASURE;
		return r;
	}
	/* Written into the initramfs's /run, which switch_root() moves into the new root. */
	r = report_write(ctx);
	if (r < 0) {
		ctx->reason = REASON_INTERNAL;
		return log_error_errno(r, "Cannot write the boot report %s: %m", REPORT_PATH);
	}
	return 0;
}

int stage_handover(struct context *ctx) {
	struct stat usr;
	const char *init = ctx->cfg.init;

	if (stat("/sysroot/usr", &usr) < 0)
		return log_error_errno(negative_errno(), "Cannot stat /sysroot/usr: %m");
	_cleanup_close_ int rootfd = open("/sysroot", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return log_error_errno(negative_errno(), "Cannot open /sysroot: %m");
	_cleanup_close_ int initfd = init_open_checked(rootfd, init, usr.st_dev);
	if (initfd < 0) {
		ctx->reason = REASON_INIT_UNVERIFIED;
		return log_error_errno(initfd, "The init %s %s: %m", init,
				       initfd == -EXDEV ? "is not on the verified /usr" : "cannot be used");
	}

	struct stat checked, now;
	if (fstat(initfd, &checked) < 0)
		return log_error_errno(negative_errno(), "Cannot stat %s: %m", init);
	int r = handover_record(ctx);
	if (r < 0)
		return r;
	r = switch_root("/sysroot");
	if (r < 0)
		return r;
	/* exec goes by path (a script's interpreter needs one): it must still be the file checked. */
	if (stat(init, &now) < 0 || now.st_dev != checked.st_dev || now.st_ino != checked.st_ino) {
		ctx->reason = REASON_INIT_UNVERIFIED;
		return log_error_errno(-ESTALE, "%s is no longer the file that was checked", init);
	}

	/* A clean start for the system: console as stdio, nothing else open, a fixed environment. */
	_cleanup_close_ int console = open("/dev/console", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (console < 0)
		return log_error_errno(negative_errno(), "Cannot open /dev/console in the new root: %m");
	for (int fd = 0; fd < 3; fd++)
		if (dup2(console, fd) < 0)
			return log_error_errno(negative_errno(), "Cannot set up stdio: %m");
	log_info("Handing over to %s", init);
	log_set_fds(-EBADF, -EBADF);
	/* Everything of ours is O_CLOEXEC; this closes what the kernel or a library left open. */
	(void) syscall(SYS_close_range, 3U, ~0U, 0U);
	/* Blocked and ignored signals survive exec: the system starts with none, whatever a library
	 * did. Only SIGKILL and SIGSTOP refuse SIG_DFL, and they are never changed. */
	sigset_t none;
	(void) sigemptyset(&none);
	(void) sigprocmask(SIG_SETMASK, &none, NULL);
	for (int sig = 1; sig <= SIGRTMAX; sig++)
		(void) signal(sig, SIG_DFL);

	char *const argv[] = { (char *) init, NULL };
	char *const envp[] = { "HOME=/", "TERM=linux", "PATH=/usr/sbin:/usr/bin", NULL };
	execve(init, argv, envp);
	r = negative_errno();
	log_set_fds(-EBADF, STDERR_FILENO);
	ctx->reason = REASON_INIT_UNVERIFIED;
	return log_error_errno(r, "Cannot execute %s: %m", init);
}
