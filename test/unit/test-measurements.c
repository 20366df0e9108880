/* SPDX-License-Identifier: MIT */
/* The facts' strings (lib/measurements.c): each setting as written, and a string that would not
 * fit an event record refused rather than cut (two settings that differ past a cut would measure
 * the same). */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "macro.h"
#include "measurements.h"

#define HASH "a9993e364706816aba3e25717850c26c9cd0d89da9993e364706816aba3e2571"

static struct eventlog_record recs[MEASURE_FACTS_MAX];

static struct measure_facts device_root(const char *fstype, const char *flags) {
	return (struct measure_facts){ .root_hash_hex = HASH, .signer_sha256 = HASH, .usr_label = "usr", .usr_fstype = "erofs", .usr_flags = "ro,nodev", .root_fstype = fstype, .root_flags = flags, .root_exec = "verified", .init = "/usr/lib/systemd/systemd" };
}

static void test_device_root_fact(void **state) {
	(void) state;
	struct measure_facts f = device_root("ext4", "noexec");
	int n = measure_fact_records(15, &f, 1U << PCR_BANK_SHA256, recs);
	assert_true(n > 0);
	bool found = false;
	for (int i = 0; i < n; i++)
		found |= strcmp(recs[i].string, "verinit.root=device fstype=ext4 flags=noexec exec=verified") == 0;
	assert_true(found);
}

/* Each word is within the 256 bytes a setting may have, but the fact is longer than a record. */
static void test_too_long_refused(void **state) {
	char fstype[257], flags[257];
	(void) state;
	memset(fstype, 'f', 256), fstype[256] = '\0';
	memset(flags, 'o', 256), flags[256] = '\0';
	struct measure_facts f = device_root(fstype, flags);
	assert_int_equal(measure_fact_records(15, &f, 1U << PCR_BANK_SHA256, recs), -EINVAL);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_device_root_fact),
		cmocka_unit_test(test_too_long_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
