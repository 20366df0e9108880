/* SPDX-License-Identifier: MIT */
#include "stage-table.h"

#include "macro.h"
#include "parse.h"

const struct stage_info stage_table[_STAGE_MAX] = {
	[STAGE_EARLY_MOUNTS] = { "early-mounts", "Mounted /dev, /proc, /sys and /run", REASON_EARLY_MOUNT, STAGE_PCRS_DEFAULT },
	[STAGE_CONFIG] = { "config", "Read /etc/verinit.conf and the kernel command line", REASON_CONFIG, STAGE_PCRS_DEFAULT },
	[STAGE_MODULES] = { "modules", "Loaded kernel modules", REASON_MODULE, STAGE_PCRS_BEFORE_ENTER },
	/* After the modules: on some kernels the TPM driver (tpm_crb, tpm_tis) is one. */
	[STAGE_TPM] = { "tpm", "Measured the start of the initrd", REASON_MEASURE, STAGE_PCRS_AT_ENTER },
	[STAGE_DEVICES] = { "devices", "Found the /usr partitions", REASON_DEVICE_TIMEOUT, STAGE_PCRS_AFTER_ENTER },
	[STAGE_SIGNATURE] = { "signature", "Verified the /usr root hash signature", REASON_SIG_INVALID, STAGE_PCRS_AFTER_ENTER },
	[STAGE_VERITY] = { "verity", "Activated dm-verity for /usr", REASON_VERITY, STAGE_PCRS_AFTER_ENTER },
	[STAGE_MOUNTS] = { "mounts", "Mounted the new root and /usr", REASON_MOUNT, STAGE_PCRS_AFTER_ENTER },
	/* After the mounts: a policy may live on the verified /usr. */
	[STAGE_IPE] = { "ipe", "Loaded the IPE policy", REASON_IPE, STAGE_PCRS_AFTER_ENTER },
	[STAGE_SELINUX] = { "selinux", "Loaded the SELinux policy", REASON_SELINUX_LOAD, STAGE_PCRS_AFTER_ENTER },
	[STAGE_MEASURE] = { "measure", "Measured what was verified", REASON_MEASURE, STAGE_PCRS_IN_FACTS },
	/* The init and everything executing it loads are checked before leave-initrd is extended, so
	 * its refusals (INIT_UNVERIFIED, MOUNT) follow every fact. One after leave-initrd (switch_root
	 * failing) is not told apart by its reason. */
	[STAGE_HANDOVER] = { "handover", "Handed over", REASON_SWITCH_ROOT, STAGE_PCRS_AFTER_FACTS },
};

enum stage_id stage_from_name(const char *name, size_t n) {
	for (size_t i = 0; i < ELEMENTSOF(stage_table); i++)
		if (memeq_str(name, n, stage_table[i].name))
			return (enum stage_id) i;
	return _STAGE_INVALID;
}
