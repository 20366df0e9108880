/* SPDX-License-Identifier: MIT */
/* Choosing one partition (or whole disk) per role from a scan: by type, by name, never a guess;
 * and refusing partitions that share sectors. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "discover.h"
#include "macro.h"

#define OTHER "0fc63daf-8483-4772-8e79-3d69d8477de4"
#define U1 "11111111-2222-3333-4444-555555555555"
#define U2 "66666666-7777-8888-9999-aaaaaaaaaaaa"
#define U3 "bbbbbbbb-cccc-dddd-eeee-ffffffffffff"

static const struct part scan[] = {
	{ "/dev/vda", "", "", "", 0, 0, 0, 0 },
	{ "/dev/vda1", "c12a7328-f81f-11d2-ba4b-00a0c93ec93b", "aaaaaaaa-0000-0000-0000-000000000001", "esp", 0, 0, 0, 0 },
	{ "/dev/vda2", GPT_USR_X86_64, U1, "usr-a", 0, 0, 0, 0 },
	{ "/dev/vda3", GPT_USR_VERITY_X86_64, U2, "usr-a-verity", 0, 0, 0, 0 },
	{ "/dev/vda4", GPT_USR_VERITY_SIG_X86_64, U3, "", 0, 0, 0, 0 },
	{ "/dev/vdb", "", "", "", 0, 0, 0, 0 },
	{ "/dev/sda", "", "", "", 0, 0, 0, 0 },
	{ "/dev/sda1", GPT_USR_X86_64, "22222222-2222-2222-2222-222222222222", "usr-b", 0, 0, 0, 0 },
	{ "/dev/sda2", OTHER, "33333333-3333-3333-3333-333333333333", "", 0, 0, 0, 0 },
};

static void test_pick_table(void **state) {
	static const struct {
		const char *what;
		struct part_want want;
		int expect; /* index into scan, or -errno */
	} cases[] = {
		{ "unique type", { GPT_USR_VERITY_X86_64, NULL, false }, 2 + 1 },
		{ "signature by type", { GPT_USR_VERITY_SIG_X86_64, NULL, false }, 4 },
		{ "two of one type", { GPT_USR_X86_64, NULL, false }, -ENOTUNIQ },
		{ "type narrowed by PARTLABEL", { GPT_USR_X86_64, "PARTLABEL=usr-b", false }, 7 },
		{ "type narrowed by PARTUUID, upper case", { GPT_USR_X86_64, "PARTUUID=11111111-2222-3333-4444-555555555555", false }, 2 },
		{ "PARTUUID in upper case", { NULL, "PARTUUID=66666666-7777-8888-9999-AAAAAAAAAAAA", false }, 3 },
		{ "type and name disagree", { GPT_USR_VERITY_X86_64, "PARTLABEL=usr-b", false }, -ENOENT },
		{ "device path of a partition", { NULL, "/dev/sda2", false }, 8 },
		{ "whole disk by path", { NULL, "/dev/vdb", false }, 5 },
		{ "a GPT disk itself by path", { NULL, "/dev/vda", false }, 0 },
		{ "whole disk never matches a type", { GPT_USR_X86_64, "/dev/vdb", false }, -ENOENT },
		{ "empty PARTLABEL: two unnamed partitions, no disk", { NULL, "PARTLABEL=", false }, -ENOTUNIQ },
		{ "empty PARTUUID matches nothing", { NULL, "PARTUUID=", false }, -ENOENT },
		{ "path prefix is not a match", { NULL, "/dev/vd", false }, -ENOENT },
		{ "absent type", { "00000000-0000-0000-0000-000000000000", NULL, false }, -ENOENT },
	};
	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		int r = discover_pick(scan, ELEMENTSOF(scan), &cases[i].want);
		if (r != cases[i].expect)
			fail_msg("%s: got %d, want %d", cases[i].what, r, cases[i].expect);
	}
}

static void test_empty_scan(void **state) {
	const struct part_want w = { NULL, "/dev/vda", false };
	(void) state;
	assert_int_equal(discover_pick(scan, 0, &w), -ENOENT);
}

/* Two disks laid out as a hostile table might: vda's entries 2 and 5 overlap, 3 touches 2 without
 * overlapping, 4 is empty; vdb repeats vda's sector numbers, which is no overlap across disks. */
