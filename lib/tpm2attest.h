/* SPDX-License-Identifier: MIT */
/* The TPM 2.0 structures of a remote attestation as tpm2-tools writes them to files (TCG TPM 2.0
 * Library Part 2, big-endian): the quote's TPMS_ATTEST (`tpm2_quote -m`), its TPMT_SIGNATURE
 * (`tpm2_quote -s`) and the AK's TPM2B_PUBLIC (`tpm2_createak -u`). Pure: no hashing, no signature
 * check; `verinit-measure verify-quote` does those over the fields parsed here. Every struct tpm2b
 * below points into the buffer given to the parser, which must outlive the result; fixed-size
 * fields are copied. The TPM writes these bytes, but they reach the verifier over a network and
 * files: the parsers trust no length. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "parse.h"
#include "pcr.h"

#define TPM2_GENERATED_VALUE 0xff544347U /* "\xffTCG": the TPM made this structure itself */
#define TPM2_ST_ATTEST_QUOTE 0x8018

#define TPM2_ALG_RSA 0x0001
#define TPM2_ALG_NULL 0x0010
#define TPM2_ALG_RSASSA 0x0014
#define TPM2_ALG_RSAPSS 0x0016
#define TPM2_ALG_ECDSA 0x0018
#define TPM2_ALG_ECC 0x0023

/* TPMA_OBJECT bits an AK is judged by. */
#define TPM2_OA_FIXED_TPM (1U << 1)
#define TPM2_OA_FIXED_PARENT (1U << 4)
#define TPM2_OA_SENSITIVE_DATA_ORIGIN (1U << 5)
#define TPM2_OA_USER_WITH_AUTH (1U << 6)
#define TPM2_OA_RESTRICTED (1U << 16)
#define TPM2_OA_DECRYPT (1U << 17)
#define TPM2_OA_SIGN (1U << 18)
/* An AK signs only what the TPM generated (restricted + sign) and never leaves it. */
#define TPM2_AK_REQUIRED (TPM2_OA_FIXED_TPM | TPM2_OA_FIXED_PARENT | TPM2_OA_RESTRICTED | TPM2_OA_SIGN)
#define TPM2_AK_FORBIDDEN TPM2_OA_DECRYPT

/* Size limits of the TPM2B fields (a larger size prefix is -E2BIG): a digest is at most SHA-512's
 * 64 bytes, a name an algorithm id and a digest, an RSA key 4096 bits, an ECC coordinate P-521's. */
#define TPM2_DIGEST_MAX 64
#define TPM2_NAME_MAX (2 + TPM2_DIGEST_MAX)
#define TPM2_RSA_MAX 512
#define TPM2_ECC_MAX 66
/* TPML_PCR_SELECTION: a count above 16 is -E2BIG (TPM's HASH_COUNT is far below). sizeofSelect is
 * at most 4 (-E2BIG above): PC TPMs have PCRs 0-23 (3 bytes), 4 is allowed as some TPMs pad, but a
 * bit for PCR 24 or above is -EBADMSG, as is a bank listed twice. */
#define TPM2_SELECTIONS_MAX 16
#define TPM2_SELECT_MAX 4

struct tpm2b {
	const uint8_t *buf; /* into the parsed buffer; NULL when size is 0 */
	uint16_t size;
};

struct tpm2_pcr_select {
	uint16_t hash;      /* TPM_ALG_ID */
	enum pcr_bank bank; /* the same, as pcr.h names it */
	uint32_t pcrs;      /* bit n: PCR n selected (0-23) */
};

struct tpm2_attest {
	uint16_t type;                 /* TPM_ST_ATTEST_*: always TPM2_ST_ATTEST_QUOTE from tpm2_attest_parse_quote() */
	struct tpm2b qualified_signer; /* TPM2B_NAME of the AK (nameAlg || H(its TPMT_PUBLIC)) */
	struct tpm2b extra_data;       /* the verifier's nonce */
	uint64_t clock;
	uint32_t reset_count;
	uint32_t restart_count;
	uint8_t safe;
	uint64_t firmware_version;
	/* TPMS_QUOTE_INFO */
	size_t n_selections; /* banks in the order the quote lists them: the pcrDigest's order */
	struct tpm2_pcr_select selections[_PCR_BANK_MAX];
	struct tpm2b pcr_digest; /* H(the selected PCR values, in tpm2_attest_pcr_order()'s order) */
};

