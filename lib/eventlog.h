/* SPDX-License-Identifier: MIT */
/* The userspace measurement log, /run/log/systemd/tpm2-measure.log: JSON-SEQ (RFC 7464), one
 * record per extend, shaped as systemd writes it:
 *   0x1E {"pcr":11,"digests":[{"hashAlg":"sha256","digest":"<hex>"}],"content_type":"systemd",
 *         "content":{"string":"enter-initrd","bootId":"<hex>","timestamp":<us>,"eventType":"phase"}} \n
 * verinit's own events use content_type "verinit". Pure formatting and parsing over buffers,
 * shared by the agent (writer) and measure/ (reader, replay). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "parse.h"
#include "pcr.h"

#define EVENTLOG_PATH "/run/log/systemd/tpm2-measure.log"
#define EVENTLOG_STRING_MAX 512
#define EVENTLOG_RECORD_MAX 16384 /* bytes of one record: more is not a log we wrote or read */

struct eventlog_record {
	unsigned pcr;
	struct pcr_digests digests;
	char content_type[32];            /* "systemd", "verinit" */
	char event_type[40];              /* content.eventType ("phase", "verinit"), or a TCG EV_ name; "" when absent */
	char string[EVENTLOG_STRING_MAX]; /* content.string: what was measured; "" when absent */
};

/* Formats one record, RS and newline included, into buf (NUL-terminated). boot_id (32 hex
 * characters) may be NULL. Returns the length, -ENOMEM, or -ENOBUFS when it does not fit. */
ssize_t eventlog_format(const struct eventlog_record *r, const char *boot_id, uint64_t timestamp_us, char *buf,
			size_t size);

/* Parses a whole log into out (at most max records), *n the count. Unknown keys are ignored (a
 * newer systemd may add some); what replay needs is checked strictly: pcr 0..23, every digest a
 * known hashAlg with lowercase hex of its size, no bank twice.
 * Returns 0, -EBADMSG (err names the record, 1-based, and what is wrong), -E2BIG (more than max
 * records) or -ENOMEM. */
int eventlog_parse(const void *buf, size_t len, struct eventlog_record *out, size_t max, size_t *n,
		   struct parse_error *err);

/* PCR values, per PCR and bank. */
struct pcr_values {
	unsigned banks; /* the banks present */
	uint32_t pcrs;  /* bit i: PCR i was extended */
	uint8_t v[PCR_COUNT][_PCR_BANK_MAX][PCR_DIGEST_MAX];
};

/* Extends vals (its start values: zero, or what another log left) by each record, in every bank
 * of vals->banks; a record lacking one of those banks is an error. Returns 0, -EBADMSG (err
 * names the record) or -EIO. */
int eventlog_replay(const struct eventlog_record *recs, size_t n, struct pcr_values *vals,
		    struct parse_error *err);

/* Extends v, PCR pcr's value in bank b, by each record of recs[0..n) in that PCR, as replay
 * compares one PCR at a time. Returns 0, -EBADMSG when such a record lacks bank b (*bad its index),
 * or -EIO. */
int eventlog_replay_pcr(const struct eventlog_record *recs, size_t n, unsigned pcr, enum pcr_bank b,
			uint8_t v[static PCR_DIGEST_MAX], size_t *bad);

/* The PCRs the records extend (bit n: PCR n). */
uint32_t eventlog_pcrs(const struct eventlog_record *recs, size_t n);
