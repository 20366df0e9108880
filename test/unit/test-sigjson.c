/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hexb64.h"
#include "macro.h"
#include "sigjson.h"

#define RH "2b0b1b1e7f5c6d4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f00"
#define FP "00f1e2d3c4b5a6978877665544332211ffeeddccbbaa99887766554433221100"
#define SIG "AAECAwQ=" /* 00 01 02 03 04 */

/* ---- hex ------------------------------------------------------------------------------------- */

static void test_hex_cases(void **state) {
	static const struct {
		const char *in;
		int expect;
		size_t out_len;
		const char *bytes;
	} cases[] = {
		{ "", 0, 0, "" },
		{ "00", 0, 1, "\x00" },
		{ "0a", 0, 1, "\x0a" },
		{ "ff7f", 0, 2, "\xff\x7f" },
		{ "0123456789abcdef", 0, 8, "\x01\x23\x45\x67\x89\xab\xcd\xef" },
		{ "0A", -EBADMSG, 0, NULL }, /* uppercase: not the signed spelling */
		{ "0", -EBADMSG, 0, NULL },  /* odd */
		{ "0g", -EBADMSG, 0, NULL },
		{ " 00", -EBADMSG, 0, NULL }, /* odd length and a space */
		{ "0 ", -EBADMSG, 0, NULL },
		{ "00\n", -EBADMSG, 0, NULL },
		{ "0x", -EBADMSG, 0, NULL },
	};
	(void) state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint8_t out[16];
		size_t out_len = 99;
		int r = hex_decode(cases[i].in, strlen(cases[i].in), out, sizeof out, &out_len);
		if (r != cases[i].expect)
			fail_msg("hex case %zu '%s': got %d, expected %d", i, cases[i].in, r, cases[i].expect);
		if (r == 0) {
			assert_int_equal(out_len, cases[i].out_len);
			assert_memory_equal(out, cases[i].bytes, out_len);
		}
	}
}

static void test_hex_limits_and_encode(void **state) {
	uint8_t out[2];
	char hex[7];
	(void) state;
	assert_int_equal(hex_decode("000102", 6, out, sizeof out, NULL), -E2BIG);
	assert_int_equal(hex_decode("0001", 4, out, sizeof out, NULL), 0);

	static const uint8_t in[3] = { 0x00, 0xab, 0xff };
	assert_int_equal(hex_encode(in, 3, hex, sizeof hex), 0);
	assert_string_equal(hex, "00abff");
	assert_int_equal(hex_encode(in, 3, hex, 6), -E2BIG); /* no room for the NUL */
	assert_int_equal(hex_encode(in, 0, hex, 1), 0);
	assert_string_equal(hex, "");
	assert_int_equal(hex_encode(in, 0, hex, 0), -E2BIG);

	/* A SHA-256 as verinit spells it: 64 lowercase hex digits, nothing else. */
	static const char h64[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	assert_true(hex_is_sha256(h64));
	assert_false(hex_is_sha256(h64 + 1));
	assert_false(hex_is_sha256("0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"));
	assert_false(hex_is_sha256("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0"));
	assert_false(hex_is_sha256("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg"));
	assert_false(hex_is_sha256(NULL));
}

/* ---- base64 ---------------------------------------------------------------------------------- */

static void test_base64_cases(void **state) {
	static const struct {
		const char *in;
		int expect;
		const char *out; /* the decoded text when expect is 0 */
	} cases[] = {
		/* RFC 4648 section 10 */
		{ "", 0, "" },
		{ "Zg==", 0, "f" },
		{ "Zm8=", 0, "fo" },
		{ "Zm9v", 0, "foo" },
		{ "Zm9vYg==", 0, "foob" },
		{ "Zm9vYmE=", 0, "fooba" },
		{ "Zm9vYmFy", 0, "foobar" },
		{ "+/+/", 0, "\xfb\xff\xbf" },
		/* padding missing, short, excessive or misplaced */
		{ "Zg", -EBADMSG, NULL },
		{ "Zg=", -EBADMSG, NULL },
		{ "Zg===", -EBADMSG, NULL },
		{ "Z===", -EBADMSG, NULL },
		{ "====", -EBADMSG, NULL },
		{ "=Zg=", -EBADMSG, NULL },
		{ "Zg==Zg==", -EBADMSG, NULL },
		{ "Zm9vYg=A", -EBADMSG, NULL },
		/* non-canonical: bits that padding drops are set */
		{ "Zh==", -EBADMSG, NULL },
		{ "Zm9=", -EBADMSG, NULL },
		/* whitespace, other alphabets, garbage */
		{ "Zm9v\n", -EBADMSG, NULL },
		{ " Zm9v", -EBADMSG, NULL },
		{ "Zm9v Zm9v", -EBADMSG, NULL },
		{ "Zm-v", -EBADMSG, NULL },
		{ "Zm_v", -EBADMSG, NULL },
		{ "Zm9v\x80xyz", -EBADMSG, NULL },
	};
	(void) state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint8_t out[16];
		size_t out_len = 99;
		int r = base64_decode(cases[i].in, strlen(cases[i].in), out, sizeof out, &out_len);
		if (r != cases[i].expect)
			fail_msg("base64 case %zu '%s': got %d, expected %d", i, cases[i].in, r, cases[i].expect);
		if (r == 0) {
			assert_int_equal(out_len, strlen(cases[i].out));
			assert_memory_equal(out, cases[i].out, out_len);
		}
	}
}

