/* SPDX-License-Identifier: MIT */
/* The attestation structures of tpm2attest.h: one big-endian reader that never runs past the end
 * and names the field it stopped in, and a parser per structure. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "macro.h"
#include "tpm2attest.h"

#define TRY(expr)                  \
	do {                       \
		int r_ = (expr);   \
		if (r_ < 0)        \
			return r_; \
	} while (0)

struct reader {
	const uint8_t *p;
	size_t left;
	struct parse_error *err;
};

static int take(struct reader *rd, size_t n, const uint8_t **out, const char *field) {
	if (n > rd->left) {
		/* The code stated here, not parse_fail()'s: the analyzer then sees *out set on 0. */
		(void) parse_fail(rd->err, 0, -EBADMSG, "ends inside %s", field);
		return -EBADMSG;
	}
	*out = rd->p;
	rd->p += n;
	rd->left -= n;
	return 0;
}

/* n bytes (at most 8) as a big-endian number. */
static int take_be(struct reader *rd, size_t n, uint64_t *v, const char *field) {
	const uint8_t *p;
	TRY(take(rd, n, &p, field));
	*v = 0;
	for (size_t i = 0; i < n; i++)
		*v = *v << 8 | p[i];
	return 0;
}

static int take8(struct reader *rd, uint8_t *v, const char *field) {
	uint64_t x;
	TRY(take_be(rd, 1, &x, field));
	*v = (uint8_t) x;
	return 0;
}

static int take16(struct reader *rd, uint16_t *v, const char *field) {
	uint64_t x;
	TRY(take_be(rd, 2, &x, field));
	*v = (uint16_t) x;
	return 0;
}

static int take32(struct reader *rd, uint32_t *v, const char *field) {
	uint64_t x;
	TRY(take_be(rd, 4, &x, field));
	*v = (uint32_t) x;
	return 0;
}

/* A TPM2B: its u16 size, at most max, then that many bytes. */
static int take2b(struct reader *rd, size_t max, struct tpm2b *b, const char *field) {
	const uint8_t *p;
	uint16_t n;
	TRY(take16(rd, &n, field));
	if (n > max)
		return parse_fail(rd->err, 0, -E2BIG, "%s is %u bytes, more than %zu", field, n, max);
	TRY(take(rd, n, &p, field));
	*b = (struct tpm2b){ n > 0 ? p : NULL, n };
	return 0;
}

/* Nothing may follow the structure: extra bytes would be unsigned data riding along. */
static int at_end(struct reader *rd, const char *what) {
	if (rd->left > 0)
		return parse_fail(rd->err, 0, -EBADMSG, "%zu bytes after the %s", rd->left, what);
	return 0;
}

/* A hash algorithm the verifier can compute, as a bank of pcr.h. */
static int take_hash(struct reader *rd, uint16_t *alg, int *bank, const char *field) {
	TRY(take16(rd, alg, field));
	*bank = pcr_bank_from_tpm_alg(*alg);
	if (*bank < 0)
		return parse_fail(rd->err, 0, -EOPNOTSUPP, "%s 0x%04x is not sha1, sha256, sha384 or sha512", field,
				  *alg);
	return 0;
}

static int parse_selection(struct reader *rd, struct tpm2_attest *a) {
	uint32_t count;
	TRY(take32(rd, &count, "the PCR selection count"));
	if (count > TPM2_SELECTIONS_MAX)
		return parse_fail(rd->err, 0, -E2BIG, "%u PCR selections, more than %d", count, TPM2_SELECTIONS_MAX);
	for (uint32_t i = 0; i < count; i++) {
		struct tpm2_pcr_select s = {};
		const uint8_t *bits;
		uint8_t size;
		int bank;

		TRY(take_hash(rd, &s.hash, &bank, "the PCR selection's hash"));
		TRY(take8(rd, &size, "the PCR selection's sizeofSelect"));
		if (size > TPM2_SELECT_MAX)
			return parse_fail(rd->err, 0, -E2BIG, "sizeofSelect %u, more than %d", size, TPM2_SELECT_MAX);
		TRY(take(rd, size, &bits, "the PCR selection's pcrSelect"));
		/* pcrSelect[i] bit j is PCR 8i+j (Part 2, TPMS_PCR_SELECT). */
		for (unsigned j = 0; j < size; j++)
			s.pcrs |= (uint32_t) bits[j] << (8 * j);
		if (s.pcrs >> PCR_COUNT)
			return parse_fail(rd->err, 0, -EBADMSG, "the %s selection selects PCRs above %d",
					  pcr_bank_name((enum pcr_bank) bank), PCR_COUNT - 1);
		s.bank = (enum pcr_bank) bank;
		for (size_t k = 0; k < a->n_selections; k++)
			if (a->selections[k].bank == s.bank)
				return parse_fail(rd->err, 0, -EBADMSG, "the %s bank is selected twice",
						  pcr_bank_name(s.bank));
		/* Banks are distinct and known, so at most _PCR_BANK_MAX get here. */
		a->selections[a->n_selections++] = s;
	}
	return 0;
}

