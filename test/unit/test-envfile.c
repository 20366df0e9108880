/* SPDX-License-Identifier: MIT */
/* Shell-style assignment files read without a shell: a table of texts, the key looked up, and
 * the expected value or error with its line. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "envfile.h"
#include "macro.h"

/* What qemu/usr-image.sh writes. */
#define USR_ENV                                                                       \
	"ROOTHASH=c86e17611277857a3bb287c0c16228c72e82eb41506ed587dd6143e2dd1e3275\n" \
	"USR_PARTUUID=c86e1761-1277-857a-3bb2-87c0c16228c7\n"                         \
	"FSTYPE=erofs\n"

static void test_table(void **state) {
	static const struct {
		const char *what, *text, *key;
		int expect;
		const char *value; /* on success; else the message */
		unsigned line;
	} cases[] = {
		{ "usr.env", USR_ENV, "ROOTHASH", 0, "c86e17611277857a3bb287c0c16228c72e82eb41506ed587dd6143e2dd1e3275", 0 },
		{ "last line without newline", "A=1\nFSTYPE=erofs", "FSTYPE", 0, "erofs", 0 },
		{ "comments and blanks", "# c\n\n  \nA=1\n", "A", 0, "1", 0 },
		{ "single quotes", "A='two words $x'\n", "A", 0, "two words $x", 0 },
		{ "double quotes", "A=\"two words\"\n", "A", 0, "two words", 0 },
		{ "empty value", "A=\n", "A", 0, "", 0 },
		{ "absent", USR_ENV, "CERT_FPR", -ENOENT, NULL, 0 },
		{ "a prefix is not the key", "ROOTHASHX=1\n", "ROOTHASH", -ENOENT, NULL, 0 },
		{ "spaces around =", "A = 1\n", "A", -EBADMSG, "not NAME=VALUE", 1 },
		{ "export", "export A=1\n", "A", -EBADMSG, "not NAME=VALUE", 1 },
		{ "name starts with a digit", "1A=1\n", "A", -EBADMSG, "not NAME=VALUE", 1 },
		{ "expansion", "A=1\nB=$A\n", "A", -EBADMSG, "value of B needs a shell", 2 },
		{ "command substitution", "A=`id`\n", "A", -EBADMSG, "needs a shell", 1 },
		{ "escape in double quotes", "A=\"a\\\"b\"\n", "A", -EBADMSG, "needs a shell", 1 },
		{ "unbalanced quote", "A='x\n", "A", -EBADMSG, "needs a shell", 1 },
		{ "two words", "A=x y\n", "A", -EBADMSG, "needs a shell", 1 },
		{ "assigned twice", "A=1\nB=2\nA=3\n", "B", -EBADMSG, "A is assigned twice", 3 },
		{ "carriage return", "A=1\r\n", "A", -EBADMSG, "control character (0x0d)", 1 },
	};
	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct parse_error err = {};
		char out[80] = "unchanged";
		int r = envfile_get(cases[i].text, strlen(cases[i].text), cases[i].key, out, sizeof out, &err);
		if (r != cases[i].expect)
			fail_msg("%s: returned %d, want %d (%s)", cases[i].what, r, cases[i].expect, err.msg);
		if (r == 0 && strcmp(out, cases[i].value) != 0)
			fail_msg("%s: value '%s', want '%s'", cases[i].what, out, cases[i].value);
		if (r == -EBADMSG && (err.line != cases[i].line || !strstr(err.msg, cases[i].value)))
			fail_msg("%s: line %u '%s', want line %u '%s'", cases[i].what, err.line, err.msg, cases[i].line,
				 cases[i].value);
	}
}

static void test_value_too_long(void **state) {
	struct parse_error err = {};
	char out[4];
	(void) state;
	assert_int_equal(envfile_get("A=1234\n", 7, "A", out, sizeof out, &err), -E2BIG);
	assert_int_equal(envfile_get("A=123\n", 6, "A", out, sizeof out, &err), 0);
	assert_string_equal(out, "123");
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_value_too_long),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
