/* SPDX-License-Identifier: MIT */
/* attest_verify(): the checks of a remote attestation, in the order attest.h gives. Each check
 * trusts only what the ones before it established: the AK (given), then the quote (its
 * signature), then the PCR values (the quote's digest of them), then the logs (they replay to
 * those values), then the facts (they are in a log that replays). */
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "attest.h"
#include "macro.h"
#include "measurements.h"

static const char *const names[_ATTEST_FAILURE_MAX] = {
	[ATTEST_MALFORMED] = "MALFORMED",
	[ATTEST_AK] = "AK",
	[ATTEST_SIGNATURE] = "SIGNATURE",
	[ATTEST_QUOTE] = "QUOTE",
	[ATTEST_NONCE] = "NONCE",
	[ATTEST_PCR_DIGEST] = "PCR_DIGEST",
	[ATTEST_SELECTION] = "SELECTION",
	[ATTEST_LOG] = "LOG",
	[ATTEST_REFERENCE] = "REFERENCE",
	[ATTEST_REQUIRE] = "REQUIRE",
};

const char *attest_failure_name(enum attest_failure f) {
	return f > ATTEST_PASS && f < _ATTEST_FAILURE_MAX ? names[f] : NULL;
}

_printf_(3, 4) static int fail(struct attest_result *out, enum attest_failure f, const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	(void) vsnprintf(out->detail, sizeof out->detail, fmt, ap);
	va_end(ap);
	out->failure = f;
	return 0;
}

/* The AK, the signature over the quote's bytes, and then the quote itself: whose, what, when. */
static int check_quote(const struct attest_evidence *e, const struct attest_policy *p, struct tpm2_public *ak,
		       struct tpm2_signature *sig, struct attest_result *out) {
	struct parse_error err = {};
	uint32_t bad = 0;
	const char *why = NULL;

	if (tpm2_public_parse(e->ak_public, e->ak_public_len, ak, &err) < 0)
		return fail(out, ATTEST_MALFORMED, "AK public area: %s", err.msg);
	if (tpm2_public_check_ak(ak, &bad) < 0)
		return fail(out, ATTEST_AK, "the key's attributes 0x%08x are wrong in 0x%08x: an AK is restricted, sign, "
					    "fixedTPM, fixedParent and not decrypt",
			    ak->attributes, bad);
	int n = tpm2_public_name(ak, out->ak_name);
	if (n < 0)
		return n;
	out->ak_name_len = (size_t) n;
	if (tpm2_signature_parse(e->signature, e->signature_len, sig, &err) < 0)
		return fail(out, ATTEST_MALFORMED, "signature: %s", err.msg);
	out->sig_alg = sig->sig_alg;
	out->sig_hash = sig->hash_alg;
	int r = tpm2_signature_verify(ak, sig, e->quote, e->quote_len, &why);
	if (r < 0)
		return r;
	if (r == 0)
		return fail(out, ATTEST_SIGNATURE, "%s", why);
	/* qualifiedSigner is not compared with the AK: it is the AK's qualified name, a hash over its
	 * parents' names, which only the registrar that knows the EK can recompute. The signature
	 * already says which key signed. */
	r = tpm2_attest_parse_quote(e->quote, e->quote_len, &out->quote, &err);
	if (r == -EPROTO || r == -ENOMSG)
		return fail(out, ATTEST_QUOTE, "%s", err.msg);
	if (r < 0)
		return fail(out, ATTEST_MALFORMED, "quote: %s", err.msg);
	if (out->quote.extra_data.size != p->nonce_len ||
	    (p->nonce_len && memcmp(out->quote.extra_data.buf, p->nonce, p->nonce_len) != 0))
		return fail(out, ATTEST_NONCE, "the quote's extraData (%u bytes) is not this verifier's nonce: an old or "
					       "another verifier's quote",
			    out->quote.extra_data.size);
	return 0;
}

/* The values given are the ones the TPM hashed into pcrDigest (with the signature's hash). */
static int check_pcr_values(const struct attest_evidence *e, const struct tpm2_signature *sig,
			    struct attest_result *out) {
	struct tpm2_pcr_ref order[TPM2_PCR_REFS_MAX];
	int n = tpm2_attest_pcr_order(&out->quote, order, ELEMENTSOF(order));
	int hb = pcr_bank_from_tpm_alg(sig->hash_alg);
	size_t need = 0, off = 0;
	if (n < 0 || hb < 0)
		return -EIO; /* the parsers took only what these can hold */
	for (int i = 0; i < n; i++)
		need += pcr_bank_size(order[i].bank);
	if (e->pcr_values_len != need)
		return fail(out, ATTEST_MALFORMED, "the PCR values are %zu bytes; the quote's selection is %d values, %zu bytes (tpm2_quote -o writes "
						   "them with -F values)",
			    e->pcr_values_len, n, need);
	uint8_t digest[PCR_DIGEST_MAX];
	if (pcr_hash((enum pcr_bank) hb, e->pcr_values, e->pcr_values_len, digest) < 0)
		return -EIO;
	if (out->quote.pcr_digest.size != pcr_bank_size((enum pcr_bank) hb) ||
	    memcmp(out->quote.pcr_digest.buf, digest, out->quote.pcr_digest.size) != 0)
		return fail(out, ATTEST_PCR_DIGEST, "the PCR values given are not those the TPM quoted (pcrDigest differs)");
	memset(&out->quoted, 0, sizeof out->quoted);
	for (int i = 0; i < n; i++) {
		size_t sz = pcr_bank_size(order[i].bank);
		memcpy(out->quoted.v[order[i].pcr][order[i].bank], e->pcr_values + off, sz);
		out->quoted.listed[order[i].bank] |= 1U << order[i].pcr;
		off += sz;
	}
	return 0;
}

