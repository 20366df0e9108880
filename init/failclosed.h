/* SPDX-License-Identifier: MIT */
/* The single exit for a boot that must not go on. */
#pragma once

#include "context.h"
#include "macro.h"
#include "reason.h"

/* Logs "FAIL reason=<CODE> stage=<stage>: <message>" to kmsg and the console, then, after
 * ctx->measure_failure has made the PCRs show the failure, halts, reboots or powers off as
 * ctx->fail says. Never returns: if even reboot(2) fails it waits forever. `error` (negative errno
 * or 0) is what %m in fmt names. */
_noreturn_ void fail_closed(struct context *ctx, const char *stage, enum reason reason, int error, const char *fmt, ...)
	_printf_(5, 6);
