/* SPDX-License-Identifier: MIT */
/* The kernel's partitions against the GPT as libblkid read it (lib/geometry.c), from tables: the
 * lab's disk as both see it, then each way a crafted table makes them disagree. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "geometry.h"
#include "macro.h"

#define MAXN 8

struct geo_case {
	const char *what;
	struct gpt_entry ents[MAXN];
	size_t ne;
	struct kernel_part kp[MAXN];
	size_t nk;
	int expect;
	const char *msg; /* a substring of the message (a refusal) */
};

/* The lab's disk (qemu/disk.sh): ESP, usr, usr-verity, usr-verity-sig. */
/* clang-format off */
#define LAB_ENTS { 1, 2048, 131072 }, { 2, 133120, 4096 }, { 3, 137216, 2048 }, { 4, 139264, 2048 }
#define LAB_KP                                                                                          \
	{ 1, 2048, 131072, "vda1" }, { 2, 133120, 4096, "vda2" }, { 3, 137216, 2048, "vda3" },          \
		{ 4, 139264, 2048, "vda4" }
/* clang-format on */

static const struct geo_case cases[] = {
	/* clang-format off */
	{ "the lab's disk", { LAB_ENTS }, 4, { LAB_KP }, 4, 0, NULL },
	{ "the kernel's partitions in another order",
	  { LAB_ENTS }, 4,
	  { { 4, 139264, 2048, "vda4" }, { 2, 133120, 4096, "vda2" }, { 1, 2048, 131072, "vda1" }, { 3, 137216, 2048, "vda3" } },
	  4, 0, NULL },
	{ "no entries, no partitions", { { 0, 0, 0 } }, 0, { { 0, 0, 0, "" } }, 0, 0, NULL },
	{ "a gap in the numbers (entry 2 empty)",
	  { { 1, 2048, 2048 }, { 3, 8192, 2048 } }, 2,
	  { { 3, 8192, 2048, "nvme0n1p3" }, { 1, 2048, 2048, "nvme0n1p1" } }, 2, 0, NULL },
	{ "huge but consistent sectors",
	  { { 1, INT64_MAX - 1, 1 } }, 1, { { 1, INT64_MAX - 1, 1, "sda1" } }, 1, 0, NULL },

	/* Transient: the kernel has not read the table yet. */
	{ "not yet scanned", { LAB_ENTS }, 4, { { 0, 0, 0, "" } }, 0, -EAGAIN, NULL },

	/* The entries alone. */
	{ "end before start (negative size)",
	  { LAB_ENTS, { 5, 143000, -1000 } }, 5, { LAB_KP }, 4, -EBADMSG,
	  "GPT entry 5 of /dev/vda ends before it starts (start 143000, size -1000)" },
	{ "end just before start (size 0)",
	  { LAB_ENTS, { 5, 143000, 0 } }, 5, { LAB_KP }, 4, -EBADMSG, "GPT entry 5 of /dev/vda ends before it starts" },
	{ "end before start, refused before the kernel has read the table",
	  { { 1, 143000, -1 } }, 1, { { 0, 0, 0, "" } }, 0, -EBADMSG, "GPT entry 1 of /dev/vda ends before it starts" },
	{ "negative start", { { 1, -5, 10 } }, 1, { { 1, 0, 10, "vda1" } }, 1, -EBADMSG,
	  "GPT entry 1 of /dev/vda starts at a negative sector (-5)" },
	{ "entry number 0", { { 0, 2048, 10 } }, 1, { { 0, 0, 0, "" } }, 0, -EBADMSG, "has no valid partition number" },
	{ "entry listed twice", { { 1, 2048, 10 }, { 1, 4096, 10 } }, 2, { { 1, 2048, 10, "vda1" } }, 1, -EBADMSG,
	  "GPT entry 1 of /dev/vda is listed twice" },

	/* The kernel's partitions against the entries. */
	{ "an entry libblkid drops (below the first usable LBA)",
	  { LAB_ENTS }, 4, { LAB_KP, { 5, 40, 2008, "vda5" } }, 5, -EBADMSG,
	  "/dev/vda5 exists (partition 5) but the GPT as libblkid reads it has no such entry" },
	{ "a kernel partition libblkid has no entry for, and none of the others",
	  { { 0, 0, 0 } }, 0, { { 1, 2048, 8, "vda1" } }, 1, -EBADMSG, "/dev/vda1 exists (partition 1)" },
	{ "size differs", { LAB_ENTS }, 4,
	  { { 1, 2048, 131072, "vda1" }, { 2, 133120, 8192, "vda2" }, { 3, 137216, 2048, "vda3" }, { 4, 139264, 2048, "vda4" } },
	  4, -EBADMSG, "/dev/vda2: the GPT says sectors 133120+4096, the kernel's partition is 133120+8192" },
	{ "start differs", { LAB_ENTS }, 4,
	  { { 1, 2048, 131072, "vda1" }, { 2, 133120, 4096, "vda2" }, { 3, 137217, 2048, "vda3" }, { 4, 139264, 2048, "vda4" } },
	  4, -EBADMSG, "/dev/vda3: the GPT says sectors 137216+2048, the kernel's partition is 137217+2048" },
	{ "an entry the kernel made nothing of (its 256th)",
	  { LAB_ENTS, { 256, 141312, 8 } }, 5, { LAB_KP }, 4, -EBADMSG,
	  "the kernel has no partition for GPT entry 256 of /dev/vda" },
	{ "a partition the kernel lists twice",
	  { { 1, 2048, 8 } }, 1, { { 1, 2048, 8, "vda1" }, { 1, 2048, 8, "vda1" } }, 2, -EBADMSG,
	  "the kernel lists partition 1 of /dev/vda twice" },
	/* clang-format on */
};

