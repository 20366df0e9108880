/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>

#include "context.h"
#include "macro.h"
#include "reason.h"
#include "stage-table.h"

/* Returns 0, or a negative errno after logging the cause once. */
typedef int (*stage_fn)(struct context *ctx);

struct stage {
	const char *name; /* short id for logs and the boot report */
	const char *done; /* status line on success: "[  OK  ] <done>" */
	stage_fn run;
	enum reason reason; /* reason code when the stage fails without naming one in ctx */
};

/* init/main.c: the function that runs each stage of lib/stage-table.h. */
extern const stage_fn stage_functions[_STAGE_MAX];

/* A context as the first stage finds it: zero, but for the configuration's defaults
 * (config_defaults()), which also say where a failure before the config stage is measured. */
void context_init(struct context *ctx);

/* Runs the stages in order. A failing stage goes straight to fail_closed(): nothing after it
 * runs. The last stage hands over by exec; if control ever comes back here, that is a failure
 * too. Never returns. */
_noreturn_ void stages_run(const struct stage *stages, size_t n, struct context *ctx);
/* Runs lib/stage-table.h's stages with the functions bound to them (init/main.c's, or a test's
 * copy of them with a few replaced). A stage without one is a failure. Never returns. */
_noreturn_ void boot_run(const stage_fn functions[_STAGE_MAX], struct context *ctx);

/* Fails the running stage with a reason more exact than its default (what the runner measures
 * and prints instead), after logging one line at LOG_ERR, %m naming error. Returns -|error|, as
 * log_error_errno() does: `return stage_fail(ctx, REASON_CERTS, r, "Cannot open %s: %m", path);`. */
int stage_fail(struct context *ctx, enum reason reason, int error, const char *fmt, ...) _printf_(4, 5)
	_warn_unused_result_;
/* The same for an error r already logged where it happened: sets the reason, returns r. */
_warn_unused_result_ static inline int stage_failed(struct context *ctx, enum reason reason, int r) {
	ctx->reason = reason;
	return r;
}
/* The running stage's detail, shown in parentheses on its status line; a long one is cut. */
void stage_status(struct context *ctx, const char *fmt, ...) _printf_(2, 3);
