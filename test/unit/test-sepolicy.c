/* SPDX-License-Identifier: MIT */
/* SELinux's userspace formats verinit reads and writes: the policy header, the LSM list, a
 * boolean's value, the config a reload reads. Tables, each refusal with its message. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "macro.h"
#include "sepolicy.h"

/* magic, length 8, "SE Linux", version 33, then what a policy goes on with */
/* clang-format off */
#define HDR(m0, len, a, b, c, d, e, f, g, h, v) { m0, 0xff, 0x7c, 0xf9, len, 0, 0, 0, a, b, c, d, e, f, g, h, v, 0, 0, 0, 0, 0, 0, 0 }
/* clang-format on */

static void test_version(void **state) {
	(void) state;
	static const struct {
		const char *name;
		uint8_t blob[24];
		size_t n;
		int want;
		unsigned version;
		const char *msg;
	} cases[] = {
		{ "secilc -c 33", HDR(0x8c, 8, 'S', 'E', ' ', 'L', 'i', 'n', 'u', 'x', 33), 24, 0, 33, NULL },
		{ "oldest", HDR(0x8c, 8, 'S', 'E', ' ', 'L', 'i', 'n', 'u', 'x', 15), 24, 0, 15, NULL },
		{ "too old", HDR(0x8c, 8, 'S', 'E', ' ', 'L', 'i', 'n', 'u', 'x', 14), 24, -EBADMSG, 0, "version 14" },
		{ "too new", HDR(0x8c, 8, 'S', 'E', ' ', 'L', 'i', 'n', 'u', 'x', 65), 24, -EBADMSG, 0, "version 65" },
		{ "zeroed magic", HDR(0x00, 8, 'S', 'E', ' ', 'L', 'i', 'n', 'u', 'x', 33), 24, -EBADMSG, 0,
		  "magic 0xf97cff00" },
		{ "XenFlask", HDR(0x8c, 8, 'X', 'e', 'n', 'F', 'l', 'a', 's', 'k', 33), 24, -EBADMSG, 0, "identifier" },
		{ "wrong length", HDR(0x8c, 9, 'S', 'E', ' ', 'L', 'i', 'n', 'u', 'x', 33), 24, -EBADMSG, 0, "identifier" },
		{ "cut in the version", HDR(0x8c, 8, 'S', 'E', ' ', 'L', 'i', 'n', 'u', 'x', 33), 19, -EBADMSG, 0,
		  "19 bytes" },
		{ "empty", { 0 }, 0, -EBADMSG, 0, "0 bytes" },
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct parse_error err = {};
		unsigned v = 0;
		int r = sepolicy_version(cases[i].blob, cases[i].n, &v, &err);
		if (r != cases[i].want)
			fail_msg("%s: returned %d, want %d (%s)", cases[i].name, r, cases[i].want, err.msg);
		if (r == 0 && v != cases[i].version)
			fail_msg("%s: version %u, want %u", cases[i].name, v, cases[i].version);
		if (cases[i].msg && !strstr(err.msg, cases[i].msg))
			fail_msg("%s: message '%s' lacks '%s'", cases[i].name, err.msg, cases[i].msg);
	}
}

static void test_lsm(void **state) {
	(void) state;
	static const struct {
		const char *list, *name;
		bool want;
	} cases[] = {
		{ "lockdown,capability,landlock,yama,selinux,ipe\n", "selinux", true },
		{ "lockdown,capability,landlock,yama,selinux,ipe\n", "ipe", true },
		{ "selinux", "selinux", true },
		{ "capability,selinuxx,ipe", "selinux", false },
		{ "capability,xselinux", "selinux", false },
		{ "capability,yama\n", "selinux", false },
		{ "", "selinux", false },
		{ ",,\n", "selinux", false },
		{ "selinux\n\n", "selinux", false }, /* one newline ends the file, not two */
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++)
		if (lsm_list_has(cases[i].list, strlen(cases[i].list), cases[i].name) != cases[i].want)
			fail_msg("'%s' has %s: want %d", cases[i].list, cases[i].name, cases[i].want);
}

static void test_bool(void **state) {
	(void) state;
	static const struct {
		const char *buf;
		int want;
		bool cur, pending;
	} cases[] = {
		/* clang-format off */
		{ "1 1", 0, true, true }, { "0 1", 0, false, true }, { "1 0\n", 0, true, false }, { "0 0", 0, false, false },
		{ "2 1", -EBADMSG, 0, 0 }, { "1  1", -EBADMSG, 0, 0 }, { "11", -EBADMSG, 0, 0 }, { "", -EBADMSG, 0, 0 },
		{ "1 1\n\n", -EBADMSG, 0, 0 }, { "1\t1", -EBADMSG, 0, 0 },
		/* clang-format on */
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		bool cur = !cases[i].cur, pending = !cases[i].pending;
		int r = sepolicy_bool_parse(cases[i].buf, strlen(cases[i].buf), &cur, &pending);
		if (r != cases[i].want)
			fail_msg("'%s': returned %d, want %d", cases[i].buf, r, cases[i].want);
		if (r == 0 && (cur != cases[i].cur || pending != cases[i].pending))
			fail_msg("'%s': read %d %d", cases[i].buf, cur, pending);
	}
}

