/* SPDX-License-Identifier: MIT */
/* verinit: the ordered list of boot stages. Each lives in its own file; see stages.h. */
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "stage.h"
#include "stages.h"

static const struct stage stages[] = {
	{ "early-mounts", "Mounted /dev, /proc, /sys and /run", stage_early_mounts, REASON_EARLY_MOUNT },
};
_Static_assert(ELEMENTSOF(stages) <= STAGES_MAX, "the boot report has room for STAGES_MAX stages");

int main(void) {
	struct context ctx = {};

	umask(0022);
	log_set_fds(-EBADF, STDERR_FILENO);
	/* Run by hand on a running system, the fail-closed exit would halt that system. */
	if (getpid() != 1) {
		log_error("verinit is an initramfs's /init and runs only as PID 1, not as PID %d", (int) getpid());
		return EXIT_FAILURE;
	}
	stages_run(stages, ELEMENTSOF(stages), &ctx);
}
