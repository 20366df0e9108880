/* SPDX-License-Identifier: MIT */
/* Activates /dev/mapper/usr read-only from the verified root hash. The kernel checks the same
 * signature against its own keyrings (secondary, then platform: the UEFI db).
 * Left raw: the pread of the hash tree's top, which comes after libcryptsetup's crypt_load(): the
 * stage needs a real device, so its faults are the QEMU cases'. */
#include <errno.h>
#include <fcntl.h>
#include <libcryptsetup.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "discover.h"
#include "fssize.h"
#include "hexb64.h"
#include "log.h"
#include "macro.h"
#include "stage.h"
#include "stages.h"
#include "sysops.h"
#include "veritytop.h"

static void crypt_to_log(int level, const char *msg, void *usrptr) {
	struct context *ctx = usrptr;
	char line[256], shown[512];

	if (strstr(msg, "Required key not available"))
		ctx->crypt_saw_nokey = true;
	/* libcryptsetup ends its lines with a newline of its own, and quotes what it read from the
	 * disk (a superblock's fields): escaped, so that no byte of the disk's forges a console line. */
	(void) snprintf(line, sizeof line, "%.*s", (int) strcspn(msg, "\n"), msg);
	label_escape(line, shown, sizeof shown);
	log_internal(level == CRYPT_LOG_ERROR ? LOG_WARNING : LOG_DEBUG, 0, "libcryptsetup: %s", shown);
}

DEFINE_TRIVIAL_CLEANUP_FUNC(struct crypt_device *, crypt_free);

static uint32_t corruption_flag(enum verity_mode m) {
	switch (m) {
	case VERITY_PANIC:
		return CRYPT_ACTIVATE_PANIC_ON_CORRUPTION;
	case VERITY_EIO:
		return 0; /* dm-verity's default: the read fails */
	case VERITY_RESTART:
	default:
		return CRYPT_ACTIVATE_RESTART_ON_CORRUPTION;
	}
}

/* The tree must belong to the signed root hash before anything is activated: dm-verity compares
 * only what is read, so a valid signature over another image's root hash next to this hash tree
 * (devices named on the command line, which no PARTUUID rule binds) would come up and fail at the
 * first read of /usr as a restart with no reason. The top block's salted hash is the root hash.
 * Its one read is a raw pread(2), as libcryptsetup's own reads of the same devices are: the verity
 * stage is proved by the QEMU cases, not the fault injection. */
static int check_top_hash(struct context *ctx, struct crypt_device *cd) {
	static uint8_t block[VERITY_BLOCK_MAX];
	struct crypt_params_verity vp = {};
	uint8_t top[32];
	uint64_t offset = 0;
	size_t size = 0;
	bool on_data = false;

	int r = crypt_get_verity_info(cd, &vp);
	if (r < 0)
		return stage_fail(ctx, REASON_VERITY, r, "Cannot read the dm-verity parameters of %s: %m", ctx->dev_hash);
	const struct verity_geometry g = {
		.hash_name = vp.hash_name,
		.hash_type = vp.hash_type,
		.data_block_size = vp.data_block_size,
		.hash_block_size = vp.hash_block_size,
		.data_blocks = vp.data_size,
		.hash_area_offset = vp.hash_area_offset,
		.superblock = !(vp.flags & CRYPT_VERITY_NO_HEADER),
		.salt = (const uint8_t *) vp.salt,
		.salt_size = vp.salt_size,
	};
	r = verity_top_block(&g, &offset, &size, &on_data);
	if (r < 0)
		return stage_fail(ctx, REASON_VERITY_MISMATCH, r,
				  "The dm-verity superblock on %s (format %u, %s, blocks %u/%u) cannot carry "
				  "the signed SHA-256 root hash",
				  ctx->dev_hash, vp.hash_type, vp.hash_name ? vp.hash_name : "no hash",
				  vp.data_block_size, vp.hash_block_size);
	const char *dev = on_data ? ctx->dev_data : ctx->dev_hash;
	_cleanup_close_ int fd = sys->open(dev, O_RDONLY | O_NOCTTY, 0);
	if (fd < 0)
		return log_error_errno(fd, "Cannot open %s: %m", dev);
	ssize_t n = pread(fd, block, size, (off_t) offset);
	if (n < 0)
		return log_error_errno(negative_errno(), "Cannot read the top of the hash tree from %s: %m", dev);
	if ((size_t) n != size)
		return stage_fail(ctx, REASON_VERITY_MISMATCH, -EBADMSG,
				  "%s ends before the top of its hash tree (%zu bytes at %llu)", dev, size,
				  (unsigned long long) offset);
	r = verity_top_hash(&g, block, size, on_data, top);
	if (r < 0)
		return log_error_errno(r, "Cannot hash the top of the hash tree: %m");
	if (memcmp(top, ctx->sig.root_hash, sizeof top) != 0) {
		char hex[65];
		(void) hex_encode(top, sizeof top, hex, sizeof hex);
		return stage_fail(ctx, REASON_VERITY_MISMATCH, -EBADMSG,
				  "The hash tree on %s has root hash %s, not the signed %s; refusing "
				  "to activate it",
				  ctx->dev_hash, hex, ctx->sig.root_hash_hex);
	}
	return 0;
}

