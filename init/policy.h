/* SPDX-License-Identifier: MIT */
/* Reading a policy from verified storage and handing it to the kernel in one write. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "context.h"

#define POLICY_MAX (16U << 20) /* a refpolicy binary is a few MiB; an IPE policy a few KiB */

/* Reads the file at path into a buffer owned by this module (valid until the next call): a path
 * under /usr/ must resolve, inside /sysroot, to a file on usr_dev (the dm-verity /usr); any other
 * path to a file on the initramfs itself (not on a mount over it). sha256_hex gets the digest of
 * the bytes. Returns the length, -EXDEV (not on verified storage), -ENOENT, -E2BIG (more than
 * POLICY_MAX), or another -errno. */
ssize_t policy_read(const char *path, dev_t usr_dev, const uint8_t **ret, char sha256_hex[static 65]);

/* Where a policy stage's load failure goes. r is the load's result; what names the policy and
 * its config key ("ipe", "selinux"). With the policy required (or r >= 0) returns r for the
 * stage runner; with it optional, records the failure in error (the boot report's), clears sha256
 * (nothing loaded, nothing to measure) and ctx->reason, logs it, and returns 0. */
int policy_result(struct context *ctx, int r, enum requirement requirement, const char *what, const char *path,
		  char error[static 128], char sha256[static 65]);

/* Writes buf to a kernel file (securityfs, selinuxfs) in ONE write(): both parse what one write
 * brings. Returns 0, -EIO on a short write, or the kernel's -errno. */
int policy_write(const char *file, const void *buf, size_t len);
