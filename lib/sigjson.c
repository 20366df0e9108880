/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <json-c/json_object.h>
#include <json-c/json_tokener.h>
#include <json-c/json_util.h>

#include "hexb64.h"
#include "jsonutil.h"
#include "macro.h"
#include "sigjson.h"

/* systemd writes a flat object; 16 leaves room for unknown fields without letting a crafted
 * "[[[[..." cost anything. */
#define SIGJSON_DEPTH 16

static const char *const known_keys[] = { "rootHash", "signature", "certificateFingerprint" };

struct key_scan {
	unsigned keys;                          /* key tokens directly inside the top-level object */
	unsigned known[ELEMENTSOF(known_keys)]; /* of those, the ones spelled exactly as a known key */
};

static bool is_json_ws(char c) {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_letter(char c) {
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_number_char(char c) {
	return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

/* json-c silently keeps the last of two equal keys and its object only knows the survivors, so
 * json-c alone cannot tell {"rootHash":A,"rootHash":B} from {"rootHash":B}. This pass runs over
 * text json-c has already accepted and only tokenises it: it counts the key tokens of the
 * top-level object. Every key token adds or replaces exactly one entry of json-c's table, so
 * "tokens != entries" holds exactly when some key was written twice, as json-c compares keys
 * (after unescaping: "r\u006fotHash" is rootHash too). Decoding is left to json-c.
 * The pass also refuses what json-c's strict mode still lets through and RFC 8259 does not
 * (single-quoted strings, NaN/Infinity, raw control characters in strings), so that its view
 * of where strings start and end is the same as json-c's, and "\u0000" in a key, which json-c
 * truncates at (making "rootHash\u0000x" an alias of rootHash). */
static int scan_keys(const char *t, size_t n, struct key_scan *ks, struct parse_error *err) {
	unsigned depth = 0;
	bool want_key = false;

	for (size_t i = 0; i < n;) {
		char c = t[i];

		if (c == '"') {
			size_t start = ++i;
			bool has_nul = false;
			for (;;) {
				if (i >= n)
					return parse_fail(err, 0, -EBADMSG, "unterminated string at offset %zu",
							  start - 1);
				unsigned char d = (unsigned char) t[i];
				if (d == '"')
					break;
				if (d < 0x20)
					return parse_fail(err, 0, -EBADMSG,
							  "unescaped control character in a string at offset %zu", i);
				if (d == '\\') {
					if (i + 1 >= n)
						return parse_fail(err, 0, -EBADMSG,
								  "unterminated string at offset %zu", start - 1);
					if (t[i + 1] == 'u' && n - i >= 6 && memcmp(t + i + 2, "0000", 4) == 0)
						has_nul = true;
					i += 2;
				} else
					i++;
			}
			size_t klen = i - start;
			i++;
			if (want_key && depth == 1) {
				want_key = false;
				if (has_nul)
					return parse_fail(err, 0, -EINVAL, "a key contains \\u0000 (offset %zu)",
							  start - 1);
				ks->keys++;
				for (size_t k = 0; k < ELEMENTSOF(known_keys); k++)
					if (strlen(known_keys[k]) == klen &&
					    memcmp(known_keys[k], t + start, klen) == 0)
						ks->known[k]++;
			}
			continue;
		}

		if (c == '{' || c == '[') {
			depth++;
			want_key = c == '{' && depth == 1;
			i++;
		} else if (c == '}' || c == ']') {
			if (depth == 0)
				return parse_fail(err, 0, -EBADMSG, "unbalanced '%c' at offset %zu", c, i);
			depth--;
			i++;
		} else if (c == ',') {
			want_key = depth == 1;
			i++;
		} else if (c == ':' || is_json_ws(c))
			i++;
		else if (is_letter(c)) {
			size_t w = i;
			while (i < n && is_letter(t[i]))
				i++;
			size_t wlen = i - w;
			if (!((wlen == 4 && memcmp(t + w, "true", 4) == 0) ||
			      (wlen == 5 && memcmp(t + w, "false", 5) == 0) ||
			      (wlen == 4 && memcmp(t + w, "null", 4) == 0)))
				return parse_fail(err, 0, -EBADMSG, "'%.*s' at offset %zu is not a JSON literal",
						  (int) (wlen > 16 ? 16 : wlen), t + w, w);
		} else if (is_number_char(c)) {
			/* json-c has checked the number's grammar; a letter right after it (the I of
			 * -Infinity) starts a word above and is refused there. */
			while (i < n && is_number_char(t[i]))
				i++;
		} else
			return parse_fail(err, 0, -EBADMSG, "unexpected character 0x%02x at offset %zu",
					  (unsigned char) c, i);
	}
	if (depth != 0)
		return parse_fail(err, 0, -EBADMSG, "unbalanced brackets");
	return 0;
}

/* 1 and the string when key is present, 0 when it is absent, -EINVAL when it is not a string. */
static int get_string(struct json_object *root, const char *key, const char **s, size_t *len,
		      struct parse_error *err) {
	struct json_object *v = NULL;

	*s = NULL;
	*len = 0;
	if (!json_object_object_get_ex(root, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return parse_fail(err, 0, -EINVAL, "'%s' is %s, not a string", key,
				  json_type_to_name(json_object_get_type(v)));
	*s = json_object_get_string(v);
	*len = (size_t) json_object_get_string_len(v);
	return 1;
}

/* A sha256 in hex: 64 characters, lowercase (the spelling that is signed). */
static int get_sha256_hex(struct json_object *root, const char *key, bool mandatory, uint8_t out[32],
			  char out_hex[65], struct parse_error *err) {
	const char *s;
	size_t len;
	int r = get_string(root, key, &s, &len, err);
	if (r < 0)
		return r;
	if (r == 0)
		return mandatory ? parse_fail(err, 0, -EINVAL, "mandatory key '%s' is missing", key) : 0;
	if (len != 64)
		return parse_fail(err, 0, -EINVAL, "'%s' has %zu characters, expected 64 (sha256 in hex)", key, len);
	if (hex_decode(s, len, out, 32, NULL) < 0)
		return parse_fail(err, 0, -EBADMSG, "'%s' is not lowercase hex", key);
	if (out_hex)
		memcpy(out_hex, s, 65); /* len is 64, json-c terminates its strings */
	return 1;
}

static int get_signature(struct json_object *root, struct verity_sig *out, struct parse_error *err) {
	const char *s;
	size_t len;
	int r = get_string(root, "signature", &s, &len, err);
	if (r < 0)
		return r;
	if (r == 0)
		return parse_fail(err, 0, -EINVAL, "mandatory key 'signature' is missing");
	if (len == 0)
		return parse_fail(err, 0, -EINVAL, "'signature' is empty");
	if (base64_decoded_max(len) > sizeof out->signature + 2)
		return parse_fail(err, 0, -E2BIG, "'signature' is %zu base64 characters, more than 16 KiB decoded",
				  len);
	r = base64_decode(s, len, out->signature, sizeof out->signature, &out->signature_len);
	if (r == -E2BIG)
		return parse_fail(err, 0, r, "'signature' is more than 16 KiB decoded");
	if (r < 0)
		return parse_fail(err, 0, r, "'signature' is not canonical base64");
	return 0;
}

int sigjson_parse(const uint8_t *buf, size_t len, struct verity_sig *out, struct parse_error *err) {
	int r;

	memset(out, 0, sizeof *out);
	if (len > SIGJSON_PARTITION_MAX)
		return parse_fail(err, 0, -E2BIG, "signature partition is %zu bytes, more than 1 MiB", len);
	const uint8_t *nul = len > 0 ? memchr(buf, 0, len) : NULL;
	size_t n = nul ? (size_t) (nul - buf) : len;
	if (n == 0)
		return parse_fail(err, 0, -EBADMSG, "no JSON: the signature partition is empty or starts with NUL");
	if (n > SIGJSON_TEXT_MAX)
		return parse_fail(err, 0, -E2BIG, "JSON text is %zu bytes, more than 64 KiB", n);
	/* The padding is not signed: anything hidden there must not exist. */
	for (size_t i = n; i < len; i++)
		if (buf[i] != 0)
			return parse_fail(err, 0, -EBADMSG,
					  "byte 0x%02x at offset %zu in the NUL padding after the JSON", buf[i], i);

	_cleanup_(json_tokener_freep) struct json_tokener *tok = json_tokener_new_ex(SIGJSON_DEPTH);
	if (!tok)
		return parse_fail(err, 0, -ENOMEM, "out of memory");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	const char *text = (const char *) buf;
	_cleanup_(json_putp) struct json_object *root = json_tokener_parse_ex(tok, text, (int) n);
	enum json_tokener_error jerr = json_tokener_get_error(tok);
	size_t end = json_tokener_get_parse_end(tok);
	if (jerr == json_tokener_continue) {
		/* json-c waits for more after a bare "null" or number at the very end: tell it the text
		 * ends here, as the NUL padding would have. */
		root = json_tokener_parse_ex(tok, "", 1);
		jerr = json_tokener_get_error(tok);
		end = n;
	}
	if (jerr == json_tokener_continue || jerr == json_tokener_error_parse_eof)
		return parse_fail(err, 0, -EBADMSG, "JSON ends early (after %zu bytes)", n);
	if (jerr == json_tokener_error_depth)
		return parse_fail(err, 0, -E2BIG, "JSON nested deeper than %d", SIGJSON_DEPTH);
	if (jerr != json_tokener_success)
		return parse_fail(err, 0, -EBADMSG, "not valid JSON at offset %zu: %s", end,
				  json_tokener_error_desc(jerr));
	if (end != n)
		return parse_fail(err, 0, -EBADMSG, "data after the JSON value at offset %zu", end);
	/* A JSON null comes back as NULL with success. */
	if (!json_object_is_type(root, json_type_object))
		return parse_fail(err, 0, -EINVAL, "the JSON is %s, not an object",
				  json_type_to_name(json_object_get_type(root)));

	struct key_scan ks = {};
	r = scan_keys(text, n, &ks, err);
	if (r < 0)
		return r;
	for (size_t k = 0; k < ELEMENTSOF(known_keys); k++)
		if (ks.known[k] > 1)
			return parse_fail(err, 0, -EINVAL, "key '%s' appears %u times", known_keys[k], ks.known[k]);
	int distinct = json_object_object_length(root);
	if (distinct < 0 || ks.keys != (unsigned) distinct)
		return parse_fail(err, 0, -EINVAL, "a key appears more than once (%u keys, %d distinct)", ks.keys,
				  distinct);

	r = get_sha256_hex(root, "rootHash", true, out->root_hash, out->root_hash_hex, err);
	if (r < 0)
		return r;
	r = get_signature(root, out, err);
	if (r < 0)
		return r;
	r = get_sha256_hex(root, "certificateFingerprint", false, out->fingerprint, NULL, err);
	if (r < 0)
		return r;
	out->has_fingerprint = r > 0;
	return 0;
}
