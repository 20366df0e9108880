/* SPDX-License-Identifier: MIT */
#include "macro.h"
#include "reason.h"

static const char *const names[_REASON_MAX] = {
	[REASON_NONE] = "NONE",
	[REASON_INTERNAL] = "INTERNAL",
	[REASON_EARLY_MOUNT] = "EARLY_MOUNT",
	[REASON_NO_HANDOVER] = "NO_HANDOVER",
};

const char *reason_to_string(enum reason r) {
	if ((unsigned) r >= ELEMENTSOF(names) || !names[r])
		return "INTERNAL";
	return names[r];
}
