/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "fakesys.h"

static void test_return_values(void **state) {
	(void) state;
	assert_int_equal(log_error_errno(-EIO, "x"), -EIO);
	assert_int_equal(log_error_errno(EIO, "x"), -EIO); /* either sign in, negative out */
	assert_int_equal(log_warning_errno(-ENOKEY, "x"), -ENOKEY);
	assert_int_equal(log_info("x"), 0);
	assert_int_equal(log_error("x"), 0);
}

static void test_kmsg_and_console_format(void **state) {
	(void) state;
	log_error("hello %d", 42);
	/* LOG_USER (8) | LOG_ERR (3): userspace lines in the kernel log keep their own facility. */
	assert_string_equal(fake_read(fake.kmsg), "<11>verinit: hello 42\n");
	assert_string_equal(fake_read(fake.console), "verinit: hello 42\n");
}

static void test_levels(void **state) {
	(void) state;
	log_debug("hidden");
	assert_string_equal(fake_read(fake.kmsg), "");
	log_set_max_level(LOG_DEBUG);
	log_debug("detail");
	assert_string_equal(fake_read(fake.kmsg), "<15>verinit: detail\n");
	/* The console is for people at a serial console: never debug noise. */
	assert_string_equal(fake_read(fake.console), "");
	log_set_max_level(LOG_WARNING);
	log_info("dropped");
	assert_string_equal(fake_read(fake.kmsg), "<15>verinit: detail\n");
}

/* What the kernel echoes from kmsg to its consoles is not written to the console again; what it
 * does not echo (its level too high, or kmsg not written) is. */
static void test_console_echo(void **state) {
	(void) state;
	log_set_console_echo(7);
	log_info("echoed by the kernel");
	log_error("this one too");
	assert_string_equal(fake_read(fake.console), "");
	assert_string_equal(fake_read(fake.kmsg), "<14>verinit: echoed by the kernel\n<11>verinit: this one too\n");
	log_set_console_echo(4); /* "quiet" */
	log_info("not echoed");
	log_error("echoed");
	assert_string_equal(fake_read(fake.console), "verinit: not echoed\n");
	log_set_fds(-EBADF, fake.console); /* kmsg gone: nothing echoes */
	log_error("only here");
	assert_string_equal(fake_read(fake.console), "verinit: not echoed\nverinit: only here\n");
}

static void test_percent_m_names_the_logged_error(void **state) {
	(void) state;
	errno = EAGAIN;
	log_error_errno(-ENOENT, "open /x: %m");
	assert_string_equal(fake_read(fake.console), "verinit: open /x: No such file or directory\n");
	assert_int_equal(errno, EAGAIN); /* the caller's errno survives logging */
}

static void test_long_line_truncated(void **state) {
	(void) state;
	char big[5000];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	log_error("%s", big);
	const char *out = fake_read(fake.console);
	size_t len = strlen(out);
	assert_true(len < 1100);
	assert_int_equal(out[len - 1], '\n');
	assert_int_equal(out[len - 2], 'a');
}

static void test_console_status_line(void **state) {
	(void) state;
	log_console("[  OK  ] %s", "Mounted /usr");
	assert_string_equal(fake_read(fake.console), "[  OK  ] Mounted /usr\n");
	assert_string_equal(fake_read(fake.kmsg), "");
}

static void test_closed_sinks_are_harmless(void **state) {
	(void) state;
	log_set_fds(-EBADF, -EBADF);
	assert_int_equal(log_error_errno(-EIO, "nowhere to go"), -EIO);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_return_values, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_kmsg_and_console_format, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_levels, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_console_echo, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_percent_m_names_the_logged_error, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_long_line_truncated, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_console_status_line, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_closed_sinks_are_harmless, fake_setup, fake_teardown),
	};
	return cmocka_run_group_tests_name("log", tests, NULL, NULL);
}
