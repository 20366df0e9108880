/* SPDX-License-Identifier: MIT */
/* Checks the detached PKCS#7 over a root hash the way the kernel will when dm-verity is set up
 * with it, but before, in userspace, against verinit's own enrolled certificates, so that a
 * refusal can say why, and with a stricter profile than the kernel's. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "certs.h"
#include "parse.h"

#define SIGVERIFY_P7_MAX 16384

struct sigverify_result {
	char signer_subject[256];    /* one line, "CN=verinit test db, O=..." (cut when longer) */
	char signer_fingerprint[65]; /* SHA-256 of the signer's DER certificate, lowercase hex */
	bool embedded_certs;         /* the PKCS#7 carried certificates (systemd 252 does; never used) */
};

/* Verifies p7, a DER CMS/PKCS#7 SignedData whose detached content is exactly root_hash_hex (the
 * NUL-terminated lowercase hex string, no newline), against the enrolled certificates only.
 * Profile: one SignerInfo, digest SHA-256 (the SignerInfo's, and the SignedData's digestAlgorithms
 * exactly {sha256}), content type id-data, detached, definite lengths, no signed and no unsigned
 * attributes. The signer must be an enrolled certificate itself (a certificate merely
 * issued by an enrolled one is not enough, and certificates carried in p7 are never trusted);
 * certificate validity times are not checked. When fingerprint is not NULL the signer must be the
 * enrolled certificate with that SHA-256. res may be NULL; it is filled on success only.
 * Returns 0, or:
 *   -EINVAL        root_hash_hex is not non-empty lowercase hex of at most 128 characters
 *   -EBADMSG       p7 is not DER CMS, or breaks the profile (another digest, attributes, ...)
 *   -E2BIG         p7 is over 16 KiB
 *   -ENOKEY        the signer is not enrolled, or not the one fingerprint names
 *   -EKEYREJECTED  the signature, made by an enrolled signer, does not verify over root_hash_hex
 *   -ENOMEM */
int sigverify_detached(const struct cert_set *enrolled, const uint8_t *p7, size_t p7_len, const char *root_hash_hex,
		       const uint8_t *fingerprint, struct sigverify_result *res, struct parse_error *err);
