/* SPDX-License-Identifier: MIT */
/* PCR values as text, one per line: "BANK PCR HEX" ("sha256 11 9a3f..."). That is what the lab's
 * test init reports ("R pcr sha256 11 <hex>" without the "R pcr "), what `verinit-measure predict
 * --format lines` prints, and what `verinit-measure replay --pcrs` compares against. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "parse.h"
#include "pcr.h"

#define PCRLIST_FILE_MAX 65536 /* 64 KiB: 4 banks x 24 PCRs need under 16 KiB */

struct pcr_list {
	uint32_t listed[_PCR_BANK_MAX]; /* bit i: PCR i has a value in that bank */
	uint8_t v[PCR_COUNT][_PCR_BANK_MAX][PCR_DIGEST_MAX];
};

/* Parses the whole text. Fields are separated by spaces or tabs; blank lines and lines starting
 * with '#' are skipped; the last line may lack its newline. BANK is a name pcr.h knows, PCR is
 * decimal 0..23 without leading zeros, HEX is the bank's digest size in hex of either case
 * (sysfs's pcr-sha256/N files are upper case). Returns 0, -EBADMSG (err names the 1-based line:
 * a malformed line, a control character, a bank and PCR listed twice) or -E2BIG (over 64 KiB). */
int pcrlist_parse(const char *buf, size_t len, struct pcr_list *out, struct parse_error *err);

/* The same values as verinit-uki publishes them (*.pcrs.json, `verinit-measure predict`'s JSON):
 * {"sha256":{"11":"<hex>","15":"<hex>"},...}, the whole of buf. Returns 0, -EBADMSG (err says
 * what: not JSON, an unknown bank, a PCR outside 0..23, a value not lowercase hex of the bank's
 * size, no value at all) or -E2BIG (over PCRLIST_FILE_MAX). */
int pcrjson_parse(const char *buf, size_t len, struct pcr_list *out, struct parse_error *err);
