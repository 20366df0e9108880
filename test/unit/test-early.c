/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <sys/mount.h>

#include "fakesys.h"
#include "stages.h"

static void test_mounts_in_order(void **state) {
	(void) state;
	struct context ctx = {};
	char want[64];

	assert_int_equal(stage_early_mounts(&ctx), 0);
	assert_int_equal(fake.n_mounts, 4);
	snprintf(want, sizeof want, "devtmpfs:/dev:%#lx:mode=0755", (unsigned long) (MS_NOSUID | MS_NOEXEC));
	assert_string_equal(fake.mounts[0], want);
	snprintf(want, sizeof want, "proc:/proc:%#lx:", (unsigned long) (MS_NOSUID | MS_NODEV | MS_NOEXEC));
	assert_string_equal(fake.mounts[1], want);
	snprintf(want, sizeof want, "sysfs:/sys:%#lx:", (unsigned long) (MS_NOSUID | MS_NODEV | MS_NOEXEC));
	assert_string_equal(fake.mounts[2], want);
	snprintf(want, sizeof want, "tmpfs:/run:%#lx:mode=0755", (unsigned long) (MS_NOSUID | MS_NODEV));
	assert_string_equal(fake.mounts[3], want);
}

static void test_mount_failure_stops(void **state) {
	(void) state;
	struct context ctx = {};

	fake.fail_mount_target = "/proc";
	fake.fail_errno = ENODEV;
	assert_int_equal(stage_early_mounts(&ctx), -ENODEV);
	assert_int_equal(fake.n_mounts, 1); /* /sys and /run not attempted */
	assert_non_null(strstr(fake_read(fake.console), "Failed to mount proc on /proc: No such device"));
}

static void test_logging_switches_to_kernel_sinks(void **state) {
	(void) state;
	struct context ctx = {};
	int old_console = fake.console;

	/* The stage opens its own kmsg and console; route the initial sinks elsewhere to see that. */
	log_set_fds(-EBADF, -EBADF);
	assert_int_equal(stage_early_mounts(&ctx), 0);
	log_error("after");
	assert_string_equal(fake_read(fake.kmsg), "<11>verinit: after\n");
	assert_string_equal(fake_read(old_console), "verinit: after\n");
}

/* The kernel's console log level decides which lines it echoes from kmsg; an unreadable or odd
 * /proc/sys/kernel/printk leaves every line for the console fd. */
static void test_console_loglevel(void **state) {
	static const struct {
		const char *printk;
		const char *console; /* after log_info("i") and log_error("e") */
	} cases[] = {
		{ "7\t4\t1\t7\n", "" },
		{ "4\t4\t1\t7\n", "verinit: i\n" },
		{ "10\t4\t1\t7\n", "" },
		{ "x\t4\t1\t7\n", "verinit: i\nverinit: e\n" },
		{ "123\t4\n", "verinit: i\nverinit: e\n" },
		{ "", "verinit: i\nverinit: e\n" },
	};
	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct context ctx = {};
		int console = memfd_create("console", MFD_CLOEXEC);
		assert_true(console >= 0);
		assert_int_equal(ftruncate(fake.capture, 0), 0);
		assert_int_equal(pwrite(fake.capture, cases[i].printk, strlen(cases[i].printk), 0),
				 (ssize_t) strlen(cases[i].printk));
		assert_int_equal(lseek(fake.capture, 0, SEEK_SET), 0);
		fake.capture_path = "/proc/sys/kernel/printk";
		log_set_console_echo(0);
		int saved = fake.console;
		fake.console = console; /* what the stage opens as /dev/console */
		assert_int_equal(stage_early_mounts(&ctx), 0);
		log_info("i");
		log_error("e");
		if (strcmp(fake_read(console), cases[i].console) != 0)
			fail_msg("printk '%s': console got '%s', want '%s'", cases[i].printk, fake_read(console),
				 cases[i].console);
		fake.console = saved;
		close(console);
	}
}

static void test_missing_kmsg_is_not_fatal(void **state) {
	(void) state;
	struct context ctx = {};

	fake.fail_open_path = "/dev/kmsg";
	fake.fail_errno = ENOENT;
	assert_int_equal(stage_early_mounts(&ctx), 0);
	assert_non_null(strstr(fake_read(fake.console), "Cannot open /dev/kmsg, logging to the console only"));
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mounts_in_order, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_mount_failure_stops, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_logging_switches_to_kernel_sinks, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_missing_kmsg_is_not_fatal, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_console_loglevel, fake_setup, fake_teardown),
	};
	return cmocka_run_group_tests_name("early", tests, NULL, NULL);
}
