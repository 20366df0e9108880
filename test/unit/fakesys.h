/* SPDX-License-Identifier: MIT */
/* A recording stand-in for the ops table, shared by the unit tests (header-only: each test is one
 * translation unit). Reboot and hang longjmp back to the test, as the machine going away would. */
#pragma once

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "log.h"
#include "sysops.h"

#define FAKE_MAX 16

/* How a run ended: FAKE_EXECED is the hand-over (the execve op reached). */
enum {
	FAKE_RUNNING,
	FAKE_REBOOTED,
	FAKE_HUNG,
	FAKE_EXECED
};

static struct fake {
	jmp_buf exit;
	int reboot_cmd, reboot_calls, reboot_result;
	int hang_calls;
	uint64_t slept_us, clock_us;
	char mounts[FAKE_MAX][64]; /* "type:target:flags:data" */
	int n_mounts;
	const char *fail_mount_target; /* this mount returns fail_errno */
	const char *fail_open_path;    /* this open returns fail_errno */
	int fail_errno;
	int kmsg, console;                         /* memfds the logger writes to */
	const char *capture_path;                  /* an open of this path gets the memfd capture ... */
	int capture, capture_opens, capture_flags; /* ... counted, with the flags it was opened with */
	int switch_root_calls, execve_calls;
	char execed[64];
} fake;

static int fake_mount(const char *source, const char *target, const char *fstype, unsigned long flags,
		      const char *data) {
	(void) source;
	if (fake.fail_mount_target && strcmp(target, fake.fail_mount_target) == 0)
		return -fake.fail_errno;
	if (fake.n_mounts < FAKE_MAX)
		snprintf(fake.mounts[fake.n_mounts++], sizeof fake.mounts[0], "%s:%s:%#lx:%s", fstype, target,
			 flags, data ? data : "");
	return 0;
}

static int fake_mkdir(const char *path, mode_t mode) {
	(void) path, (void) mode;
	return -EEXIST; /* the initramfs usually ships the directories */
}

static int fake_open(const char *path, int flags, mode_t mode) {
	(void) flags, (void) mode;
	if (fake.fail_open_path && strcmp(path, fake.fail_open_path) == 0)
		return -fake.fail_errno;
	if (strcmp(path, "/dev/kmsg") == 0)
		return dup(fake.kmsg);
	if (strcmp(path, "/dev/console") == 0)
		return dup(fake.console);
	/* A directory of the new root, looked at without following it: there, as on a good disk. */
	if ((flags & O_PATH) && strncmp(path, "/sysroot/", 9) == 0)
		return dup(fake.capture);
	if (fake.capture_path && strcmp(path, fake.capture_path) == 0) {
		fake.capture_opens++;
		fake.capture_flags = flags;
		return dup(fake.capture);
	}
	return -ENOENT;
}

static ssize_t fake_write(int fd, const void *buf, size_t len) {
	ssize_t n = write(fd, buf, len);
	return n < 0 ? -errno : n;
}

static ssize_t fake_readop(int fd, void *buf, size_t len) {
	ssize_t n = read(fd, buf, len);
	return n < 0 ? -errno : n;
}

/* The calls on paths and fds that need no privilege: the host's own. */
static int fake_openat(int dirfd, const char *path, int flags, mode_t mode) {
	int fd = openat(dirfd, path, flags | O_CLOEXEC, mode);
	return fd < 0 ? -errno : fd;
}

/* /dev/mapper/usr, which the tests never make, is a block device: FAKE_USR_DEV. */
#define FAKE_USR_DEV makedev(254, 0)
static int fake_stat(const char *path, struct stat *st) {
	if (strcmp(path, "/dev/mapper/usr") == 0) {
		*st = (struct stat){ .st_mode = S_IFBLK | 0600, .st_rdev = FAKE_USR_DEV };
		return 0;
	}
	return stat(path, st) < 0 ? -errno : 0;
}

static int fake_lstat(const char *path, struct stat *st) {
	return lstat(path, st) < 0 ? -errno : 0;
}

static int fake_fstat(int fd, struct stat *st) {
	return fstat(fd, st) < 0 ? -errno : 0;
}

