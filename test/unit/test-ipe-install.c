/* SPDX-License-Identifier: MIT */
/* Loading an IPE policy against a fake securityfs that answers as the 6.12 kernel did in the lab:
 * EEXIST for a loaded name, ESTALE for an update that is not newer, ENOKEY/EBADMSG for a bad blob. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <sys/stat.h>

#include "fakesys.h"
#include "ipe-install.h"
#include "policy.h"

#define IPE "/sys/kernel/security/ipe/"
#define POL IPE "policies/verinit_default/"

/* The fake securityfs: each file a memfd; a write to one may fail with a set errno. */
static struct file {
	const char *path;
	int fd, write_errno, writes;
} files[] = {
	/* clang-format off */
	{ .path = IPE "new_policy" }, { .path = IPE "enforce" }, { .path = POL "version" },
	{ .path = POL "pkcs7" },      { .path = POL "update" },   { .path = POL "active" },
	/* clang-format on */
};
enum {
	NEW_POLICY,
	ENFORCE,
	VERSION,
	PKCS7,
	UPDATE,
	ACTIVE
};

static int sfs_open(const char *path, int flags, mode_t mode) {
	(void) flags, (void) mode;
	for (size_t i = 0; i < ELEMENTSOF(files); i++)
		if (strcmp(path, files[i].path) == 0) {
			lseek(files[i].fd, 0, SEEK_SET);
			return dup(files[i].fd);
		}
	return fake_open(path, flags, mode);
}

static ssize_t sfs_write(int fd, const void *buf, size_t len) {
	struct stat a;
	for (size_t i = 0; i < ELEMENTSOF(files); i++) {
		struct stat b;
		if (fstat(fd, &a) == 0 && fstat(files[i].fd, &b) == 0 && a.st_ino == b.st_ino) {
			files[i].writes++;
			if (files[i].write_errno)
				return -files[i].write_errno;
			ftruncate(files[i].fd, 0);
			return pwrite(files[i].fd, buf, len, 0);
		}
	}
	return fake_write(fd, buf, len);
}

static struct sys_ops ops;
static struct context ctx;
static const uint8_t blob[] = "signed policy bytes";
static const struct ipe_version v1 = { 1, 0, 0 }, v2 = { 2, 0, 0 };

static void put(int which, const char *text) {
	ftruncate(files[which].fd, 0);
	pwrite(files[which].fd, text, strlen(text), 0);
}

static int setup(void **state) {
	int r = fake_setup(state);
	ops = fake_ops;
	ops.open = sfs_open;
	ops.write = sfs_write;
	sys_set_ops(&ops);
	for (size_t i = 0; i < ELEMENTSOF(files); i++) {
		files[i].fd = memfd_create(files[i].path, MFD_CLOEXEC);
		files[i].write_errno = files[i].writes = 0;
	}
	memset(&ctx, 0, sizeof ctx);
	config_defaults(&ctx.cfg);
	strcpy(ctx.cfg.ipe_policy, "/etc/verinit/ipe/default.p7s");
	return r;
}

static int teardown(void **state) {
	for (size_t i = 0; i < ELEMENTSOF(files); i++)
		close(files[i].fd);
	return fake_teardown(state);
}

static void test_fresh_load_enforce(void **state) {
	(void) state;
	assert_int_equal(ipe_install(&ctx, "verinit_default", &v1, blob, sizeof blob), 0);
	assert_string_equal(fake_read(files[NEW_POLICY].fd), (const char *) blob);
	assert_string_equal(fake_read(files[ACTIVE].fd), "1");
	assert_string_equal(fake_read(files[ENFORCE].fd), "1");
	assert_int_equal(files[UPDATE].writes, 0);
	assert_int_equal(ctx.reason, REASON_NONE);
}

static void test_audit_mode(void **state) {
	(void) state;
	ctx.cfg.ipe_mode = IPE_AUDIT;
	assert_int_equal(ipe_install(&ctx, "verinit_default", &v1, blob, sizeof blob), 0);
	assert_string_equal(fake_read(files[ENFORCE].fd), "0");
}

/* Loaded already with exactly these bytes: activate it, no update. */
static void test_loaded_same(void **state) {
	(void) state;
	files[NEW_POLICY].write_errno = EEXIST;
	put(VERSION, "1.0.0\n");
	ftruncate(files[PKCS7].fd, 0);
	pwrite(files[PKCS7].fd, blob, sizeof blob, 0);
	assert_int_equal(ipe_install(&ctx, "verinit_default", &v1, blob, sizeof blob), 0);
	assert_int_equal(files[UPDATE].writes, 0);
	assert_string_equal(fake_read(files[ACTIVE].fd), "1");
}