static void test_base64_embedded_nul_and_limit(void **state) {
	uint8_t out[6];
	size_t out_len = 0;
	(void) state;
	/* A NUL inside the given length is a bad character, not the end. */
	assert_int_equal(base64_decode("Zm9v\0mFy", 8, out, sizeof out, &out_len), -EBADMSG);
	assert_int_equal(base64_decode("Zm9vYmFy", 8, out, 5, &out_len), -E2BIG);
	assert_int_equal(base64_decode("Zm9vYmE=", 8, out, 5, &out_len), 0); /* padding counts */
	assert_int_equal(out_len, 5);
	assert_int_equal(base64_decoded_max(8), 6);
}

/* ---- sigjson: the table ---------------------------------------------------------------------- */

struct json_case {
	const char *name;
	const char *json;
	int expect;
	const char *msg; /* a substring the error message must contain, or NULL */
};

static const struct json_case json_cases[] = {
	{ "compact, as systemd 252 writes it",
	  "{\"rootHash\":\"" RH "\",\"certificateFingerprint\":\"" FP "\",\"signature\":\"" SIG "\"}", 0, NULL },
	{ "no fingerprint", "{\"rootHash\":\"" RH "\",\"signature\":\"" SIG "\"}", 0, NULL },
	{ "whitespace, other order, unknown fields",
	  "\n {\n\t\"signature\" : \"" SIG "\",\r\n \"x-new\": {\"rootHash\": 5, \"a\": [1, 2.5e3, -0.1, true, null]},"
	  " \"rootHash\": \"" RH "\", \"n\": false } \n",
	  0, NULL },
	{ "escaped key", "{\"root\\u0048ash\":\"" RH "\",\"signature\":\"" SIG "\"}", 0, NULL },
	{ "nested copies of known keys are not duplicates",
	  "{\"a\":{\"rootHash\":1,\"rootHash\":2},\"rootHash\":\"" RH "\",\"signature\":\"" SIG "\"}", 0, NULL },
	{ "string values that look like keys", "{\"rootHash\":\"" RH "\",\"x\":\"\\\",\\\"rootHash\\\":\\\"\",\"signature\":\"" SIG "\"}",
	  0, NULL },

	/* duplicates */
	{ "duplicate rootHash", "{\"rootHash\":\"" RH "\",\"rootHash\":\"" RH "\",\"signature\":\"" SIG "\"}", -EINVAL,
	  "'rootHash' appears 2 times" },
	{ "duplicate signature", "{\"rootHash\":\"" RH "\",\"signature\":\"AAAA\",\"signature\":\"" SIG "\"}", -EINVAL,
	  "'signature'" },
	{ "duplicate fingerprint",
	  "{\"rootHash\":\"" RH "\",\"certificateFingerprint\":\"" FP "\",\"signature\":\"" SIG "\",\"certificateFingerprint\":\"" FP
	  "\"}",
	  -EINVAL, "'certificateFingerprint'" },
	{ "duplicate through an escape", "{\"rootHash\":\"" RH "\",\"root\\u0048ash\":\"" RH "\",\"signature\":\"" SIG "\"}",
	  -EINVAL, "more than once" },
	{ "duplicate unknown key", "{\"x\":1,\"rootHash\":\"" RH "\",\"x\":2,\"signature\":\"" SIG "\"}", -EINVAL,
	  "more than once" },
	{ "NUL in a key (json-c would read rootHash)", "{\"rootHash\\u0000x\":\"" RH "\",\"signature\":\"" SIG "\"}",
	  -EINVAL, "\\u0000" },

	/* missing and wrong types */
	{ "no rootHash", "{\"signature\":\"" SIG "\"}", -EINVAL, "'rootHash' is missing" },
	{ "no signature", "{\"rootHash\":\"" RH "\"}", -EINVAL, "'signature' is missing" },
	{ "empty object", "{}", -EINVAL, "missing" },
	{ "rootHash a number", "{\"rootHash\":1234,\"signature\":\"" SIG "\"}", -EINVAL, "'rootHash' is int" },
	{ "rootHash an object", "{\"rootHash\":{\"v\":\"" RH "\"},\"signature\":\"" SIG "\"}", -EINVAL, "not a string" },
	{ "rootHash null", "{\"rootHash\":null,\"signature\":\"" SIG "\"}", -EINVAL, "'rootHash' is null" },
	{ "rootHash an array", "{\"rootHash\":[\"" RH "\"],\"signature\":\"" SIG "\"}", -EINVAL, "not a string" },
	{ "signature an array", "{\"rootHash\":\"" RH "\",\"signature\":[\"" SIG "\"]}", -EINVAL, "'signature' is array" },
	{ "signature true", "{\"rootHash\":\"" RH "\",\"signature\":true}", -EINVAL, "not a string" },
	{ "fingerprint a number", "{\"rootHash\":\"" RH "\",\"certificateFingerprint\":0,\"signature\":\"" SIG "\"}", -EINVAL,
	  "'certificateFingerprint' is int" },
	{ "top level array", "[{\"rootHash\":\"" RH "\",\"signature\":\"" SIG "\"}]", -EINVAL, "not an object" },
	{ "top level string", "\"" RH "\"", -EINVAL, "not an object" },
	{ "top level null", "null", -EINVAL, "not an object" },

	/* the values */
	{ "uppercase rootHash", "{\"rootHash\":\"2B0B1B1E7F5C6D4A3B2C1D0E9F8A7B6C5D4E3F2A1B0C9D8E7F6A5B4C3D2E1F00\",\"signature\":\"" SIG "\"}",
	  -EBADMSG, "lowercase hex" },
	{ "rootHash one uppercase digit", "{\"rootHash\":\"2b0b1b1e7f5c6d4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1F00\",\"signature\":\"" SIG "\"}",
	  -EBADMSG, NULL },
	{ "rootHash not hex", "{\"rootHash\":\"zb0b1b1e7f5c6d4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f00\",\"signature\":\"" SIG "\"}",
	  -EBADMSG, NULL },
	{ "rootHash 63 characters", "{\"rootHash\":\"b0b1b1e7f5c6d4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f00\",\"signature\":\"" SIG "\"}",
	  -EINVAL, "63 characters" },
	{ "rootHash sha512 length", "{\"rootHash\":\"" RH RH "\",\"signature\":\"" SIG "\"}", -EINVAL, "expected 64" },
	{ "rootHash empty", "{\"rootHash\":\"\",\"signature\":\"" SIG "\"}", -EINVAL, NULL },
	{ "rootHash with a NUL", "{\"rootHash\":\"2b0b1b1e7f5c6d4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f\\u0000\",\"signature\":\"" SIG "\"}",
	  -EINVAL, NULL }, /* 59 characters once unescaped and NUL: wrong length */
	{ "fingerprint uppercase", "{\"rootHash\":\"" RH "\",\"certificateFingerprint\":\"00F1E2D3C4B5A6978877665544332211FFEEDDCCBBAA99887766554433221100\",\"signature\":\"" SIG "\"}",
	  -EBADMSG, "'certificateFingerprint' is not lowercase hex" },
	{ "fingerprint short", "{\"rootHash\":\"" RH "\",\"certificateFingerprint\":\"00f1\",\"signature\":\"" SIG "\"}", -EINVAL,
	  "'certificateFingerprint' has 4 characters" },
	{ "signature empty", "{\"rootHash\":\"" RH "\",\"signature\":\"\"}", -EINVAL, "empty" },
	{ "signature without padding", "{\"rootHash\":\"" RH "\",\"signature\":\"AAECAwQ\"}", -EBADMSG, "base64" },
	{ "signature non-canonical", "{\"rootHash\":\"" RH "\",\"signature\":\"AAECAwR=\"}", -EBADMSG, "base64" },
	{ "signature with a newline", "{\"rootHash\":\"" RH "\",\"signature\":\"AAEC\\nAwQ=\"}", -EBADMSG, "base64" },
	{ "signature base64url", "{\"rootHash\":\"" RH "\",\"signature\":\"AA-_\"}", -EBADMSG, "base64" },

	/* not JSON, or not strict JSON */
	{ "not JSON", "hello", -EBADMSG, "not valid JSON" },
	{ "truncated", "{\"rootHash\":\"" RH "\",\"signature\":", -EBADMSG, "ends early" },
	{ "trailing garbage", "{\"rootHash\":\"" RH "\",\"signature\":\"" SIG "\"}x", -EBADMSG, NULL },
	{ "two objects", "{\"rootHash\":\"" RH "\",\"signature\":\"" SIG "\"}{}", -EBADMSG, NULL },
	{ "trailing comma", "{\"rootHash\":\"" RH "\",\"signature\":\"" SIG "\",}", -EBADMSG, NULL },
	{ "comment", "{\"rootHash\":\"" RH "\",/* x */\"signature\":\"" SIG "\"}", -EBADMSG, NULL },
	{ "single quotes", "{'rootHash':\"" RH "\",\"signature\":\"" SIG "\"}", -EBADMSG, "0x27" },
	{ "single-quoted string hiding a key", "{\"rootHash\":\"" RH "\",\"x\":'\",\"rootHash\":\"',\"signature\":\"" SIG "\"}",
	  -EBADMSG, NULL },
	{ "NaN", "{\"rootHash\":\"" RH "\",\"x\":NaN,\"signature\":\"" SIG "\"}", -EBADMSG, "'NaN'" },
	{ "-Infinity", "{\"rootHash\":\"" RH "\",\"x\":-Infinity,\"signature\":\"" SIG "\"}", -EBADMSG, "Infinity" },
	{ "raw tab in a string", "{\"rootHash\":\"" RH "\",\"x\":\"a\tb\",\"signature\":\"" SIG "\"}", -EBADMSG, "control" },
	{ "invalid UTF-8", "{\"rootHash\":\"" RH "\",\"x\":\"\xff\",\"signature\":\"" SIG "\"}", -EBADMSG, NULL },
	{ "bad escape", "{\"rootHash\":\"" RH "\",\"x\":\"\\q\",\"signature\":\"" SIG "\"}", -EBADMSG, NULL },
	{ "nesting 20 deep", "{\"x\":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]],\"rootHash\":\"" RH "\",\"signature\":\"" SIG "\"}",
	  -E2BIG, "deeper" },
};

