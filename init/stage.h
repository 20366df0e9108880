/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>

#include "context.h"
#include "macro.h"
#include "reason.h"

struct stage {
	const char *name; /* short id for logs and the boot report */
	const char *done; /* status line on success: "[  OK  ] <done>" */
	/* Returns 0, or a negative errno after logging the cause once. */
	int (*run)(struct context *ctx);
	enum reason reason; /* reason code when the stage fails without naming one in ctx */
};

/* Runs the stages in order. A failing stage goes straight to fail_closed(): nothing after it
 * runs. The last stage hands over by exec; if control ever comes back here, that is a failure
 * too. Never returns. */
_noreturn_ void stages_run(const struct stage *stages, size_t n, struct context *ctx);
