/* SPDX-License-Identifier: MIT */
/* The boot report, /run/verinit/report.json: what was verified and how long each stage took,
 * written just before the hand-over so the system (and an attestation agent) can read it. */
#pragma once

#include <sys/types.h>

#include "context.h"

#define REPORT_DIR "/run/verinit"
#define REPORT_PATH REPORT_DIR "/report.json"
#define REPORT_VERSION 1

#define REPORT_SIZE_MAX 16384 /* the largest, every field full (test-report), fits */

/* Formats the report as JSON (pretty-printed, one key per line) into buf, NUL-terminated. A stage
 * without an end time is reported as "running" (the hand-over itself). Returns the length,
 * -ENOMEM, or -ENOBUFS when it does not fit size. */
ssize_t report_format(const struct context *ctx, char *buf, size_t size);

/* Writes the report to REPORT_PATH through the ops table, replacing no file that is there (a
 * report that exists already was not written by this boot's verinit).
 * Returns 0, -EEXIST, -EIO on a short write, or another -errno from mkdir/open/write. */
int report_write(const struct context *ctx);
