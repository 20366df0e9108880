/* SPDX-License-Identifier: MIT */
/* The firmware's event log, /sys/kernel/security/tpm0/binary_bios_measurements, in the TCG PC
 * Client crypto-agile format (TCG PC Client Platform Firmware Profile, section 10): one SHA1-format
 * TCG_PCR_EVENT carrying the "Spec ID Event03" structure (the algorithms and their digest sizes),
 * then TCG_PCR_EVENT2 records. systemd-stub's section measurements are in it (EV_IPL, PCR 11).
 * Pure: parsed into the records measure/ replays together with the userspace log. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "eventlog.h"
#include "parse.h"

#define TCGLOG_FILE_MAX (16U << 20) /* 16 MiB: firmware log areas are 64 KiB to 1 MiB */
#define TCGLOG_EVENTS_MAX 8192
#define TCGLOG_ALGS_MAX 16        /* algorithms in the Spec ID event */
#define TCGLOG_DESCRIPTION_MAX 96 /* characters of event data kept in a record's string */

#define TCG_EV_NO_ACTION 0x00000003U

struct tcglog_info {
	unsigned banks;        /* the banks of pcr.h that the Spec ID event lists */
	unsigned unknown_algs; /* listed algorithms pcr.h does not know (their digests are skipped) */
	int startup_locality;  /* from the "StartupLocality" EV_NO_ACTION event: PCR 0 starts at this
				 * value (0 or 3) instead of 0; -1 when the log has no such event */
	size_t events;         /* events in the log, the Spec ID and EV_NO_ACTION events included */
};

/* Parses a whole log into out (at most max records), *n the count, one record per extend:
 * EV_NO_ACTION events are not extended by the firmware, so they yield no record (the
 * StartupLocality one is reported in info). Each record has content_type "tcg", event_type the
 * EV_ name ("EV_IPL", or "0x%08x" when unknown), the digests of the known banks, and as string a
 * printable rendering of short ASCII or UTF-16 event data or the name of a measured UEFI variable,
 * else "". Every digest's algorithm must be listed in the Spec ID event, with the size listed.
 * Returns 0, -EBADMSG (err names the event, 1-based, the Spec ID event being 1, and what is
 * wrong; a log that does not start with a Spec ID Event03 is refused: a SHA1-only TPM 1.2 log is
 * not what a TPM 2.0 writes) or -E2BIG (more than max records). */
int tcglog_parse(const void *buf, size_t len, struct eventlog_record *out, size_t max, size_t *n,
		 struct tcglog_info *info, struct parse_error *err);

/* "EV_IPL" etc., or NULL for a type without a name. */
const char *tcglog_event_type_name(uint32_t type);