int tpm2_attest_parse_quote(const void *buf, size_t len, struct tpm2_attest *out, struct parse_error *err) {
	struct reader rd = { buf, len, err };
	struct tpm2_attest a = {};
	uint32_t magic;

	TRY(take32(&rd, &magic, "magic"));
	if (magic != TPM2_GENERATED_VALUE)
		return parse_fail(err, 0, -EPROTO, "magic 0x%08x, not TPM_GENERATED_VALUE: not made by a TPM", magic);
	TRY(take16(&rd, &a.type, "type"));
	if (a.type != TPM2_ST_ATTEST_QUOTE)
		return parse_fail(err, 0, -ENOMSG, "type 0x%04x, not TPM_ST_ATTEST_QUOTE", a.type);
	TRY(take2b(&rd, TPM2_NAME_MAX, &a.qualified_signer, "qualifiedSigner"));
	TRY(take2b(&rd, TPM2_DIGEST_MAX, &a.extra_data, "extraData"));
	TRY(take_be(&rd, 8, &a.clock, "clockInfo.clock"));
	TRY(take32(&rd, &a.reset_count, "clockInfo.resetCount"));
	TRY(take32(&rd, &a.restart_count, "clockInfo.restartCount"));
	TRY(take8(&rd, &a.safe, "clockInfo.safe"));
	TRY(take_be(&rd, 8, &a.firmware_version, "firmwareVersion"));
	TRY(parse_selection(&rd, &a));
	TRY(take2b(&rd, TPM2_DIGEST_MAX, &a.pcr_digest, "pcrDigest"));
	TRY(at_end(&rd, "TPMS_ATTEST"));
	*out = a;
	return 0;
}

uint32_t tpm2_attest_pcrs(const struct tpm2_attest *a, enum pcr_bank b) {
	for (size_t i = 0; i < a->n_selections; i++)
		if (a->selections[i].bank == b)
			return a->selections[i].pcrs;
	return 0;
}

int tpm2_attest_pcr_order(const struct tpm2_attest *a, struct tpm2_pcr_ref *out, size_t max) {
	size_t n = 0;
	for (size_t i = 0; i < a->n_selections; i++)
		for (unsigned pcr = 0; pcr < PCR_COUNT; pcr++) {
			if (!(a->selections[i].pcrs & (1U << pcr)))
				continue;
			if (n >= max)
				return -E2BIG;
			out[n++] = (struct tpm2_pcr_ref){ a->selections[i].bank, pcr };
		}
	return (int) n;
}

int tpm2_signature_parse(const void *buf, size_t len, struct tpm2_signature *out, struct parse_error *err) {
	struct reader rd = { buf, len, err };
	struct tpm2_signature s = {};
	int bank;

	TRY(take16(&rd, &s.sig_alg, "sigAlg"));
	if (s.sig_alg != TPM2_ALG_RSASSA && s.sig_alg != TPM2_ALG_RSAPSS && s.sig_alg != TPM2_ALG_ECDSA)
		return parse_fail(err, 0, -EOPNOTSUPP, "sigAlg 0x%04x is not RSASSA, RSAPSS or ECDSA", s.sig_alg);
	TRY(take_hash(&rd, &s.hash_alg, &bank, "the signature's hash"));
	if (s.sig_alg == TPM2_ALG_ECDSA) {
		TRY(take2b(&rd, TPM2_ECC_MAX, &s.r, "signatureR"));
		TRY(take2b(&rd, TPM2_ECC_MAX, &s.s, "signatureS"));
	} else
		TRY(take2b(&rd, TPM2_RSA_MAX, &s.sig, "the RSA signature"));
	TRY(at_end(&rd, "TPMT_SIGNATURE"));
	*out = s;
	return 0;
}

