/* SPDX-License-Identifier: MIT */
/* The usr-verity-sig partition (Discoverable Partitions): a JSON object naming the root hash and
 * carrying the detached PKCS#7 over it, NUL-padded to the end of the partition. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parse.h"

#define SIGJSON_PARTITION_MAX 1048576 /* 1 MiB: what the caller reads at most */
#define SIGJSON_TEXT_MAX 65536        /* 64 KiB: the JSON text before the NUL padding */
#define SIGJSON_SIGNATURE_MAX 16384   /* 16 KiB: the decoded PKCS#7 */

struct verity_sig {
	uint8_t root_hash[32];  /* sha256 only: the only hash systemd-repart and our lab use */
	char root_hash_hex[65]; /* exactly the signed content: 64 lowercase hex characters */
	uint8_t signature[SIGJSON_SIGNATURE_MAX];
	size_t signature_len;
	bool has_fingerprint;
	uint8_t fingerprint[32]; /* SHA-256 of the signer's DER certificate, when has_fingerprint */
};

/* Parses the whole partition: optional JSON whitespace, one JSON object, optional whitespace,
 * then only NUL bytes up to len. Fields: "rootHash" (mandatory, 64 lowercase hex), "signature"
 * (mandatory, base64 of a non-empty DER PKCS#7 of at most 16 KiB), "certificateFingerprint"
 * (optional, 64 lowercase hex); other fields are ignored. A key written twice is refused, whatever
 * the key. Pure: reads buf only, fills out (also on failure, partly) and err.
 * Returns 0, or:
 *   -EBADMSG  not one JSON object (syntax, a non-NUL byte after the padding starts, NaN and other
 *             json-c leniencies), or hex/base64 that does not decode
 *   -EINVAL   valid JSON of the wrong shape: not an object, a mandatory key missing, a key twice,
 *             a known key not a string, a hash of the wrong length, an empty signature
 *   -E2BIG    partition over 1 MiB, JSON text over 64 KiB, nesting over 16, signature over 16 KiB
 *   -ENOMEM */
int sigjson_parse(const uint8_t *buf, size_t len, struct verity_sig *out, struct parse_error *err);
