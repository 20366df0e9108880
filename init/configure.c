/* SPDX-License-Identifier: MIT */
/* Reads /etc/verinit.conf (inside the signed UKI, so trusted) and the kernel command line, which
 * may narrow the configuration but never weaken it. */
#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <unistd.h>

#include "cmdline.h"
#include "log.h"
#include "pcr-events.h"
#include "stage.h"
#include "stages.h"
#include "sysops.h"

static void apply_failure_policy(struct context *ctx) {
	ctx->fail = (struct fail_policy){ ctx->cfg.failure, ctx->cfg.failure_delay };
}

int stage_config(struct context *ctx) {
	static char buf[CONFIG_FILE_MAX + 1];
	static struct cmdline cl;
	struct parse_error err = {};

	/* OpenSSL (ours, tpm2-tss's, libcryptsetup's) takes no settings from an openssl.cnf or from
	 * OPENSSL_CONF: PID 1's crypto is what was built and signed. Not looking for one also saves a
	 * fifth of a signature check's CPU time. */
	if (OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL) != 1)
		return log_error_errno(-ENOMEM, "Cannot initialise OpenSSL");
	ssize_t n = sys_read_small_file("/etc/verinit.conf", buf, sizeof buf);
	if (n < 0)
		return log_error_errno((int) n, "Cannot read /etc/verinit.conf: %m");
	int r = config_parse(buf, (size_t) n, &ctx->cfg, &err);
	if (r < 0)
		return log_error_errno(r, "/etc/verinit.conf:%u: %s", err.line, err.msg);
	/* From here on, a failure ends as the image builder configured. */
	apply_failure_policy(ctx);

	n = sys_read_small_file("/proc/cmdline", buf, CMDLINE_MAX + 2);
	if (n < 0)
		return stage_fail(ctx, REASON_CMDLINE, (int) n, "Cannot read /proc/cmdline: %m");
	r = cmdline_parse(buf, (size_t) n, &cl, &err);
	if (r < 0)
		return stage_fail(ctx, REASON_CMDLINE, r, "Kernel command line, word %u: %s", err.line, err.msg);
	r = cmdline_apply(&cl, &ctx->cfg, &err);
	if (r < 0)
		return stage_fail(ctx, r == -EPERM ? REASON_CMDLINE_WEAKENS : REASON_CMDLINE, r,
				  "Kernel command line, word %u, refused: %s", err.line, err.msg);
	apply_failure_policy(ctx);
	/* A failure in a later stage, even one before the TPM stage, is measured where the verifier
	 * of this image looks. */
	measure_configure(ctx);
	if (ctx->cfg.debug)
		log_set_max_level(LOG_DEBUG);
	log_info("Configuration: /usr by %s%s, %s, kernel verification %s, dm-verity on corruption: %s, init %s",
		 usr_discovery_to_string(ctx->cfg.usr_discovery),
		 ctx->cfg.usr_slots == USR_SLOTS_NEWEST ? " (newest slot)" : "",
		 ctx->cfg.usrhash[0] ? "root hash pinned by usrhash=" : "no pinned root hash",
		 requirement_to_string(ctx->cfg.kernel_verify), verity_mode_to_string(ctx->cfg.verity_on_corruption),
		 ctx->cfg.init);
	return 0;
}
