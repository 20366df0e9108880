/* SPDX-License-Identifier: MIT */
/* Raw system calls throughout: switch_root() is what the agent reaches as sys->switch_root, and the
 * checks resolve paths inside a real tree (openat2 with RESOLVE_IN_ROOT) from an fd they are given. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "execinterp.h"
#include "log.h"
#include "macro.h"
#include "switchroot.h"

static int open_checked(int rootfd, const char *path, dev_t want_dev, int flags, bool need_exec) {
	const bool dir = flags & O_DIRECTORY;
	struct open_how how = {
		/* openat2 refuses O_PATH with any flag but O_CLOEXEC, O_DIRECTORY, O_NOFOLLOW. */
		.flags = (uint64_t) (flags | O_CLOEXEC | ((flags & O_PATH) ? 0 : O_NOCTTY)),
		/* Symlinks resolve as they would after the hand-over: inside the new root. */
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	struct stat st;

	if (path[0] != '/')
		return -EINVAL;
	_cleanup_close_ int fd = (int) syscall(SYS_openat2, rootfd, path + 1, &how, sizeof how);
	if (fd < 0)
		return negative_errno();
	if (fstat(fd, &st) < 0)
		return negative_errno();
	if (!(dir ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode)) || (need_exec && !(st.st_mode & 0111)))
		return -EACCES;
	if (st.st_dev != want_dev)
		return -EXDEV;
	/* cppcheck-suppress unreadVariable ; TAKE_FD leaves -EBADF for the cleanup attribute to read */
	return TAKE_FD(fd);
}

int init_open_checked(int rootfd, const char *path, dev_t want_dev) {
	return open_checked(rootfd, path, want_dev, O_PATH, true);
}

int verified_open(int rootfd, const char *path, dev_t want_dev) {
	return open_checked(rootfd, path, want_dev, O_RDONLY, false);
}

int verified_open_dir(int rootfd, const char *path, dev_t want_dev) {
	return open_checked(rootfd, path, want_dev, O_PATH | O_DIRECTORY, false);
}

int root_path_exists(int rootfd, const char *path) {
	struct open_how how = {
		.flags = O_PATH | O_NOFOLLOW | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	if (path[0] != '/')
		return -EINVAL;
	_cleanup_close_ int fd = (int) syscall(SYS_openat2, rootfd, path + 1, &how, sizeof how);
	if (fd >= 0)
		return 1;
	return errno == ENOENT ? 0 : negative_errno();
}

/* The kernel follows at most this many interpreters (search_binary_handler's depth). */
#define EXEC_DEPTH_MAX 4

/* One file of the chain: checked as the init is, then what the kernel would load next. */
static int exec_step(int rootfd, const char *path, dev_t want_dev, uint8_t *buf, enum exec_kind *kind,
		     char next[static EXEC_INTERP_MAX], struct parse_error *err) {
	struct stat st;
	_cleanup_close_ int fd = init_open_checked(rootfd, path, want_dev);
	if (fd < 0)
		return fd;
	_cleanup_close_ int rfd = verified_open(rootfd, path, want_dev);
	if (rfd < 0)
		return rfd;
	if (fstat(rfd, &st) < 0)
		return negative_errno();
	ssize_t n = pread(rfd, buf, EXEC_HEAD_MAX, 0);
	if (n < 0)
		return negative_errno();
	return exec_interp(buf, (size_t) n, (uint64_t) st.st_size, kind, next, err);
}

int exec_chain_checked(int rootfd, const char *path, dev_t want_dev, char bad[static EXEC_INTERP_MAX],
		       struct parse_error *err) {
	char cur[EXEC_INTERP_MAX];
	int r = -ELOOP;

	if (strlen(path) >= sizeof cur)
		return -ENAMETOOLONG;
	memcpy(cur, path, strlen(path) + 1);
	uint8_t *buf = malloc(EXEC_HEAD_MAX);
	if (!buf)
		return -ENOMEM;
	for (int depth = 0; depth <= EXEC_DEPTH_MAX; depth++) {
		enum exec_kind kind = EXEC_STATIC;
		char next[EXEC_INTERP_MAX];

		memcpy(bad, cur, sizeof cur);
		r = exec_step(rootfd, cur, want_dev, buf, &kind, next, err);
		if (r < 0 || kind == EXEC_STATIC)
			break;
		/* A script's interpreter is executed in turn; an ELF's loader is only mapped. */
		memcpy(cur, next, sizeof next);
		if (kind == EXEC_ELF) {
			memcpy(bad, cur, sizeof cur);
			int loader = init_open_checked(rootfd, cur, want_dev);
			r = loader < 0 ? loader : 0;
			if (loader >= 0)
				close(loader);
			break;
		}
		r = -ELOOP;
	}
	free(buf);
	return r;
}

/* Deletes what dirfd holds on device dev, never descending into another file system. */
static void rm_rf_children(int dirfd, dev_t dev) {
	DIR *d = fdopendir(dirfd);
	if (!d) {
		close(dirfd);
		return;
	}
	for (struct dirent *e; (e = readdir(d));) {
		struct stat st;
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_dev != dev)
			continue;
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0)
				rm_rf_children(sub, dev);
			(void) unlinkat(dirfd, e->d_name, AT_REMOVEDIR);
		} else
			(void) unlinkat(dirfd, e->d_name, 0);
	}
	closedir(d);
}

