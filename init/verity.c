/* SPDX-License-Identifier: MIT */
/* Activates /dev/mapper/usr read-only from the verified root hash. The kernel checks the same
 * signature against its own keyrings (secondary, then platform: the UEFI db). */
#include <errno.h>
#include <libcryptsetup.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "stages.h"

/* libcryptsetup 2.6 reports a kernel that rejects the signature for want of a trusted key
 * (ENOKEY from the table reload) as -ENODEV; its log line is the only place that says ENOKEY. */
static bool kernel_lacks_key;

static void crypt_to_log(int level, const char *msg, void *usrptr) {
	(void) usrptr;
	if (strstr(msg, "Required key not available"))
		kernel_lacks_key = true;
	/* libcryptsetup ends its lines with a newline of its own. */
	log_internal(level == CRYPT_LOG_ERROR ? LOG_WARNING : LOG_DEBUG, 0, "libcryptsetup: %.*s",
		     (int) strcspn(msg, "\n"), msg);
}

static void crypt_freep(struct crypt_device **cd) {
	if (*cd)
		crypt_free(*cd);
}

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
	crypt_set_log_callback(NULL, crypt_to_log, NULL);
	r = crypt_init_data_device(&cd, ctx->dev_hash, ctx->dev_data);
	if (r < 0)
		return log_error_errno(r, "Cannot open %s and %s for dm-verity: %m", ctx->dev_data, ctx->dev_hash);
	crypt_set_log_callback(cd, crypt_to_log, NULL);
	/* Every parameter (block sizes, salt, data size) from the verity superblock on the hash device. */
	r = crypt_load(cd, CRYPT_VERITY, &params);
	if (r < 0) {
		ctx->reason = REASON_VERITY;
		return log_error_errno(r, "No valid dm-verity superblock on %s: %m", ctx->dev_hash);
	}

	kernel_lacks_key = false;
	r = crypt_activate_by_signed_key(cd, "usr", (const char *) ctx->sig.root_hash, sizeof ctx->sig.root_hash,
					 (const char *) ctx->sig.signature, ctx->sig.signature_len, flags);
	if (r < 0 && kernel_lacks_key)
		r = -ENOKEY;
	if (r == -ENOKEY && ctx->cfg.kernel_verify == KERNEL_VERIFY_OPTIONAL) {
		log_warning("The kernel has no key for the /usr signature; activating on verinit's own check "
			    "(kernel_verify=optional), recorded in the boot report");
		r = crypt_activate_by_volume_key(cd, "usr", (const char *) ctx->sig.root_hash,
						 sizeof ctx->sig.root_hash, flags);
		ctx->kernel_verified = false;
	} else if (r >= 0)
		ctx->kernel_verified = true;
	if (r < 0) {
		ctx->reason = r == -ENOKEY ? REASON_KERNEL_UNTRUSTED : REASON_VERITY;
		return log_error_errno(r, "Cannot activate dm-verity for /usr%s: %m",
				       r == -ENOKEY ? " (the kernel does not trust the signer)" : "");
	}
	(void) snprintf(ctx->status, sizeof ctx->status, "root hash %.12s..., %s", ctx->sig.root_hash_hex,
			ctx->kernel_verified ? "kernel verified the signature" : "WITHOUT the kernel's check");
	log_info("Activated /dev/mapper/usr from %s + %s, root hash %s, kernel %s the signature", ctx->dev_data,
		 ctx->dev_hash, ctx->sig.root_hash_hex, ctx->kernel_verified ? "verified" : "did not verify");
	return 0;
}
