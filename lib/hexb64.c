/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>

#include "hexb64.h"

static int unhex_lower(char c) {
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int hex_decode(const char *s, size_t len, uint8_t *out, size_t out_size, size_t *out_len) {
	if (len % 2 != 0)
		return -EBADMSG;
	if (len / 2 > out_size)
		return -E2BIG;
	for (size_t i = 0; i < len; i += 2) {
		int hi = unhex_lower(s[i]), lo = unhex_lower(s[i + 1]);
		if (hi < 0 || lo < 0)
			return -EBADMSG;
		out[i / 2] = (uint8_t) (hi << 4 | lo);
	}
	if (out_len)
		*out_len = len / 2;
	return 0;
}

bool hex_is_sha256(const char *s) {
	uint8_t d[32];
	return s && strnlen(s, 65) == 64 && hex_decode(s, 64, d, sizeof d, NULL) == 0;
}

int hex_encode(const uint8_t *in, size_t len, char *out, size_t out_size) {
	static const char digits[] = "0123456789abcdef";

	/* len > (SIZE_MAX - 1) / 2 would wrap the size check below. */
	if (out_size == 0 || len > (out_size - 1) / 2)
		return -E2BIG;
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0xf];
	}
	out[2 * len] = '\0';
	return 0;
}

static int unbase64(char c) {
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Own decoder rather than EVP_DecodeBlock: that one skips leading/trailing whitespace, ignores
 * where '=' sits and returns a length counting the padding, all of which would need re-checking. */
int base64_decode(const char *s, size_t len, uint8_t *out, size_t out_size, size_t *out_len) {
	if (len % 4 != 0)
		return -EBADMSG;
	size_t pad = 0;
	if (len > 0 && s[len - 1] == '=')
		pad = s[len - 2] == '=' ? 2 : 1;
	size_t n = len / 4 * 3 - pad;
	if (n > out_size)
		return -E2BIG;

	size_t o = 0;
	for (size_t i = 0; i < len; i += 4) {
		/* Only the final group may be padded; the checks above only looked at the last two characters. */
		size_t data = i + 4 == len ? 4 - pad : 4;
		uint32_t v = 0;
		for (size_t j = 0; j < 4; j++) {
			int d = j < data ? unbase64(s[i + j]) : 0;
			if (d < 0)
				return -EBADMSG;
			v = v << 6 | (uint32_t) d;
		}
		/* A non-zero bit that padding drops would give a second spelling of the same bytes. */
		if ((pad == 1 && data == 3 && (v & 0xff) != 0) || (pad == 2 && data == 2 && (v & 0xffff) != 0))
			return -EBADMSG;
		out[o++] = (uint8_t) (v >> 16);
		if (data > 2)
			out[o++] = (uint8_t) (v >> 8);
		if (data > 3)
			out[o++] = (uint8_t) v;
	}
	if (out_len)
		*out_len = o;
	return 0;
}
