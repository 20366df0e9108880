/* SPDX-License-Identifier: MIT */
/* The stage runner and the fail-closed exit: a failure never reaches the next stage, never hands
 * over, and always ends in the configured reboot(2) command or, failing that, in hang(). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <sys/reboot.h>

#include "fakesys.h"
#include "failclosed.h"
#include "stage.h"

static char ran[16];

static int stage_ok(struct context *ctx) {
	(void) ctx;
	strcat(ran, "o");
	return 0;
}

static int stage_eio(struct context *ctx) {
	(void) ctx;
	strcat(ran, "F");
	return -EIO;
}

static int stage_fail_named(struct context *ctx) {
	strcat(ran, "N");
	return stage_fail(ctx, REASON_INTERNAL, ENOKEY, "no key for %s", "n");
}

static int stage_with_status(struct context *ctx) {
	strcat(ran, "s");
	stage_status(ctx, "signer %s", "CN=x");
	return 0;
}

static int stage_positive(struct context *ctx) {
	(void) ctx;
	strcat(ran, "P");
	return 1;
}

static int setup(void **state) {
	memset(ran, 0, sizeof ran);
	return fake_setup(state);
}

/* Runs the table; returns how the run ended (FAKE_REBOOTED or FAKE_HUNG). */
static int run(const struct stage *stages, size_t n, struct context *ctx) {
	int how = setjmp(fake.exit);
	if (how == FAKE_RUNNING)
		stages_run(stages, n, ctx);
	return how;
}

static void test_failing_stage_stops_the_boot(void **state) {
	(void) state;
	const struct stage stages[] = {
		{ "a", "A done", stage_ok, REASON_INTERNAL },
		{ "b", "B done", stage_eio, REASON_EARLY_MOUNT },
		{ "c", "C done", stage_ok, REASON_INTERNAL },
	};
	struct context ctx = {};

	assert_int_equal(run(stages, ELEMENTSOF(stages), &ctx), FAKE_REBOOTED);
	assert_string_equal(ran, "oF"); /* c never ran */
	assert_int_equal((unsigned) fake.reboot_cmd, (unsigned) RB_HALT_SYSTEM);
	assert_int_equal(fake.reboot_calls, 1);
	const char *con = fake_read(fake.console);
	assert_non_null(strstr(con, "[  OK  ] A done\n[FAILED] b\n"));
	assert_non_null(strstr(con, "verinit: FAIL reason=EARLY_MOUNT stage=b: stage failed: Input/output error\n"));
	assert_null(strstr(con, "C done"));
	assert_non_null(strstr(fake_read(fake.kmsg), "<11>verinit: FAIL reason=EARLY_MOUNT stage=b"));
	assert_int_equal(ctx.n_timing, 2);
	assert_int_equal(ctx.timing[1].result, -EIO);
	assert_true(ctx.timing[1].end_us > ctx.timing[1].start_us);
}

static void test_stage_names_its_reason(void **state) {
	(void) state;
	const struct stage stages[] = {
		{ "n", "N done", stage_fail_named, REASON_EARLY_MOUNT },
		{ "c", "C done", stage_ok, REASON_INTERNAL },
	};
	struct context ctx = {};

	assert_int_equal(run(stages, ELEMENTSOF(stages), &ctx), FAKE_REBOOTED);
	assert_string_equal(ran, "N");
	assert_non_null(strstr(fake_read(fake.console), "verinit: no key for n\n[FAILED] n\n"));
	assert_non_null(strstr(fake_read(fake.console), "FAIL reason=INTERNAL stage=n: stage failed: Required key not available"));
}

/* stage_fail logs as log_error_errno() does and returns what it returns (either sign in, negative
 * out, the caller's errno kept), with the reason set; stage_failed only sets the reason; a long
 * status is cut. */
