/* SPDX-License-Identifier: MIT */
/* Mount options: the pure split into MS_* flags and file system data, and the mounts stage through
 * the ops table (the flags that reach mount(2)). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <sys/mount.h>

#include "fakesys.h"
#include "mountopts.h"
#include "stages.h"

static void test_parse_table(void **state) {
	static const struct {
		const char *in;
		int expect;
		unsigned long flags;
		const char *data;
	} cases[] = {
		{ "", 0, 0, "" },
		{ "ro", 0, MS_RDONLY, "" },
		{ "ro,nodev,nosuid,noexec", 0, MS_RDONLY | MS_NODEV | MS_NOSUID | MS_NOEXEC, "" },
		{ "noatime,nodiratime", 0, MS_NOATIME | MS_NODIRATIME, "" },
		{ "relatime,strictatime,lazytime", 0, MS_RELATIME | MS_STRICTATIME | MS_LAZYTIME, "" },
		{ "sync,dirsync", 0, MS_SYNCHRONOUS | MS_DIRSYNC, "" },
		{ "rw,exec", 0, 0, "" },
		{ "noatime,data=ordered,discard", 0, MS_NOATIME, "data=ordered,discard" },
		{ "compress=zstd", 0, 0, "compress=zstd" },
		{ "size=50%,ro,mode=0700", 0, MS_RDONLY, "size=50%,mode=0700" },
		/* Prefixes and case are not the flag. */
		{ "noatimex", 0, 0, "noatimex" },
		{ "RO", 0, 0, "RO" },
		{ "dev", -EINVAL, 0, "" },
		{ "noatime,suid", -EINVAL, MS_NOATIME, "" },
		{ ",ro", -EINVAL, 0, "" },
		{ "ro,", -EINVAL, MS_RDONLY, "" },
		{ "ro,,nodev", -EINVAL, MS_RDONLY, "" },
	};
	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		unsigned long flags = 0;
		char data[64];
		int r = mountopts_parse(cases[i].in, &flags, data, sizeof data);
		if (r != cases[i].expect)
			fail_msg("case %zu '%s': returned %d, want %d", i, cases[i].in, r, cases[i].expect);
		if (r == 0 && (flags != cases[i].flags || strcmp(data, cases[i].data) != 0))
			fail_msg("case %zu '%s': flags %#lx data '%s', want %#lx '%s'", i, cases[i].in, flags, data,
				 cases[i].flags, cases[i].data);
	}
}

static void test_parse_keeps_flags_and_bounds_data(void **state) {
	unsigned long flags = MS_NODEV;
	char data[8];
	(void) state;
	assert_int_equal(mountopts_parse("nosuid,abc", &flags, data, sizeof data), 0);
	assert_int_equal(flags, MS_NODEV | MS_NOSUID);
	assert_string_equal(data, "abc");
	assert_int_equal(mountopts_parse("abc,defgh", &flags, data, sizeof data), -E2BIG);
	assert_string_equal(data, "abc"); /* never a cut option */
	assert_int_equal(mountopts_parse("ro", &flags, data, 0), -E2BIG);
}

static struct context ctx;

static int setup(void **state) {
	memset(&ctx, 0, sizeof ctx);
	config_defaults(&ctx.cfg);
	return fake_setup(state);
}

static void test_stage_tmpfs_and_usr(void **state) {
	char want[64];
	(void) state;
	assert_int_equal(stage_mounts(&ctx), 0);
	/* The device the later stages check against. */
	assert_true(ctx.usr_dev == FAKE_USR_DEV);
	assert_int_equal(fake.n_mounts, 2);
	snprintf(want, sizeof want, "tmpfs:/sysroot:%#lx:mode=0755", (unsigned long) (MS_NOSUID | MS_NODEV));
	assert_string_equal(fake.mounts[0], want);
	snprintf(want, sizeof want, "erofs:/sysroot/usr:%#lx:", (unsigned long) (MS_RDONLY | MS_NODEV));
	assert_string_equal(fake.mounts[1], want);
}

