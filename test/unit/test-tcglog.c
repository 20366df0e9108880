/* SPDX-License-Identifier: MIT */
/* The firmware event log parser over hand-built logs: a good one (with an algorithm pcr.h does
 * not know, EV_NO_ACTION events and the event data renderings), its replay, and a table of
 * malformed logs with the expected error and event number. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "hexb64.h"
#include "macro.h"
#include "tcglog.h"

#define SHA1 0x0004
#define SHA256 0x000b
#define SM3 0x0012 /* not in pcr.h: its digests are skipped */

struct buf {
	uint8_t d[4096];
	size_t n;
};

static struct buf b;
static struct eventlog_record recs[16];

static void u8(uint8_t v) {
	b.d[b.n++] = v;
}

static void u16(uint16_t v) {
	u8((uint8_t) v);
	u8((uint8_t) (v >> 8));
}

static void u32(uint32_t v) {
	u16((uint16_t) v);
	u16((uint16_t) (v >> 16));
}

static void bytes(const void *p, size_t n) {
	memcpy(b.d + b.n, p, n);
	b.n += n;
}

static void utf16(const char *s) {
	for (; *s; s++)
		u16((uint16_t) *s);
	u16(0);
}

static size_t alg_size(uint16_t alg) {
	return alg == SHA1 ? 20 : 32;
}

/* The SHA1-format first event with a Spec ID Event03 listing algs (id, size pairs). */
static void spec_id(const uint16_t (*algs)[2], uint32_t n, const char *signature) {
	static const uint8_t zero[20];
	u32(0);
	u32(TCG_EV_NO_ACTION);
	bytes(zero, 20);
	u32(16 + 4 + 4 + 4 + 4 * n + 1 + 2);
	bytes(signature, 16);
	u32(0);                     /* platformClass */
	u8(0), u8(2), u8(0), u8(2); /* version 2.0, errata, uintnSize */
	u32(n);
	for (uint32_t i = 0; i < n; i++)
		u16(algs[i][0]), u16(algs[i][1]);
	u8(2);
	u8('v'), u8('i');
}

static const uint16_t three[3][2] = { { SHA1, 20 }, { SM3, 32 }, { SHA256, 32 } };

static void standard_spec(void) {
	b.n = 0;
	spec_id(three, 3, "Spec ID Event03");
}

/* A TCG_PCR_EVENT2 with one digest per alg, each byte of it fill. */
static void event2(uint32_t pcr, uint32_t type, const uint16_t *algs, uint32_t n, uint8_t fill, const void *data,
		   uint32_t size) {
	u32(pcr);
	u32(type);
	u32(n);
	for (uint32_t i = 0; i < n; i++) {
		u16(algs[i]);
		memset(b.d + b.n, fill, alg_size(algs[i]));
		b.n += alg_size(algs[i]);
	}
	u32(size);
	bytes(data, size);
}

static const uint16_t all3[3] = { SHA256, SM3, SHA1 };

