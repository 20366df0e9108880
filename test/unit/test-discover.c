/* SPDX-License-Identifier: MIT */
/* Choosing one partition (or whole disk) per role from a scan: by type, by name, never a guess;
 * and refusing partitions that share sectors. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "discover.h"
#include "macro.h"

#define OTHER "0fc63daf-8483-4772-8e79-3d69d8477de4"
#define U1 "11111111-2222-3333-4444-555555555555"
#define U2 "66666666-7777-8888-9999-aaaaaaaaaaaa"
#define U3 "bbbbbbbb-cccc-dddd-eeee-ffffffffffff"

static const struct part scan[] = {
	{ "/dev/vda", "", "", "", 0, 0, 0 },
	{ "/dev/vda1", "c12a7328-f81f-11d2-ba4b-00a0c93ec93b", "aaaaaaaa-0000-0000-0000-000000000001", "esp", 0, 0, 0 },
	{ "/dev/vda2", GPT_USR_X86_64, U1, "usr-a", 0, 0, 0 },
	{ "/dev/vda3", GPT_USR_VERITY_X86_64, U2, "usr-a-verity", 0, 0, 0 },
	{ "/dev/vda4", GPT_USR_VERITY_SIG_X86_64, U3, "", 0, 0, 0 },
	{ "/dev/vdb", "", "", "", 0, 0, 0 },
	{ "/dev/sda", "", "", "", 0, 0, 0 },
	{ "/dev/sda1", GPT_USR_X86_64, "22222222-2222-2222-2222-222222222222", "usr-b", 0, 0, 0 },
	{ "/dev/sda2", OTHER, "33333333-3333-3333-3333-333333333333", "", 0, 0, 0 },
};

static void test_pick_table(void **state) {
	static const struct {
		const char *what;
		struct part_want want;
		int expect; /* index into scan, or -errno */
	} cases[] = {
		{ "unique type", { GPT_USR_VERITY_X86_64, NULL }, 2 + 1 },
		{ "signature by type", { GPT_USR_VERITY_SIG_X86_64, NULL }, 4 },
		{ "two of one type", { GPT_USR_X86_64, NULL }, -ENOTUNIQ },
		{ "type narrowed by PARTLABEL", { GPT_USR_X86_64, "PARTLABEL=usr-b" }, 7 },
		{ "type narrowed by PARTUUID, upper case", { GPT_USR_X86_64, "PARTUUID=11111111-2222-3333-4444-555555555555" }, 2 },
		{ "PARTUUID in upper case", { NULL, "PARTUUID=66666666-7777-8888-9999-AAAAAAAAAAAA" }, 3 },
		{ "type and name disagree", { GPT_USR_VERITY_X86_64, "PARTLABEL=usr-b" }, -ENOENT },
		{ "device path of a partition", { NULL, "/dev/sda2" }, 8 },
		{ "whole disk by path", { NULL, "/dev/vdb" }, 5 },
		{ "a GPT disk itself by path", { NULL, "/dev/vda" }, 0 },
		{ "whole disk never matches a type", { GPT_USR_X86_64, "/dev/vdb" }, -ENOENT },
		{ "empty PARTLABEL: two unnamed partitions, no disk", { NULL, "PARTLABEL=" }, -ENOTUNIQ },
		{ "empty PARTUUID matches nothing", { NULL, "PARTUUID=" }, -ENOENT },
		{ "path prefix is not a match", { NULL, "/dev/vd" }, -ENOENT },
		{ "absent type", { "00000000-0000-0000-0000-000000000000", NULL }, -ENOENT },
	};
	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		int r = discover_pick(scan, ELEMENTSOF(scan), &cases[i].want);
		if (r != cases[i].expect)
			fail_msg("%s: got %d, want %d", cases[i].what, r, cases[i].expect);
	}
}

static void test_empty_scan(void **state) {
	const struct part_want w = { NULL, "/dev/vda" };
	(void) state;
	assert_int_equal(discover_pick(scan, 0, &w), -ENOENT);
}

/* Two disks laid out as a hostile table might: vda's entries 2 and 5 overlap, 3 touches 2 without
 * overlapping, 4 is empty; vdb repeats vda's sector numbers, which is no overlap across disks. */
static const struct part layout[] = {
	{ "/dev/vda", "", "", "", 0, 0, 0 },
	{ "/dev/vda1", OTHER, U1, "", 2048, 2048, 0 },
	{ "/dev/vda2", GPT_USR_X86_64, U2, "", 4096, 8192, 0 },
	{ "/dev/vda3", GPT_USR_VERITY_X86_64, U3, "", 12288, 2048, 0 },
	{ "/dev/vda4", OTHER, U1, "", 5000, 0, 0 },
	{ "/dev/vda5", OTHER, U1, "", 12287, 1, 0 },
	{ "/dev/vdb", "", "", "", 0, 0, 6 },
	{ "/dev/vdb1", OTHER, U1, "", 4096, 8192, 6 },
	{ "/dev/sda", "", "", "", 0, 0, 8 },
	{ "/dev/sda1", OTHER, U1, "", UINT64_MAX - 1, UINT64_MAX, 8 },
	{ "/dev/sda2", OTHER, U2, "", 0, UINT64_MAX, 8 },
	{ "/dev/sda3", OTHER, U3, "", UINT64_MAX - 10, 5, 8 },
};

static void test_overlap_table(void **state) {
	static const struct {
		size_t i;
		int expect; /* index into layout, or -errno */
	} cases[] = {
		{ 1, -ENOENT },	   /* vda1 ends where vda2 starts */
		{ 2, 5 },	   /* vda2's last sector is vda5's */
		{ 3, -ENOENT },	   /* vda3 starts right after vda5 */
		{ 4, -ENOENT },	   /* empty, though inside vda2 */
		{ 5, 2 },
		{ 7, -ENOENT },	   /* vdb1: same sectors as vda2, other disk */
		{ 0, -ENOENT },	   /* a whole disk is never compared */
		{ 9, 10 },	   /* start + size would overflow */
		{ 11, 10 },	   /* sda3 is inside sda2, not sda1 */
		{ 12, -ENOENT },   /* out of range */
	};
	(void) state;
	for (size_t k = 0; k < ELEMENTSOF(cases); k++) {
		int r = discover_overlap(layout, ELEMENTSOF(layout), cases[k].i);
		if (r != cases[k].expect)
			fail_msg("entry %zu: got %d, want %d", cases[k].i, r, cases[k].expect);
	}
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pick_table),
		cmocka_unit_test(test_empty_scan),
		cmocka_unit_test(test_overlap_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
