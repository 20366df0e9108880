/* SPDX-License-Identifier: MIT */
/* PCR banks and the extend arithmetic, shared by the agent (what it extends), measure/ (what it
 * predicts and replays) and the tests. OpenSSL does the hashing. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum pcr_bank {
	PCR_BANK_SHA1,
	PCR_BANK_SHA256,
	PCR_BANK_SHA384,
	PCR_BANK_SHA512,
	_PCR_BANK_MAX
};

#define PCR_DIGEST_MAX 64
#define PCR_COUNT 24
#define PCR_BANKS_ALL ((1U << _PCR_BANK_MAX) - 1)
/* PCRs 0..14: the firmware, shim, the boot loader and systemd-stub extend them before userspace
 * writes its first record, so the userspace log alone can never account for them. */
#define PCRS_BEFORE_USERSPACE 0x7fffU

/* One digest per bank in the mask `banks` (bit i for enum pcr_bank i). */
struct pcr_digests {
	unsigned banks;
	uint8_t d[_PCR_BANK_MAX][PCR_DIGEST_MAX];
};

const char *pcr_bank_name(enum pcr_bank b); /* "sha1", "sha256", ... as TCG and systemd spell them */
size_t pcr_bank_size(enum pcr_bank b);      /* 20, 32, 48, 64 */
uint16_t pcr_bank_tpm_alg(enum pcr_bank b); /* TPM2_ALG_SHA1 ... TPM2_ALG_SHA512 */
/* Returns the bank for a name (n bytes, not NUL-terminated) or a TPM2_ALG_ID, or -EINVAL. */
int pcr_bank_from_name(const char *name, size_t n);
int pcr_bank_from_tpm_alg(uint16_t alg);

/* out = H(data) in bank b. Returns 0, or -EIO when OpenSSL fails. */
int pcr_hash(enum pcr_bank b, const void *data, size_t len, uint8_t out[static PCR_DIGEST_MAX]);
/* The digests of data in every bank of the mask. Returns 0 or -EIO. */
int pcr_digests_of(unsigned banks, const void *data, size_t len, struct pcr_digests *out);
/* PCR pcr's value in bank b after a TPM reset: zero, except PCR 0 when the firmware's
 * StartupLocality event (TCG PC Client) says it started at locality (> 0): that locality in its
 * last byte. */
void pcr_reset_value(enum pcr_bank b, unsigned pcr, int locality, uint8_t v[static PCR_DIGEST_MAX]);
/* value = H(value || digest) in bank b: what TPM2_PCR_Extend does. Returns 0 or -EIO. */
int pcr_extend(enum pcr_bank b, uint8_t value[static PCR_DIGEST_MAX], const uint8_t *digest);
