/* SPDX-License-Identifier: MIT */
/* Reads the /usr root hash and its signature (the usr-verity-sig partition, or a .p7s file with
 * usrhash= on the command line) and verifies them against the enrolled certificates only. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "certs.h"
#include "hexb64.h"
#include "log.h"
#include "sigverify.h"
#include "stage.h"
#include "stages.h"
#include "sysops.h"

int signature_read_partition(struct context *ctx, const char *dev, struct verity_sig *out) {
	static uint8_t buf[SIGJSON_PARTITION_MAX];
	struct parse_error err = {};
	uint64_t size = 0;

	_cleanup_close_ int fd = sys->open(dev, O_RDONLY | O_NOCTTY, 0);
	if (fd < 0)
		return log_error_errno(fd, "Cannot open the signature partition %s: %m", dev);
	int r = sys->blkgetsize64(fd, &size);
	if (r < 0)
		return log_error_errno(r, "Cannot size %s: %m", dev);
	if (size > (uint64_t) SIGJSON_PARTITION_MAX) { /* systemd-repart writes 16 KiB */
		return stage_fail(ctx, REASON_SIG_MALFORMED, -E2BIG, "The signature partition %s is %llu bytes, more than %d",
				  dev, (unsigned long long) size, SIGJSON_PARTITION_MAX);
	}
	ssize_t n = sys_read_full(fd, buf, sizeof buf);
	if (n < 0)
		return log_error_errno((int) n, "Cannot read %s: %m", dev);
	r = sigjson_parse(buf, (size_t) n, out, &err);
	if (r < 0)
		return stage_fail(ctx, REASON_SIG_MALFORMED, r, "Signature partition %s: %s", dev, err.msg);
	return 0;
}

/* Read again here, not kept from discovery: what is verified is what this read returned, and it
 * must still be the root hash that chose the slot's partitions. */
static int read_sig_partition(struct context *ctx) {
	int r = signature_read_partition(ctx, ctx->dev_sig, &ctx->sig);
	if (r < 0)
		return r;
	if (ctx->slot_chosen && memcmp(ctx->slot_root_hash, ctx->sig.root_hash, sizeof ctx->slot_root_hash) != 0)
		return stage_fail(ctx, REASON_SIG_MALFORMED, -EBADMSG,
				  "The signature partition %s changed while it was read (rootHash now %s)", ctx->dev_sig,
				  ctx->sig.root_hash_hex);
	return 0;
}

static int read_sig_file(struct context *ctx) {
	const char *path = ctx->cfg.usr_signature;
	size_t len = 0;

	/* A detached file carries no root hash: the command line's usrhash= names it. */
	if (!ctx->cfg.usrhash[0])
		return stage_fail(ctx, REASON_SIG_MISSING, -ENOKEY, "usr.signature=%s needs usrhash= on the kernel command line",
				  path);
	int r = hex_decode(ctx->cfg.usrhash, strlen(ctx->cfg.usrhash), ctx->sig.root_hash,
			   sizeof ctx->sig.root_hash, &len);
	if (r < 0 || len != sizeof ctx->sig.root_hash)
		return log_error_errno(-EINVAL, "usrhash= is not a SHA-256 root hash");
	memcpy(ctx->sig.root_hash_hex, ctx->cfg.usrhash, sizeof ctx->sig.root_hash_hex);

	_cleanup_close_ int fd = sys->open(path, O_RDONLY | O_NOCTTY | O_NOFOLLOW, 0);
	if (fd < 0)
		return stage_fail(ctx, REASON_SIG_MISSING, fd, "Cannot open %s: %m", path);
	ssize_t n = sys_read_full(fd, ctx->sig.signature, sizeof ctx->sig.signature);
	if (n <= 0)
		return stage_fail(ctx, REASON_SIG_MALFORMED, n < 0 ? (int) n : -EBADMSG, "Cannot read a signature from %s: %m",
				  path);
	ctx->sig.signature_len = (size_t) n;
	log_info("Read the /usr signature from %s (the initramfs), over usrhash=%s", path, ctx->sig.root_hash_hex);
	return 0;
}

static enum reason verify_reason(int r) {
	switch (r) {
	case -ENOKEY:
		return REASON_SIG_UNTRUSTED;
	case -EKEYREJECTED:
		return REASON_SIG_INVALID;
	default:
		return REASON_SIG_MALFORMED;
	}
}

int stage_signature(struct context *ctx) {
	_cleanup_(certs_free) struct cert_set certs = {};
	struct sigverify_result res = {};
	struct parse_error err = {};
	int r = ctx->cfg.usr_signature[0] == '/' ? read_sig_file(ctx) : read_sig_partition(ctx);
	if (r < 0)
		return r;

	_cleanup_close_ int dirfd = sys->open(ctx->cfg.certificates, O_RDONLY | O_DIRECTORY, 0);
	if (dirfd < 0)
		return stage_fail(ctx, REASON_CERTS, dirfd, "Cannot open the enrolled certificates %s: %m",
				  ctx->cfg.certificates);
	r = certs_load_dir(&certs, dirfd, &err);
	if (r < 0 || certs.n == 0)
		return stage_fail(ctx, REASON_CERTS, r < 0 ? r : -ENOKEY, "Enrolled certificates in %s: %s",
				  ctx->cfg.certificates, r < 0 ? err.msg : "none");

	r = sigverify_detached(&certs, ctx->sig.signature, ctx->sig.signature_len, ctx->sig.root_hash_hex,
			       ctx->sig.has_fingerprint ? ctx->sig.fingerprint : NULL, &res, &err);
	if (r < 0)
		return stage_fail(ctx, verify_reason(r), r, "The /usr root hash %s is not validly signed: %s",
				  ctx->sig.root_hash_hex, err.msg);
	/* usrhash= pins the one image this boot may use: a validly signed other one is refused. */
	if (ctx->cfg.usrhash[0] && strcmp(ctx->cfg.usrhash, ctx->sig.root_hash_hex) != 0)
		return stage_fail(ctx, REASON_USRHASH_MISMATCH, -EKEYREJECTED,
				  "usrhash=%s on the command line, but the signed root hash is %s", ctx->cfg.usrhash,
				  ctx->sig.root_hash_hex);
	(void) snprintf(ctx->signer, sizeof ctx->signer, "%s", res.signer_subject);
	(void) snprintf(ctx->signer_fpr, sizeof ctx->signer_fpr, "%s", res.signer_fingerprint);
	log_info("/usr root hash %s signed by %s (SHA-256 %s)", ctx->sig.root_hash_hex, ctx->signer, ctx->signer_fpr);
	stage_status(ctx, "signer %s", ctx->signer);
	return 0;
}