/* Banks where every PCR the reference names is quoted; at least one. */
static int check_selection(const struct attest_policy *p, struct attest_result *out) {
	out->banks = 0;
	for (int b = 0; b < _PCR_BANK_MAX; b++) {
		uint32_t want = p->reference->listed[b], have = out->quoted.listed[b];
		if (want && have) {
			if ((want & have) != want) {
				uint32_t miss = want & ~have;
				return fail(out, ATTEST_SELECTION, "the quote's %s bank leaves out PCR %d, which the reference names",
					    pcr_bank_name((enum pcr_bank) b), __builtin_ctz(miss));
			}
			out->banks |= 1U << b;
		}
	}
	if (!out->banks)
		return fail(out, ATTEST_SELECTION, "the quote has no bank the reference lists");
	return 0;
}

/* Replays PCR pcr in bank b from v: the firmware's events (when fw), then the userspace log's
 * records [from, to). Returns 1, 0 when a record lacks the bank (*bad its 1-based index in the
 * userspace log, 0 for the firmware's), -EIO. */
static int replay(const struct attest_evidence *e, bool fw, size_t from, size_t to, unsigned pcr, enum pcr_bank b,
		  uint8_t v[PCR_DIGEST_MAX], size_t *bad) {
	size_t i = 0;
	int r = fw ? eventlog_replay_pcr(e->firmware, e->n_firmware, pcr, b, v, &i) : 0;
	if (r == -EBADMSG) {
		*bad = 0;
		return 0;
	}
	if (r == 0 && to > from)
		r = eventlog_replay_pcr(e->log + from, to - from, pcr, b, v, &i);
	if (r == -EBADMSG) {
		*bad = from + i + 1;
		return 0;
	}
	return r < 0 ? r : 1;
}

/* The PCRs the logs extend. */
static uint32_t extended_by_logs(const struct attest_evidence *e) {
	return eventlog_pcrs(e->log, e->n_log) | (e->firmware ? eventlog_pcrs(e->firmware, e->n_firmware) : 0);
}

/* Every quoted PCR the logs extend and that they can account for from its reset (with the
 * firmware log: all; without: 15 and above) replays to the quoted value. */
static int check_logs(const struct attest_evidence *e, struct attest_result *out) {
	uint32_t extended = extended_by_logs(e);
	for (int bi = 0; bi < _PCR_BANK_MAX; bi++) {
		enum pcr_bank b = (enum pcr_bank) bi;
		for (unsigned pcr = 0; pcr < PCR_COUNT; pcr++) {
			if (!(out->quoted.listed[b] & (1U << pcr)) || !(extended & (1U << pcr)) ||
			    (!e->firmware && (PCRS_BEFORE_USERSPACE & (1U << pcr))))
				continue;
			uint8_t v[PCR_DIGEST_MAX];
			size_t bad = 0;
			pcr_reset_value(b, pcr, e->locality, v);
			int r = replay(e, e->firmware, 0, e->n_log, pcr, b, v, &bad);
			if (r < 0)
				return r;
			if (r == 0)
				return fail(out, ATTEST_LOG, "PCR %u: %s record %zu has no %s digest", pcr,
					    bad ? "the log's" : "a firmware", bad, pcr_bank_name(b));
			if (memcmp(v, out->quoted.v[pcr][b], pcr_bank_size(b)) != 0)
				return fail(out, ATTEST_LOG, "PCR %u %s: the logs replay to another value than the quoted one", pcr,
					    pcr_bank_name(b));
		}
	}
	return 0;
}

/* Every PCR the reference names had the reference's value when verinit handed over. Where the
 * logs reach back to the PCR's reset, that value is replayed and compared; where they do not (PCR
 * 11 without the firmware log), the reference extended by the later records must be the quoted
 * value, which by the hash chain holds only if the PCR passed through the reference's value. */