/* Each case as the partition holds it: the text, then NULs up to 4 KiB. */
static void test_json_table(void **state) {
	(void) state;
	_cleanup_free_ struct verity_sig *sig = malloc(sizeof *sig);
	_cleanup_free_ uint8_t *part = malloc(4096);
	assert_non_null(sig);
	assert_non_null(part);
	for (size_t i = 0; i < sizeof json_cases / sizeof json_cases[0]; i++) {
		const struct json_case *c = &json_cases[i];
		struct parse_error err = {};
		size_t n = strlen(c->json);
		assert_true(n < 4096);
		memset(part, 0, 4096);
		memcpy(part, c->json, n);
		int r = sigjson_parse(part, 4096, sig, &err);
		if (r != c->expect)
			fail_msg("case '%s': got %d (%s), expected %d", c->name, r, err.msg, c->expect);
		if (r < 0 && err.msg[0] == '\0')
			fail_msg("case '%s': no error message", c->name);
		if (c->msg && !strstr(err.msg, c->msg))
			fail_msg("case '%s': message '%s' lacks '%s'", c->name, err.msg, c->msg);
		/* Without padding the same verdict: the NULs are not what makes it valid. */
		r = sigjson_parse((const uint8_t *) c->json, n, sig, NULL);
		if (r != c->expect)
			fail_msg("case '%s' unpadded: got %d, expected %d", c->name, r, c->expect);
	}
}

