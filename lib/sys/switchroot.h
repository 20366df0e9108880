/* SPDX-License-Identifier: MIT */
/* Leaving the initramfs: checking the init to run, and moving into the new root. */
#pragma once

#include <sys/types.h>

#include "execinterp.h"
#include "parse.h"

/* Opens path (absolute) inside the tree at rootfd, resolving every symlink inside that tree, and
 * checks it is a regular executable file on the device want_dev (the dm-verity /usr): anything
 * that resolves elsewhere (the writable root, say) is refused.
 * Returns an O_PATH fd, -ENOENT, -ELOOP, -EXDEV (not on want_dev), -EACCES (not a regular
 * executable file), or another -errno. */
int init_open_checked(int rootfd, const char *path, dev_t want_dev);

/* The same resolution and device check for a file that must come from verified storage (a
 * policy): a regular file, readable, any mode. Returns an O_RDONLY fd, or the errors above. */
int verified_open(int rootfd, const char *path, dev_t want_dev);

/* The same resolution and device check for a directory (a policy store): an O_PATH fd of it, or
 * the errors above (-EACCES: not a directory). */
int verified_open_dir(int rootfd, const char *path, dev_t want_dev);

/* Whether path (absolute) names anything inside the tree at rootfd, resolved inside it; the last
 * component is not followed, so a dangling symlink exists. Returns 1, 0, or -errno (-ELOOP, ...). */
int root_path_exists(int rootfd, const char *path);

/* Everything the kernel loads to execute path (absolute) inside the tree at rootfd, each checked
 * as init_open_checked() checks the init: the file itself, a script's "#!" interpreter (executed
 * in turn, up to the kernel's depth), an ELF's PT_INTERP loader. A loader or interpreter that
 * resolves onto the writable root runs the root's code with the init's privileges, however
 * verified the init is. On failure bad holds the path refused. Returns 0, the errors of
 * init_open_checked() and verified_open(), those of exec_interp() (err says why), -ELOOP
 * (interpreters nested deeper than the kernel follows), -ENAMETOOLONG, -ENOMEM, or another -errno.
 * What the loader then reads (ld.so.cache, ld.so.preload, libraries) is not followed here. */
int exec_chain_checked(int rootfd, const char *path, dev_t want_dev, char bad[static EXEC_INTERP_MAX],
		       struct parse_error *err);

/* Moves /dev, /proc, /sys and /run into newroot, makes newroot the root, and deletes the
 * initramfs's contents without crossing into any mount. Checks first, destroys after: refuses
 * (-EPERM) unless this is PID 1, (-EINVAL) unless / is a ramfs/tmpfs initramfs, (-ENOTDIR) unless
 * newroot is a mount point. Returns 0 with the new root as / and cwd. */
int switch_root(const char *newroot);