static const struct part layout[] = {
	{ "/dev/vda", "", "", "", 0, 0, 0, 0 },
	{ "/dev/vda1", OTHER, U1, "", 2048, 2048, 0, 0 },
	{ "/dev/vda2", GPT_USR_X86_64, U2, "", 4096, 8192, 0, 0 },
	{ "/dev/vda3", GPT_USR_VERITY_X86_64, U3, "", 12288, 2048, 0, 0 },
	{ "/dev/vda4", OTHER, U1, "", 5000, 0, 0, 0 },
	{ "/dev/vda5", OTHER, U1, "", 12287, 1, 0, 0 },
	{ "/dev/vdb", "", "", "", 0, 0, 6, 0 },
	{ "/dev/vdb1", OTHER, U1, "", 4096, 8192, 6, 0 },
	{ "/dev/sda", "", "", "", 0, 0, 8, 0 },
	{ "/dev/sda1", OTHER, U1, "", UINT64_MAX - 1, UINT64_MAX, 8, 0 },
	{ "/dev/sda2", OTHER, U2, "", 0, UINT64_MAX, 8, 0 },
	{ "/dev/sda3", OTHER, U3, "", UINT64_MAX - 10, 5, 8, 0 },
};

static void test_overlap_table(void **state) {
	static const struct {
		size_t i;
		int expect; /* index into layout, or -errno */
	} cases[] = {
		{ 1, -ENOENT }, /* vda1 ends where vda2 starts */
		{ 2, 5 },       /* vda2's last sector is vda5's */
		{ 3, -ENOENT }, /* vda3 starts right after vda5 */
		{ 4, -ENOENT }, /* empty, though inside vda2 */
		{ 5, 2 },
		{ 7, -ENOENT },  /* vdb1: same sectors as vda2, other disk */
		{ 0, -ENOENT },  /* a whole disk is never compared */
		{ 9, 10 },       /* start + size would overflow */
		{ 11, 10 },      /* sda3 is inside sda2, not sda1 */
		{ 12, -ENOENT }, /* out of range */
	};
	(void) state;
	for (size_t k = 0; k < ELEMENTSOF(cases); k++) {
		int r = discover_overlap(layout, ELEMENTSOF(layout), cases[k].i);
		if (r != cases[k].expect)
			fail_msg("entry %zu: got %d, want %d", cases[k].i, r, cases[k].expect);
	}
}

/* An A/B disk after sysupdate's first write of slot A: slot B's three partitions are placeholders
 * labelled _empty; a spare usr carries no-auto; sdb is another disk's usr, no-auto and _empty
 * both. Discovery passes over every placeholder and no-auto partition; a name taken from the
 * configuration or the command line takes what it names. */
static const struct part ab[] = {
	{ "/dev/vda", "", "", "", 0, 0, 0, 0 },
	{ "/dev/vda1", GPT_USR_X86_64, U1, "usr_1", 0, 0, 0, 0 },
	{ "/dev/vda2", GPT_USR_VERITY_X86_64, U2, "usr_1_verity", 0, 0, 0, 0 },
	{ "/dev/vda3", GPT_USR_VERITY_SIG_X86_64, U3, "usr_1_verity_sig", 0, 0, 0, 0 },
	{ "/dev/vda4", GPT_USR_X86_64, "44444444-0000-0000-0000-000000000004", "_empty", 0, 0, 0, 0 },
	{ "/dev/vda5", GPT_USR_VERITY_X86_64, "44444444-0000-0000-0000-000000000005", "_empty", 0, 0, 0, 0 },
	{ "/dev/vda6", GPT_USR_VERITY_SIG_X86_64, "44444444-0000-0000-0000-000000000006", "_empty", 0, 0, 0, 0 },
	{ "/dev/vda7", GPT_USR_X86_64, "44444444-0000-0000-0000-000000000007", "spare", 0, 0, 0, GPT_FLAG_NO_AUTO },
	{ "/dev/sdb", "", "", "", 0, 0, 8, 0 },
	{ "/dev/sdb1", GPT_USR_X86_64, "55555555-0000-0000-0000-000000000001", "_empty", 0, 0, 8,
	  GPT_FLAG_NO_AUTO | (UINT64_C(1) << 60) },
};

