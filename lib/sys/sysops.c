/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "macro.h"
#include "switchroot.h"
#include "sysops.h"

static int real_mount(const char *source, const char *target, const char *fstype, unsigned long flags,
		      const char *data) {
	return mount(source, target, fstype, flags, data) < 0 ? negative_errno() : 0;
}

static int real_mkdir(const char *path, mode_t mode) {
	return mkdir(path, mode) < 0 ? negative_errno() : 0;
}

static int real_open(const char *path, int flags, mode_t mode) {
	int fd = open(path, flags | O_CLOEXEC, mode);
	return fd < 0 ? negative_errno() : fd;
}

static int real_openat(int dirfd, const char *path, int flags, mode_t mode) {
	int fd = openat(dirfd, path, flags | O_CLOEXEC, mode);
	return fd < 0 ? negative_errno() : fd;
}

static int real_stat(const char *path, struct stat *st) {
	return stat(path, st) < 0 ? negative_errno() : 0;
}

static int real_lstat(const char *path, struct stat *st) {
	return lstat(path, st) < 0 ? negative_errno() : 0;
}

static int real_fstat(int fd, struct stat *st) {
	return fstat(fd, st) < 0 ? negative_errno() : 0;
}

static int real_access(const char *path, int mode) {
	return access(path, mode) < 0 ? negative_errno() : 0;
}

static int real_fchmod(int fd, mode_t mode) {
	return fchmod(fd, mode) < 0 ? negative_errno() : 0;
}

static int real_flock(int fd, int op) {
	return flock(fd, op) < 0 ? negative_errno() : 0;
}

static int real_dup2(int fd, int to) {
	return dup2(fd, to) < 0 ? negative_errno() : to;
}

static int real_blkgetsize64(int fd, uint64_t *size) {
	return ioctl(fd, BLKGETSIZE64, size) < 0 ? negative_errno() : 0;
}

static ssize_t real_write(int fd, const void *buf, size_t len) {
	ssize_t n;
	do
		n = write(fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n < 0 ? negative_errno() : n;
}

static ssize_t real_read(int fd, void *buf, size_t len) {
	ssize_t n;
	do
		n = read(fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n < 0 ? negative_errno() : n;
}

static int real_umount(const char *target) {
	return umount2(target, MNT_DETACH) < 0 ? negative_errno() : 0;
}

static int real_reboot(int cmd) {
	return reboot(cmd) < 0 ? negative_errno() : 0;
}

static void real_sleep_us(uint64_t usec) {
	struct timespec ts = { .tv_sec = (time_t) (usec / 1000000), .tv_nsec = (long) (usec % 1000000) * 1000 };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static _Noreturn void real_hang(void) {
	for (;;)
		pause();
}

static int real_execve(const char *path, char *const argv[], char *const envp[]) {
	/* Everything of ours is O_CLOEXEC; this closes what the kernel or a library left open. */
	(void) syscall(SYS_close_range, 3U, ~0U, 0U);
	/* Blocked and ignored signals survive exec: the system starts with none, whatever a library
	 * did. Only SIGKILL and SIGSTOP refuse SIG_DFL, and they are never changed. */
	sigset_t none;
	(void) sigemptyset(&none);
	(void) sigprocmask(SIG_SETMASK, &none, NULL);
	for (int sig = 1; sig <= SIGRTMAX; sig++)
		(void) signal(sig, SIG_DFL);
	execve(path, argv, envp);
	return negative_errno();
}

static pid_t real_getpid(void) {
	return getpid();
}

static uint64_t real_now_us(void) {
	struct timespec ts;
	if (clock_gettime(CLOCK_BOOTTIME, &ts) < 0)
		return 0;
	return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

static const struct sys_ops real_ops = {
	.mount = real_mount,
	.umount = real_umount,
	.mkdir = real_mkdir,
	.open = real_open,
	.openat = real_openat,
	.stat = real_stat,
	.lstat = real_lstat,
	.fstat = real_fstat,
	.access = real_access,
	.fchmod = real_fchmod,
	.flock = real_flock,
	.dup2 = real_dup2,
	.blkgetsize64 = real_blkgetsize64,
	.write = real_write,
	.read = real_read,
	.reboot = real_reboot,
	.sleep_us = real_sleep_us,
	.hang = real_hang,
	.switch_root = switch_root,
	.execve = real_execve,
	.getpid = real_getpid,
	.now_us = real_now_us,
};

const struct sys_ops *sys = &real_ops;

void sys_set_ops(const struct sys_ops *ops) {
	sys = ops ? ops : &real_ops;
}

int sys_write_file(const char *path, const char *value) {
	size_t len = strlen(value);
	_cleanup_close_ int fd = sys->open(path, O_WRONLY | O_NOCTTY, 0);
	if (fd < 0)
		return fd;
	ssize_t n = sys->write(fd, value, len);
	if (n < 0)
		return (int) n;
	return (size_t) n == len ? 0 : -EIO;
}

ssize_t sys_read_full(int fd, void *buf, size_t max) {
	size_t len = 0;
	for (;;) {
		ssize_t n = sys->read(fd, (char *) buf + len, max - len);
		if (n < 0)
			return n;
		if (n == 0)
			return (ssize_t) len;
		len += (size_t) n;
		if (len == max) {
			char extra;
			n = sys->read(fd, &extra, 1);
			return n == 0  ? (ssize_t) len
			       : n < 0 ? n
				       : -E2BIG;
		}
	}
}

ssize_t sys_read_small_file(const char *path, char *buf, size_t size) {
	_cleanup_close_ int fd = sys->open(path, O_RDONLY | O_NOCTTY, 0);
	if (fd < 0)
		return fd;
	ssize_t n = sys_read_full(fd, buf, size - 1);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}
