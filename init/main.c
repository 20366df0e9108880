/* SPDX-License-Identifier: MIT */
/* verinit: the ordered list of boot stages. Each lives in its own file; see stages.h.
 * Left raw: getpid, which refuses to run the stages outside PID 1 before anything else (main.c is
 * never in the unit tests; fail_closed() asks sys->getpid). */
#include <sys/stat.h>
#include <unistd.h>

#include "failclosed.h"
#include "log.h"
#include "measure.h"
#include "stage.h"
#include "stages.h"
#include "sysops.h"

static const struct stage stages[] = {
	{ "early-mounts", "Mounted /dev, /proc, /sys and /run", stage_early_mounts, REASON_EARLY_MOUNT },
	{ "config", "Read /etc/verinit.conf and the kernel command line", stage_config, REASON_CONFIG },
	{ "modules", "Loaded kernel modules", stage_modules, REASON_MODULE },
	/* After the modules: on some kernels the TPM driver (tpm_crb, tpm_tis) is one. */
	{ "tpm", "Measured the start of the initrd", stage_tpm, REASON_MEASURE },
	{ "devices", "Found the /usr partitions", stage_devices, REASON_DEVICE_TIMEOUT },
	{ "signature", "Verified the /usr root hash signature", stage_signature, REASON_SIG_INVALID },
	{ "verity", "Activated dm-verity for /usr", stage_verity, REASON_VERITY },
	{ "mounts", "Mounted the new root and /usr", stage_mounts, REASON_MOUNT },
	/* After the mounts: a policy may live on the verified /usr. */
	{ "ipe", "Loaded the IPE policy", stage_ipe, REASON_IPE },
	{ "selinux", "Loaded the SELinux policy", stage_selinux, REASON_SELINUX_LOAD },
	{ "measure", "Measured what was verified", stage_measure, REASON_MEASURE },
	{ "handover", "Handed over", stage_handover, REASON_SWITCH_ROOT },
};
_Static_assert(ELEMENTSOF(stages) <= STAGES_MAX, "the boot report has room for STAGES_MAX stages");

int main(void) {
	static struct context ctx; /* large: kept off the stack */

	ctx.start_us = sys->now_us();
	(void) cpu_time(&ctx.cpu_start, NULL);
	umask(0022);
	log_set_fds(-EBADF, STDERR_FILENO);
	/* Run by hand on a running system, the fail-closed exit would halt that system. */
	if (getpid() != 1) {
		log_error("verinit is an initramfs's /init and runs only as PID 1, not as PID %d", (int) getpid());
		return EXIT_FAILURE;
	}
	fail_closed_set_measure(measure_failure);
	stages_run(stages, ELEMENTSOF(stages), &ctx);
}