static void test_good_log(void **state) {
	static const char locality[17] = "StartupLocality\0\3";
	static const uint8_t sep[4] = { 0 };
	struct tcglog_info info;
	struct parse_error err = {};
	size_t n = 0, mark;
	(void) state;

	standard_spec();
	event2(0, TCG_EV_NO_ACTION, all3, 3, 0, locality, sizeof locality);
	event2(0, 0x8, all3, 3, 0x11, "", 0); /* EV_S_CRTM_VERSION */
	mark = b.n;
	utf16(".linux");
	uint8_t name16[14];
	memcpy(name16, b.d + mark, sizeof name16);
	b.n = mark;
	event2(11, 0xd, all3, 3, 0x22, name16, sizeof name16);
	event2(7, 0x4, all3, 3, 0x33, sep, sizeof sep);
	/* UEFI_VARIABLE_DATA: GUID, name length 10, data length 1, "SecureBoot", 1. */
	uint8_t var[16 + 16 + 20 + 1] = { 0 };
	var[16] = 10;
	var[24] = 1;
	for (int i = 0; i < 10; i++)
		var[32 + 2 * i] = (uint8_t) "SecureBoot"[i];
	var[52] = 1;
	event2(7, 0x80000001, all3, 3, 0x44, var, sizeof var);
	event2(4, 0x80000007, all3, 3, 0x55, "Calling EFI Application from Boot Option", 40);
	event2(4, 0x1234, all3, 3, 0x66, "\x01\x02", 2);

	assert_int_equal(tcglog_parse(b.d, b.n, recs, ELEMENTSOF(recs), &n, &info, &err), 0);
	assert_int_equal(info.events, 8);
	assert_int_equal(info.banks, (1U << PCR_BANK_SHA1) | (1U << PCR_BANK_SHA256));
	assert_int_equal(info.unknown_algs, 1);
	assert_int_equal(info.startup_locality, 3);
	assert_int_equal(n, 6); /* the EV_NO_ACTION is not extended */

	static const struct {
		unsigned pcr;
		const char *type, *string;
		uint8_t fill;
	} want[] = {
		{ 0, "EV_S_CRTM_VERSION", "", 0x11 },
		{ 11, "EV_IPL", ".linux", 0x22 },
		{ 7, "EV_SEPARATOR", "", 0x33 },
		{ 7, "EV_EFI_VARIABLE_DRIVER_CONFIG", "SecureBoot", 0x44 },
		{ 4, "EV_EFI_ACTION", "Calling EFI Application from Boot Option", 0x55 },
		{ 4, "0x00001234", "", 0x66 },
	};
	for (size_t i = 0; i < ELEMENTSOF(want); i++) {
		uint8_t d[32];
		memset(d, want[i].fill, sizeof d);
		assert_int_equal(recs[i].pcr, want[i].pcr);
		assert_string_equal(recs[i].content_type, "tcg");
		assert_string_equal(recs[i].event_type, want[i].type);
		assert_string_equal(recs[i].string, want[i].string);
		assert_int_equal(recs[i].digests.banks, info.banks);
		assert_memory_equal(recs[i].digests.d[PCR_BANK_SHA1], d, 20);
		assert_memory_equal(recs[i].digests.d[PCR_BANK_SHA256], d, 32);
	}

	/* The records replay like any others. */
	static struct pcr_values v;
	uint8_t expect[PCR_DIGEST_MAX] = { 0 }, d[32];
	memset(&v, 0, sizeof v);
	v.banks = 1U << PCR_BANK_SHA256;
	assert_int_equal(eventlog_replay(recs, n, &v, &err), 0);
	assert_int_equal(v.pcrs, (1U << 0) | (1U << 4) | (1U << 7) | (1U << 11));
	memset(d, 0x22, sizeof d);
	assert_int_equal(pcr_extend(PCR_BANK_SHA256, expect, d), 0);
	assert_memory_equal(v.v[11][PCR_BANK_SHA256], expect, 32);

	/* One record too many. */
	assert_int_equal(tcglog_parse(b.d, b.n, recs, 5, &n, &info, &err), -E2BIG);
	assert_int_equal(err.line, 8);
}