static void test_json_fields(void **state) {
	static const char json[] = "{\"rootHash\":\"" RH "\",\"certificateFingerprint\":\"" FP "\",\"signature\":\"" SIG "\"}";
	static const uint8_t rh0[4] = { 0x2b, 0x0b, 0x1b, 0x1e }, fp0[4] = { 0x00, 0xf1, 0xe2, 0xd3 };
	static const uint8_t sigbytes[] = { 0, 1, 2, 3, 4 };
	_cleanup_free_ struct verity_sig *sig = malloc(sizeof *sig);
	(void) state;
	assert_non_null(sig);

	assert_int_equal(sigjson_parse((const uint8_t *) json, sizeof json - 1, sig, NULL), 0);
	assert_string_equal(sig->root_hash_hex, RH);
	assert_memory_equal(sig->root_hash, rh0, sizeof rh0);
	assert_int_equal(sig->root_hash[31], 0x00);
	assert_int_equal(sig->signature_len, sizeof sigbytes);
	assert_memory_equal(sig->signature, sigbytes, sizeof sigbytes);
	assert_true(sig->has_fingerprint);
	assert_memory_equal(sig->fingerprint, fp0, sizeof fp0);

	static const char nofp[] = "{\"rootHash\":\"" RH "\",\"signature\":\"" SIG "\"}";
	assert_int_equal(sigjson_parse((const uint8_t *) nofp, sizeof nofp - 1, sig, NULL), 0);
	assert_false(sig->has_fingerprint);
}

