/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "partuuid.h"

static void test_derivation(void **state) {
	uint8_t hash[32];
	char data[UUID_STRING_LEN + 1], verity[UUID_STRING_LEN + 1];
	(void) state;
	for (size_t i = 0; i < sizeof hash; i++)
		hash[i] = (uint8_t) i;
	partuuid_from_roothash(hash, data, verity);
	assert_string_equal(data, "00010203-0405-0607-0809-0a0b0c0d0e0f");
	assert_string_equal(verity, "10111213-1415-1617-1819-1a1b1c1d1e1f");
}

/* The lab's usr.env for one root hash (qemu/usr-image.sh cuts the hex string the same way):
 * the bytes go in verbatim, no version nibble, no byte swapping of the first fields. */
static void test_derivation_matches_the_hex_cut(void **state) {
	static const uint8_t hash[32] = { 0xde, 0xad, 0xbe, 0xef, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66,
					  0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x01, 0x23,
					  0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0xfe, 0xdc, 0xba, 0x98 };
	char data[UUID_STRING_LEN + 1], verity[UUID_STRING_LEN + 1];
	(void) state;
	partuuid_from_roothash(hash, data, verity);
	assert_string_equal(data, "deadbeef-0011-2233-4455-66778899aabb");
	assert_string_equal(verity, "ccddeeff-0123-4567-89ab-cdeffedcba98");
}

static void test_parse_cases(void **state) {
	static const struct {
		const char *in;
		int expect;
	} cases[] = {
		{ "deadbeef-0011-2233-4455-66778899aabb", 0 },
		{ "DEADBEEF-0011-2233-4455-66778899AABB", 0 },
		{ "DeadBeef-0011-2233-4455-66778899aAbB", 0 },
		{ "deadbeef001122334455-66778899aabb", -EINVAL },
		{ "deadbeef-0011-2233-4455-66778899aabb0", -EINVAL },
		{ "deadbeef-0011-2233-4455-66778899aab", -EINVAL },
		{ "{deadbeef-0011-2233-4455-66778899aabb}", -EINVAL },
		{ "deadbeef-00112-233-4455-66778899aabb", -EINVAL },
		{ "deadbeeg-0011-2233-4455-66778899aabb", -EINVAL },
		{ "deadbeef-0011-2233-4455-66778899aab ", -EINVAL },
		{ " eadbeef-0011-2233-4455-66778899aabb", -EINVAL },
		{ "deadbeef_0011_2233_4455_66778899aabb", -EINVAL },
		{ "", -EINVAL },
	};
	static const uint8_t expect[16] = { 0xde, 0xad, 0xbe, 0xef, 0x00, 0x11, 0x22, 0x33,
					    0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb };
	(void) state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint8_t id[16];
		int r = uuid_parse_strict(cases[i].in, id);
		if (r != cases[i].expect)
			fail_msg("uuid case '%s': got %d, expected %d", cases[i].in, r, cases[i].expect);
		if (r == 0)
			assert_memory_equal(id, expect, sizeof expect);
	}
	uint8_t id[16];
	assert_int_equal(uuid_parse_strict(NULL, id), -EINVAL);
}

static void test_format_round_trip_and_equal(void **state) {
	static const uint8_t id[16] = { 0xc1, 0x2a, 0x73, 0x28, 0xf8, 0x1f, 0x11, 0xd2,
					0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b };
	char s[UUID_STRING_LEN + 1];
	uint8_t back[16];
	(void) state;
	uuid_format(id, s);
	assert_string_equal(s, "c12a7328-f81f-11d2-ba4b-00a0c93ec93b");
	assert_int_equal(uuid_parse_strict(s, back), 0);
	assert_memory_equal(back, id, sizeof id);

	assert_true(uuid_string_equal(s, "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"));
	assert_false(uuid_string_equal(s, "c12a7328-f81f-11d2-ba4b-00a0c93ec93c"));
	assert_false(uuid_string_equal(s, "c12a7328f81f11d2ba4b00a0c93ec93b"));
	assert_false(uuid_string_equal("x", "x")); /* equal strings that are no UUIDs */
	assert_false(uuid_string_equal(NULL, s));
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_derivation),
		cmocka_unit_test(test_derivation_matches_the_hex_cut),
		cmocka_unit_test(test_parse_cases),
		cmocka_unit_test(test_format_round_trip_and_equal),
	};
	return cmocka_run_group_tests_name("partuuid", tests, NULL, NULL);
}