static void test_check_table(void **state) {
	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		const struct geo_case *c = &cases[i];
		struct parse_error err = { 0, "" };
		int r = geometry_check("vda", c->ents, c->ne, c->kp, c->nk, &err);
		if (r != c->expect)
			fail_msg("%s: got %d, want %d (%s)", c->what, r, c->expect, err.msg);
		if (c->msg && !strstr(err.msg, c->msg))
			fail_msg("%s: message '%s' lacks '%s'", c->what, err.msg, c->msg);
		if (!c->msg && err.msg[0])
			fail_msg("%s: a message where none was due: '%s'", c->what, err.msg);
		assert_true(strlen(err.msg) < sizeof err.msg);
		/* err may be NULL. */
		assert_int_equal(geometry_check("vda", c->ents, c->ne, c->kp, c->nk, NULL), c->expect);
	}
}

static void test_fits(void **state) {
	struct parse_error err = { 0, "" };
	(void) state;
	assert_int_equal(geometry_fits("vda", 4, 256, &err), 0);
	assert_int_equal(geometry_fits("vda", 255, 256, &err), 0); /* the kernel's most, and the disk */
	assert_string_equal(err.msg, "");
	assert_int_equal(geometry_fits("vda", 256, 256, &err), -E2BIG);
	assert_non_null(strstr(err.msg, "/dev/vda has 256 GPT partitions; with the disk, more than the 256 entries"));
	assert_int_equal(geometry_fits("sdb", 300, 251, &err), -E2BIG);
	assert_non_null(strstr(err.msg, "/dev/sdb has 300 GPT partitions"));
	assert_int_equal(geometry_fits("sdc", 0, 0, &err), -E2BIG); /* no room for the disk itself */
	assert_int_equal(geometry_fits("sdc", 0, 1, NULL), 0);
}

/* The deadline's refusal of a table the kernel never partitioned: which header libblkid read. */
static void test_unread(void **state) {
	struct parse_error err = { 0, "" };
	(void) state;
	assert_int_equal(geometry_unread("vda", 4, 147455, &err), -EBADMSG);
	assert_string_equal(err.msg, "/dev/vda: libblkid reads a GPT with 4 partitions from its backup header (LBA 147455), "
				     "the kernel made none: the primary table is damaged");
	assert_int_equal(geometry_unread("sdb", 2, 0, &err), -EBADMSG);
	assert_string_equal(err.msg, "/dev/sdb: libblkid reads a GPT with 2 partitions, the kernel made none");
	assert_int_equal(geometry_unread("sdb", 2, 0, NULL), -EBADMSG);
}

static void test_reads_equal(void **state) {
	static const struct kernel_part a[] = { LAB_KP };
	/* clang-format off */
	static const struct kernel_part reordered[] = { { 3, 137216, 2048, "vda3" }, { 1, 2048, 131072, "vda1" },
							{ 4, 139264, 2048, "vda4" }, { 2, 133120, 4096, "vda2" } };
	static const struct kernel_part resized[] = { { 1, 2048, 131072, "vda1" }, { 2, 133120, 4097, "vda2" },
						      { 3, 137216, 2048, "vda3" }, { 4, 139264, 2048, "vda4" } };
	static const struct kernel_part renamed[] = { { 1, 2048, 131072, "vda1" }, { 2, 133120, 4096, "vdb2" },
						      { 3, 137216, 2048, "vda3" }, { 4, 139264, 2048, "vda4" } };
	static const struct kernel_part dup[] = { { 1, 2048, 131072, "vda1" }, { 1, 2048, 131072, "vda1" },
						  { 3, 137216, 2048, "vda3" }, { 4, 139264, 2048, "vda4" } };
	/* clang-format on */
	(void) state;
	assert_true(geometry_reads_equal(a, 4, a, 4));
	assert_true(geometry_reads_equal(a, 4, reordered, 4));
	assert_true(geometry_reads_equal(a, 0, reordered, 0));
	assert_false(geometry_reads_equal(a, 0, a, 4)); /* the kernel was adding them meanwhile */
	assert_false(geometry_reads_equal(a, 3, a, 4));
	assert_false(geometry_reads_equal(a, 4, resized, 4));
	assert_false(geometry_reads_equal(a, 4, renamed, 4));
	assert_false(geometry_reads_equal(a, 4, dup, 4));
	assert_false(geometry_reads_equal(dup, 4, a, 4));
}

static void test_find(void **state) {
	static const struct kernel_part a[] = { LAB_KP };
	(void) state;
	assert_ptr_equal(geometry_find(a, 4, 3), &a[2]);
	assert_null(geometry_find(a, 4, 5));
	assert_null(geometry_find(a, 4, 0));
	assert_null(geometry_find(a, 4, -1));
	assert_null(geometry_find(a, 0, 1));
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_table),
		cmocka_unit_test(test_fits),
		cmocka_unit_test(test_unread),
		cmocka_unit_test(test_reads_equal),
		cmocka_unit_test(test_find),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
