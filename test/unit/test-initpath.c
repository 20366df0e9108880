/* SPDX-License-Identifier: MIT */
/* The init path check (init_open_checked) over a real directory tree: symlinks resolve inside the
 * new root, and only a regular executable file on the wanted device passes; what executing it
 * loads (exec_chain_checked: "#!" interpreters, the ELF loader), with the host's static busybox and
 * dynamic /bin/ls as the ELF files; root_path_exists. */
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

static void cp(const char *from, const char *rel, mode_t mode) {
	char cmd[512];
	snprintf(cmd, sizeof cmd, "cp '%s' '%s/%s' && chmod %o '%s/%s'", from, root, rel, (unsigned) mode, root, rel);
	assert_int_equal(system(cmd), 0);
}

static void script(const char *rel, const char *text) {
	char p[256];
	snprintf(p, sizeof p, "%s/%s", root, rel);
	int fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
	assert_true(fd >= 0);
	assert_int_equal(fchmod(fd, 0755), 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t) strlen(text));
	close(fd);
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
	/* Merged /usr: /lib64 is a symlink into it, so the loader resolves onto /usr. */
	dir("usr/bin");
	dir("usr/lib64");
	cp("/bin/busybox", "usr/bin/busybox", 0755);
	cp("/bin/ls", "usr/bin/ls", 0755);
	cp("/bin/ls", "usr/lib64/ld-linux-x86-64.so.2", 0755);
	ln("usr/lib64", "lib64");
	script("usr/lib/script", "#!/usr/bin/busybox sh\n");
	script("usr/lib/script-of-script", "#! /usr/lib/script -e\n");
	script("usr/lib/script-dynamic", "#!/usr/bin/ls\n");
	script("usr/lib/script-missing", "#!/usr/bin/missing\n");
	script("usr/lib/script-noexec", "#!/usr/lib/noexec\n");
	script("usr/lib/script-relative", "#!busybox\n");
	script("usr/lib/loop-a", "#!/usr/lib/loop-b\n");
	script("usr/lib/loop-b", "#!/usr/lib/loop-a\n");
	script("usr/lib/text", "echo not an executable format\n");
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
		{ "/usr/lib/abs-link", false, 0 }, /* absolute: resolved in the new root */
		{ "/usr/lib/rel-link", false, 0 },
		{ "/usr/lib/dotdot-link", false, 0 }, /* ".." stops at the new root */
		{ "/usr/lib/init", true, -EXDEV },    /* the same file, on the wrong device */
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
		/* clang-format off */
		{ "/usr/lib/noexec", false, 0 },   { "/usr/lib/abs-link", false, 0 },
		{ "/usr/lib/noexec", true, -EXDEV }, { "/usr/lib/dir", false, -EACCES },
		{ "/usr/lib/host-link", false, -ENOENT }, { "usr/lib/noexec", false, -EINVAL },
		/* clang-format on */
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

/* Each file the kernel would load, checked as the init is; the path refused is named. */
static void test_exec_chain(void **state) {
	static const struct {
		const char *path;
		int expect;
		const char *bad; /* the path named on failure */
	} cases[] = {
		{ "/usr/bin/busybox", 0, NULL },          /* static: nothing else */
		{ "/usr/bin/ls", 0, NULL },               /* its loader via /lib64 -> usr/lib64 */
		{ "/usr/lib/script", 0, NULL },           /* "#!" busybox */
		{ "/usr/lib/script-of-script", 0, NULL }, /* a script interpreting a script */
		{ "/usr/lib/script-dynamic", 0, NULL },   /* a script of a dynamic ELF */
		{ "/usr/lib/script-missing", -ENOENT, "/usr/bin/missing" },
		{ "/usr/lib/script-noexec", -EACCES, "/usr/lib/noexec" },
		{ "/usr/lib/script-relative", -EINVAL, "/usr/lib/script-relative" },
		{ "/usr/lib/loop-a", -ELOOP, "/usr/lib/loop-a" },
		{ "/usr/lib/text", -ENOEXEC, "/usr/lib/text" },
		{ "/usr/lib/init", -ENOEXEC, "/usr/lib/init" }, /* empty: no format */
		{ "/etc/writable-init", -ENOEXEC, "/etc/writable-init" },
		{ "/usr/lib/missing", -ENOENT, "/usr/lib/missing" },
	};
	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		char bad[EXEC_INTERP_MAX] = "";
		struct parse_error err = { .msg = "" };
		int r = exec_chain_checked(rootfd, cases[i].path, root_dev, bad, &err);
		if (r != cases[i].expect)
			fail_msg("'%s': got %d (%s), want %d", cases[i].path, r, err.msg, cases[i].expect);
		if (r < 0 && strcmp(bad, cases[i].bad) != 0)
			fail_msg("'%s': names '%s', want '%s'", cases[i].path, bad, cases[i].bad);
	}
	/* The whole chain on the wrong device: the init itself is refused first. */
	char bad[EXEC_INTERP_MAX];
	assert_int_equal(exec_chain_checked(rootfd, "/usr/bin/ls", root_dev + 1, bad, NULL), -EXDEV);
	assert_string_equal(bad, "/usr/bin/ls");
}

/* A dynamic init whose loader is not in the tree: refused, naming the loader. */
static void test_exec_chain_no_loader(void **state) {
	char p[256], bad[EXEC_INTERP_MAX];
	(void) state;
	snprintf(p, sizeof p, "%s/lib64", root);
	assert_int_equal(unlink(p), 0);
	int r = exec_chain_checked(rootfd, "/usr/bin/ls", root_dev, bad, NULL);
	assert_int_equal(symlink("usr/lib64", p), 0);
	assert_int_equal(r, -ENOENT);
	assert_string_equal(bad, "/lib64/ld-linux-x86-64.so.2");
}

static void test_root_path_exists(void **state) {
	char p[256];
	(void) state;
	assert_int_equal(root_path_exists(rootfd, "/etc/ld.so.preload"), 0);
	assert_int_equal(root_path_exists(rootfd, "/usr/lib/init"), 1);
	assert_int_equal(root_path_exists(rootfd, "/usr/lib/host-link"), 1); /* dangling: still there */
	assert_int_equal(root_path_exists(rootfd, "/usr/lib/host-link/x"), 0);
	assert_int_equal(root_path_exists(rootfd, "etc"), -EINVAL);
	snprintf(p, sizeof p, "%s/etc/ld.so.preload", root);
	assert_int_equal(symlink("/nowhere", p), 0);
	assert_int_equal(root_path_exists(rootfd, "/etc/ld.so.preload"), 1);
	assert_int_equal(unlink(p), 0);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_fd_is_the_file),
		cmocka_unit_test(test_verified_open),
		cmocka_unit_test(test_exec_chain),
		cmocka_unit_test(test_exec_chain_no_loader),
		cmocka_unit_test(test_root_path_exists),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
