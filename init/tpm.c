/* SPDX-License-Identifier: MIT */
/* The tpm stage: waits for the TPM (after the modules: its driver may be one), refuses one with a
 * bank verinit cannot extend, and measures enter-initrd into pcr.phase. */
#include <errno.h>

#include "log.h"
#include "measurements.h"
#include "pcr-events.h"
#include "stage.h"
#include "stages.h"
#include "strbuf.h"
#include "sysops.h"
#include "tpm2.h"

#define POLL_US 50000

static void banks_text(unsigned banks, char *buf, size_t size) {
	size_t used = 0;
	buf[0] = '\0';
	for (int b = 0; b < _PCR_BANK_MAX; b++)
		if (banks & (1U << b))
			(void) strbuf_append(buf, size, &used, "%s%s", used ? " " : "", pcr_bank_name((enum pcr_bank) b));
}

int stage_tpm(struct context *ctx) {
	const struct config *c = &ctx->cfg;
	uint64_t deadline = sys->now_us() + (uint64_t) c->tpm_timeout * 1000000;
	struct eventlog_record rec;
	char banks[64];
	int r;

	measure_configure(ctx);
	measure_read_boot_id(&ctx->pcr);
	while ((r = measure_tpm_open(&ctx->pcr)) == -ENOENT && sys->now_us() < deadline)
		sys->sleep_us(POLL_US);
	if (r == -ENOENT && c->tpm == REQUIREMENT_OPTIONAL) {
		log_warning("No TPM (%s) after %u s; booting unmeasured (tpm=optional), recorded in the boot report",
			    TPM_DEVICE, c->tpm_timeout);
		stage_status(ctx, "no TPM, tpm=optional");
		return 0;
	}
	if (r == -ENOENT)
		return stage_fail(ctx, REASON_TPM_MISSING, r, "No TPM: %s did not appear within %u s (tpm=required)",
				  TPM_DEVICE, c->tpm_timeout);
	if (r < 0)
		return stage_fail(ctx, REASON_MEASURE, r, "Cannot use the TPM at %s: %m", TPM_DEVICE);
	ctx->tpm_present = true;
	ctx->tpm_banks = ctx->pcr.banks;

	r = measure_phase_record(ctx->pcr.phase, MEASURE_ENTER, ctx->pcr.banks, &rec);
	if (r >= 0)
		r = measure_event(ctx, &rec);
	if (r < 0)
		return stage_failed(ctx, REASON_MEASURE, r);
	banks_text(ctx->pcr.banks, banks, sizeof banks);
	stage_status(ctx, "%s into PCR %u, banks %s", MEASURE_ENTER, ctx->pcr.phase, banks);
	return 0;
}