/* ---- sigjson: padding, sizes ----------------------------------------------------------------- */

static void test_json_padding(void **state) {
	static const char json[] = "{\"rootHash\":\"" RH "\",\"signature\":\"" SIG "\"}";
	struct parse_error err = {};
	_cleanup_free_ struct verity_sig *sig = malloc(sizeof *sig);
	_cleanup_free_ uint8_t *part = calloc(1, 16384);
	(void) state;
	assert_non_null(sig);
	assert_non_null(part);
	memcpy(part, json, sizeof json - 1);

	assert_int_equal(sigjson_parse(part, 16384, sig, &err), 0); /* systemd 252: NULs to 16 KiB */

	part[16383] = 0x01; /* a byte hidden at the very end */
	assert_int_equal(sigjson_parse(part, 16384, sig, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "offset 16383"));
	part[16383] = 0;

	part[sizeof json + 10] = '{'; /* a second object after some NULs */
	assert_int_equal(sigjson_parse(part, 16384, sig, &err), -EBADMSG);
	part[sizeof json + 10] = 0;

	memset(part, 0, 16384); /* all NUL: an empty partition */
	assert_int_equal(sigjson_parse(part, 16384, sig, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "empty"));
	assert_int_equal(sigjson_parse(part, 0, sig, &err), -EBADMSG);
	assert_int_equal(sigjson_parse(NULL, 0, sig, &err), -EBADMSG);

	memcpy(part, json, sizeof json - 1); /* NUL inside the object cuts it short */
	part[20] = 0;
	assert_int_equal(sigjson_parse(part, 16384, sig, &err), -EBADMSG);
}

