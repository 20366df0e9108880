/* SPDX-License-Identifier: MIT */
/* "BANK PCR HEX" lists: a table of inputs with the expected result, error line and message. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "macro.h"
#include "pcrlist.h"

#define H1 "a9993e364706816aba3e25717850c26c9cd0d89d"
#define H256 "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define H256_UPPER "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"

static struct pcr_list l;

static void test_good(void **state) {
	static const char text[] = "# from the guest\n"
				   "sha256 11 " H256 "\n"
				   "\n"
				   "sha1\t0  " H1 "\n"
				   "  sha256 15 " H256_UPPER;
	struct parse_error err = {};
	(void) state;
	assert_int_equal(pcrlist_parse(text, strlen(text), &l, &err), 0);
	assert_int_equal(l.listed[PCR_BANK_SHA256], (1U << 11) | (1U << 15));
	assert_int_equal(l.listed[PCR_BANK_SHA1], 1U << 0);
	assert_int_equal(l.listed[PCR_BANK_SHA384], 0);
	assert_memory_equal(l.v[11][PCR_BANK_SHA256], l.v[15][PCR_BANK_SHA256], 32);
	assert_int_equal(l.v[0][PCR_BANK_SHA1][0], 0xa9);
	assert_int_equal(l.v[0][PCR_BANK_SHA1][19], 0x9d);
}

static void test_malformed_table(void **state) {
	static const struct {
		const char *what, *text;
		unsigned line;
		const char *msg;
	} cases[] = {
		/* clang-format off */
		{ "two fields", "sha256 11\n", 1, "not \"BANK PCR HEX\"" },
		{ "four fields", "sha256 11 " H256 " x\n", 1, "not \"BANK PCR HEX\"" },
		{ "the guest's prefix", "R pcr sha256 11 " H256 "\n", 1, "not \"BANK PCR HEX\"" },
		{ "unknown bank", "# x\nsm3_256 11 " H256 "\n", 2, "unknown bank 'sm3_256'" },
		{ "PCR 24", "sha256 24 " H256 "\n", 1, "PCR '24' is not 0..23" },
		{ "PCR with a leading zero", "sha256 011 " H256 "\n", 1, "PCR '011'" },
		{ "PCR 05", "sha256 05 " H256 "\n", 1, "PCR '05'" },
		{ "negative PCR", "sha256 -1 " H256 "\n", 1, "PCR '-1'" },
		{ "sha1 value in sha256", "sha256 11 " H1 "\n", 1, "64 hex digits, not 40" },
		{ "not hex", "sha1 1 " "g9993e364706816aba3e25717850c26c9cd0d89d" "\n", 1, "not hex" },
		{ "listed twice", "sha1 1 " H1 "\nsha256 1 " H256 "\nsha1 1 " H1 "\n", 3, "sha1 1 is listed twice" },
		{ "carriage return", "sha1 1 " H1 "\r\n", 1, "control character (0x0d)" },
		{ "NUL", "sha1 1 " H1 "\n\0", 2, "control character (0x00)" },
		/* clang-format on */
	};
	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct parse_error err = {};
		/* The NUL case needs its NUL: the length is the literal's, not strlen's. */
		size_t len = strlen(cases[i].text) + (strstr(cases[i].what, "NUL") ? 1 : 0);
		int r = pcrlist_parse(cases[i].text, len, &l, &err);
		if (r != -EBADMSG)
			fail_msg("%s: returned %d, want -EBADMSG", cases[i].what, r);
		if (err.line != cases[i].line || !strstr(err.msg, cases[i].msg))
			fail_msg("%s: line %u '%s', want line %u '%s'", cases[i].what, err.line, err.msg, cases[i].line,
				 cases[i].msg);
	}
}

static void test_too_big(void **state) {
	static char big[PCRLIST_FILE_MAX + 1];
	struct parse_error err = {};
	(void) state;
	memset(big, '#', sizeof big);
	assert_int_equal(pcrlist_parse(big, sizeof big, &l, &err), -E2BIG);
	assert_int_equal(pcrlist_parse(big, sizeof big - 1, &l, &err), 0);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_malformed_table),
		cmocka_unit_test(test_too_big),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
