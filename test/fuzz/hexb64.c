/* SPDX-License-Identifier: MIT */
/* hex_decode(), hex_is_sha256() and base64_decode() on attacker text (the signature JSON's fields),
 * each into an output allocated to its exact size. Checked: the one-spelling promise of hexb64.h,
 * as round trips: text that decodes encodes back to the same text (hex_encode(); OpenSSL's
 * EVP_EncodeBlock() for base64), and the decoded length is what the text's length implies. */
#include <openssl/evp.h>

#include "fuzz.h"
#include "hexb64.h"

static void check_hex(const char *s, size_t n, size_t out_size) {
	uint8_t *out = malloc(out_size ? out_size : 1);
	size_t len = 0;
	FUZZ_CHECK(out);
	int r = hex_decode(s, n, out, out_size, &len);
	if (r == 0) {
		FUZZ_CHECK(n % 2 == 0 && len == n / 2 && len <= out_size);
		char *back = malloc(2 * len + 1);
		FUZZ_CHECK(back);
		FUZZ_CHECK(hex_encode(out, len, back, 2 * len + 1) == 0);
		FUZZ_CHECK(memcmp(back, s, n) == 0 && back[n] == '\0');
		FUZZ_CHECK(hex_encode(out, len, back, 2 * len) == -E2BIG);
		free(back);
	} else
		FUZZ_CHECK(r == -EBADMSG || (r == -E2BIG && n / 2 > out_size));
	free(out);
}

static void check_base64(const char *s, size_t n, size_t out_size) {
	uint8_t *out = malloc(out_size ? out_size : 1);
	size_t len = 0;
	FUZZ_CHECK(out);
	int r = base64_decode(s, n, out, out_size, &len);
	if (r == 0) {
		FUZZ_CHECK(n % 4 == 0 && len <= out_size && len <= base64_decoded_max(n) && len + 2 >= base64_decoded_max(n));
		unsigned char *back = malloc(n + 1);
		FUZZ_CHECK(back);
		FUZZ_CHECK(EVP_EncodeBlock(back, out, (int) len) == (int) n);
		FUZZ_CHECK(memcmp(back, s, n) == 0);
		free(back);
	} else
		FUZZ_CHECK(r == -EBADMSG || r == -E2BIG);
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	const uint8_t sel = fuzz_take_byte(&data, &size);
	const char *s = (const char *) data;

	/* Exactly enough room, or (sel's low bits) a few bytes short. */
	size_t short_by = sel & 3;
	check_hex(s, size, size / 2 > short_by ? size / 2 - short_by : 0);
	check_base64(s, size, base64_decoded_max(size) > short_by ? base64_decoded_max(size) - short_by : 0);

	char *z = fuzz_strndup(data, size);
	bool sha = hex_is_sha256(z);
	FUZZ_CHECK(sha == (strlen(z) == 64 && fuzz_is_lower_hex(z, 64)));
	free(z);
	return 0;
}
