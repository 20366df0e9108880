/* SPDX-License-Identifier: MIT */
/* The init path check (init_open_checked) over a real directory tree: symlinks resolve inside the
 * new root, and only a regular executable file on the wanted device passes. */
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "macro.h"
#include "switchroot.h"

static char root[] = "/tmp/verinit-initpath-XXXXXX";
static int rootfd = -EBADF;
static dev_t root_dev;

static void mk(const char *rel, mode_t mode) {
	char p[256];
	snprintf(p, sizeof p, "%s/%s", root, rel);
	int fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	assert_true(fd >= 0);
	assert_int_equal(fchmod(fd, mode), 0); /* whatever the umask */
	close(fd);
}

static void ln(const char *target, const char *rel) {
	char p[256];
	snprintf(p, sizeof p, "%s/%s", root, rel);
	assert_int_equal(symlink(target, p), 0);
}

static void dir(const char *rel) {
	char p[256];
	snprintf(p, sizeof p, "%s/%s", root, rel);
	assert_int_equal(mkdir(p, 0755), 0);
}

static int setup(void **state) {
	struct stat st;
	(void) state;
	if (!mkdtemp(root))
		return -1;
	dir("usr");
	dir("usr/lib");
	dir("usr/lib/dir");
	dir("etc");
	mk("usr/lib/init", 0755);
	mk("usr/lib/noexec", 0644);
	mk("usr/lib/user-exec", 0700);
	mk("etc/writable-init", 0755);
	ln("/usr/lib/init", "usr/lib/abs-link");
	ln("init", "usr/lib/rel-link");
	ln("../../../../../../usr/lib/init", "usr/lib/dotdot-link");
	ln("/etc/passwd", "usr/lib/host-link");
	ln("loop", "usr/lib/loop");
	ln("/proc/self/exe", "usr/lib/magic");
	ln("dir", "usr/lib/dir-link");
	rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0 || fstat(rootfd, &st) < 0)
		return -1;
	root_dev = st.st_dev;
	return 0;
}

static int teardown(void **state) {
	char cmd[128];
	(void) state;
	close(rootfd);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_table(void **state) {
	static const struct {
		const char *path;
		bool other_dev; /* want a device the tree is not on (the writable root vs. /usr) */
		int expect;     /* 0: an fd */
	} cases[] = {
		{ "/usr/lib/init", false, 0 },
		{ "/usr/lib/user-exec", false, 0 },
		{ "/usr/lib/abs-link", false, 0 },   /* absolute: resolved in the new root */
		{ "/usr/lib/rel-link", false, 0 },
		{ "/usr/lib/dotdot-link", false, 0 }, /* ".." stops at the new root */
		{ "/usr/lib/init", true, -EXDEV },   /* the same file, on the wrong device */
		{ "/etc/writable-init", true, -EXDEV },
		{ "/usr/lib/host-link", false, -ENOENT }, /* the host's /etc/passwd is not in the tree */
		{ "/usr/lib/magic", false, -ENOENT },     /* /proc/self/exe neither */
		{ "/usr/lib/loop", false, -ELOOP },
		{ "/usr/lib/noexec", false, -EACCES },
		{ "/usr/lib/dir", false, -EACCES },
		{ "/usr/lib/dir-link", false, -EACCES },
		{ "/usr/lib/missing", false, -ENOENT },
		{ "usr/lib/init", false, -EINVAL }, /* relative */
		{ "", false, -EINVAL },
	};
	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		dev_t want = cases[i].other_dev ? root_dev + 1 : root_dev;
		int fd = init_open_checked(rootfd, cases[i].path, want);
		int got = fd >= 0 ? 0 : fd;
		if (fd >= 0)
			close(fd);
		if (got != cases[i].expect)
			fail_msg("'%s'%s: got %d, want %d", cases[i].path, cases[i].other_dev ? " (other device)" : "", got,
				 cases[i].expect);
	}
}

/* The fd is the file checked: O_PATH, so it can be compared, not read or run by accident. */
static void test_fd_is_the_file(void **state) {
	struct stat a, b;
	char p[256];
	(void) state;
	int fd = init_open_checked(rootfd, "/usr/lib/abs-link", root_dev);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &a), 0);
	snprintf(p, sizeof p, "%s/usr/lib/init", root);
	assert_int_equal(stat(p, &b), 0);
	assert_true(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	assert_true(fcntl(fd, F_GETFL) & O_PATH);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
}

/* A policy: any regular file on the device, read-only; no exec bit needed. */
static void test_verified_open(void **state) {
	static const struct {
		const char *path;
		bool other_dev;
		int expect;
	} cases[] = {
		{ "/usr/lib/noexec", false, 0 },   { "/usr/lib/abs-link", false, 0 },
		{ "/usr/lib/noexec", true, -EXDEV }, { "/usr/lib/dir", false, -EACCES },
		{ "/usr/lib/host-link", false, -ENOENT }, { "usr/lib/noexec", false, -EINVAL },
	};
	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		int fd = verified_open(rootfd, cases[i].path, cases[i].other_dev ? root_dev + 1 : root_dev);
		int got = fd >= 0 ? 0 : fd;
		if (fd >= 0) {
			assert_int_equal(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDONLY);
			close(fd);
		}
		if (got != cases[i].expect)
			fail_msg("verified_open '%s': got %d, want %d", cases[i].path, got, cases[i].expect);
	}
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_fd_is_the_file),
		cmocka_unit_test(test_verified_open),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
