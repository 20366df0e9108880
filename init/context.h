/* SPDX-License-Identifier: MIT */
/* What the stages learn and hand to the ones after them. Grows with each stage. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "reason.h"

#define STAGES_MAX 16

struct stage_timing {
	const char *name;
	uint64_t start_us, end_us; /* CLOCK_BOOTTIME */
	int result;                /* 0 or the negative errno the stage returned */
};

struct context {
	/* A failing stage may name its failure more precisely than its default reason code. */
	enum reason reason;

	struct stage_timing timing[STAGES_MAX];
	size_t n_timing;
};
