/* SPDX-License-Identifier: MIT */
/* Strict hex and base64 for attacker-supplied text: exactly one spelling of each byte string is
 * accepted, so what was signed and what we compare can never differ by case or padding. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decodes len characters of lowercase hex (even length, [0-9a-f] only: the signed root hash is
 * lowercase, and accepting "A" would make two spellings of one hash). len 0 yields 0 bytes.
 * out_len may be NULL. Returns 0, -EBADMSG (odd length or a character outside [0-9a-f]) or
 * -E2BIG (more than out_size bytes). */
int hex_decode(const char *s, size_t len, uint8_t *out, size_t out_size, size_t *out_len);

/* s is exactly 64 lowercase hex digits: a SHA-256 as verinit spells it (root hash, fingerprint). */
bool hex_is_sha256(const char *s);

/* Writes 2*len lowercase hex characters and a NUL. Returns 0 or -E2BIG (out_size < 2*len+1). */
int hex_encode(const uint8_t *in, size_t len, char *out, size_t out_size);

/* The most bytes base64_decode can yield for len characters. */
static inline size_t base64_decoded_max(size_t len) {
	return len / 4 * 3;
}

/* Decodes RFC 4648 base64, standard alphabet: length a multiple of 4, '=' padding present and
 * only where the length demands it, unused bits of the last character zero (the one canonical
 * encoding), no whitespace, no line breaks. out_len may be NULL. Returns 0, -EBADMSG or -E2BIG
 * (more than out_size bytes). */
int base64_decode(const char *s, size_t len, uint8_t *out, size_t out_size, size_t *out_len);
