/* SPDX-License-Identifier: MIT */
/* The version order that picks the newest slot: an ordered list every pair of which must compare
 * as listed (both ways), pairs that must be equal, and the labels systemd-repart and sysupdate
 * write. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "macro.h"
#include "verscmp.h"

static int sign(int v) {
	return (v > 0) - (v < 0);
}

/* Oldest first. The middle run is the order systemd's own test of strverscmp_improved() lists
 * (tilde before the end, then minus, caret, dot, then letters), written out here. */
static const char *const ordered[] = {
	/* clang-format off */
	"~1", "", "ab", "abb", "abc", "0001", "002", "12", "122", "122.9", "123~rc1", "123", "123-a", "123-a.1",
	"123-a1", "123-a1.1", "123-3", "123-3.1", "123^patch1", "123^1", "123.a-1", "123.1-1", "123a-1", "124",
	"99999999999999999999999999999", "100000000000000000000000000000",
	/* clang-format on */
};

static void test_order(void **state) {
	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(ordered); i++)
		for (size_t j = 0; j < ELEMENTSOF(ordered); j++) {
			int want = i < j   ? -1
				   : i > j ? 1
					   : 0;
			int got = sign(verscmp(ordered[i], ordered[j]));
			if (got != want)
				fail_msg("verscmp(\"%s\", \"%s\") = %d, want %d", ordered[i], ordered[j], got, want);
		}
}

static void test_table(void **state) {
	static const struct {
		const char *a, *b;
		int want;
	} cases[] = {
		{ "11", "11", 0 },
		{ "systemd-123", "systemd-123", 0 },
		{ "bar-123", "foo-123", -1 },
		{ "123a", "123", 1 },
		{ "123.a", "123", 1 },
		{ "123.a", "123.b", -1 },
		{ "123a", "123.a", 1 },
		{ "11\xce\xb1", "11\xce\xb2", 0 }, /* non-ASCII letters only separate */
		{ "A", "a", -1 },
		{ "0.", "0", 1 },
		{ "0.0", "0", 1 },
		{ "1_", "1", 0 },
		{ "_1", "1", 0 },
		{ "1_", "1.2", -1 },
		{ "1_2_3", "1.3.3", 1 },
		{ "1+2+3", "1.3.3", 1 },
		{ "007", "7", 0 },
		/* Labels as systemd-repart (usr_@v) and sysupdate write them. */
		{ "usr_2", "usr_1", 1 },
		{ "usr_10", "usr_9", 1 },
		{ "usr_1.2", "usr_1.10", -1 },
		{ "usr_1", "usr_1", 0 },
		{ "usr_1", "usr-1", 1 }, /* "_" only separates; "-" is older than the digit the other has */
		{ "OS_202501_2", "OS_202412_9", 1 },
		{ "usr_1~rc1", "usr_1", -1 },
	};
	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		int ab = sign(verscmp(cases[i].a, cases[i].b)), ba = sign(verscmp(cases[i].b, cases[i].a));
		if (ab != cases[i].want || ba != -cases[i].want)
			fail_msg("verscmp(\"%s\", \"%s\") = %d (reversed %d), want %d", cases[i].a, cases[i].b, ab, ba,
				 cases[i].want);
	}
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
