/* SPDX-License-Identifier: MIT */
/* Left raw: getrusage, only for the timings (a failure leaves them out). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "failclosed.h"
#include "log.h"
#include "pcr-events.h"
#include "stage.h"
#include "stages.h"
#include "sysops.h"

int cpu_time(struct cpu_time *t, long *maxrss_kb) {
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) < 0)
		return negative_errno();
	t->user_us = (uint64_t) ru.ru_utime.tv_sec * 1000000 + (uint64_t) ru.ru_utime.tv_usec;
	t->system_us = (uint64_t) ru.ru_stime.tv_sec * 1000000 + (uint64_t) ru.ru_stime.tv_usec;
	if (maxrss_kb)
		*maxrss_kb = ru.ru_maxrss;
	return 0;
}

void stages_run(const struct stage *stages, size_t n, struct context *ctx) {
	if (n > STAGES_MAX - ctx->n_timing)
		fail_closed(ctx, "init", REASON_INTERNAL, 0, "%zu stages, at most %d fit the report", n, STAGES_MAX);

	for (size_t i = 0; i < n; i++) {
		const struct stage *s = &stages[i];
		struct stage_timing *t = &ctx->timing[ctx->n_timing++];

		ctx->reason = REASON_NONE;
		ctx->status[0] = '\0';
		t->name = s->name;
		struct cpu_time before = { 0, 0 }, after = { 0, 0 };
		bool cpu = cpu_time(&before, NULL) == 0;
		t->start_us = sys->now_us();
		int r = s->run(ctx);
		t->end_us = sys->now_us();
		if (cpu && cpu_time(&after, NULL) == 0) {
			t->user_us = after.user_us - before.user_us;
			t->system_us = after.system_us - before.system_us;
		}
		/* A positive return is a bug in the stage, never a success to trust. */
		t->result = r > 0 ? -EINVAL : r;

		if (t->result < 0) {
			enum reason why = ctx->reason != REASON_NONE ? ctx->reason : s->reason;
			log_console("[FAILED] %s", s->name);
			/* musl has no text for ENOTUNIQ ("No error information"): say what it means here. */
			if (t->result == -ENOTUNIQ)
				fail_closed(ctx, s->name, why, t->result, "stage failed: ambiguous, two or more candidates and "
									  "no rule to choose");
			fail_closed(ctx, s->name, why, t->result, "stage failed: %m");
		}
		if (ctx->status[0])
			log_console("[  OK  ] %s (%s)", s->done, ctx->status);
		else
			log_console("[  OK  ] %s", s->done);
	}
	fail_closed(ctx, "init", REASON_NO_HANDOVER, 0, "all %zu stages ran and none handed over to the system", n);
}

void context_init(struct context *ctx) {
	memset(ctx, 0, sizeof *ctx);
	config_defaults(&ctx->cfg);
	measure_configure(ctx);
}

void boot_run(const stage_fn functions[_STAGE_MAX], struct context *ctx) {
	struct stage stages[_STAGE_MAX];

	for (size_t i = 0; i < ELEMENTSOF(stages); i++) {
		const struct stage_info *info = &stage_table[i];
		if (!functions[i])
			fail_closed(ctx, "init", REASON_INTERNAL, 0, "no function runs the %s stage", info->name);
		stages[i] = (struct stage){ info->name, info->done, functions[i], info->reason };
	}
	stages_run(stages, ELEMENTSOF(stages), ctx);
}

int stage_fail(struct context *ctx, enum reason reason, int error, const char *fmt, ...) {
	va_list ap;
	ctx->reason = reason;
	va_start(ap, fmt);
	int r = log_internalv(LOG_ERR, error, fmt, ap);
	va_end(ap);
	return r;
}

void stage_status(struct context *ctx, const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	(void) vsnprintf(ctx->status, sizeof ctx->status, fmt, ap); /* a long status is cut */
	va_end(ap);
}
