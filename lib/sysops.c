/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "macro.h"
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
	.write = real_write,
	.read = real_read,
	.reboot = real_reboot,
	.sleep_us = real_sleep_us,
	.hang = real_hang,
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
			return n == 0 ? (ssize_t) len : n < 0 ? n : -E2BIG;
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
