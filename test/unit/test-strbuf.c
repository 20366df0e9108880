/* SPDX-License-Identifier: MIT */
/* strbuf_append: a table of buffer, text and what the buffer, the count and the answer must be after
 * (the exact fit, one byte short, empty text, no room left), that nothing is written past the size,
 * and a list built with the skip that init/devices.c's status line uses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "macro.h"
#include "strbuf.h"

#define GUARD 'x' /* every byte past size must still read this */

static void test_table(void **state) {
	static const struct {
		size_t size;
		const char *before; /* the buffer's text, and its length the count, before the call */
		size_t used;        /* the count before the call: strlen(before) */
		const char *text;
		bool want;
		size_t want_used;
		const char *after; /* the buffer's text after */
	} cases[] = {
		{ 8, "", 0, "abc", true, 3, "abc" },
		{ 4, "", 0, "abc", true, 3, "abc" },   /* exact fit: the NUL takes the last byte */
		{ 3, "", 0, "abc", false, 0, "ab" },   /* one short: cut, the count stays */
		{ 1, "", 0, "abc", false, 0, "" },     /* room for the NUL only */
		{ 8, "", 0, "", true, 0, "" },         /* empty text fits */
		{ 1, "", 0, "", true, 0, "" },         /* even into a one-byte buffer */
		{ 8, "ab", 2, "cd", true, 4, "abcd" }, /* appends after what is there */
		{ 5, "ab", 2, "cd", true, 4, "abcd" }, /* exact fit after it */
		{ 4, "ab", 2, "cd", false, 2, "abc" }, /* one short after it */
		{ 3, "ab", 2, "cd", false, 2, "ab" },  /* no room but for the NUL */
		{ 3, "ab", 2, "", true, 2, "ab" },     /* empty text, full buffer */
		{ 2, "ab", 2, "", false, 2, NULL },    /* no room at all: nothing written (checked below) */
		{ 0, "", 0, "", false, 0, NULL },      /* no buffer */
	};
	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		char buf[16], before[16];
		size_t used = cases[i].used;

		memset(buf, GUARD, sizeof buf);
		memcpy(buf, cases[i].before, strlen(cases[i].before) + (cases[i].size > used));
		memcpy(before, buf, sizeof buf);
		bool got = strbuf_append(buf, cases[i].size, &used, "%s", cases[i].text);
		if (got != cases[i].want || used != cases[i].want_used)
			fail_msg("case %zu (size %zu, \"%s\" + \"%s\"): returned %d with %zu used, want %d with %zu", i,
				 cases[i].size, cases[i].before, cases[i].text, got, used, cases[i].want, cases[i].want_used);
		if (cases[i].after && strcmp(buf, cases[i].after) != 0)
			fail_msg("case %zu: the buffer reads \"%s\", want \"%s\"", i, buf, cases[i].after);
		if (!cases[i].after && memcmp(buf, before, sizeof buf) != 0)
			fail_msg("case %zu: the buffer was written", i);
		for (size_t j = cases[i].size; j < sizeof buf; j++)
			if (buf[j] != GUARD)
				fail_msg("case %zu: byte %zu past the size %zu was written", i, j, cases[i].size);
	}
}

/* The format is the caller's: arguments are formatted, and the length counted is the formatted one. */
static void test_format(void **state) {
	char buf[16];
	size_t used = 0;
	(void) state;
	buf[0] = '\0';
	assert_true(strbuf_append(buf, sizeof buf, &used, "%s%d", "pcr", 15));
	assert_true(strbuf_append(buf, sizeof buf, &used, "%s%.*s", used ? "," : "", 2, "abcdef"));
	assert_int_equal(used, 8);
	assert_string_equal(buf, "pcr15,ab");
}

/* A list whose items are skipped when they do not fit (init/devices.c, init/tpm.c): the cut item
 * stays in the buffer until a later one that fits is written over it. */
static void test_skip(void **state) {
	static const char *const items[] = { "aa", "bbbb", "c" };
	char buf[6];
	size_t used = 0;
	(void) state;
	buf[0] = '\0';
	assert_true(strbuf_append(buf, sizeof buf, &used, "%s%s", used ? " " : "", items[0]));
	assert_false(strbuf_append(buf, sizeof buf, &used, "%s%s", used ? " " : "", items[1]));
	assert_string_equal(buf, "aa bb");
	assert_int_equal(used, 2);
	assert_true(strbuf_append(buf, sizeof buf, &used, "%s%s", used ? " " : "", items[2]));
	assert_string_equal(buf, "aa c");
	assert_int_equal(used, 4);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_skip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