static int check_reference(const struct attest_evidence *e, const struct attest_policy *p, size_t handover,
			   struct attest_result *out) {
	uint32_t extended = extended_by_logs(e);
	for (int bi = 0; bi < _PCR_BANK_MAX; bi++) {
		enum pcr_bank b = (enum pcr_bank) bi;
		if (!(out->banks & (1U << b)))
			continue;
		for (unsigned pcr = 0; pcr < PCR_COUNT; pcr++) {
			if (!(p->reference->listed[b] & (1U << pcr)))
				continue;
			const uint8_t *ref = p->reference->v[pcr][b];
			uint8_t v[PCR_DIGEST_MAX];
			size_t bad = 0;
			/* A PCR no log extends (10, which IMA extends, here) is taken as quoted. */
			if (!(extended & (1U << pcr))) {
				if (memcmp(out->quoted.v[pcr][b], ref, pcr_bank_size(b)) != 0)
					return fail(out, ATTEST_REFERENCE, "PCR %u %s is not the reference's", pcr, pcr_bank_name(b));
				continue;
			}
			bool from_reset = e->firmware || !(PCRS_BEFORE_USERSPACE & (1U << pcr));
			if (from_reset) {
				pcr_reset_value(b, pcr, e->locality, v);
				int r = replay(e, e->firmware, 0, handover, pcr, b, v, &bad);
				if (r <= 0)
					return r < 0 ? r : fail(out, ATTEST_LOG, "PCR %u: a record lacks the %s digest", pcr, pcr_bank_name(b));
				if (memcmp(v, ref, pcr_bank_size(b)) != 0)
					return fail(out, ATTEST_REFERENCE, "PCR %u %s at the hand-over is not the reference's: another "
									   "image or configuration",
						    pcr, pcr_bank_name(b));
				continue;
			}
			memcpy(v, ref, PCR_DIGEST_MAX);
			int r = replay(e, false, handover, e->n_log, pcr, b, v, &bad);
			if (r <= 0)
				return r < 0 ? r : fail(out, ATTEST_LOG, "PCR %u: record %zu lacks the %s digest", pcr, bad, pcr_bank_name(b));
			if (memcmp(v, out->quoted.v[pcr][b], pcr_bank_size(b)) != 0)
				return fail(out, ATTEST_REFERENCE, "PCR %u %s is not the reference's value extended by the log's later "
								   "records: another image (or, without the firmware log, another log)",
					    pcr, pcr_bank_name(b));
		}
	}
	return 0;
}

/* The facts verinit measured before the hand-over, where the reference vouches for them, and
 * what the booted system extended after it. */
static int collect(const struct attest_evidence *e, const struct attest_policy *p, size_t handover,
		   struct attest_result *out) {
	uint32_t vouched = 0;
	for (int b = 0; b < _PCR_BANK_MAX; b++)
		if (out->banks & (1U << b))
			vouched |= p->reference->listed[b];
	out->n_facts = out->n_later = 0;
	for (size_t i = 0; i < e->n_log; i++) {
		const struct eventlog_record *r = &e->log[i];
		if (!(vouched & (1U << r->pcr)))
			continue;
		if (i >= handover) {
			if (out->n_later == ATTEST_LATER_MAX)
				return fail(out, ATTEST_LOG, "more than %d records after the hand-over", ATTEST_LATER_MAX);
			out->later[out->n_later++] = i;
		} else if (measure_is_fact(r)) {
			if (out->n_facts == ATTEST_FACTS_MAX)
				return fail(out, ATTEST_LOG, "more than %d facts", ATTEST_FACTS_MAX);
			out->facts[out->n_facts++] = i;
		}
	}
	return 0;
}

static int check_require(const struct attest_evidence *e, const struct attest_policy *p, struct attest_result *out) {
	for (size_t k = 0; k < p->n_require; k++) {
		bool found = false;
		for (size_t i = 0; i < out->n_facts && !found; i++)
			found = fnmatch(p->require[k], e->log[out->facts[i]].string, 0) == 0;
		if (!found) {
			out->failed_require = k;
			return fail(out, ATTEST_REQUIRE, "no fact the boot measured matches '%s'", p->require[k]);
		}
	}
	return 0;
}

int attest_verify(const struct attest_evidence *e, const struct attest_policy *p, struct attest_result *out) {
	struct tpm2_public ak;
	struct tpm2_signature sig;
	int r;

	memset(out, 0, sizeof *out);
	/* Each step returns 0 having set out->failure, or a negative errno: stop at either. */
#define STEP(call)                                        \
	do {                                              \
		r = (call);                               \
		if (r < 0 || out->failure != ATTEST_PASS) \
			return r;                         \
	} while (0)
	STEP(check_quote(e, p, &ak, &sig, out));
	STEP(check_pcr_values(e, &sig, out));
	STEP(check_selection(p, out));
	STEP(check_logs(e, out));
	struct parse_error err = {};
	unsigned phase_pcr = 0;
	r = measure_find_handover(e->log, e->n_log, &phase_pcr, &err);
	if (r < 0)
		return fail(out, ATTEST_LOG, "no hand-over: %s", err.msg);
	size_t handover = (size_t) r;
	STEP(check_reference(e, p, handover, out));
	STEP(collect(e, p, handover, out));
	STEP(check_require(e, p, out));
#undef STEP
	return 0;
}
