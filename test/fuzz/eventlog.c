/* SPDX-License-Identifier: MIT */
/* eventlog_parse() as `verinit-measure replay --log` reads /run/log/systemd/tpm2-measure.log, then
 * eventlog_replay() of the records in every bank. Checked: a refusal says why; a parsed record has
 * a PCR 0..23, at least one digest, only known banks, terminated strings; and formatting a record
 * with eventlog_format() (the agent's writer) and parsing it again gives the same record (the
 * round trip). */
#include "eventlog.h"
#include "fuzz.h"

#define RECORDS_MAX 64

static void check_record(const struct eventlog_record *r) {
	FUZZ_CHECK(r->pcr < PCR_COUNT);
	FUZZ_CHECK(r->digests.banks != 0 && (r->digests.banks & ~PCR_BANKS_ALL) == 0);
	FUZZ_CHECK_STR(r->content_type);
	FUZZ_CHECK_STR(r->event_type);
	FUZZ_CHECK_STR(r->string);
}

static void round_trip(const struct eventlog_record *r) {
	static char buf[EVENTLOG_RECORD_MAX + 2];
	static struct eventlog_record back;
	struct parse_error err = {};
	size_t n = 0;

	ssize_t w = eventlog_format(r, "0123456789abcdef0123456789abcdef", 1234567, buf, sizeof buf);
	if (w == -ENOBUFS) /* a string of escapes can outgrow one record: the writer says so */
		return;
	FUZZ_CHECK(w > 2 && buf[0] == 0x1e && buf[w - 1] == '\n' && buf[w] == '\0');
	int ret = eventlog_parse(buf, (size_t) w, &back, 1, &n, &err);
	if (ret != 0) {
		fprintf(stderr, "the formatted record does not parse: %s\n%s\n", err.msg, buf + 1);
		abort();
	}
	FUZZ_CHECK(n == 1);
	FUZZ_CHECK(back.pcr == r->pcr);
	FUZZ_CHECK(back.digests.banks == r->digests.banks);
	for (int b = 0; b < _PCR_BANK_MAX; b++)
		if (r->digests.banks & (1U << b))
			FUZZ_CHECK(memcmp(back.digests.d[b], r->digests.d[b], pcr_bank_size((enum pcr_bank) b)) == 0);
	FUZZ_CHECK(strcmp(back.content_type, r->content_type) == 0);
	FUZZ_CHECK(strcmp(back.event_type, r->event_type) == 0);
	FUZZ_CHECK(strcmp(back.string, r->string) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	static struct eventlog_record recs[RECORDS_MAX];
	static struct pcr_values vals;
	struct parse_error err = {};
	size_t n = 0;

	int r = eventlog_parse(data, size, recs, RECORDS_MAX, &n, &err);
	fuzz_trace("eventlog_parse: %d, %zu records %s", r, n, r < 0 ? err.msg : "");
	if (r < 0) {
		FUZZ_CHECK(r == -EBADMSG || r == -E2BIG);
		fuzz_check_error(&err, false);
		FUZZ_CHECK(n <= RECORDS_MAX);
		return 0;
	}
	FUZZ_CHECK(r == 0 && n <= RECORDS_MAX);
	unsigned common = PCR_BANKS_ALL;
	for (size_t i = 0; i < n; i++) {
		check_record(&recs[i]);
		round_trip(&recs[i]);
		common &= recs[i].digests.banks;
	}

	/* Replay in the banks every record has: must succeed; in all banks: fails exactly when one lacks. */
	memset(&vals, 0, sizeof vals);
	vals.banks = common;
	FUZZ_CHECK(eventlog_replay(recs, n, &vals, &err) == 0);
	memset(&vals, 0, sizeof vals);
	vals.banks = PCR_BANKS_ALL;
	r = eventlog_replay(recs, n, &vals, &err);
	FUZZ_CHECK((r == 0) == (n == 0 || common == PCR_BANKS_ALL));
	return 0;
}