static int fake_access(const char *path, int mode) {
	return access(path, mode) < 0 ? -errno : 0;
}

static int fake_fchmod(int fd, mode_t mode) {
	return fchmod(fd, mode) < 0 ? -errno : 0;
}

static int fake_flock(int fd, int op) {
	return flock(fd, op) < 0 ? -errno : 0;
}

/* The test's own stdio stays: a dup2 onto it is only pretended. */
static int fake_dup2(int fd, int to) {
	return fcntl(fd, F_GETFD) < 0 ? -errno : to;
}

/* A "block device" is a file: its size. */
static int fake_blkgetsize64(int fd, uint64_t *size) {
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -errno;
	*size = (uint64_t) st.st_size;
	return 0;
}

static int fake_switch_root(const char *newroot) {
	(void) newroot;
	fake.switch_root_calls++;
	return 0;
}

/* The hand-over: the machine is the system's now. */
static int fake_execve(const char *path, char *const argv[], char *const envp[]) {
	(void) argv, (void) envp;
	fake.execve_calls++;
	snprintf(fake.execed, sizeof fake.execed, "%s", path);
	longjmp(fake.exit, FAKE_EXECED);
}

static int fake_reboot(int cmd) {
	fake.reboot_cmd = cmd;
	fake.reboot_calls++;
	if (fake.reboot_result == 0)
		longjmp(fake.exit, FAKE_REBOOTED);
	return fake.reboot_result;
}

static void fake_sleep_us(uint64_t usec) {
	fake.slept_us += usec;
}

static void fake_hang(void) {
	fake.hang_calls++;
	longjmp(fake.exit, FAKE_HUNG);
}

static pid_t fake_getpid(void) {
	return 1;
}

static int fake_umount(const char *target) {
	if (fake.n_mounts < FAKE_MAX)
		snprintf(fake.mounts[fake.n_mounts++], sizeof fake.mounts[0], "umount:%s", target);
	return 0;
}

static uint64_t fake_now_us(void) {
	return fake.clock_us += 1000;
}

static const struct sys_ops fake_ops = {
	.mount = fake_mount,
	.umount = fake_umount,
	.mkdir = fake_mkdir,
	.open = fake_open,
	.openat = fake_openat,
	.stat = fake_stat,
	.lstat = fake_lstat,
	.fstat = fake_fstat,
	.access = fake_access,
	.fchmod = fake_fchmod,
	.flock = fake_flock,
	.dup2 = fake_dup2,
	.blkgetsize64 = fake_blkgetsize64,
	.write = fake_write,
	.read = fake_readop,
	.reboot = fake_reboot,
	.sleep_us = fake_sleep_us,
	.hang = fake_hang,
	.switch_root = fake_switch_root,
	.execve = fake_execve,
	.getpid = fake_getpid,
	.now_us = fake_now_us,
};

static int fake_setup(void **state) {
	(void) state;
	memset(&fake, 0, sizeof fake);
	fake.kmsg = memfd_create("kmsg", MFD_CLOEXEC);
	fake.console = memfd_create("console", MFD_CLOEXEC);
	fake.capture = memfd_create("capture", MFD_CLOEXEC);
	if (fake.kmsg < 0 || fake.console < 0 || fake.capture < 0)
		return -1;
	log_set_fds(fake.kmsg, fake.console);
	log_set_max_level(LOG_INFO);
	log_set_console_echo(0);
	sys_set_ops(&fake_ops);
	return 0;
}

static int fake_teardown(void **state) {
	(void) state;
	log_set_fds(-EBADF, -EBADF);
	sys_set_ops(NULL);
	close(fake.kmsg);
	close(fake.console);
	close(fake.capture);
	return 0;
}

/* Everything written to a memfd so far, NUL-terminated, in a static buffer. */
static const char *fake_read(int fd) {
	static char buf[2][16384];
	static int which;
	char *b = buf[which ^= 1];
	ssize_t n = pread(fd, b, sizeof buf[0] - 1, 0);
	b[n > 0 ? n : 0] = '\0';
	return b;
}
