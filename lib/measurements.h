/* SPDX-License-Identifier: MIT */
/* What verinit measures, as data: the one definition the agent extends from and measure/ predicts
 * from, so the two cannot drift apart. Every event's digest in a bank is that bank's hash of its
 * string (UTF-8, no NUL), as systemd-pcrphase does.
 *
 * Every fact has one form: "verinit.<name>=<value>", then " <key>=<value>" qualifiers, in a fixed
 * order; values hold no spaces (labels are escaped). The settings facts state what the config and
 * the command line made effective (what the kernel read back, for the policy modes), so that a
 * verifier can tell an enforcing node from one whose IPE audits, whose root is writable and runs
 * what it holds, or whose init was replaced.
 *
 *   PCR pcr_phase (11)  "enter-initrd"                       content_type systemd, eventType phase
 *   PCR pcr_facts (15)  "verinit.usr.roothash=<hex>"         content_type verinit, eventType verinit
 *                       "verinit.usr.signer.sha256=<hex>"
 *                       "verinit.usr.kernel_verified=yes|no"
 *                       "verinit.usr.slot=<label> pinned=yes|no"   (the usr partition's GPT label,
 *                                                   escaped as label_escape(); "" for a whole disk)
 *                       "verinit.usr.mount=<fstype> flags=<options>"   (ro,nodev and mount.usrflags=)
 *                       "verinit.root=tmpfs flags=<options>" or
 *                       "verinit.root=device fstype=<fstype> flags=<options> exec=verified|unverified"
 *                       "verinit.init=<path>"                (what the hand-over executes)
 *                       "verinit.ipe.policy.sha256=<hex> mode=enforce|audit"          (if one was loaded)
 *                       "verinit.selinux.policy.sha256=<hex> mode=enforcing|permissive locked=yes|no
 *                        store=generated|<selinux.store>"                             (if one was loaded)
 *   PCR pcr_phase (11)  "leave-initrd"                       (just before the hand-over)
 *   on failure, both:   "verinit.failure stage=<stage> reason=<CODE>"  eventType verinit-failure
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "eventlog.h"

#define MEASURE_ENTER "enter-initrd"
#define MEASURE_LEAVE "leave-initrd"
#define MEASURE_FACTS_MAX 12

struct measure_facts {
	const char *root_hash_hex; /* 64 lowercase hex */
	const char *signer_sha256; /* 64 lowercase hex */
	bool kernel_verified;
	/* The usr partition's GPT label as the disk has it (labels are not signed: whoever wrote the
	 * disk chose it), and whether usrhash= pinned the root hash, so a verifier tells a pinned boot
	 * from one that took what the disk offered. */
	const char *usr_label;
	bool pinned;
	/* The effective settings (measure_facts_settings() fills them from the config). usr_flags
	 * and root_flags may be "", never NULL. root_exec: root.exec's spelling, whether the
	 * configuration accepted that code on a writable device root may run unverified. */
	const char *usr_fstype, *usr_flags;
	bool root_tmpfs;
	const char *root_fstype, *root_flags, *root_exec;
	const char *init;
	/* The policies loaded: SHA-256 of the exact bytes and the mode's config spelling; NULL or ""
	 * when none was. selinux_locked: secure_mode_policyload set. */
	const char *ipe_sha256, *ipe_mode;
	const char *selinux_sha256, *selinux_mode;
	bool selinux_locked;
	const char *selinux_store; /* the /etc/selinux a reload reads: "generated" or selinux.store= */
};

#define MEASURE_FLAGS_MAX (CONFIG_FLAGS_MAX + 16)

/* The settings of f that the config (after the command line) decides, the policy modes and the
 * SELinux lock included: the agent and `verinit-measure predict` both take them from here. usr_flags
 * is where the /usr options string is written (f points into it). */
void measure_facts_settings(struct measure_facts *f, const struct config *c, char usr_flags[static MEASURE_FLAGS_MAX]);

/* The options verinit mounts /usr with: "ro,nodev", then mount.usrflags='s. */
void measure_usr_flags(const struct config *c, char out[static MEASURE_FLAGS_MAX]);

/* Fills r (digests in the banks of mask) for a phase string into PCR pcr. Returns 0 or -EIO. */
int measure_phase_record(unsigned pcr, const char *phase, unsigned banks, struct eventlog_record *r);

/* The fact records, in the order they are extended, into out (MEASURE_FACTS_MAX of room).
 * Returns how many, -EINVAL (a hex value that is not 64 lowercase hex characters, no usr label
 * (NULL), a setting missing (NULL) or with a space, or a policy without its mode) or -EIO. */
int measure_fact_records(unsigned pcr, const struct measure_facts *f, unsigned banks, struct eventlog_record *out);

/* The failure record for stage and reason code into pcr. Returns 0 or -EIO. */
int measure_failure_record(unsigned pcr, const char *stage, const char *reason, unsigned banks,
			   struct eventlog_record *r);

/* Where verinit handed over, in a userspace log: enter-initrd then leave-initrd, in one PCR, once
 * each, and no failure record anywhere in the log. A verifier trusts PCR 15's facts only after
 * this: the command line cannot be trusted to have run verinit at all (rdinit=), only these two
 * events say it did. Returns the leave-initrd record's index + 1, *pcr the phases' PCR; or
 * -EBADMSG with err saying what is wrong (err->line the record, 0 when something is missing). */
int measure_find_handover(const struct eventlog_record *recs, size_t n, unsigned *pcr, struct parse_error *err);

/* Whether r is one of verinit's facts (measure_fact_records()'s), not a phase or a failure. */
bool measure_is_fact(const struct eventlog_record *r);
