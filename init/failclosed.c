/* SPDX-License-Identifier: MIT */
/* Left raw: sync, which cannot fail. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/reboot.h>
#include <unistd.h>

#include "failclosed.h"
#include "log.h"
#include "sysops.h"

static const struct {
	const char *verb;
	int cmd;
} actions[] = {
	[FAILURE_HALT] = { "halting", RB_HALT_SYSTEM },
	[FAILURE_REBOOT] = { "rebooting", RB_AUTOBOOT },
	[FAILURE_POWEROFF] = { "powering off", RB_POWER_OFF },
};

void fail_closed(struct context *ctx, const char *stage, enum reason reason, int error, const char *fmt, ...) {
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	if (error != 0)
		errno = error < 0 ? -error : error;
	(void) vsnprintf(msg, sizeof msg, fmt, ap); /* a long line is cut, never overflows */
	va_end(ap);

	log_error("FAIL reason=%s stage=%s: %s", reason_to_string(reason), stage, msg);

	/* Only init may take the machine down; anything else just stops without handing over. */
	if (sys->getpid() != 1)
		_exit(EXIT_FAILURE);
	/* Once only: a failure inside the hook must not measure (or loop) again. */
	void (*measure)(struct context *, const char *, enum reason) = ctx->measure_failure;
	ctx->measure_failure = NULL;
	if (measure)
		measure(ctx, stage, reason);

	const struct fail_policy policy = ctx->fail;
	unsigned a = (unsigned) policy.action < ELEMENTSOF(actions) ? (unsigned) policy.action : FAILURE_HALT;
	if (policy.delay_s > 0) {
		log_error("%s in %u s", actions[a].verb, policy.delay_s);
		sys->sleep_us((uint64_t) policy.delay_s * 1000000);
	}
	log_error("%s", actions[a].verb);
	sync();
	int r = sys->reboot(actions[a].cmd);
	log_error_errno(r, "reboot() failed: %m; waiting here forever");
	for (;;)
		sys->hang();
}
