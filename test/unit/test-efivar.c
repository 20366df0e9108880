/* SPDX-License-Identifier: MIT */
/* LoaderDevicePartUUID as efivarfs gives it: attributes, then a UTF-16LE UUID. A table of what
 * the stub writes (upper case, NUL-terminated) and of what must be refused. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "efivar.h"
#include "macro.h"

/* attributes (NV+BS+RT), then s as UTF-16LE; nul: append a NUL unit. */
static size_t var(const char *s, bool nul, uint8_t *out) {
	static const uint8_t attrs[4] = { 0x07, 0, 0, 0 };
	size_t n = 4;
	memcpy(out, attrs, 4);
	for (; *s; s++) {
		out[n++] = (uint8_t) *s;
		out[n++] = 0;
	}
	if (nul) {
		out[n++] = 0;
		out[n++] = 0;
	}
	return n;
}

static void test_table(void **state) {
	static const struct {
		const char *what, *s;
		bool nul;
		int extra;  /* bytes appended after the string: -1 for one odd byte */
		int expect; /* 0 or -errno */
	} cases[] = {
		{ "as systemd-stub writes it", "6F6A8B3E-1B0C-4D6E-9F10-A2B3C4D5E6F7", true, 0, 0 },
		{ "lower case, no NUL", "6f6a8b3e-1b0c-4d6e-9f10-a2b3c4d5e6f7", false, 0, 0 },
		{ "empty", "", true, 0, -EBADMSG },
		{ "too short", "6F6A8B3E-1B0C-4D6E-9F10-A2B3C4D5E6F", true, 0, -EBADMSG },
		{ "too long", "6F6A8B3E-1B0C-4D6E-9F10-A2B3C4D5E6F70", true, 0, -EBADMSG },
		{ "braces", "{6F6A8B3E-1B0C-4D6E-9F10-A2B3C4D5E6F}", true, 0, -EBADMSG },
		{ "not hex", "6F6A8B3E-1B0C-4D6E-9F10-A2B3C4D5E6FG", true, 0, -EBADMSG },
		{ "odd length", "6F6A8B3E-1B0C-4D6E-9F10-A2B3C4D5E6F7", true, -1, -EBADMSG },
		{ "bytes after the NUL", "6F6A8B3E-1B0C-4D6E-9F10-A2B3C4D5E6F7", true, 2, -EBADMSG },
	};
	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		uint8_t buf[128] = {};
		char out[37] = "untouched";
		size_t n = var(cases[i].s, cases[i].nul, buf);
		if (cases[i].extra == -1)
			buf[n++] = 'x';
		else
			for (int k = 0; k < cases[i].extra; k++)
				buf[n++] = 'A';
		int r = efivar_parse_uuid(buf, n, out);
		if (r != cases[i].expect)
			fail_msg("%s: got %d, want %d", cases[i].what, r, cases[i].expect);
		if (r == 0 && strcmp(out, "6f6a8b3e-1b0c-4d6e-9f10-a2b3c4d5e6f7") != 0)
			fail_msg("%s: parsed as %s", cases[i].what, out);
	}
}

/* A unit outside ASCII (here U+00E9 and a high surrogate) is no UUID character. */
static void test_non_ascii(void **state) {
	uint8_t buf[128];
	char out[37];
	(void) state;
	size_t n = var("6F6A8B3E-1B0C-4D6E-9F10-A2B3C4D5E6F7", true, buf);
	buf[4 + 2 * 3 + 1] = 0x01; /* the fourth character becomes U+0136 */
	assert_int_equal(efivar_parse_uuid(buf, n, out), -EBADMSG);
	assert_int_equal(efivar_parse_uuid(buf, 3, out), -EBADMSG); /* shorter than the attributes */
	assert_int_equal(efivar_parse_uuid(buf, 4, out), -EBADMSG); /* attributes alone */
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_non_ascii),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
