/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>

#include "log.h"

#define LOG_LINE_MAX 1024

static int kmsg = -EBADF;
static int console = -EBADF;
static int max_level = LOG_INFO;
static int echo_below = 0;

void log_set_fds(int kmsg_fd, int console_fd) {
	kmsg = kmsg_fd;
	console = console_fd;
}

void log_set_console_echo(int console_loglevel) {
	echo_below = console_loglevel;
}

void log_set_max_level(int level) {
	max_level = level;
}

/* One writev per sink, so concurrent writers (the kernel) never split a line. Returns whether the
 * whole line was written. */
static bool emit(int fd, const char *prefix, const char *msg) {
	if (fd < 0)
		return false;
	struct iovec iov[] = {
		{ .iov_base = (char *) prefix, .iov_len = strlen(prefix) },
		{ .iov_base = (char *) msg, .iov_len = strlen(msg) },
		{ .iov_base = (char *) "\n", .iov_len = 1 },
	};
	/* Nowhere left to report a failing log write: the caller's path continues unchanged. */
	ssize_t n = writev(fd, iov, ELEMENTSOF(iov));
	return n >= 0 && (size_t) n == iov[0].iov_len + iov[1].iov_len + 1;
}

int log_internalv(int level, int error, const char *fmt, va_list ap) {
	int saved = errno;
	int e = error < 0 ? -error : error;

	if (level <= max_level) {
		char msg[LOG_LINE_MAX];

		/* %m in fmt then names the error being logged, not whatever errno happens to be. */
		if (e != 0)
			errno = e;
		(void) vsnprintf(msg, sizeof msg, fmt, ap); /* a long line is cut, never overflows */

		char prefix[32];
		(void) snprintf(prefix, sizeof prefix, "<%d>verinit: ", LOG_USER | level);
		/* A line the kernel took and echoes to its consoles itself is not written there twice. */
		bool echoed = emit(kmsg, prefix, msg) && level < echo_below;
		if (level <= LOG_INFO && !echoed)
			(void) emit(console, "verinit: ", msg);
	}

	errno = saved;
	return -e;
}

int log_internal(int level, int error, const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	int r = log_internalv(level, error, fmt, ap);
	va_end(ap);
	return r;
}

void log_console(const char *fmt, ...) {
	char msg[LOG_LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	(void) vsnprintf(msg, sizeof msg, fmt, ap); /* a long line is cut, never overflows */
	va_end(ap);
	emit(console, "", msg);
}
