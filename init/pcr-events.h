/* SPDX-License-Identifier: MIT */
/* Measured boot (lib/measurements.h says what): each event is extended into the TPM, then
 * appended to the event log, /run/log/systemd/tpm2-measure.log, which the hand-over keeps. */
#pragma once

#include "context.h"
#include "reason.h"

#include "eventlog.h"

/* Opens the TPM and reads its banks into p. Returns 0, -ENOENT (no device), -ENODATA (no bank we
 * know, logged), -EPROTONOSUPPORT (a bank we cannot hash for: SM3, say, which the sysroot's
 * OpenSSL lacks; logged) or -EIO. */
int measure_tpm_open(struct pcr_state *p);
/* The boot id in systemd's form for the event log's records ("" when unreadable). */
void measure_read_boot_id(struct pcr_state *p);
/* Extends r (then logs it to the event log) and counts it in ctx->measured. Returns 0 or -errno
 * (logged). */
int measure_event(struct context *ctx, const struct eventlog_record *r);

/* The PCRs the fail-closed hook extends from now on: ctx->cfg's pcr.phase and pcr.facts. Until
 * the config stage has called this, a failure goes where context_init() put config_defaults()'. */
void measure_configure(struct context *ctx);

/* "leave-initrd", just before the hand-over. Returns 0 or -errno (logged). */
int measure_leave(struct context *ctx);

/* The fail-closed hook: extends "verinit.failure stage=... reason=..." into pcr.phase and
 * pcr.facts (opening the TPM if no stage has yet), logs it, and prints the resulting PCR values
 * so the console shows what a verifier will see. Only logs its own failures. */
void measure_failure(struct context *ctx, const char *stage, enum reason reason);

/* Closes the TPM, if a stage or the hook opened it: for the unit tests, which boot many times. */
void measure_forget(struct context *ctx);