int switch_root(const char *newroot) {
	static const char *const api[] = { "/dev", "/proc", "/sys", "/run" };
	struct statfs sfs;
	struct stat root_st, new_st, parent_st;
	char target[256], parent[256];

	if (getpid() != 1)
		return log_error_errno(-EPERM, "switch_root: not PID 1");
	if (statfs("/", &sfs) < 0 || stat("/", &root_st) < 0)
		return log_error_errno(negative_errno(), "switch_root: cannot stat /: %m");
	if (sfs.f_type != RAMFS_MAGIC && sfs.f_type != TMPFS_MAGIC)
		return log_error_errno(-EINVAL, "switch_root: / is not an initramfs (f_type %#lx)",
				       (unsigned long) sfs.f_type);
	(void) snprintf(parent, sizeof parent, "%s/..", newroot);
	if (stat(newroot, &new_st) < 0 || stat(parent, &parent_st) < 0)
		return log_error_errno(negative_errno(), "switch_root: cannot stat %s: %m", newroot);
	if (new_st.st_dev == parent_st.st_dev)
		return log_error_errno(-ENOTDIR, "switch_root: %s is not a mount point", newroot);

	_cleanup_close_ int oldroot = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (oldroot < 0)
		return log_error_errno(negative_errno(), "switch_root: cannot open /: %m");

	/* A device root holds what the disk says: a symlink in place of /run would carry the move
	 * elsewhere (mount(2) follows it). Every target must be a directory of the new root itself,
	 * all checked before the first move. */
	for (size_t i = 0; i < ELEMENTSOF(api); i++) {
		(void) snprintf(target, sizeof target, "%s%s", newroot, api[i]);
		if (mkdir(target, 0755) < 0 && errno != EEXIST)
			return log_error_errno(negative_errno(), "switch_root: cannot create %s: %m", target);
		_cleanup_close_ int dirfd = open(target, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
		if (dirfd < 0)
			return log_error_errno(negative_errno(), "switch_root: %s is not a directory (a symlink?): %m",
					       target);
	}
	for (size_t i = 0; i < ELEMENTSOF(api); i++) {
		(void) snprintf(target, sizeof target, "%s%s", newroot, api[i]);
		if (mount(api[i], target, NULL, MS_MOVE, NULL) < 0)
			return log_error_errno(negative_errno(), "switch_root: cannot move %s to %s: %m", api[i], target);
	}
	if (chdir(newroot) < 0)
		return log_error_errno(negative_errno(), "switch_root: cannot enter %s: %m", newroot);
	if (mount(newroot, "/", NULL, MS_MOVE, NULL) < 0)
		return log_error_errno(negative_errno(), "switch_root: cannot move %s to /: %m", newroot);
	if (chroot(".") < 0 || chdir("/") < 0)
		return log_error_errno(negative_errno(), "switch_root: cannot chroot into the new root: %m");

	/* The initramfs lives in memory: free it. Through the fd kept from before; mounts are skipped. */
	/* cppcheck-suppress unreadVariable ; TAKE_FD leaves -EBADF for the cleanup attribute to read */
	rm_rf_children(TAKE_FD(oldroot), root_st.st_dev);
	return 0;
}
