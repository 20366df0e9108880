/* SPDX-License-Identifier: MIT */
/* The measurement log: writer/reader round trip, a table of malformed logs with the expected
 * error and record, and replay. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "eventlog.h"
#include "hexb64.h"
#include "macro.h"

#define BOOT "0123456789abcdef0123456789abcdef"
#define D256 "51e6b92f405d1f98d96e3de343d61d420ad6923b25de21d766f9298192f14fed" /* sha256("enter-initrd") */

static struct eventlog_record recs[8];

static void make(struct eventlog_record *r, unsigned pcr, const char *type, const char *etype, const char *s,
		 unsigned banks) {
	memset(r, 0, sizeof *r);
	r->pcr = pcr;
	snprintf(r->content_type, sizeof r->content_type, "%s", type);
	snprintf(r->event_type, sizeof r->event_type, "%s", etype);
	snprintf(r->string, sizeof r->string, "%s", s);
	assert_int_equal(pcr_digests_of(banks, s, strlen(s), &r->digests), 0);
}

static void test_round_trip(void **state) {
	char log[8192];
	size_t used = 0, n = 0;
	struct eventlog_record in[3];
	struct parse_error err = {};
	(void) state;
	make(&in[0], 11, "systemd", "phase", "enter-initrd", PCR_BANKS_ALL);
	make(&in[1], 15, "verinit", "verinit", "verinit.usr.roothash=\"quoted\\/\"", 1U << PCR_BANK_SHA256);
	make(&in[2], 11, "systemd", "phase", "leave-initrd", (1U << PCR_BANK_SHA1) | (1U << PCR_BANK_SHA384));
	for (size_t i = 0; i < ELEMENTSOF(in); i++) {
		ssize_t w = eventlog_format(&in[i], i ? NULL : BOOT, 1234567, log + used, sizeof log - used);
		assert_true(w > 0);
		assert_int_equal(log[used], 0x1e);
		assert_int_equal(log[used + (size_t) w - 1], '\n');
		used += (size_t) w;
	}
	assert_non_null(strstr(log, "{\"pcr\":11,\"digests\":[{\"hashAlg\":\"sha1\","));
	assert_non_null(strstr(log, "{\"hashAlg\":\"sha256\",\"digest\":\"" D256 "\"}"));
	assert_non_null(strstr(log, "\"content_type\":\"systemd\",\"content\":{\"string\":\"enter-initrd\",\"bootId\":\"" BOOT
				    "\",\"timestamp\":1234567,\"eventType\":\"phase\"}}\n"));
	assert_int_equal(eventlog_parse(log, used, recs, ELEMENTSOF(recs), &n, &err), 0);
	assert_int_equal(n, 3);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(recs[i].pcr, in[i].pcr);
		assert_string_equal(recs[i].content_type, in[i].content_type);
		assert_string_equal(recs[i].event_type, in[i].event_type);
		assert_string_equal(recs[i].string, in[i].string);
		assert_int_equal(recs[i].digests.banks, in[i].digests.banks);
		assert_memory_equal(recs[i].digests.d, in[i].digests.d, sizeof in[i].digests.d);
	}
	/* One record too many for the array. */
	assert_int_equal(eventlog_parse(log, used, recs, 2, &n, &err), -E2BIG);
	assert_int_equal(err.line, 3);
}

static void test_format_too_small(void **state) {
	char buf[64];
	(void) state;
	make(&recs[0], 11, "systemd", "phase", "enter-initrd", PCR_BANKS_ALL);
	assert_int_equal(eventlog_format(&recs[0], BOOT, 0, buf, sizeof buf), -ENOBUFS);
}

#define RS "\x1e"
#define OKREC "{\"pcr\":11,\"digests\":[{\"hashAlg\":\"sha256\",\"digest\":\"" D256 "\"}]}\n"

