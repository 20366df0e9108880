/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <openssl/evp.h>
#include <string.h>

#include "macro.h"
#include "parse.h"
#include "pcr.h"

static const struct {
	const char *name;
	size_t size;
	uint16_t alg; /* TPM2_ALG_ID, TPM 2.0 Part 2 table 9 */
} banks[_PCR_BANK_MAX] = {
	[PCR_BANK_SHA1] = { "sha1", 20, 0x0004 },
	[PCR_BANK_SHA256] = { "sha256", 32, 0x000B },
	[PCR_BANK_SHA384] = { "sha384", 48, 0x000C },
	[PCR_BANK_SHA512] = { "sha512", 64, 0x000D },
};

const char *pcr_bank_name(enum pcr_bank b) {
	return (unsigned) b < _PCR_BANK_MAX ? banks[b].name : "unknown";
}

size_t pcr_bank_size(enum pcr_bank b) {
	return (unsigned) b < _PCR_BANK_MAX ? banks[b].size : 0;
}

uint16_t pcr_bank_tpm_alg(enum pcr_bank b) {
	return (unsigned) b < _PCR_BANK_MAX ? banks[b].alg : 0;
}

int pcr_bank_from_name(const char *name, size_t n) {
	for (int i = 0; i < _PCR_BANK_MAX; i++)
		if (memeq_str(name, n, banks[i].name))
			return i;
	return -EINVAL;
}

int pcr_bank_from_tpm_alg(uint16_t alg) {
	for (int i = 0; i < _PCR_BANK_MAX; i++)
		if (banks[i].alg == alg)
			return i;
	return -EINVAL;
}

static const EVP_MD *md(enum pcr_bank b) {
	switch (b) {
	case PCR_BANK_SHA1:
		return EVP_sha1();
	case PCR_BANK_SHA256:
		return EVP_sha256();
	case PCR_BANK_SHA384:
		return EVP_sha384();
	case PCR_BANK_SHA512:
		return EVP_sha512();
	default:
		return NULL;
	}
}

/* out = H(a || b); b may be NULL. */
static int hash2(enum pcr_bank bank, const void *a, size_t alen, const void *b, size_t blen, uint8_t *out) {
	const EVP_MD *m = md(bank);
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned len = 0;
	int ok = m && c && EVP_DigestInit_ex(c, m, NULL) == 1 && EVP_DigestUpdate(c, a, alen) == 1 &&
		 (!b || EVP_DigestUpdate(c, b, blen) == 1) && EVP_DigestFinal_ex(c, out, &len) == 1 &&
		 len == banks[bank].size;
	EVP_MD_CTX_free(c);
	return ok ? 0 : -EIO;
}

int pcr_hash(enum pcr_bank b, const void *data, size_t len, uint8_t out[static PCR_DIGEST_MAX]) {
	if ((unsigned) b >= _PCR_BANK_MAX)
		return -EIO;
	return hash2(b, data, len, NULL, 0, out);
}

int pcr_digests_of(unsigned mask, const void *data, size_t len, struct pcr_digests *out) {
	memset(out, 0, sizeof *out);
	out->banks = mask & PCR_BANKS_ALL;
	for (int b = 0; b < _PCR_BANK_MAX; b++)
		if (out->banks & (1U << b)) {
			int r = pcr_hash((enum pcr_bank) b, data, len, out->d[b]);
			if (r < 0)
				return r;
		}
	return 0;
}

int pcr_extend(enum pcr_bank b, uint8_t value[static PCR_DIGEST_MAX], const uint8_t *digest) {
	uint8_t out[PCR_DIGEST_MAX];
	if ((unsigned) b >= _PCR_BANK_MAX)
		return -EIO;
	int r = hash2(b, value, banks[b].size, digest, banks[b].size, out);
	if (r < 0)
		return r;
	memcpy(value, out, banks[b].size);
	return 0;
}

void pcr_reset_value(enum pcr_bank b, unsigned pcr, int locality, uint8_t v[static PCR_DIGEST_MAX]) {
	memset(v, 0, PCR_DIGEST_MAX);
	if (pcr == 0 && locality > 0)
		v[pcr_bank_size(b) - 1] = (uint8_t) locality;
}
