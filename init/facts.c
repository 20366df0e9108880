/* SPDX-License-Identifier: MIT */
/* The measure stage: extends what was verified, and the settings in force, into pcr.facts
 * (lib/measurements.h says which facts). */
#include <string.h>

#include "log.h"
#include "measurements.h"
#include "pcr-events.h"
#include "stage.h"
#include "stages.h"

/* The usr partition's label, as the devices stage saw it ("" for a whole disk). */
static const char *usr_label(const struct context *ctx) {
	for (size_t i = 0; i < ctx->n_chosen; i++)
		if (strcmp(ctx->chosen[i].role, "usr") == 0)
			return ctx->chosen[i].part.name;
	return "";
}

int stage_measure(struct context *ctx) {
	struct eventlog_record recs[MEASURE_FACTS_MAX];
	char usr_flags[MEASURE_FLAGS_MAX];
	struct measure_facts f = {
		.root_hash_hex = ctx->sig.root_hash_hex,
		.signer_sha256 = ctx->signer_fpr,
		.kernel_verified = ctx->kernel_verified,
		.usr_label = usr_label(ctx),
		.pinned = ctx->cfg.usrhash[0] != '\0',
		.ipe_sha256 = ctx->ipe_sha256,
		.selinux_sha256 = ctx->selinux_sha256,
	};
	/* The modes the policy stages read back equal the config's, or they failed the boot. */
	measure_facts_settings(&f, &ctx->cfg, usr_flags);
	f.selinux_locked = ctx->selinux_locked;

	if (!ctx->tpm_present) {
		stage_status(ctx, "no TPM, tpm=optional");
		return 0;
	}
	ctx->reason = REASON_MEASURE;
	int n = measure_fact_records(ctx->pcr.facts, &f, ctx->pcr.banks, recs);
	if (n < 0)
		return log_error_errno(n, "Cannot build the measurements of what was verified: %m");
	for (int i = 0; i < n; i++) {
		int r = measure_event(ctx, &recs[i]);
		if (r < 0)
			return r;
	}
	stage_status(ctx, "%d facts into PCR %u", n, ctx->pcr.facts);
	return 0;
}
