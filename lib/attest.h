/* SPDX-License-Identifier: MIT */
/* Remote attestation's verdict: does a node's TPM quote, with its event logs, prove that it booted
 * the image whose reference PCR values are given, with the facts required, just now? The evidence
 * is what the node sends (tpm2attest.h's structures, the quoted PCR values, the logs); the policy
 * is what the verifier chose (the nonce, the reference, the requirements). Everything is checked
 * in an order that makes each failure's name the most specific one: an edited log is LOG, not
 * REFERENCE, because the log is replayed against the quote before the quote against the reference.
 *
 * Trust in the AK itself, that it lives in the TPM of the node it claims to be (credential
 * activation against the EK certificate), is a registrar's decision made before this: the AK's
 * public area arrives here as an input the caller already trusts.
 *
 * Not pure: OpenSSL hashes and verifies the signature. Prints nothing. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eventlog.h"
#include "pcrlist.h"
#include "tpm2attest.h"

/* In the order they are checked (MALFORMED where each piece is first read). Stable names
 * (attest_failure_name()): scripts match on them. Never rename, only add. */
enum attest_failure {
	ATTEST_PASS = 0,
	ATTEST_MALFORMED,  /* the quote, signature, AK, PCR values or a log does not parse */
	ATTEST_AK,         /* the key is not a restricted, fixedTPM, fixedParent signing key */
	ATTEST_SIGNATURE,  /* the signature does not verify with the AK, or another key signed */
	ATTEST_QUOTE,      /* not made by a TPM (magic), or not a quote */
	ATTEST_NONCE,      /* extraData is not the verifier's nonce: a replayed quote */
	ATTEST_PCR_DIGEST, /* the PCR values given are not the ones the TPM signed */
	ATTEST_SELECTION,  /* a PCR the reference names is not quoted in a bank the reference lists */
	ATTEST_LOG,        /* the logs do not replay to the quoted values, or show no hand-over */
	ATTEST_REFERENCE,  /* the quoted values are not the reference's: another image */
	ATTEST_REQUIRE,    /* a required fact is not among those the boot measured */
	_ATTEST_FAILURE_MAX
};

const char *attest_failure_name(enum attest_failure f); /* "NONCE", ...; NULL for ATTEST_PASS */

#define ATTEST_NONCE_MAX TPM2_DIGEST_MAX /* the TPM takes at most a digest's worth of extraData */
#define ATTEST_FACTS_MAX 32
#define ATTEST_LATER_MAX 64

struct attest_evidence {
	const uint8_t *quote; /* TPMS_ATTEST (tpm2_quote -m) */
	size_t quote_len;
	const uint8_t *signature; /* TPMT_SIGNATURE (tpm2_quote -s) */
	size_t signature_len;
	const uint8_t *ak_public; /* TPM2B_PUBLIC (tpm2_createak -u) */
	size_t ak_public_len;
	const uint8_t *pcr_values; /* the quoted values, concatenated in tpm2_attest_pcr_order() */
	size_t pcr_values_len;
	const struct eventlog_record *log; /* tpm2-measure.log */
	size_t n_log;
	const struct eventlog_record *firmware; /* the firmware's log; NULL: none given */
	size_t n_firmware;
	int locality; /* the firmware log's StartupLocality, or -1 */
};

struct attest_policy {
	const uint8_t *nonce;
	size_t nonce_len;
	const struct pcr_list *reference; /* the values at verinit's hand-over (verinit-uki's *.pcrs.json) */
	const char *const *require;       /* fnmatch(3) patterns, each matching a whole fact */
	size_t n_require;
};

struct attest_result {
	enum attest_failure failure;
	char detail[320]; /* one line, what was wrong; "" on a pass */
	/* What was established, as far as the checks got (valid in the order below). */
	uint16_t sig_alg, sig_hash;     /* after the signature */
	uint8_t ak_name[TPM2_NAME_MAX]; /* after the AK */
	size_t ak_name_len;
	struct tpm2_attest quote; /* after QUOTE; points into evidence->quote */
	struct pcr_list quoted;   /* after PCR_DIGEST: the values the TPM signed */
	unsigned banks;           /* after SELECTION: the banks compared with the reference */
	/* After LOG: the records of the userspace log that verinit wrote before it handed over and
	 * that state a fact (indexes into evidence->log), and those written after it in a PCR the
	 * reference names (the booted system's own, such as systemd-pcrphase's "sysinit"). */
	size_t facts[ATTEST_FACTS_MAX], n_facts;
	size_t later[ATTEST_LATER_MAX], n_later;
	size_t failed_require; /* REQUIRE: which pattern */
};

/* Checks e against p. Returns 0 with out->failure the verdict (ATTEST_PASS or the first check that
 * failed, out->detail saying why), or -ENOMEM / -EIO when OpenSSL fails (no verdict). */
int attest_verify(const struct attest_evidence *e, const struct attest_policy *p, struct attest_result *out);

/* The AK's name as a TPM computes it: nameAlg (big-endian) || H_nameAlg(TPMT_PUBLIC). Returns its
 * length, or -EIO. */
int tpm2_public_name(const struct tpm2_public *k, uint8_t out[TPM2_NAME_MAX]);

/* Whether s is k's signature over msg, hashed with s's hash. Returns 1, 0 (with *why set: a
 * scheme the key does not have, a key OpenSSL refuses, a signature that does not verify), or
 * -ENOMEM / -EIO. */
int tpm2_signature_verify(const struct tpm2_public *k, const struct tpm2_signature *s, const void *msg, size_t len,
			  const char **why);
