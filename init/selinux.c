/* SPDX-License-Identifier: MIT */
/* Loads the configured binary SELinux policy from verified storage, sets enforcing or permissive
 * and reads the mode back, locks it (secure_mode_policyload) when configured, and leaves the new
 * root an /etc/selinux that makes the system's own reload take the same mode and the same bytes:
 * systemd reloads the policy after the hand-over (libselinux's selinux_init_load_policy()), which
 * reads /etc/selinux/config and /etc/selinux/<SELINUXTYPE>/policy/policy.<N> from the new root;
 * on a writable root those are the disk's, not the signer's. That /etc/selinux is either a store
 * on the verified /usr (selinux.store=, checked against the mode and the loaded bytes, bound
 * read-only) or one verinit writes (config and the policy only). selinuxfs stays mounted on
 * /sys/fs/selinux, which moves with /sys into the new root.
 * Left raw: verified_open_dir()'s openat2 resolution, as in policy.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "policy.h"
#include "sepolicy.h"
#include "stage.h"
#include "switchroot.h"
#include "stages.h"
#include "sysops.h"

#define SELINUXFS "/sys/fs/selinux"
#define SECURITYFS "/sys/kernel/security"
#define STORE "/sysroot/etc/selinux"

/* SELinux is active when the kernel lists it among its LSMs (lsm= and the kernel's defaults
 * decide; the command line alone cannot say). Returns 1, 0, or -errno. */
static int selinux_active(void) {
	char buf[512];
	ssize_t n = sys_read_small_file(SECURITYFS "/lsm", buf, sizeof buf);
	if (n == -ENOENT) {
		int r = sys->mount("securityfs", SECURITYFS, "securityfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
		if (r < 0 && r != -EBUSY)
			return r;
		n = sys_read_small_file(SECURITYFS "/lsm", buf, sizeof buf);
	}
	if (n < 0)
		return (int) n;
	return lsm_list_has(buf, (size_t) n, "selinux");
}

/* Sets secure_mode_policyload and commits it; the value read back must be 1. Returns 0,
 * -ENOENT (the policy has no such boolean) or -errno. */
static int selinux_lock(void) {
	const char *path = SELINUXFS "/booleans/" SEPOLICY_LOCK_BOOL;
	char buf[16];
	bool cur = false, pending = false;

	int r = sys_write_file(path, "1");
	if (r < 0)
		return r;
	r = sys_write_file(SELINUXFS "/commit_pending_bools", "1");
	if (r < 0)
		return r;
	ssize_t n = sys_read_small_file(path, buf, sizeof buf);
	if (n < 0)
		return (int) n;
	if (sepolicy_bool_parse(buf, (size_t) n, &cur, &pending) < 0)
		return -EBADMSG;
	return cur ? 0 : -EPERM;
}

/* Writes one file of the store. Returns 0 or -errno. */
static int store_file(const char *path, const void *buf, size_t len) {
	_cleanup_close_ int fd = sys->open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOCTTY, 0644);
	if (fd < 0)
		return fd;
	ssize_t n = sys->write(fd, buf, len);
	return n < 0               ? (int) n
	       : (size_t) n == len ? 0
				   : -EIO;
}

/* A directory of the new root, made when missing; a symlink is refused (mount(2) would follow it
 * out of the root). Returns 0 or -errno (-ENOTDIR for a symlink or a file). */
static int root_dir(const char *path) {
	int r = sys->mkdir(path, 0755);
	if (r < 0 && r != -EEXIST)
		return r;
	_cleanup_close_ int fd = sys->open(path, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC, 0);
	return fd < 0 ? (fd == -ELOOP ? -ENOTDIR : fd) : 0;
}

/* Where a store goes: /sysroot/etc and /sysroot/etc/selinux, directories of the root. Returns 0
 * or a logged error (REASON_MOUNT). */
static int store_target(struct context *ctx) {
	static const char *const root_dirs[] = { "/sysroot/etc", STORE };
	ctx->reason = REASON_MOUNT;
	for (size_t i = 0; i < ELEMENTSOF(root_dirs); i++) {
		int r = root_dir(root_dirs[i]);
		if (r < 0)
			return log_error_errno(r, "%s on the new root is not a directory of its own (a symlink?): %m",
					       root_dirs[i]);
	}
	return 0;
}

/* /sysroot/etc/selinux becomes a read-only tmpfs holding only config and the loaded policy's
 * bytes as verinit/policy/policy.<version>: whatever the disk has there is hidden. */
