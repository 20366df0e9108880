/* SPDX-License-Identifier: MIT */
/* The one logger: every line goes to /dev/kmsg (the record) and, up to LOG_INFO, to the console
 * (what an operator sees in a cloud's serial-console view), once, each prefixed "verinit: ". */
#pragma once

#include <stdarg.h>
#include <syslog.h>

#include "macro.h"

/* Where the lines go. Either fd may be negative (not open yet). The logger does not own them. */
void log_set_fds(int kmsg_fd, int console_fd);
void log_set_max_level(int level);
/* The kernel prints /dev/kmsg lines below its console log level (the first number of
 * /proc/sys/kernel/printk) on its consoles: those lines are then not written to the console fd
 * again, which would show each twice (and, on an emulated serial port, cost milliseconds a line).
 * 0, the default: the kernel echoes nothing, every line up to LOG_INFO goes to the console fd. */
void log_set_console_echo(int console_loglevel);

/* Formats and writes one line. When error is non-zero, errno is set to |error| for %m.
 * Returns -|error|, so a stage can `return log_error_errno(r, "...")`. */
int log_internal(int level, int error, const char *fmt, ...) _printf_(3, 4);
/* The same with the arguments in a va_list, for a function that logs its caller's text
 * (init/stage.c's stage_fail). */
int log_internalv(int level, int error, const char *fmt, va_list ap) _printf_(3, 0);

/* Writes a line verbatim to the console only (status lines such as "[  OK  ] ..."). */
void log_console(const char *fmt, ...) _printf_(1, 2);

#define log_debug(...) log_internal(LOG_DEBUG, 0, __VA_ARGS__)
#define log_info(...) log_internal(LOG_INFO, 0, __VA_ARGS__)
#define log_notice(...) log_internal(LOG_NOTICE, 0, __VA_ARGS__)
#define log_warning(...) log_internal(LOG_WARNING, 0, __VA_ARGS__)
#define log_error(...) log_internal(LOG_ERR, 0, __VA_ARGS__)
#define log_warning_errno(e, ...) log_internal(LOG_WARNING, (e), __VA_ARGS__)
#define log_error_errno(e, ...) log_internal(LOG_ERR, (e), __VA_ARGS__)
