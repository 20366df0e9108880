/* SPDX-License-Identifier: MIT */
/* The boot stages, one file each; init/main.c binds them to lib/stage-table.c's rows. Each
 * returns 0, or a negative errno after logging why (and, where it knows better than its stage's
 * default, ctx->reason). */
#pragma once

#include "context.h"
#include "discover.h"

int stage_early_mounts(struct context *ctx);
int stage_config(struct context *ctx);
int stage_modules(struct context *ctx);
int stage_tpm(struct context *ctx);
int stage_devices(struct context *ctx);
int stage_signature(struct context *ctx);
int stage_verity(struct context *ctx);
int stage_mounts(struct context *ctx);
int stage_ipe(struct context *ctx);
int stage_selinux(struct context *ctx);
int stage_measure(struct context *ctx);
int stage_handover(struct context *ctx);

/* handover.c: the last records before the hand-over: PCR 11's leave-initrd and the boot report.
 * Everything it does goes through the ops tables (test/unit/test-faults.c fails each call). */
int handover_record(struct context *ctx);
/* stage.c: this process's CPU time so far (for each stage, and for the whole at the hand-over),
 * and its peak memory when maxrss_kb is not NULL. Returns 0 or -errno from getrusage(2). */
int cpu_time(struct cpu_time *t, long *maxrss_kb);

/* modules.c: while the devices stage waits, loads the drivers of the devices that appear (at most
 * usec, returning early when the kernel announced some). Sleeps when the modules stage is not
 * listening. Returns 0, or a logged error with ctx->reason MODULE. */
int modules_hotplug(struct context *ctx, uint64_t usec);
/* modules.c: closes the module index and stops listening to the kernel (before the hand-over). */
void modules_stop(struct context *ctx);

/* signature.c: reads and parses a usr-verity-sig partition (at most SIGJSON_PARTITION_MAX bytes).
 * Returns 0, or a logged error: SIG_MALFORMED for what is not a signature partition's JSON. */
int signature_read_partition(struct context *ctx, const char *dev, struct verity_sig *out);
/* devices.c: for usr.discovery=partuuid, the data and hash partitions named by the root hash. */
int devices_await_by_roothash(struct context *ctx);
/* verity.c: the file system on /dev/mapper/usr (fd, just activated; dev_size bytes) must fit in it:
 * its first FSSIZE_HEAD bytes, read through the ops table (and dm-verity), say how many bytes it
 * spans (lib/fssize.h). Returns 0, or a logged error: VERITY_MISMATCH when it spans more than the
 * device, MOUNT when it is not a file system of usr.fstype, the stage's own for a failed read. */
int verity_usr_fits(struct context *ctx, int fd, uint64_t dev_size);