static void test_config_parse(void **state) {
	(void) state;
	static const struct {
		const char *name, *buf;
		int want;
		bool enforcing;
		const char *type;
		unsigned line;
		const char *msg;
	} cases[] = {
		{ "Fedora's", "# comment\nSELINUX=enforcing\n# another\nSELINUXTYPE=targeted\n", 0, true, "targeted", 0, NULL },
		{ "permissive, other keys", "SETLOCALDEFS=0\nSELINUXTYPE=lab\nSELINUX=permissive", 0, false, "lab", 0, NULL },
		{ "disabled", "SELINUX=disabled\nSELINUXTYPE=t\n", -EBADMSG, 0, NULL, 1, "not enforcing or permissive" },
		{ "prefix only", "SELINUX=enforcingX\nSELINUXTYPE=t\n", -EBADMSG, 0, NULL, 1, "not enforcing or permissive" },
		{ "upper-case value", "SELINUX=Enforcing\nSELINUXTYPE=t\n", -EBADMSG, 0, NULL, 1, "not enforcing" },
		{ "key in lower case", "selinux=permissive\nSELINUX=enforcing\nSELINUXTYPE=t\n", -EBADMSG, 0, NULL, 1,
		  "another case" },
		{ "type key in lower case", "SELINUX=enforcing\nselinuxtype=t\n", -EBADMSG, 0, NULL, 2, "another case" },
		{ "leading blank", "SELINUX=enforcing\n SELINUXTYPE=t\n", -EBADMSG, 0, NULL, 2, "white space" },
		{ "twice", "SELINUX=enforcing\nSELINUXTYPE=t\nSELINUX=permissive\n", -EBADMSG, 0, NULL, 3,
		  "again (first on line 1)" },
		{ "type twice", "SELINUXTYPE=a\nSELINUX=enforcing\nSELINUXTYPE=b\n", -EBADMSG, 0, NULL, 3, "again" },
		{ "type a path", "SELINUX=enforcing\nSELINUXTYPE=../x\n", -EBADMSG, 0, NULL, 2, "[A-Za-z0-9_-]" },
		{ "type trailing blank", "SELINUX=enforcing\nSELINUXTYPE=t \n", -EBADMSG, 0, NULL, 2, "[A-Za-z0-9_-]" },
		{ "type empty", "SELINUX=enforcing\nSELINUXTYPE=\n", -EBADMSG, 0, NULL, 2, "empty" },
		{ "no type", "SELINUX=enforcing\n", -EBADMSG, 0, NULL, 0, "no SELINUXTYPE= line" },
		{ "no mode", "SELINUXTYPE=t\n", -EBADMSG, 0, NULL, 0, "no SELINUX= line" },
		{ "empty", "", -EBADMSG, 0, NULL, 0, "no SELINUX= line" },
		{ "not KEY=VALUE", "SELINUX=enforcing\nSELINUXTYPE=t\nhello\n", -EBADMSG, 0, NULL, 3, "not KEY=VALUE" },
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct parse_error err = {};
		char type[SEPOLICY_TYPE_MAX] = "";
		bool enforcing = !cases[i].enforcing;
		int r = sepolicy_config_parse(cases[i].buf, strlen(cases[i].buf), &enforcing, type, &err);
		if (r != cases[i].want)
			fail_msg("%s: returned %d, want %d (%s)", cases[i].name, r, cases[i].want, err.msg);
		if (r == 0 && (enforcing != cases[i].enforcing || strcmp(type, cases[i].type) != 0))
			fail_msg("%s: read enforcing=%d type '%s'", cases[i].name, enforcing, type);
		if (r < 0 && (err.line != cases[i].line || !strstr(err.msg, cases[i].msg)))
			fail_msg("%s: line %u '%s', want line %u with '%s'", cases[i].name, err.line, err.msg, cases[i].line,
				 cases[i].msg);
	}
	/* What verinit writes, it reads back. */
	char buf[64], type[SEPOLICY_TYPE_MAX];
	bool enforcing = false;
	int n = sepolicy_config(true, buf, sizeof buf);
	assert_true(n > 0);
	assert_int_equal(sepolicy_config_parse(buf, (size_t) n, &enforcing, type, NULL), 0);
	assert_true(enforcing);
	assert_string_equal(type, SEPOLICY_TYPE);
}

static void test_config(void **state) {
	(void) state;
	char buf[64], tiny[8];
	int n = sepolicy_config(true, buf, sizeof buf);
	assert_int_equal(n, (int) strlen("SELINUX=enforcing\nSELINUXTYPE=verinit\n"));
	assert_string_equal(buf, "SELINUX=enforcing\nSELINUXTYPE=verinit\n");
	assert_true(sepolicy_config(false, buf, sizeof buf) > 0);
	assert_string_equal(buf, "SELINUX=permissive\nSELINUXTYPE=verinit\n");
	assert_int_equal(sepolicy_config(true, tiny, sizeof tiny), -E2BIG);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_lsm),
		cmocka_unit_test(test_bool),
		cmocka_unit_test(test_config_parse),
		cmocka_unit_test(test_config),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
