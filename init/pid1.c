/* SPDX-License-Identifier: MIT */
/* verinit's entry: PID 1 of the initramfs runs the boot stages (init/main.c). Apart from this
 * file, the agent is in the unit tests (test/unit/test-faults.c runs init/main.c's stages).
 * Left raw: getpid, which refuses to run the stages outside PID 1 before anything else
 * (fail_closed() asks sys->getpid). */
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "pcr-events.h"
#include "stage.h"
#include "stages.h"
#include "sysops.h"

int main(void) {
	static struct context ctx; /* large: kept off the stack */

	context_init(&ctx);
	ctx.start_us = sys->now_us();
	(void) cpu_time(&ctx.cpu_start, NULL);
	umask(0022);
	log_set_fds(-EBADF, STDERR_FILENO);
	/* Run by hand on a running system, the fail-closed exit would halt that system. */
	if (getpid() != 1) {
		log_error("verinit is an initramfs's /init and runs only as PID 1, not as PID %d", (int) getpid());
		return EXIT_FAILURE;
	}
	ctx.measure_failure = measure_failure;
	boot_run(stage_functions, &ctx);
}