static int selinux_store(struct context *ctx, const uint8_t *blob, size_t n, unsigned version) {
	char config[64], path[96];

	int r = store_target(ctx);
	if (r < 0)
		return r;
	r = sys->mount("tmpfs", STORE, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0755,size=64m");
	if (r < 0)
		return log_error_errno(r, "Cannot mount a tmpfs on " STORE ": %m");
	int len = sepolicy_config(ctx->cfg.selinux_mode == SELINUX_ENFORCING, config, sizeof config);
	if (len < 0)
		return log_error_errno(len, "Cannot word " STORE "/config: %m");
	r = store_file(STORE "/config", config, (size_t) len);
	static const char *const store_dirs[] = { STORE "/" SEPOLICY_TYPE, STORE "/" SEPOLICY_TYPE "/policy" };
	for (size_t i = 0; i < ELEMENTSOF(store_dirs) && r >= 0; i++)
		r = sys->mkdir(store_dirs[i], 0755);
	(void) snprintf(path, sizeof path, STORE "/" SEPOLICY_TYPE "/policy/policy.%u", version);
	if (r >= 0)
		r = store_file(path, blob, n);
	if (r < 0)
		return log_error_errno(r, "Cannot write the SELinux store on " STORE ": %m");
	r = sys->mount(NULL, STORE, NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	if (r < 0)
		return log_error_errno(r, "Cannot make " STORE " read-only: %m");
	ctx->reason = REASON_NONE;
	log_info("%s holds only SELINUX=%s and the loaded policy as %s: a reload takes the same mode and bytes", STORE,
		 selinux_mode_to_string(ctx->cfg.selinux_mode), path + strlen("/sysroot"));
	return 0;
}

/* The policy a reload would take from the store (libselinux: the first of policy.<policyvers>,
 * policy.<policyvers - 1>, ... down to 15 that exists) must be the bytes verinit loaded. Returns 0
 * or a logged error. */
static int store_policy_matches(struct context *ctx, const char *type) {
	const char *store = ctx->cfg.selinux_store;
	const uint8_t *buf = NULL;
	char vers[16], path[CONFIG_PATH_MAX + SEPOLICY_TYPE_MAX + 32], sha[65];

	ssize_t n = sys_read_small_file(SELINUXFS "/policyvers", vers, sizeof vers);
	if (n < 0)
		return log_error_errno((int) n, "Cannot read " SELINUXFS "/policyvers: %m");
	unsigned max = (unsigned) strtoul(vers, NULL, 10);
	for (unsigned v = max; v >= 15 && v <= 64; v--) {
		(void) snprintf(path, sizeof path, "%s/%s/policy/policy.%u", store, type, v);
		n = policy_read(path, ctx->usr_dev, &buf, sha);
		if (n == -ENOENT)
			continue;
		if (n < 0)
			return log_error_errno((int) n, "Cannot read %s from the verified /usr: %m", path);
		if (strcmp(sha, ctx->selinux_sha256) != 0)
			return log_error_errno(-EPERM, "%s (SHA-256 %s) is what a reload would load, not the policy verinit "
						       "loaded (SHA-256 %s)",
					       path, sha, ctx->selinux_sha256);
		return 0;
	}
	return log_error_errno(-ENOENT, "%s/%s/policy/ has no policy.N a reload could load (N at most %u)", store,
			       type, max);
}

/* selinux.store=: a store on the verified /usr (an /etc/selinux tree, with the contexts systemd
 * labels by) whose config says verinit's mode and whose policy is the one loaded, bound read-only
 * over /sysroot/etc/selinux. Returns 0 or a logged error. */
static int selinux_bind_store(struct context *ctx) {
	const struct config *c = &ctx->cfg;
	const uint8_t *buf = NULL;
	char path[CONFIG_PATH_MAX + 16], sha[65], type[SEPOLICY_TYPE_MAX], fdpath[32];
	struct parse_error err = {};
	bool enforcing = false;

	ctx->reason = REASON_SELINUX_LOAD;
	(void) snprintf(path, sizeof path, "%s/config", c->selinux_store);
	ssize_t n = policy_read(path, ctx->usr_dev, &buf, sha);
	if (n < 0)
		return log_error_errno((int) n, "Cannot read %s from the verified /usr%s: %m", path,
				       n == -EXDEV ? " (it resolves off it)" : "");
	int r = sepolicy_config_parse((const char *) buf, (size_t) n, &enforcing, type, &err);
	if (r < 0)
		return log_error_errno(r, "%s, line %u: %s", path, err.line, err.msg);
	if (enforcing != (c->selinux_mode == SELINUX_ENFORCING))
		return log_error_errno(-EPERM, "%s says SELINUX=%s where selinux.mode=%s: a reload would change the mode",
				       path, enforcing ? "enforcing" : "permissive", selinux_mode_to_string(c->selinux_mode));
	r = store_policy_matches(ctx, type);
	if (r < 0)
		return r;

	r = store_target(ctx);
	if (r < 0)
		return r;
	/* The directory itself, resolved inside the new root and on the dm-verity device; mounted
	 * through its fd, so what was checked is what is bound. */
	_cleanup_close_ int rootfd = sys->open("/sysroot", O_RDONLY | O_DIRECTORY, 0);
	if (rootfd < 0)
		return log_error_errno(rootfd, "Cannot open the new root: %m");
	_cleanup_close_ int dirfd = verified_open_dir(rootfd, c->selinux_store, ctx->usr_dev);
	if (dirfd < 0)
		return log_error_errno(dirfd, "selinux.store=%s is not a directory on the verified /usr: %m", c->selinux_store);
	(void) snprintf(fdpath, sizeof fdpath, "/proc/self/fd/%d", dirfd);
	r = sys->mount(fdpath, STORE, NULL, MS_BIND, NULL);
	if (r >= 0)
		r = sys->mount(NULL, STORE, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	if (r < 0)
		return log_error_errno(r, "Cannot bind selinux.store=%s read-only on " STORE ": %m", c->selinux_store);
	ctx->reason = REASON_NONE;
	log_info("%s is selinux.store=%s (SELINUX=%s, SELINUXTYPE=%s, its policy the loaded one), read-only", STORE,
		 c->selinux_store, enforcing ? "enforcing" : "permissive", type);
	return 0;
}

static int selinux_load(struct context *ctx) {
	const struct config *c = &ctx->cfg;
	const bool enforcing = c->selinux_mode == SELINUX_ENFORCING;
	struct parse_error err = {};
	const uint8_t *blob = NULL;
	unsigned version = 0;
	char mode[8];

	int r = selinux_active();
	if (r <= 0)
		return stage_fail(ctx, REASON_SELINUX_UNAVAILABLE, r < 0 ? r : -EOPNOTSUPP,
				  "SELinux is not active in this kernel (" SECURITYFS "/lsm does not list it): its "
				  "command line needs an lsm= word that includes selinux (e.g. "
				  "lsm=lockdown,capability,landlock,yama,selinux,ipe)");
	ssize_t n = policy_read(c->selinux_policy, ctx->usr_dev, &blob, ctx->selinux_sha256);
	if (n < 0)
		return stage_fail(ctx, REASON_POLICY_UNVERIFIED, (int) n,
				  "Cannot read the SELinux policy %s from verified storage%s: %m", c->selinux_policy,
				  n == -EXDEV ? " (it is not on the initramfs or the dm-verity /usr)" : "");
	ctx->reason = REASON_SELINUX_LOAD;
	r = sepolicy_version(blob, (size_t) n, &version, &err);
	if (r < 0)
		return log_error_errno(r, "SELinux policy %s: %s", c->selinux_policy, err.msg);
	r = sys->mount("selinuxfs", SELINUXFS, "selinuxfs", MS_NOSUID | MS_NOEXEC, NULL);
	if (r < 0 && r != -EBUSY)
		return log_error_errno(r, "Cannot mount selinuxfs on %s: %m", SELINUXFS);

	/* One write: the kernel parses what a single write brings ("ebitmap: truncated map" otherwise). */
	r = policy_write(SELINUXFS "/load", blob, (size_t) n);
	if (r < 0)
		return log_error_errno(r, "The kernel refused the SELinux policy %s: %m", c->selinux_policy);
	r = sys_write_file(SELINUXFS "/enforce", enforcing ? "1" : "0");
	if (r < 0)
		return log_error_errno(r, "Cannot set SELinux %s: %m", selinux_mode_to_string(c->selinux_mode));
	/* What is measured is what the kernel reads back, not what was asked for. */
	ssize_t m = sys_read_small_file(SELINUXFS "/enforce", mode, sizeof mode);
	if (m < 0)
		return log_error_errno((int) m, "Cannot read back " SELINUXFS "/enforce: %m");
	if (strcmp(mode, enforcing ? "1" : "0") != 0)
		return log_error_errno(-EPERM, "SELinux reads back enforce=%.2s after verinit set %s", mode,
				       enforcing ? "1" : "0");
	if (c->selinux_lock == SELINUX_LOCK_YES) {
		r = selinux_lock();
		if (r == -ENOENT)
			return log_error_errno(r, "The SELinux policy %s defines no " SEPOLICY_LOCK_BOOL " boolean: nothing "
						  "would stop a later reload or setenforce 0 (selinux.lock=no accepts that)",
					       c->selinux_policy);
		if (r < 0)
			return log_error_errno(r, "Cannot set " SEPOLICY_LOCK_BOOL " in the SELinux policy %s: %m",
					       c->selinux_policy);
		ctx->selinux_locked = true;
	}
	r = c->selinux_store[0] ? selinux_bind_store(ctx) : selinux_store(ctx, blob, (size_t) n, version);
	if (r < 0)
		return r;
	ctx->reason = REASON_NONE;
	log_info("SELinux policy %s loaded, %s%s (SHA-256 %s)", c->selinux_policy, selinux_mode_to_string(c->selinux_mode),
		 ctx->selinux_locked ? ", locked" : "", ctx->selinux_sha256);
	stage_status(ctx, "%s%s", selinux_mode_to_string(c->selinux_mode), ctx->selinux_locked ? ", locked" : "");
	return 0;
}

int stage_selinux(struct context *ctx) {
	const struct config *c = &ctx->cfg;

	if (!c->selinux_policy[0]) {
		stage_status(ctx, "none configured");
		return 0;
	}
	return policy_result(ctx, selinux_load(ctx), c->selinux, "selinux", c->selinux_policy, ctx->selinux_error,
			     ctx->selinux_sha256);
}