static void test_malformed_table(void **state) {
	static const struct {
		const char *what, *log;
		int expect;
		unsigned rec;
		const char *msg;
	} cases[] = {
		/* clang-format off */
		{ "empty log", "", 0, 0, NULL },
		{ "minimal record", RS OKREC, 0, 0, NULL },
		{ "unknown keys ignored", RS "{\"pcr\":0,\"x\":[1],\"digests\":[{\"hashAlg\":\"sha256\",\"digest\":\"" D256
					     "\",\"y\":2}],\"content\":{\"z\":{}}}\n",
		  0, 0, NULL },
		{ "no separator", OKREC, -EBADMSG, 1, "record separator" },
		{ "second without separator", RS OKREC OKREC, -EBADMSG, 1, "not JSON" },
		{ "not JSON", RS OKREC RS "{\"pcr\":11,\n", -EBADMSG, 2, "not JSON" },
		{ "array", RS "[1]\n", -EBADMSG, 1, "not a JSON object" },
		{ "pcr 24", RS "{\"pcr\":24,\"digests\":[]}\n", -EBADMSG, 1, "0..23" },
		{ "pcr negative", RS "{\"pcr\":-1,\"digests\":[]}\n", -EBADMSG, 1, "0..23" },
		{ "pcr string", RS "{\"pcr\":\"11\",\"digests\":[]}\n", -EBADMSG, 1, "0..23" },
		{ "no digests", RS "{\"pcr\":11}\n", -EBADMSG, 1, "non-empty array" },
		{ "empty digests", RS "{\"pcr\":11,\"digests\":[]}\n", -EBADMSG, 1, "non-empty array" },
		{ "unknown alg", RS "{\"pcr\":11,\"digests\":[{\"hashAlg\":\"sm3_256\",\"digest\":\"" D256 "\"}]}\n",
		  -EBADMSG, 1, "unknown hashAlg 'sm3_256'" },
		{ "short digest", RS "{\"pcr\":11,\"digests\":[{\"hashAlg\":\"sha256\",\"digest\":\"51e6\"}]}\n", -EBADMSG,
		  1, "not 32 bytes" },
		{ "upper-case digest",
		  RS "{\"pcr\":11,\"digests\":[{\"hashAlg\":\"sha1\",\"digest\":\"A9993E364706816ABA3E25717850C26C9CD0D89D\"}]}\n",
		  -EBADMSG, 1, "lowercase hex" },
		{ "bank twice", RS "{\"pcr\":11,\"digests\":[{\"hashAlg\":\"sha256\",\"digest\":\"" D256
				   "\"},{\"hashAlg\":\"sha256\",\"digest\":\"" D256 "\"}]}\n",
		  -EBADMSG, 1, "twice" },
		{ "digest without alg", RS "{\"pcr\":11,\"digests\":[{\"digest\":\"" D256 "\"}]}\n", -EBADMSG, 1, "lacks" },
		{ "content not object", RS "{\"pcr\":11,\"digests\":[{\"hashAlg\":\"sha256\",\"digest\":\"" D256
					   "\"}],\"content\":\"x\"}\n",
		  -EBADMSG, 1, "not an object" },
		{ "string not string", RS "{\"pcr\":11,\"digests\":[{\"hashAlg\":\"sha256\",\"digest\":\"" D256
					  "\"}],\"content\":{\"string\":5}}\n",
		  -EBADMSG, 1, "content.string" },
		{ "content_type number", RS "{\"pcr\":11,\"digests\":[{\"hashAlg\":\"sha256\",\"digest\":\"" D256
					    "\"}],\"content_type\":1}\n",
		  -EBADMSG, 1, "content_type" },
		{ "too deep", RS "{\"pcr\":11,\"a\":[[[[[[[[[[1]]]]]]]]]]}\n", -EBADMSG, 1, "not JSON" },
		{ "trailing garbage", RS "{\"pcr\":11,\"digests\":[{\"hashAlg\":\"sha256\",\"digest\":\"" D256 "\"}]} x\n",
		  -EBADMSG, 1, "not JSON" },
		/* clang-format on */
	};
	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct parse_error err = {};
		size_t n = 99;
		int r = eventlog_parse(cases[i].log, strlen(cases[i].log), recs, ELEMENTSOF(recs), &n, &err);
		if (r != cases[i].expect)
			fail_msg("%s: returned %d, want %d (%s)", cases[i].what, r, cases[i].expect, err.msg);
		if (r < 0 && (err.line != cases[i].rec || !strstr(err.msg, cases[i].msg)))
			fail_msg("%s: record %u '%s', want record %u '%s'", cases[i].what, err.line, err.msg, cases[i].rec,
				 cases[i].msg);
	}
}

