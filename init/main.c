/* SPDX-License-Identifier: MIT */
/* verinit: the boot stages, each bound to the function that runs it. Each lives in its own file
 * (stages.h); their order, names and failure reasons are lib/stage-table.c's. */
#include "stage.h"
#include "stages.h"

const stage_fn stage_functions[_STAGE_MAX] = {
	[STAGE_EARLY_MOUNTS] = stage_early_mounts,
	[STAGE_CONFIG] = stage_config,
	[STAGE_MODULES] = stage_modules,
	[STAGE_TPM] = stage_tpm,
	[STAGE_DEVICES] = stage_devices,
	[STAGE_SIGNATURE] = stage_signature,
	[STAGE_VERITY] = stage_verity,
	[STAGE_MOUNTS] = stage_mounts,
	[STAGE_IPE] = stage_ipe,
	[STAGE_SELINUX] = stage_selinux,
	[STAGE_MEASURE] = stage_measure,
	[STAGE_HANDOVER] = stage_handover,
};
