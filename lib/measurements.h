/* SPDX-License-Identifier: MIT */
/* What verinit measures, as data: the one definition the agent extends from and measure/ predicts
 * from, so the two cannot drift apart. Every event's digest in a bank is that bank's hash of its
 * string (UTF-8, no NUL), as systemd-pcrphase does.
 *
 *   PCR pcr_phase (11)  "enter-initrd"                       content_type systemd, eventType phase
 *   PCR pcr_facts (15)  "verinit.usr.roothash=<hex>"         content_type verinit, eventType verinit
 *                       "verinit.usr.signer.sha256=<hex>"
 *                       "verinit.usr.kernel_verified=yes|no"
 *                       "verinit.usr.slot=<label> pinned=yes|no"   (the usr partition's GPT label,
 *                                                   escaped as label_escape(); "" for a whole disk)
 *                       "verinit.root.exec=verified|unverified"   (a device root only: root.exec)
 *                       "verinit.ipe.policy.sha256=<hex> mode=enforce|audit"          (if one was loaded)
 *                       "verinit.selinux.policy.sha256=<hex> mode=enforcing|permissive" (if one was loaded)
 *   PCR pcr_phase (11)  "leave-initrd"                       (just before the hand-over)
 *   on failure, both:   "verinit.failure stage=<stage> reason=<CODE>"  eventType verinit-failure
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "eventlog.h"

#define MEASURE_ENTER "enter-initrd"
#define MEASURE_LEAVE "leave-initrd"
#define MEASURE_FACTS_MAX 8

struct measure_facts {
	const char *root_hash_hex; /* 64 lowercase hex */
	const char *signer_sha256; /* 64 lowercase hex */
	bool kernel_verified;
	/* The usr partition's GPT label as the disk has it (labels are not signed: whoever wrote the
	 * disk chose it), and whether usrhash= pinned the root hash, so a verifier tells a pinned boot
	 * from one that took what the disk offered. */
	const char *usr_label;
	bool pinned;
	/* For a device root, root.exec's spelling: whether the configuration accepted that code on
	 * the writable root may run unverified. NULL or "" for a tmpfs root. */
	const char *root_exec;
	/* The policies loaded: SHA-256 of the exact bytes and the mode's config spelling; NULL or ""
	 * when none was. */
	const char *ipe_sha256, *ipe_mode;
	const char *selinux_sha256, *selinux_mode;
};

/* Fills r (digests in the banks of mask) for a phase string into PCR pcr. Returns 0 or -EIO. */
int measure_phase_record(unsigned pcr, const char *phase, unsigned banks, struct eventlog_record *r);

/* The fact records, in the order they are extended, into out (MEASURE_FACTS_MAX of room).
 * Returns how many, -EINVAL (a hex value that is not 64 lowercase hex characters, no usr label
 * (NULL), or a policy without its mode) or -EIO. */
int measure_fact_records(unsigned pcr, const struct measure_facts *f, unsigned banks, struct eventlog_record *out);

/* The failure record for stage and reason code into pcr. Returns 0 or -EIO. */
int measure_failure_record(unsigned pcr, const char *stage, const char *reason, unsigned banks,
			   struct eventlog_record *r);