struct tpm2_signature {
	uint16_t sig_alg;  /* TPM2_ALG_RSASSA, _RSAPSS or _ECDSA */
	uint16_t hash_alg; /* a bank pcr.h knows */
	struct tpm2b sig;  /* RSA: the signature; ECDSA: unset */
	struct tpm2b r, s; /* ECDSA: the two integers, big-endian; RSA: unset */
};

struct tpm2_public {
	struct tpm2b area; /* the TPMT_PUBLIC itself: its nameAlg hash is the key's name */
	uint16_t type;     /* TPM2_ALG_RSA or TPM2_ALG_ECC */
	uint16_t name_alg; /* a bank pcr.h knows */
	uint32_t attributes;
	struct tpm2b auth_policy;
	uint16_t sym_alg, sym_key_bits, sym_mode; /* bits and mode 0 when sym_alg is TPM2_ALG_NULL */
	uint16_t scheme, scheme_hash;             /* scheme_hash 0 when scheme is TPM2_ALG_NULL */
	/* RSA: exponent 0 on the wire is replaced by the 65537 it means; modulus keyBits/8 bytes. */
	uint16_t rsa_key_bits;
	uint32_t rsa_exponent;
	struct tpm2b rsa_modulus;
	/* ECC */
	uint16_t ecc_curve, kdf, kdf_hash;
	struct tpm2b ecc_x, ecc_y;
};

/* A TPMS_ATTEST that must be a quote, the whole of buf. Returns 0; -EPROTO when the magic is not
 * TPM2_GENERATED_VALUE (not made by a TPM: a forged message must not be verified as one); -ENOMSG
 * for another TPM_ST_ATTEST type (a certify, a time attestation); -EBADMSG when it ends early, has
 * bytes left over, or its selection selects PCR 24 or above or a bank twice; -E2BIG for a TPM2B or
 * selection larger than the limits above; -EOPNOTSUPP for a bank pcr.h does not know (its
 * pcrDigest could not be recomputed). err (may be NULL) says which field. out is written only on
 * success. */
int tpm2_attest_parse_quote(const void *buf, size_t len, struct tpm2_attest *out, struct parse_error *err);

/* The PCRs (bit n: PCR n) the quote selects in bank b, 0 when it selects none there. */
uint32_t tpm2_attest_pcrs(const struct tpm2_attest *a, enum pcr_bank b);

struct tpm2_pcr_ref {
	enum pcr_bank bank;
	unsigned pcr;
};
#define TPM2_PCR_REFS_MAX (_PCR_BANK_MAX * PCR_COUNT)
/* The selected (bank, PCR) pairs in the order the TPM concatenates their values for pcrDigest:
 * banks in selection order, PCRs ascending. Returns the count (at most max), or -E2BIG when out
 * holds fewer (TPM2_PCR_REFS_MAX always suffices). */
int tpm2_attest_pcr_order(const struct tpm2_attest *a, struct tpm2_pcr_ref *out, size_t max);

/* A TPMT_SIGNATURE, the whole of buf. Returns 0, -EOPNOTSUPP for a signature algorithm other than
 * RSASSA, RSAPSS and ECDSA or a hash pcr.h does not know, -E2BIG for a TPM2B larger than the
 * limits above, -EBADMSG when it ends early or has bytes left over. out is written only on
 * success. */
int tpm2_signature_parse(const void *buf, size_t len, struct tpm2_signature *out, struct parse_error *err);

/* A TPM2B_PUBLIC of an RSA or ECC key, the whole of buf. Returns 0, -EOPNOTSUPP for another key
 * type or a nameAlg pcr.h does not know, -E2BIG for a TPM2B larger than the limits above,
 * -EBADMSG when it ends early, has bytes left over, the size prefix disagrees with the TPMT_PUBLIC
 * or an RSA modulus is not keyBits long. out is written only on success. */
int tpm2_public_parse(const void *buf, size_t len, struct tpm2_public *out, struct parse_error *err);

/* Whether p's attributes make it an attestation key. Returns 0, or -EPERM with *bad (may be NULL)
 * the bits that are wrong: those of TPM2_AK_REQUIRED that are clear, TPM2_AK_FORBIDDEN if set. */
int tpm2_public_check_ak(const struct tpm2_public *p, uint32_t *bad);