int verity_usr_fits(struct context *ctx, int fd, uint64_t dev_size) {
	static uint8_t head[FSSIZE_HEAD];
	struct parse_error err = {};
	uint64_t span = 0;
	size_t len = 0;

	/* Reads until the head is full or the device ends (a device smaller than FSSIZE_HEAD). */
	while (len < sizeof head) {
		ssize_t n = sys->read(fd, head + len, sizeof head - len);
		if (n < 0)
			return log_error_errno((int) n, "Cannot read the start of /dev/mapper/usr: %m");
		if (n == 0)
			break;
		len += (size_t) n;
	}
	int r = fssize_span(ctx->cfg.usr_fstype, head, len, &span, &err);
	if (r < 0) {
		/* The bytes are the signed image's: it is not of the configured type, and would not mount. */
		return stage_fail(ctx, REASON_MOUNT, r, "/dev/mapper/usr is not the %s usr.fstype names: %s",
				  ctx->cfg.usr_fstype, err.msg);
	}
	if (span > dev_size)
		return stage_fail(ctx, REASON_VERITY_MISMATCH, -EBADMSG,
				  "/usr's %s spans %llu bytes, /dev/mapper/usr holds only %llu (data_blocks "
				  "in the hash tree's superblock on %s is smaller than the file system)",
				  ctx->cfg.usr_fstype, (unsigned long long) span, (unsigned long long) dev_size,
				  ctx->dev_hash);
	return 0;
}

/* The size of /dev/mapper/usr as the kernel serves it: data_blocks of the superblock. */
static int usr_fits_device(struct context *ctx) {
	uint64_t size = 0;
	_cleanup_close_ int fd = sys->open("/dev/mapper/usr", O_RDONLY | O_NOCTTY, 0);
	if (fd < 0)
		return log_error_errno(fd, "Cannot open /dev/mapper/usr: %m");
	int r = sys->blkgetsize64(fd, &size);
	if (r < 0)
		return log_error_errno(r, "Cannot size /dev/mapper/usr: %m");
	return verity_usr_fits(ctx, fd, size);
}

int stage_verity(struct context *ctx) {
	_cleanup_(crypt_freep) struct crypt_device *cd = NULL;
	struct crypt_params_verity params = { .flags = 0 };
	uint32_t flags = CRYPT_ACTIVATE_READONLY | corruption_flag(ctx->cfg.verity_on_corruption);
	int r;

	if (ctx->cfg.usr_discovery == USR_DISCOVERY_PARTUUID) {
		r = devices_await_by_roothash(ctx);
		if (r < 0)
			return r;
	}
	crypt_set_log_callback(NULL, crypt_to_log, ctx);
	r = crypt_init_data_device(&cd, ctx->dev_hash, ctx->dev_data);
	if (r < 0)
		return log_error_errno(r, "Cannot open %s and %s for dm-verity: %m", ctx->dev_data, ctx->dev_hash);
	crypt_set_log_callback(cd, crypt_to_log, ctx);
	/* Every parameter (block sizes, salt, data size) from the verity superblock on the hash device. */
	r = crypt_load(cd, CRYPT_VERITY, &params);
	if (r < 0)
		return stage_fail(ctx, REASON_VERITY, r, "No valid dm-verity superblock on %s: %m", ctx->dev_hash);
	r = check_top_hash(ctx, cd);
	if (r < 0)
		return r;

	ctx->crypt_saw_nokey = false;
	r = crypt_activate_by_signed_key(cd, "usr", (const char *) ctx->sig.root_hash, sizeof ctx->sig.root_hash,
					 (const char *) ctx->sig.signature, ctx->sig.signature_len, flags);
	if (r < 0 && ctx->crypt_saw_nokey)
		r = -ENOKEY;
	if (r == -ENOKEY && ctx->cfg.kernel_verify == REQUIREMENT_OPTIONAL) {
		log_warning("The kernel has no key for the /usr signature; activating on verinit's own check "
			    "(kernel_verify=optional), recorded in the boot report");
		r = crypt_activate_by_volume_key(cd, "usr", (const char *) ctx->sig.root_hash,
						 sizeof ctx->sig.root_hash, flags);
		ctx->kernel_verified = false;
	} else if (r >= 0)
		ctx->kernel_verified = true;
	if (r < 0)
		return stage_fail(ctx, r == -ENOKEY ? REASON_KERNEL_UNTRUSTED : REASON_VERITY, r,
				  "Cannot activate dm-verity for /usr%s: %m",
				  r == -ENOKEY ? " (the kernel does not trust the signer)" : "");
	/* The root hash does not always cover data_blocks (lib/fssize.h): a device shorter than its file
	 * system is refused here, by name, not at the first read past its end. */
	r = usr_fits_device(ctx);
	if (r < 0)
		return r;
	stage_status(ctx, "root hash %.12s..., %s", ctx->sig.root_hash_hex,
		     ctx->kernel_verified ? "kernel verified the signature" : "WITHOUT the kernel's check");
	log_info("Activated /dev/mapper/usr from %s + %s, root hash %s, kernel %s the signature", ctx->dev_data,
		 ctx->dev_hash, ctx->sig.root_hash_hex, ctx->kernel_verified ? "verified" : "did not verify");
	return 0;
}