/* The malformed logs, each built by a function. */
static void empty(void) {
	b.n = 0;
}
static void short_header(void) {
	standard_spec();
	b.n = 20;
}
static void not_no_action(void) {
	standard_spec();
	b.d[4] = 4;
}
static void event02(void) {
	b.n = 0;
	spec_id(three, 3, "Spec ID Event02");
}
static void spec_cut(void) {
	standard_spec();
	b.n -= 3;
}
static void no_algs(void) {
	b.n = 0;
	spec_id(three, 0, "Spec ID Event03");
}
static void too_many_algs(void) {
	static const uint16_t many[17][2] = { { SHA1, 20 } };
	b.n = 0;
	spec_id(many, 17, "Spec ID Event03");
}
static void alg_twice(void) {
	static const uint16_t twice[2][2] = { { SHA256, 32 }, { SHA256, 32 } };
	b.n = 0;
	spec_id(twice, 2, "Spec ID Event03");
}
static void sha256_size_20(void) {
	static const uint16_t bad[1][2] = { { SHA256, 20 } };
	b.n = 0;
	spec_id(bad, 1, "Spec ID Event03");
}
static void unknown_size_0(void) {
	static const uint16_t bad[2][2] = { { SHA256, 32 }, { 0x0027, 0 } };
	b.n = 0;
	spec_id(bad, 2, "Spec ID Event03");
}
static void vendor_cut(void) {
	b.n = 0;
	spec_id(three, 3, "Spec ID Event03");
	b.d[28] -= 2; /* the event ends before the vendor information it announces */
	b.n -= 2;
}
static void header_cut(void) {
	standard_spec();
	event2(4, 0xd, all3, 3, 1, "x", 1);
	u32(4);
	u32(0xd);
}
static void too_many_digests(void) {
	static const uint16_t four[4] = { SHA1, SHA256, SM3, SHA1 };
	standard_spec();
	event2(4, 0xd, four, 4, 1, "x", 1);
}
static void alg_not_listed(void) {
	static const uint16_t one[1] = { 0x000c };
	standard_spec();
	event2(4, 0xd, one, 1, 1, "x", 1);
}
static void digest_cut(void) {
	standard_spec();
	event2(4, 0xd, all3, 3, 1, "x", 1);
	b.n -= 1 + 4 + 10;
}
static void data_past_end(void) {
	standard_spec();
	event2(4, 0xd, all3, 3, 1, "xyz", 3);
	b.n -= 1;
}
static void pcr_24(void) {
	standard_spec();
	event2(24, 0xd, all3, 3, 1, "x", 1);
}
static void digest_twice(void) {
	static const uint16_t two[2] = { SHA256, SHA256 };
	standard_spec();
	event2(4, 0xd, all3, 3, 1, "x", 1);
	event2(4, 0xd, two, 2, 1, "x", 1);
}

static void test_malformed_table(void **state) {
	static const struct {
		const char *what;
		void (*make)(void);
		unsigned event;
		const char *msg;
	} cases[] = {
		{ "empty", empty, 1, "shorter than" },
		{ "first event header cut", short_header, 1, "shorter than" },
		{ "first event not EV_NO_ACTION", not_no_action, 1, "not a crypto-agile log" },
		{ "Spec ID Event02", event02, 1, "not a crypto-agile log" },
		{ "Spec ID event cut", spec_cut, 1, "not a crypto-agile log" },
		{ "no algorithms", no_algs, 1, "lists 0 algorithms" },
		{ "17 algorithms", too_many_algs, 1, "lists 17 algorithms" },
		{ "algorithm twice", alg_twice, 1, "algorithm 0x000b twice" },
		{ "sha256 of 20 bytes", sha256_size_20, 1, "sha256 20-byte digests, not 32" },
		{ "unknown algorithm of 0 bytes", unknown_size_0, 1, "0x0027 0-byte digests" },
		{ "vendor information cut", vendor_cut, 1, "vendor information" },
		{ "event header cut", header_cut, 3, "inside the event header" },
		{ "more digests than algorithms", too_many_digests, 2, "4 digests" },
		{ "algorithm not listed", alg_not_listed, 2, "0x000c is not in the Spec ID event" },
		{ "digest cut", digest_cut, 2, "inside digest 3" },
		{ "event data past the end", data_past_end, 2, "runs past the end" },
		{ "PCR 24", pcr_24, 2, "PCR 24 is not 0..23" },
		{ "two sha256 digests", digest_twice, 3, "two sha256 digests" },
	};
	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct tcglog_info info;
		struct parse_error err = {};
		size_t n = 99;
		cases[i].make();
		int r = tcglog_parse(b.d, b.n, recs, ELEMENTSOF(recs), &n, &info, &err);
		if (r != -EBADMSG)
			fail_msg("%s: returned %d, want -EBADMSG", cases[i].what, r);
		if (err.line != cases[i].event || !strstr(err.msg, cases[i].msg))
			fail_msg("%s: event %u '%s', want event %u '%s'", cases[i].what, err.line, err.msg, cases[i].event,
				 cases[i].msg);
	}
}

static void test_type_names(void **state) {
	(void) state;
	assert_string_equal(tcglog_event_type_name(0xd), "EV_IPL");
	assert_string_equal(tcglog_event_type_name(0x800000e0), "EV_EFI_VARIABLE_AUTHORITY");
	assert_string_equal(tcglog_event_type_name(0x80000003), "EV_EFI_BOOT_SERVICES_APPLICATION");
	assert_null(tcglog_event_type_name(0x80000000));
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_log),
		cmocka_unit_test(test_malformed_table),
		cmocka_unit_test(test_type_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
