/* SPDX-License-Identifier: MIT */
/* Left raw: verified_open()'s openat2 resolution (lib/sys/switchroot.c) on the root fd sys->open gave,
 * as in handover.c. */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "hexb64.h"
#include "log.h"
#include "macro.h"
#include "pcr.h"
#include "policy.h"
#include "stage.h"
#include "switchroot.h"
#include "sysops.h"

static bool under_usr(const char *path) {
	return strncmp(path, "/usr/", 5) == 0; /* "/usrx/..." is not /usr */
}

ssize_t policy_read(const char *path, dev_t usr_dev, const uint8_t **ret, char sha256_hex[static 65]) {
	static uint8_t buf[POLICY_MAX + 1];
	const char *root = under_usr(path) ? "/sysroot" : "/";
	uint8_t digest[PCR_DIGEST_MAX];
	struct stat st = { .st_dev = usr_dev };

	/* The device to be on: the dm-verity /usr, or the initramfs (inside the signed UKI). */
	int r = under_usr(path) ? 0 : sys->stat("/", &st);
	if (r < 0)
		return r;
	_cleanup_close_ int rootfd = sys->open(root, O_RDONLY | O_DIRECTORY, 0);
	if (rootfd < 0)
		return rootfd;
	_cleanup_close_ int fd = verified_open(rootfd, path, st.st_dev);
	if (fd < 0)
		return fd;
	ssize_t n = sys_read_full(fd, buf, POLICY_MAX);
	if (n < 0)
		return n;
	r = pcr_hash(PCR_BANK_SHA256, buf, (size_t) n, digest);
	if (r < 0)
		return r;
	(void) hex_encode(digest, 32, sha256_hex, 65);
	*ret = buf;
	return n;
}

int policy_result(struct context *ctx, int r, enum requirement requirement, const char *what, const char *path,
		  char error[static 128], char sha256[static 65]) {
	if (r >= 0 || requirement != REQUIREMENT_OPTIONAL)
		return r;
	(void) snprintf(error, 128, "%s: %s", reason_to_string(ctx->reason), strerror(-r));
	log_warning("%s policy %s not loaded (%s=optional): %s; recorded in the boot report", what, path, what, error);
	ctx->reason = REASON_NONE;
	sha256[0] = '\0';
	stage_status(ctx, "NOT loaded, %s=optional", what);
	return 0;
}

int policy_write(const char *file, const void *buf, size_t len) {
	_cleanup_close_ int fd = sys->open(file, O_WRONLY | O_NOCTTY, 0);
	if (fd < 0)
		return fd;
	ssize_t n = sys->write(fd, buf, len);
	if (n < 0)
		return (int) n;
	return (size_t) n == len ? 0 : -EIO;
}
