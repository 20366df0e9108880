/* SPDX-License-Identifier: MIT */
/* systemd-repart's partition UUIDs for a verity pair: derived from the root hash, so that the
 * signed hash alone names the partitions to open. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UUID_STRING_LEN 36

/* The usr (data) partition's UUID is the first 16 bytes of the root hash, the verity (hash)
 * partition's the last 16, copied verbatim (no version or variant bits set), written 8-4-4-4-12
 * in lowercase. */
void partuuid_from_roothash(const uint8_t hash[32], char data_uuid[UUID_STRING_LEN + 1],
			    char verity_uuid[UUID_STRING_LEN + 1]);

/* Writes 16 bytes as a lowercase 8-4-4-4-12 UUID string. */
void uuid_format(const uint8_t id[16], char out[UUID_STRING_LEN + 1]);

/* Parses exactly 36 characters of 8-4-4-4-12 hex, either case (blkid and GPT tools differ), no
 * braces, nothing after. Returns 0 or -EINVAL. */
int uuid_parse_strict(const char *s, uint8_t out[16]);
/* The same over the n characters at s, which need no NUL after them (a word cut from a line). */
int uuid_parse_n(const char *s, size_t n, uint8_t out[16]);

/* Whether two UUID strings name the same UUID (case-insensitively); false when either does not
 * parse. */
bool uuid_string_equal(const char *a, const char *b);
