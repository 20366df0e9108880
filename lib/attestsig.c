/* SPDX-License-Identifier: MIT */
/* The AK's name and its signature over a quote (attest.h), with OpenSSL: the TPM's public area
 * becomes an EVP_PKEY from its modulus and exponent or its point, never from a PEM the node could
 * have chosen apart from the public area. */
#include <errno.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include "attest.h"
#include "macro.h"

#define TPM2_ECC_NIST_P256 0x0003
#define TPM2_ECC_NIST_P384 0x0004
#define TPM2_ECC_NIST_P521 0x0005

DEFINE_TRIVIAL_CLEANUP_FUNC(EVP_PKEY *, EVP_PKEY_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(EVP_PKEY_CTX *, EVP_PKEY_CTX_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(EVP_MD_CTX *, EVP_MD_CTX_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(OSSL_PARAM_BLD *, OSSL_PARAM_BLD_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(OSSL_PARAM *, OSSL_PARAM_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(BIGNUM *, BN_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(ECDSA_SIG *, ECDSA_SIG_free);

static const EVP_MD *md_of(uint16_t alg) {
	int b = pcr_bank_from_tpm_alg(alg);
	return b < 0 ? NULL : EVP_get_digestbyname(pcr_bank_name((enum pcr_bank) b));
}

int tpm2_public_name(const struct tpm2_public *k, uint8_t out[TPM2_NAME_MAX]) {
	int b = pcr_bank_from_tpm_alg(k->name_alg);
	if (b < 0)
		return -EIO; /* tpm2_public_parse() took only a known nameAlg */
	out[0] = (uint8_t) (k->name_alg >> 8);
	out[1] = (uint8_t) k->name_alg;
	if (pcr_hash((enum pcr_bank) b, k->area.buf, k->area.size, out + 2) < 0)
		return -EIO;
	return (int) (2 + pcr_bank_size((enum pcr_bank) b));
}

static const char *curve_name(uint16_t curve, size_t *coord) {
	switch (curve) {
	case TPM2_ECC_NIST_P256:
		*coord = 32;
		return "prime256v1";
	case TPM2_ECC_NIST_P384:
		*coord = 48;
		return "secp384r1";
	case TPM2_ECC_NIST_P521:
		*coord = 66;
		return "secp521r1";
	default:
		return NULL;
	}
}

/* Returns 1 with *out set, 0 (*why set) for a key OpenSSL cannot take, or -ENOMEM. */
static int make_key(const struct tpm2_public *k, EVP_PKEY **out, const char **why) {
	_cleanup_(OSSL_PARAM_BLD_freep) OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	_cleanup_(OSSL_PARAM_freep) OSSL_PARAM *params = NULL;
	_cleanup_(BN_freep) BIGNUM *n = NULL, *e = NULL;
	_cleanup_(EVP_PKEY_CTX_freep) EVP_PKEY_CTX *ctx = NULL;
	const char *type = "RSA";

	if (!bld)
		return -ENOMEM;
	if (k->type == TPM2_ALG_RSA) {
		n = BN_bin2bn(k->rsa_modulus.buf, k->rsa_modulus.size, NULL);
		e = BN_new();
		if (!n || !e || BN_set_word(e, k->rsa_exponent) != 1 || OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) != 1 ||
		    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) != 1)
			return -ENOMEM;
		params = OSSL_PARAM_BLD_to_param(bld); /* copies what the builder points to */
	} else {
		uint8_t point[1 + 2 * TPM2_ECC_MAX];
		size_t coord = 0;
		const char *group = curve_name(k->ecc_curve, &coord);
		if (!group) {
			*why = "the AK's curve is not NIST P-256, P-384 or P-521";
			return 0;
		}
		if (k->ecc_x.size > coord || k->ecc_y.size > coord) {
			*why = "the AK's point is larger than its curve";
			return 0;
		}
		/* The uncompressed point, each coordinate left-padded to the curve's size. */
		memset(point, 0, sizeof point);
		point[0] = 0x04;
		if (k->ecc_x.size)
			memcpy(point + 1 + coord - k->ecc_x.size, k->ecc_x.buf, k->ecc_x.size);
		if (k->ecc_y.size)
			memcpy(point + 1 + 2 * coord - k->ecc_y.size, k->ecc_y.buf, k->ecc_y.size);
		type = "EC";
		if (OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group, 0) != 1 ||
		    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, 1 + 2 * coord) != 1)
			return -ENOMEM;
		params = OSSL_PARAM_BLD_to_param(bld);
	}
	ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	if (!params || !ctx)
		return -ENOMEM;
	if (EVP_PKEY_fromdata_init(ctx) != 1 || EVP_PKEY_fromdata(ctx, out, EVP_PKEY_PUBLIC_KEY, params) != 1) {
		ERR_clear_error();
		*why = "OpenSSL refuses the AK's public key (a point not on its curve?)";
		return 0;
	}
	return 1;
}

/* The DER ECDSA-Sig-Value OpenSSL verifies, from the TPM's two integers. Returns its length or
 * -ENOMEM. */
static int ecdsa_der(const struct tpm2_signature *s, uint8_t **der) {
	_cleanup_(ECDSA_SIG_freep) ECDSA_SIG *sig = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(s->r.buf, s->r.size, NULL), *sv = BN_bin2bn(s->s.buf, s->s.size, NULL);
	if (!sig || !r || !sv || ECDSA_SIG_set0(sig, r, sv) != 1) {
		BN_free(r);
		BN_free(sv);
		return -ENOMEM;
	}
	int n = i2d_ECDSA_SIG(sig, der);
	return n > 0 ? n : -ENOMEM;
}

int tpm2_signature_verify(const struct tpm2_public *k, const struct tpm2_signature *s, const void *msg, size_t len,
			  const char **why) {
	_cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
	_cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *c = NULL;
	_cleanup_free_ uint8_t *der = NULL;
	EVP_PKEY_CTX *pctx = NULL; /* owned by c */
	const uint8_t *sig = s->sig.buf;
	size_t sig_len = s->sig.size;

	/* A restricted key signs with its own scheme only: another in the signature is not its. */
	bool rsa_sig = s->sig_alg == TPM2_ALG_RSASSA || s->sig_alg == TPM2_ALG_RSAPSS;
	if ((k->type == TPM2_ALG_RSA) != rsa_sig) {
		*why = "the signature's algorithm is not one of the AK's key type";
		return 0;
	}
	if (k->scheme != TPM2_ALG_NULL && (k->scheme != s->sig_alg || k->scheme_hash != s->hash_alg)) {
		*why = "the signature's scheme or hash is not the AK's";
		return 0;
	}
	const EVP_MD *md = md_of(s->hash_alg);
	if (!md)
		return -EIO;
	int r = make_key(k, &key, why);
	if (r <= 0)
		return r;
	if (s->sig_alg == TPM2_ALG_ECDSA) {
		r = ecdsa_der(s, &der);
		if (r < 0)
			return r;
		sig = der;
		sig_len = (size_t) r;
	}
	c = EVP_MD_CTX_new();
	if (!c)
		return -ENOMEM;
	if (EVP_DigestVerifyInit(c, &pctx, md, NULL, key) != 1 ||
	    (s->sig_alg == TPM2_ALG_RSAPSS && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
					       EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_AUTO) != 1))) {
		ERR_clear_error();
		return -EIO;
	}
	r = EVP_DigestVerify(c, sig, sig_len, msg, len);
	ERR_clear_error();
	if (r != 1) {
		*why = "the signature does not verify with the AK";
		return 0;
	}
	return 1;
}
