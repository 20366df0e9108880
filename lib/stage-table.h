/* SPDX-License-Identifier: MIT */
/* The boot stages, in the order they run: one table that the agent binds its functions to
 * (init/main.c), that verinit-measure predicts failures from and lists (--list-stages), and that
 * the tests read. A stage's name is part of its failure record in the PCRs and of the boot report:
 * renaming one changes what a verifier must expect. */
#pragma once

#include <stddef.h>

#include "reason.h"

enum stage_id {
	STAGE_EARLY_MOUNTS,
	STAGE_CONFIG,
	STAGE_MODULES,
	STAGE_TPM,
	STAGE_DEVICES,
	STAGE_SIGNATURE,
	STAGE_VERITY,
	STAGE_MOUNTS,
	STAGE_IPE,
	STAGE_SELINUX,
	STAGE_MEASURE,
	STAGE_HANDOVER,
	_STAGE_MAX,
	_STAGE_INVALID = -1,
};

/* What a failure in the stage leaves in the PCRs besides the failure record itself. */
enum stage_pcrs {
	/* The config stage has not finished: the record goes to the default PCRs (config_defaults()),
	 * whatever the configuration says. */
	STAGE_PCRS_DEFAULT,
	/* Configured PCRs, enter-initrd not yet extended. */
	STAGE_PCRS_BEFORE_ENTER,
	/* The stage extends enter-initrd itself and may fail before or after: not predictable. */
	STAGE_PCRS_AT_ENTER,
	/* enter-initrd, no fact yet. */
	STAGE_PCRS_AFTER_ENTER,
	/* enter-initrd and some of the facts: how many, the failure does not say. */
	STAGE_PCRS_IN_FACTS,
	/* enter-initrd and every fact; leave-initrd only once the hand-over can no longer fail. */
	STAGE_PCRS_AFTER_FACTS,
};

struct stage_info {
	const char *name;     /* in logs, the boot report and the failure record */
	const char *done;     /* the console's "[  OK  ] <done>" */
	enum reason reason;   /* the failure's reason when the stage names none itself */
	enum stage_pcrs pcrs; /* where its failure is measured */
};

extern const struct stage_info stage_table[_STAGE_MAX];

/* The stage called the n bytes at name, or _STAGE_INVALID. */
enum stage_id stage_from_name(const char *name, size_t n);