/* An older one is loaded: ours replaces it through update. */
static void test_update_newer(void **state) {
	(void) state;
	files[NEW_POLICY].write_errno = EEXIST;
	put(VERSION, "1.0.0\n");
	put(PKCS7, "older bytes");
	assert_int_equal(ipe_install(&ctx, "verinit_default", &v2, blob, sizeof blob), 0);
	assert_int_equal(files[UPDATE].writes, 1);
	assert_string_equal(fake_read(files[UPDATE].fd), (const char *) blob);
}

/* A newer one is loaded: never downgraded, named, nothing written to update or active. */
static void test_downgrade_refused(void **state) {
	(void) state;
	files[NEW_POLICY].write_errno = EEXIST;
	put(VERSION, "2.0.0\n");
	assert_int_equal(ipe_install(&ctx, "verinit_default", &v1, blob, sizeof blob), -EPERM);
	assert_int_equal(ctx.reason, REASON_IPE_DOWNGRADE);
	assert_int_equal(files[UPDATE].writes, 0);
	assert_int_equal(files[ACTIVE].writes, 0);
	assert_non_null(strstr(fake_read(fake.kmsg), "1.0.0 is older than the loaded 2.0.0: refusing to downgrade"));
}

/* Same version, other bytes: the kernel's ESTALE is a downgrade too. */
static void test_same_version_other_bytes(void **state) {
	(void) state;
	files[NEW_POLICY].write_errno = EEXIST;
	files[UPDATE].write_errno = ESTALE;
	put(VERSION, "1.0.0");
	put(PKCS7, "other bytes");
	assert_int_equal(ipe_install(&ctx, "verinit_default", &v1, blob, sizeof blob), -ESTALE);
	assert_int_equal(ctx.reason, REASON_IPE_DOWNGRADE);
	assert_int_equal(files[ACTIVE].writes, 0);
}

static void test_kernel_errors(void **state) {
	static const struct {
		int err;
		enum reason reason;
	} cases[] = {
		/* clang-format off */
		{ ENOKEY, REASON_IPE_UNTRUSTED },   { EKEYREJECTED, REASON_IPE_UNTRUSTED },
		{ EBADMSG, REASON_IPE_MALFORMED },  { EINVAL, REASON_IPE_MALFORMED },
		{ ENOMEM, REASON_IPE },
		/* clang-format on */
	};
	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		ctx.reason = REASON_NONE;
		files[NEW_POLICY].write_errno = cases[i].err;
		assert_int_equal(ipe_install(&ctx, "verinit_default", &v1, blob, sizeof blob), -cases[i].err);
		assert_int_equal(ctx.reason, cases[i].reason);
	}
	assert_int_equal(files[ACTIVE].writes, 0);
	assert_int_equal(files[ENFORCE].writes, 0);
}

/* The kernel refuses activation (an active policy of a higher version): the boot stops there. */
static void test_activation_refused(void **state) {
	(void) state;
	files[ACTIVE].write_errno = EINVAL;
	assert_int_equal(ipe_install(&ctx, "verinit_default", &v1, blob, sizeof blob), -EINVAL);
	assert_int_equal(ctx.reason, REASON_IPE);
	assert_int_equal(files[ENFORCE].writes, 0);
}

/* A failed load: the stage's failure when the policy is required; recorded, not measured, when
 * it is optional. */
static void test_policy_result(void **state) {
	(void) state;
	strcpy(ctx.ipe_sha256, "aa");
	ctx.reason = REASON_IPE_UNTRUSTED;
	assert_int_equal(policy_result(&ctx, -ENOKEY, REQUIREMENT_REQUIRED, "ipe", "/p", ctx.ipe_error, ctx.ipe_sha256), -ENOKEY);
	assert_int_equal(ctx.reason, REASON_IPE_UNTRUSTED);
	assert_string_equal(ctx.ipe_error, "");
	assert_int_equal(policy_result(&ctx, 0, REQUIREMENT_OPTIONAL, "ipe", "/p", ctx.ipe_error, ctx.ipe_sha256), 0);
	assert_string_equal(ctx.ipe_sha256, "aa");

	assert_int_equal(policy_result(&ctx, -ENOKEY, REQUIREMENT_OPTIONAL, "ipe", "/p", ctx.ipe_error, ctx.ipe_sha256), 0);
	assert_string_equal(ctx.ipe_error, "IPE_UNTRUSTED: Required key not available");
	assert_string_equal(ctx.ipe_sha256, "");
	assert_int_equal(ctx.reason, REASON_NONE);
	assert_string_equal(ctx.status, "NOT loaded, ipe=optional");
	assert_non_null(strstr(fake_read(fake.kmsg), "ipe policy /p not loaded (ipe=optional)"));
}

int main(void) {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		/* clang-format off */
		T(test_fresh_load_enforce), T(test_audit_mode),	       T(test_loaded_same),
		T(test_update_newer),	    T(test_downgrade_refused), T(test_same_version_other_bytes),
		T(test_kernel_errors),	    T(test_activation_refused), T(test_policy_result),
		/* clang-format on */
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
