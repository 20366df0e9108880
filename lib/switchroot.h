/* SPDX-License-Identifier: MIT */
/* Leaving the initramfs: checking the init to run, and moving into the new root. */
#pragma once

#include <sys/types.h>

/* Opens path (absolute) inside the tree at rootfd, resolving every symlink inside that tree, and
 * checks it is a regular executable file on the device want_dev (the dm-verity /usr): anything
 * that resolves elsewhere (the writable root, say) is refused.
 * Returns an O_PATH fd, -ENOENT, -ELOOP, -EXDEV (not on want_dev), -EACCES (not a regular
 * executable file), or another -errno. */
int init_open_checked(int rootfd, const char *path, dev_t want_dev);

/* The same resolution and device check for a file that must come from verified storage (a
 * policy): a regular file, readable, any mode. Returns an O_RDONLY fd, or the errors above. */
int verified_open(int rootfd, const char *path, dev_t want_dev);

/* Moves /dev, /proc, /sys and /run into newroot, makes newroot the root, and deletes the
 * initramfs's contents without crossing into any mount. Checks first, destroys after: refuses
 * (-EPERM) unless this is PID 1, (-EINVAL) unless / is a ramfs/tmpfs initramfs, (-ENOTDIR) unless
 * newroot is a mount point. Returns 0 with the new root as / and cwd. */
int switch_root(const char *newroot);
