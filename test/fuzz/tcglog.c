/* SPDX-License-Identifier: MIT */
/* tcglog_parse() as `verinit-measure replay --firmware-log` reads the firmware's
 * binary_bios_measurements, then eventlog_replay() of its records in the banks the Spec ID event
 * lists. Checked: a refusal says why; every record extends a PCR 0..23 with digests only in banks the
 * Spec ID event listed, content type "tcg", an event type, and a string of printable ASCII (the
 * rendering of event data); the counts agree. */
#include "fuzz.h"
#include "tcglog.h"

#define RECORDS_MAX 512

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	static struct eventlog_record recs[RECORDS_MAX];
	static struct pcr_values vals;
	struct tcglog_info info;
	struct parse_error err = {};
	size_t n = 0;

	int r = tcglog_parse(data, size, recs, RECORDS_MAX, &n, &info, &err);
	fuzz_trace("tcglog_parse: %d, %zu records, %zu events %s", r, n, r < 0 ? (size_t) 0 : info.events, r < 0 ? err.msg : "");
	FUZZ_CHECK(n <= RECORDS_MAX);
	if (r < 0) {
		FUZZ_CHECK(r == -EBADMSG || r == -E2BIG);
		fuzz_check_error(&err, false);
		return 0;
	}
	FUZZ_CHECK(r == 0);
	FUZZ_CHECK(info.banks != 0 || info.unknown_algs != 0);
	FUZZ_CHECK((info.banks & ~PCR_BANKS_ALL) == 0);
	FUZZ_CHECK(info.events >= 1 + n);
	FUZZ_CHECK(info.startup_locality >= -1 && info.startup_locality <= 255);
	for (size_t i = 0; i < n; i++) {
		const struct eventlog_record *e = &recs[i];
		FUZZ_CHECK(e->pcr < PCR_COUNT);
		FUZZ_CHECK((e->digests.banks & ~info.banks) == 0);
		FUZZ_CHECK(strcmp(e->content_type, "tcg") == 0);
		FUZZ_CHECK_STR(e->event_type);
		FUZZ_CHECK(e->event_type[0] != '\0');
		FUZZ_CHECK_STR(e->string);
		FUZZ_CHECK(strlen(e->string) <= TCGLOG_DESCRIPTION_MAX);
		for (const char *s = e->string; *s; s++)
			FUZZ_CHECK(*s >= 0x20 && *s < 0x7f);
	}

	/* Replay as replay_one() does, in the banks every record carries. */
	unsigned common = info.banks;
	for (size_t i = 0; i < n; i++)
		common &= recs[i].digests.banks;
	memset(&vals, 0, sizeof vals);
	vals.banks = common;
	FUZZ_CHECK(eventlog_replay(recs, n, &vals, &err) == 0);
	return 0;
}
