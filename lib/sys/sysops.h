/* SPDX-License-Identifier: MIT */
/* The privileged calls the agent makes, behind one table so unit tests can replace them: a static
 * binary cannot be hooked with LD_PRELOAD. Every op returns 0 (or a count/fd) on success and a
 * negative errno on failure, never -1. */
#pragma once

#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

struct sys_ops {
	int (*mount)(const char *source, const char *target, const char *fstype, unsigned long flags,
		     const char *data);
	int (*umount)(const char *target); /* lazily (MNT_DETACH): what was read from it is read */
	int (*mkdir)(const char *path, mode_t mode);
	/* open and openat add O_CLOEXEC: only the stdio dup2 makes outlives the hand-over's exec. */
	int (*open)(const char *path, int flags, mode_t mode);
	int (*openat)(int dirfd, const char *path, int flags, mode_t mode);
	int (*stat)(const char *path, struct stat *st);
	int (*lstat)(const char *path, struct stat *st);
	int (*fstat)(int fd, struct stat *st);
	int (*access)(const char *path, int mode);
	int (*fchmod)(int fd, mode_t mode);
	int (*flock)(int fd, int op);
	int (*dup2)(int fd, int to);                 /* returns to */
	int (*blkgetsize64)(int fd, uint64_t *size); /* a block device's size in bytes */
	ssize_t (*write)(int fd, const void *buf, size_t len);
	ssize_t (*read)(int fd, void *buf, size_t len); /* retries EINTR itself */
	/* RB_HALT_SYSTEM, RB_AUTOBOOT or RB_POWER_OFF; returns only on failure. */
	int (*reboot)(int cmd);
	void (*sleep_us)(uint64_t usec);
	/* Waits forever: what is left when even reboot(2) failed. Tests replace it with a longjmp;
	 * fail_closed() calls it in a loop, so even one that returned would not fall through. */
	void (*hang)(void);
	/* lib/sys/switchroot.h's switch_root(): the move into the new root. */
	int (*switch_root)(const char *newroot);
	/* The system's clean start: closes every fd from 3 up, unblocks every signal and resets its
	 * disposition, then execve(2). Returns only on failure. */
	int (*execve)(const char *path, char *const argv[], char *const envp[]);
	pid_t (*getpid)(void);
	uint64_t (*now_us)(void); /* CLOCK_BOOTTIME */
};

extern const struct sys_ops *sys;

/* Tests swap the table; NULL restores the real one. */
void sys_set_ops(const struct sys_ops *ops);

/* Reads fd to its end into buf, at most max bytes (retrying EINTR). Returns the length, -E2BIG
 * when there is more than max, or -errno. For the small files the stages read whole. */
ssize_t sys_read_full(int fd, void *buf, size_t max);

/* Reads a whole small file into buf, NUL-terminated: its length, -E2BIG when it is longer than
 * size - 1, or -errno from opening or reading. */
ssize_t sys_read_small_file(const char *path, char *buf, size_t size);

/* Writes a short string to a file such as /proc/sys/... in one write().
 * Returns 0, or a negative errno from open or write (-EIO on a short write). */
int sys_write_file(const char *path, const char *value);