static void test_replay(void **state) {
	static struct pcr_values v;
	struct parse_error err = {};
	char hex[2 * PCR_DIGEST_MAX + 1];
	(void) state;
	make(&recs[0], 11, "systemd", "phase", "enter-initrd", PCR_BANKS_ALL);
	make(&recs[1], 11, "systemd", "phase", "leave-initrd", PCR_BANKS_ALL);
	memset(&v, 0, sizeof v);
	v.banks = 1U << PCR_BANK_SHA256;
	assert_int_equal(eventlog_replay(recs, 2, &v, &err), 0);
	assert_int_equal(v.pcrs, 1U << 11);
	hex_encode(v.v[11][PCR_BANK_SHA256], 32, hex, sizeof hex);
	assert_string_equal(hex, "75df9c8b17d8a6465f2862028b892ea13a3d7c37685a945e5ff34fb44956c207");

	/* A bank the log does not carry cannot be replayed. */
	make(&recs[1], 11, "systemd", "phase", "leave-initrd", 1U << PCR_BANK_SHA1);
	memset(&v, 0, sizeof v);
	v.banks = (1U << PCR_BANK_SHA256) | (1U << PCR_BANK_SHA1);
	assert_int_equal(eventlog_replay(recs, 2, &v, &err), -EBADMSG);
	assert_int_equal(err.line, 2);
	assert_non_null(strstr(err.msg, "no sha256 digest for PCR 11"));
}

/* One PCR at a time: the same value as the whole replay, other PCRs' records passed over (even one
 * lacking the bank), and a record of that PCR lacking it named by its index. */
static void test_replay_pcr(void **state) {
	uint8_t v[PCR_DIGEST_MAX];
	char hex[2 * PCR_DIGEST_MAX + 1];
	size_t bad = 99;
	(void) state;
	make(&recs[0], 11, "systemd", "phase", "enter-initrd", PCR_BANKS_ALL);
	make(&recs[1], 15, "verinit", "verinit", "verinit.init=/sbin/init", 1U << PCR_BANK_SHA1);
	make(&recs[2], 11, "systemd", "phase", "leave-initrd", PCR_BANKS_ALL);
	pcr_reset_value(PCR_BANK_SHA256, 11, -1, v);
	assert_int_equal(eventlog_replay_pcr(recs, 3, 11, PCR_BANK_SHA256, v, &bad), 0);
	hex_encode(v, 32, hex, sizeof hex);
	assert_string_equal(hex, "75df9c8b17d8a6465f2862028b892ea13a3d7c37685a945e5ff34fb44956c207");
	assert_int_equal(bad, 99);
	assert_int_equal(eventlog_replay_pcr(recs, 3, 15, PCR_BANK_SHA256, v, &bad), -EBADMSG);
	assert_int_equal(bad, 1);
	assert_int_equal(eventlog_pcrs(recs, 3), 1U << 11 | 1U << 15);
	assert_int_equal(eventlog_pcrs(recs, 0), 0);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_replay_pcr),
		cmocka_unit_test(test_format_too_small),
		cmocka_unit_test(test_malformed_table),
		cmocka_unit_test(test_replay),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