static void test_fail_helpers(void **state) {
	struct context ctx = {};
	char big[sizeof ctx.status + 10];
	(void) state;

	errno = EAGAIN;
	assert_int_equal(stage_fail(&ctx, REASON_CERTS, -ENOENT, "Cannot open %s: %m", "/x"), -ENOENT);
	assert_int_equal(ctx.reason, REASON_CERTS);
	assert_int_equal(errno, EAGAIN);
	assert_string_equal(fake_read(fake.kmsg), "<11>verinit: Cannot open /x: No such file or directory\n");
	assert_string_equal(fake_read(fake.console), "verinit: Cannot open /x: No such file or directory\n");
	assert_int_equal(stage_fail(&ctx, REASON_VERITY, EBADMSG, "again"), -EBADMSG);
	assert_int_equal(ctx.reason, REASON_VERITY);
	assert_int_equal(stage_failed(&ctx, REASON_MEASURE, -EIO), -EIO);
	assert_int_equal(ctx.reason, REASON_MEASURE);
	assert_int_equal(stage_failed(&ctx, REASON_MODULE, -ENODEV), -ENODEV);
	assert_int_equal(ctx.reason, REASON_MODULE);

	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	stage_status(&ctx, "%s", big);
	assert_int_equal(strlen(ctx.status), sizeof ctx.status - 1);
	stage_status(&ctx, "%u of %u", 2, 3);
	assert_string_equal(ctx.status, "2 of 3");
}

static int stage_ambiguous(struct context *ctx) {
	(void) ctx;
	return -ENOTUNIQ;
}

/* An ambiguity is said as one, whatever the C library's text for ENOTUNIQ (musl has none). */
static void test_ambiguous_said(void **state) {
	(void) state;
	const struct stage stages[] = { { "d", "D done", stage_ambiguous, REASON_DEVICE_AMBIGUOUS } };
	struct context ctx = {};

	assert_int_equal(run(stages, ELEMENTSOF(stages), &ctx), FAKE_REBOOTED);
	assert_non_null(strstr(fake_read(fake.console), "FAIL reason=DEVICE_AMBIGUOUS stage=d: stage failed: ambiguous, "
							"two or more candidates and no rule to choose\n"));
}

/* A stage's detail goes on its own status line only: the next stage starts without it. */
static void test_status_detail(void **state) {
	(void) state;
	const struct stage stages[] = {
		{ "s", "S done", stage_with_status, REASON_INTERNAL },
		{ "a", "A done", stage_ok, REASON_INTERNAL },
	};
	struct context ctx = {};

	assert_int_equal(run(stages, ELEMENTSOF(stages), &ctx), FAKE_REBOOTED);
	assert_non_null(strstr(fake_read(fake.console), "[  OK  ] S done (signer CN=x)\n[  OK  ] A done\n"));
}

static char measured[64];
static int measure_calls;
static void measure_hook(struct context *ctx, const char *stage, enum reason reason) {
	measure_calls++;
	snprintf(measured, sizeof measured, "%s %s", stage, reason_to_string(reason));
	/* A failure inside the hook goes down the same path, without measuring again. */
	fail_closed(ctx, "hook", REASON_MEASURE, -EIO, "nested");
}

/* The failure is measured before the machine goes down, once, with the stage and reason. */
static void test_failure_is_measured_once(void **state) {
	(void) state;
	const struct stage stages[] = { { "b", "B done", stage_eio, REASON_SIG_UNTRUSTED } };
	struct context ctx = { .measure_failure = measure_hook };

	assert_int_equal(run(stages, ELEMENTSOF(stages), &ctx), FAKE_REBOOTED);
	assert_int_equal(measure_calls, 1);
	assert_string_equal(measured, "b SIG_UNTRUSTED");
	assert_int_equal(fake.reboot_calls, 1);
	assert_null(ctx.measure_failure);
}

static void test_positive_return_is_a_failure(void **state) {
	(void) state;
	const struct stage stages[] = {
		{ "p", "P done", stage_positive, REASON_EARLY_MOUNT },
		{ "c", "C done", stage_ok, REASON_INTERNAL },
	};
	struct context ctx = {};

	assert_int_equal(run(stages, ELEMENTSOF(stages), &ctx), FAKE_REBOOTED);
	assert_string_equal(ran, "P");
	assert_null(strstr(fake_read(fake.console), "P done"));
}