/* TPMT_SYM_DEF_OBJECT: an AK's is NULL, a storage key's names a cipher, its key size and mode. */
static int parse_symmetric(struct reader *rd, struct tpm2_public *p) {
	TRY(take16(rd, &p->sym_alg, "symmetric.algorithm"));
	if (p->sym_alg == TPM2_ALG_NULL)
		return 0;
	TRY(take16(rd, &p->sym_key_bits, "symmetric.keyBits"));
	return take16(rd, &p->sym_mode, "symmetric.mode");
}

/* A scheme (TPMT_RSA_SCHEME, TPMT_ECC_SCHEME, TPMT_KDF_SCHEME): its hash follows unless NULL. */
static int parse_scheme(struct reader *rd, uint16_t *scheme, uint16_t *hash, const char *field) {
	TRY(take16(rd, scheme, field));
	if (*scheme == TPM2_ALG_NULL)
		return 0;
	return take16(rd, hash, field);
}

static int parse_tpmt_public(struct reader *rd, struct tpm2_public *p) {
	int bank;

	TRY(take16(rd, &p->type, "type"));
	if (p->type != TPM2_ALG_RSA && p->type != TPM2_ALG_ECC)
		return parse_fail(rd->err, 0, -EOPNOTSUPP, "key type 0x%04x is not RSA or ECC", p->type);
	TRY(take_hash(rd, &p->name_alg, &bank, "nameAlg"));
	TRY(take32(rd, &p->attributes, "objectAttributes"));
	TRY(take2b(rd, TPM2_DIGEST_MAX, &p->auth_policy, "authPolicy"));
	TRY(parse_symmetric(rd, p));
	TRY(parse_scheme(rd, &p->scheme, &p->scheme_hash, "scheme"));
	if (p->type == TPM2_ALG_ECC) {
		TRY(take16(rd, &p->ecc_curve, "curveID"));
		TRY(parse_scheme(rd, &p->kdf, &p->kdf_hash, "kdf"));
		TRY(take2b(rd, TPM2_ECC_MAX, &p->ecc_x, "unique.x"));
		return take2b(rd, TPM2_ECC_MAX, &p->ecc_y, "unique.y");
	}
	TRY(take16(rd, &p->rsa_key_bits, "keyBits"));
	TRY(take32(rd, &p->rsa_exponent, "exponent"));
	if (p->rsa_exponent == 0)
		p->rsa_exponent = 65537; /* Part 2: zero means the default exponent */
	TRY(take2b(rd, TPM2_RSA_MAX, &p->rsa_modulus, "unique.rsa"));
	/* A modulus shorter than keyBits would be checked against a signature as if it were the key. */
	if (p->rsa_modulus.size * 8U != p->rsa_key_bits)
		return parse_fail(rd->err, 0, -EBADMSG, "a %u-byte modulus for a %u-bit key", p->rsa_modulus.size,
				  p->rsa_key_bits);
	return 0;
}

int tpm2_public_parse(const void *buf, size_t len, struct tpm2_public *out, struct parse_error *err) {
	struct reader rd = { buf, len, err }, inner;
	struct tpm2_public p = {};
	uint16_t size;

	TRY(take16(&rd, &size, "the TPM2B_PUBLIC size"));
	TRY(take(&rd, size, &p.area.buf, "TPMT_PUBLIC"));
	TRY(at_end(&rd, "TPM2B_PUBLIC"));
	p.area.size = size;
	/* Parsed within its own size: a field that runs past it is malformed, not the next bytes. */
	inner = (struct reader){ p.area.buf, size, err };
	TRY(parse_tpmt_public(&inner, &p));
	TRY(at_end(&inner, "TPMT_PUBLIC, within the TPM2B_PUBLIC's size"));
	*out = p;
	return 0;
}

int tpm2_public_check_ak(const struct tpm2_public *p, uint32_t *bad) {
	uint32_t wrong = (~p->attributes & TPM2_AK_REQUIRED) | (p->attributes & TPM2_AK_FORBIDDEN);
	if (bad)
		*bad = wrong;
	return wrong ? -EPERM : 0;
}
