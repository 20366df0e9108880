/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>

#include "partuuid.h"

/* Where the dashes go in 8-4-4-4-12. */
static bool is_dash_position(size_t i) {
	return i == 8 || i == 13 || i == 18 || i == 23;
}

void uuid_format(const uint8_t id[16], char out[UUID_STRING_LEN + 1]) {
	static const char digits[] = "0123456789abcdef";
	size_t o = 0;

	for (size_t i = 0; i < 16; i++) {
		if (is_dash_position(o))
			out[o++] = '-';
		out[o++] = digits[id[i] >> 4];
		out[o++] = digits[id[i] & 0xf];
	}
	out[o] = '\0';
}

void partuuid_from_roothash(const uint8_t hash[32], char data_uuid[UUID_STRING_LEN + 1],
			    char verity_uuid[UUID_STRING_LEN + 1]) {
	uuid_format(hash, data_uuid);
	uuid_format(hash + 16, verity_uuid);
}

static int unhex_any_case(char c) {
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int uuid_parse_n(const char *s, size_t n, uint8_t out[16]) {
	uint8_t id[16];
	size_t o = 0;

	if (n != UUID_STRING_LEN)
		return -EINVAL;
	for (size_t i = 0; i < UUID_STRING_LEN;) {
		if (is_dash_position(i)) {
			if (s[i] != '-')
				return -EINVAL;
			i++;
			continue;
		}
		int hi = unhex_any_case(s[i]), lo = unhex_any_case(s[i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		id[o++] = (uint8_t) (hi << 4 | lo);
		i += 2;
	}
	memcpy(out, id, sizeof id);
	return 0;
}

int uuid_parse_strict(const char *s, uint8_t out[16]) {
	if (!s)
		return -EINVAL;
	return uuid_parse_n(s, strnlen(s, UUID_STRING_LEN + 1), out);
}

bool uuid_string_equal(const char *a, const char *b) {
	uint8_t x[16], y[16];

	return uuid_parse_strict(a, x) == 0 && uuid_parse_strict(b, y) == 0 && memcmp(x, y, sizeof x) == 0;
}