/* mount.usrflags= narrows the /usr mount; it never drops ro or nodev. */
static void test_stage_usrflags_reach_mount(void **state) {
	char want[64];
	(void) state;
	strcpy(ctx.cfg.usr_flags, "noexec,nosuid,noatime");
	assert_int_equal(stage_mounts(&ctx), 0);
	snprintf(want, sizeof want, "erofs:/sysroot/usr:%#lx:",
		 (unsigned long) (MS_RDONLY | MS_NODEV | MS_NOEXEC | MS_NOSUID | MS_NOATIME));
	assert_string_equal(fake.mounts[1], want);
}

/* A file system option in usr_flags is not a flag: refused before anything is mounted on /usr. */
static void test_stage_usrflags_data_refused(void **state) {
	(void) state;
	strcpy(ctx.cfg.usr_flags, "ro,errors=continue");
	assert_int_equal(stage_mounts(&ctx), -EINVAL);
	assert_int_equal(fake.n_mounts, 1);
	assert_non_null(strstr(fake_read(fake.kmsg), "Bad mount.usrflags=ro,errors=continue"));
}

static void test_stage_partition_root(void **state) {
	char want[64];
	(void) state;
	ctx.cfg.root_tmpfs = false;
	strcpy(ctx.dev_root, "/dev/sda3");
	strcpy(ctx.cfg.root_fstype, "ext4");
	strcpy(ctx.cfg.root_flags, "noatime,data=ordered");
	assert_int_equal(stage_mounts(&ctx), 0);
	snprintf(want, sizeof want, "ext4:/sysroot:%#lx:data=ordered",
		 (unsigned long) (MS_NOSUID | MS_NODEV | MS_NOATIME));
	assert_string_equal(fake.mounts[0], want);
}

static void test_stage_tmpfs_flags_after_default(void **state) {
	char want[64];
	(void) state;
	strcpy(ctx.cfg.root_flags, "size=50%,mode=0700");
	assert_int_equal(stage_mounts(&ctx), 0);
	snprintf(want, sizeof want, "tmpfs:/sysroot:%#lx:mode=0755,size=50%%,mode=0700",
		 (unsigned long) (MS_NOSUID | MS_NODEV));
	assert_string_equal(fake.mounts[0], want);
}

static void test_stage_mount_failure_named(void **state) {
	(void) state;
	fake.fail_mount_target = "/sysroot/usr";
	fake.fail_errno = EUCLEAN;
	assert_int_equal(stage_mounts(&ctx), -EUCLEAN);
	assert_non_null(strstr(fake_read(fake.kmsg), "Cannot mount /dev/mapper/usr (erofs) on /sysroot/usr"));
}

/* A root whose /usr is a symlink (open with O_NOFOLLOW | O_DIRECTORY fails): the verified /usr is
 * not mounted through it. */
static void test_stage_usr_symlink_refused(void **state) {
	(void) state;
	ctx.cfg.root_tmpfs = false;
	strcpy(ctx.dev_root, "/dev/sda3");
	fake.fail_open_path = "/sysroot/usr";
	fake.fail_errno = ENOTDIR;
	assert_int_equal(stage_mounts(&ctx), -ENOTDIR);
	assert_int_equal(fake.n_mounts, 1); /* the root only */
	assert_non_null(strstr(fake_read(fake.kmsg), "/usr on the new root is not a directory"));
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_parse_keeps_flags_and_bounds_data),
		cmocka_unit_test_setup_teardown(test_stage_tmpfs_and_usr, setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_stage_usrflags_reach_mount, setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_stage_usr_symlink_refused, setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_stage_usrflags_data_refused, setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_stage_partition_root, setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_stage_tmpfs_flags_after_default, setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_stage_mount_failure_named, setup, fake_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
