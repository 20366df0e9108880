/* SPDX-License-Identifier: MIT */
/* The single exit for a boot that must not go on. */
#pragma once

#include "config.h"
#include "macro.h"
#include "reason.h"

struct fail_policy {
	enum failure_action action;
	unsigned delay_s; /* time for a person at the console to read the reason */
};

/* Replaces the compiled-in default (halt at once); the configuration stage calls this. */
void fail_closed_set_policy(const struct fail_policy *p);

/* Called by fail_closed() before the machine goes down, to extend the failure into the PCRs
 * (init/measure.c). It must only log its own failures, never call fail_closed(). */
void fail_closed_set_measure(void (*measure)(const char *stage, enum reason reason));

/* Logs "FAIL reason=<CODE> stage=<stage>: <message>" to kmsg and the console, then halts, reboots
 * or powers off as configured, after the measure hook has made the PCRs show the failure. Never returns: if even reboot(2) fails it waits forever. `error`
 * (negative errno or 0) is what %m in fmt names. */
_noreturn_ void fail_closed(const char *stage, enum reason reason, int error, const char *fmt, ...)
	_printf_(4, 5);
