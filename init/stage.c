/* SPDX-License-Identifier: MIT */
#include <errno.h>

#include "failclosed.h"
#include "log.h"
#include "stage.h"
#include "sysops.h"

void stages_run(const struct stage *stages, size_t n, struct context *ctx) {
	if (n > STAGES_MAX - ctx->n_timing)
		fail_closed("init", REASON_INTERNAL, 0, "%zu stages, at most %d fit the report", n, STAGES_MAX);

	for (size_t i = 0; i < n; i++) {
		const struct stage *s = &stages[i];
		struct stage_timing *t = &ctx->timing[ctx->n_timing++];

		ctx->reason = REASON_NONE;
		ctx->status[0] = '\0';
		t->name = s->name;
		t->start_us = sys->now_us();
		int r = s->run(ctx);
		t->end_us = sys->now_us();
		/* A positive return is a bug in the stage, never a success to trust. */
		t->result = r > 0 ? -EINVAL : r;

		if (t->result < 0) {
			log_console("[FAILED] %s", s->name);
			fail_closed(s->name, ctx->reason != REASON_NONE ? ctx->reason : s->reason, t->result,
				    "stage failed: %m");
		}
		if (ctx->status[0])
			log_console("[  OK  ] %s (%s)", s->done, ctx->status);
		else
			log_console("[  OK  ] %s", s->done);
	}
	fail_closed("init", REASON_NO_HANDOVER, 0, "all %zu stages ran and none handed over to the system", n);
}