static char *make_json(size_t sig_bytes, size_t filler) {
	size_t b64 = (sig_bytes + 2) / 3 * 4;
	char *s = malloc(b64 + filler + 256);
	assert_non_null(s);
	int n = sprintf(s, "{\"rootHash\":\"" RH "\",\"x\":\"");
	memset(s + n, 'a', filler);
	n += (int) filler;
	n += sprintf(s + n, "\",\"signature\":\"");
	/* sig_bytes zero bytes: "AAAA" per 3, padded */
	for (size_t i = 0; i < sig_bytes / 3; i++)
		n += sprintf(s + n, "AAAA");
	if (sig_bytes % 3 == 1)
		n += sprintf(s + n, "AA==");
	else if (sig_bytes % 3 == 2)
		n += sprintf(s + n, "AAA=");
	(void) sprintf(s + n, "\"}");
	return s;
}

static void test_json_sizes(void **state) {
	struct parse_error err = {};
	struct verity_sig *sig = malloc(sizeof *sig);
	(void) state;
	assert_non_null(sig);

	char *s = make_json(SIGJSON_SIGNATURE_MAX, 0);
	assert_int_equal(sigjson_parse((const uint8_t *) s, strlen(s), sig, &err), 0);
	assert_int_equal(sig->signature_len, SIGJSON_SIGNATURE_MAX);
	free(s);

	s = make_json(SIGJSON_SIGNATURE_MAX + 1, 0);
	assert_int_equal(sigjson_parse((const uint8_t *) s, strlen(s), sig, &err), -E2BIG);
	assert_non_null(strstr(err.msg, "16 KiB"));
	free(s);

	s = make_json((size_t) SIGJSON_SIGNATURE_MAX * 2, 0);
	assert_int_equal(sigjson_parse((const uint8_t *) s, strlen(s), sig, &err), -E2BIG);
	free(s);

	/* The text limit, with a filler field: just under passes, just over does not. */
	s = make_json(5, 0);
	size_t base = strlen(s);
	free(s);
	s = make_json(5, SIGJSON_TEXT_MAX - base);
	assert_int_equal(strlen(s), SIGJSON_TEXT_MAX);
	assert_int_equal(sigjson_parse((const uint8_t *) s, strlen(s), sig, &err), 0);
	free(s);
	s = make_json(5, SIGJSON_TEXT_MAX - base + 1);
	assert_int_equal(sigjson_parse((const uint8_t *) s, strlen(s), sig, &err), -E2BIG);
	assert_non_null(strstr(err.msg, "64 KiB"));
	free(s);

	uint8_t *big = calloc(1, SIGJSON_PARTITION_MAX + 1);
	assert_non_null(big);
	static const char json[] = "{\"rootHash\":\"" RH "\",\"signature\":\"" SIG "\"}";
	memcpy(big, json, sizeof json - 1);
	assert_int_equal(sigjson_parse(big, SIGJSON_PARTITION_MAX, sig, &err), 0);
	assert_int_equal(sigjson_parse(big, SIGJSON_PARTITION_MAX + 1, sig, &err), -E2BIG);
	free(big);
	free(sig);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hex_cases),
		cmocka_unit_test(test_hex_limits_and_encode),
		cmocka_unit_test(test_base64_cases),
		cmocka_unit_test(test_base64_embedded_nul_and_limit),
		cmocka_unit_test(test_json_table),
		cmocka_unit_test(test_json_fields),
		cmocka_unit_test(test_json_padding),
		cmocka_unit_test(test_json_sizes),
	};
	return cmocka_run_group_tests_name("sigjson", tests, NULL, NULL);
}
