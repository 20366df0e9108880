/* SPDX-License-Identifier: MIT */
/* Stable reason codes for a failed boot. They appear on the console, in the boot report and in
 * the PCR failure event, so operators and tests match on them: never rename one, only add. */
#pragma once

enum reason {
	REASON_NONE = 0,
	REASON_INTERNAL,    /* a bug or an impossible state in verinit itself */
	REASON_EARLY_MOUNT, /* /dev, /proc, /sys or /run could not be mounted */
	REASON_NO_HANDOVER, /* every stage ran but none handed over to the system */
	_REASON_MAX,
};

/* "EARLY_MOUNT" etc.; "INTERNAL" for a value out of range. */
const char *reason_to_string(enum reason r);