static void test_no_handover_is_a_failure(void **state) {
	(void) state;
	const struct stage stages[] = {
		{ "a", "A done", stage_ok, REASON_INTERNAL },
		{ "b", "B done", stage_ok, REASON_INTERNAL },
	};
	struct context ctx = {};

	assert_int_equal(run(stages, ELEMENTSOF(stages), &ctx), FAKE_REBOOTED);
	assert_string_equal(ran, "oo");
	assert_non_null(strstr(fake_read(fake.console), "FAIL reason=NO_HANDOVER stage=init"));
}

static void test_too_many_stages(void **state) {
	(void) state;
	struct stage stages[STAGES_MAX + 1];
	for (size_t i = 0; i < ELEMENTSOF(stages); i++)
		stages[i] = (struct stage){ "a", "A done", stage_ok, REASON_NONE };
	struct context ctx = {};

	assert_int_equal(run(stages, ELEMENTSOF(stages), &ctx), FAKE_REBOOTED);
	assert_string_equal(ran, ""); /* refused before running anything */
	assert_non_null(strstr(fake_read(fake.console), "FAIL reason=INTERNAL"));
}

static void test_policy_actions(void **state) {
	(void) state;
	static const struct {
		struct fail_policy p;
		int cmd;
		const char *verb;
	} cases[] = {
		{ { FAILURE_HALT, 0 }, RB_HALT_SYSTEM, "halting" },
		{ { FAILURE_REBOOT, 3 }, RB_AUTOBOOT, "rebooting in 3 s" },
		{ { FAILURE_POWEROFF, 1 }, RB_POWER_OFF, "powering off in 1 s" },
		{ { (enum failure_action) 99, 0 }, RB_HALT_SYSTEM, "halting" }, /* garbage: the safest */
	};
	for (volatile size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct context ctx = { .fail = cases[i].p };
		fake.slept_us = 0;
		if (setjmp(fake.exit) == FAKE_RUNNING)
			fail_closed(&ctx, "t", REASON_INTERNAL, 0, "case %zu", (size_t) i);
		assert_int_equal((unsigned) fake.reboot_cmd, (unsigned) cases[i].cmd);
		assert_int_equal(fake.slept_us, (uint64_t) cases[i].p.delay_s * 1000000);
		assert_non_null(strstr(fake_read(fake.console), cases[i].verb));
	}
}

static void test_reboot_failure_hangs(void **state) {
	(void) state;
	struct context ctx = {};
	fake.reboot_result = -EPERM;
	int how = setjmp(fake.exit);
	if (how == FAKE_RUNNING)
		fail_closed(&ctx, "t", REASON_INTERNAL, -EBADMSG, "bad: %m");
	assert_int_equal(how, FAKE_HUNG);
	assert_int_equal(fake.hang_calls, 1);
	const char *con = fake_read(fake.console);
	assert_non_null(strstr(con, "FAIL reason=INTERNAL stage=t: bad: Bad message\n"));
	assert_non_null(strstr(con, "reboot() failed: Operation not permitted; waiting here forever"));
}

static void test_reason_names_are_stable(void **state) {
	(void) state;
	assert_string_equal(reason_to_string(REASON_EARLY_MOUNT), "EARLY_MOUNT");
	assert_string_equal(reason_to_string(REASON_NO_HANDOVER), "NO_HANDOVER");
	assert_string_equal(reason_to_string((enum reason) 1000), "INTERNAL");
	assert_string_equal(reason_to_string((enum reason) - 1), "INTERNAL");
}

int main(void) {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, fake_teardown)
	const struct CMUnitTest tests[] = {
		/* clang-format off */
		T(test_failing_stage_stops_the_boot), T(test_stage_names_its_reason), T(test_fail_helpers), T(test_ambiguous_said),
		T(test_positive_return_is_a_failure), T(test_no_handover_is_a_failure),
		T(test_too_many_stages), T(test_policy_actions),
		T(test_reboot_failure_hangs), T(test_reason_names_are_stable),
		T(test_status_detail), T(test_failure_is_measured_once),
		/* clang-format on */
	};
	return cmocka_run_group_tests_name("stage", tests, NULL, NULL);
}
