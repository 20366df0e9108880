/* SPDX-License-Identifier: MIT */
/* The facts' strings (lib/measurements.c): each setting as written, and a string that would not
 * fit an event record refused rather than cut (two settings that differ past a cut would measure
 * the same); and where a log shows verinit's hand-over (measure_find_handover()), from a table. */
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

/* measure_find_handover() over logs written as a table: each letter a record (E enter-initrd, L
 * leave-initrd, F a fact, X a failure, S sysinit; a digit after E or L puts it in that PCR instead
 * of 11), with the index + 1 of leave-initrd it must return, or the error and a word of it. */
static void test_find_handover(void **state) {
	static const struct {
		const char *log;
		int want;
		const char *msg;
	} cases[] = {
		{ "EFFL", 4, NULL },
		{ "EFFLS", 4, NULL }, /* the booted system's phases after it */
		{ "E5FL5", 3, NULL }, /* pcr.phase=5: PCR 5, both */
		{ "EFF", -EBADMSG, "no leave-initrd" },
		{ "FFL", -EBADMSG, "out of order" },
		{ "", -EBADMSG, "no enter-initrd" },
		{ "EEFL", -EBADMSG, "'enter-initrd' out of order or twice (record 2)" },
		{ "EFLL", -EBADMSG, "'leave-initrd' out of order or twice (record 4)" },
		{ "EFLE", -EBADMSG, "'enter-initrd' out of order or twice (record 4)" },
		{ "EFL5", -EBADMSG, "the phases are in PCR 11 and PCR 5" },
		{ "EFX", -EBADMSG, "records a failure" },
		{ "EFLX", -EBADMSG, "records a failure" }, /* anywhere in the log */
	};
	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct eventlog_record log[8];
		struct parse_error err = {};
		size_t n = 0;
		unsigned pcr = 0;
		for (const char *c = cases[i].log; *c; c++) {
			unsigned p = c[1] >= '0' && c[1] <= '9' ? (unsigned) (c[1] - '0') : 11;
			if (*c == 'E' || *c == 'L' || *c == 'S')
				assert_int_equal(measure_phase_record(p, *c == 'E' ? MEASURE_ENTER : *c == 'L' ? MEASURE_LEAVE
													       : "sysinit",
								      1U << PCR_BANK_SHA256, &log[n++]),
						 0);
			else if (*c == 'X')
				assert_int_equal(measure_failure_record(11, "verity", "VERITY", 1U << PCR_BANK_SHA256, &log[n++]), 0);
			else if (*c == 'F') {
				struct eventlog_record f[MEASURE_FACTS_MAX];
				struct measure_facts facts = device_root("ext4", "");
				assert_true(measure_fact_records(15, &facts, 1U << PCR_BANK_SHA256, f) > 0);
				assert_true(measure_is_fact(&f[0]));
				log[n++] = f[0];
			} else
				continue; /* a PCR digit */
		}
		int r = measure_find_handover(log, n, &pcr, &err);
		if (r != cases[i].want || (cases[i].msg && !strstr(err.msg, cases[i].msg)) || (r > 0 && pcr != log[r - 1].pcr))
			fail_msg("'%s': got %d (%s), want %d (%s)", cases[i].log, r, err.msg, cases[i].want,
				 cases[i].msg ? cases[i].msg : "");
		for (size_t k = 0; k < n; k++)
			assert_int_equal(measure_is_fact(&log[k]), strcmp(log[k].content_type, "verinit") == 0 &&
									   !strstr(log[k].string, "failure"));
	}
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_device_root_fact),
		cmocka_unit_test(test_too_long_refused),
		cmocka_unit_test(test_find_handover),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