static void test_pick_skips(void **state) {
	static const struct {
		const char *what;
		struct part_want want;
		int expect;
	} cases[] = {
		/* clang-format off */
		{ "usr by type: slot A alone", { GPT_USR_X86_64, NULL, true }, 1 },
		{ "usr-verity by type", { GPT_USR_VERITY_X86_64, NULL, true }, 2 },
		{ "usr-verity-sig by type", { GPT_USR_VERITY_SIG_X86_64, NULL, true }, 3 },
		{ "by type, not discovering: every usr", { GPT_USR_X86_64, NULL, false }, -ENOTUNIQ },
		{ "a derived PARTUUID of a placeholder", { GPT_USR_X86_64, "PARTUUID=44444444-0000-0000-0000-000000000004", true },
		  -ENOENT },
		{ "the same PARTUUID named", { GPT_USR_X86_64, "PARTUUID=44444444-0000-0000-0000-000000000004", false }, 4 },
		{ "a no-auto partition by a derived PARTUUID", { NULL, "PARTUUID=44444444-0000-0000-0000-000000000007", true },
		  -ENOENT },
		{ "a no-auto partition named", { NULL, "PARTUUID=44444444-0000-0000-0000-000000000007", false }, 7 },
		{ "a no-auto partition by path", { NULL, "/dev/sdb1", false }, 9 },
		{ "a whole disk is never passed over", { NULL, "/dev/sdb", true }, 8 },
		{ "PARTLABEL=_empty discovering", { NULL, "PARTLABEL=_empty", true }, -ENOENT },
		/* clang-format on */
	};
	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		int r = discover_pick(ab, ELEMENTSOF(ab), &cases[i].want);
		if (r != cases[i].expect)
			fail_msg("%s: got %d, want %d", cases[i].what, r, cases[i].expect);
	}
	static const char *const why[ELEMENTSOF(ab)] = {
		/* clang-format off */
		[4] = "_empty label", [5] = "_empty label", [6] = "_empty label",
		[7] = "no-auto attribute", [9] = "no-auto attribute",
		/* clang-format on */
	};
	for (size_t i = 0; i < ELEMENTSOF(ab); i++) {
		const char *got = part_skip_reason(&ab[i]);
		if (!why[i] ? got != NULL : !got || strcmp(got, why[i]) != 0)
			fail_msg("%s: skip reason '%s', want '%s'", ab[i].dev, got ? got : "(none)", why[i] ? why[i] : "(none)");
	}
	/* The label compares whole: "_empty2" and "_EMPTY" are ordinary labels. */
	struct part p = ab[4];
	(void) snprintf(p.name, sizeof p.name, "_empty2");
	assert_null(part_skip_reason(&p));
	(void) snprintf(p.name, sizeof p.name, "_EMPTY");
	assert_null(part_skip_reason(&p));
	/* Bit 63 alone is no-auto; bit 62 (no-block-io-protocol... read-only is 60) is not. */
	p = ab[1];
	p.flags = UINT64_C(1) << 62;
	assert_null(part_skip_reason(&p));
}

static void test_type_role(void **state) {
	(void) state;
	assert_string_equal(discover_type_role(GPT_USR_X86_64), "usr");
	assert_string_equal(discover_type_role("77FF5F63-E7B6-4633-ACF4-1565B864C0E6"), "usr-verity");
	assert_string_equal(discover_type_role(GPT_USR_VERITY_SIG_X86_64), "usr-verity-sig");
	assert_null(discover_type_role(OTHER));
	assert_null(discover_type_role(""));
}

static void test_label_escape(void **state) {
	static const struct {
		const char *label;
		size_t size;
		const char *expect;
	} cases[] = {
		{ "usr_1_verity_sig", 72, "usr_1_verity_sig" },
		{ "", 72, "" },
		{ "a\nverinit: FAIL reason=NONE", 72, "a\\x0averinit: FAIL reason=NONE" },
		{ "back\\slash", 72, "back\\x5cslash" },
		{ "\x1b[2J", 72, "\\x1b[2J" },
		{ "caf\xc3\xa9", 72, "caf\\xc3\\xa9" },
		{ "\x7f", 72, "\\x7f" },
		{ "abcdefgh", 8, "abcd..." },
		{ "abcdefg", 8, "abcdefg" },
		{ "abc\x01", 8, "abc\\x01" },
		{ "abcd\x01", 8, "abcd..." },
		{ "abcdef", 1, "" },
	};
	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		char out[128];
		memset(out, 'Z', sizeof out);
		label_escape(cases[i].label, out, cases[i].size);
		if (strcmp(out, cases[i].expect) != 0)
			fail_msg("label %zu: got '%s', want '%s'", i, out, cases[i].expect);
		assert_true(strlen(out) < cases[i].size);
	}
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pick_table),
		cmocka_unit_test(test_empty_scan),
		cmocka_unit_test(test_overlap_table),
		cmocka_unit_test(test_pick_skips),
		cmocka_unit_test(test_type_role),
		cmocka_unit_test(test_label_escape),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
