/* SPDX-License-Identifier: MIT */
/* The published form of PCR values (pcrlist.h's pcrjson_parse): what a verifier takes as the image's
 * reference, so nothing in it is guessed: one spelling of a bank, a PCR and a value. */
#include <errno.h>
#include <string.h>

#include <json-c/linkhash.h>

#include "hexb64.h"
#include "jsonutil.h"
#include "pcrlist.h"

/* A PCR number as the JSON key spells it: decimal 0..23, no sign, no leading zero. */
static int pcr_key(const char *k) {
	size_t n = strlen(k);
	if (n == 0 || n > 2 || (n == 2 && k[0] == '0') || k[0] < '0' || k[0] > '9' || (n == 2 && (k[1] < '0' || k[1] > '9')))
		return -EINVAL;
	int v = n == 1 ? k[0] - '0' : (k[0] - '0') * 10 + k[1] - '0';
	return v < PCR_COUNT ? v : -EINVAL;
}

static int bank_values(json_object *o, enum pcr_bank b, struct pcr_list *out, struct parse_error *err) {
	const char *bn = pcr_bank_name(b);
	if (!json_object_is_type(o, json_type_object))
		return parse_fail(err, 0, -EBADMSG, "\"%s\" is not an object of PCRs", bn);
	json_object_object_foreach(o, key, val) {
		int pcr = pcr_key(key);
		if (pcr < 0)
			return parse_fail(err, 0, -EBADMSG, "\"%s\": \"%.8s\" is not a PCR 0..23", bn, key);
		const char *hex = json_object_is_type(val, json_type_string) ? json_object_get_string(val) : NULL;
		size_t got = 0;
		if (!hex || strlen(hex) != 2 * pcr_bank_size(b) ||
		    hex_decode(hex, strlen(hex), out->v[pcr][b], PCR_DIGEST_MAX, &got) < 0)
			return parse_fail(err, 0, -EBADMSG, "\"%s\" PCR %d: not %zu lowercase hex digits", bn, pcr,
					  2 * pcr_bank_size(b));
		out->listed[b] |= 1U << pcr;
	}
	return 0;
}

int pcrjson_parse(const char *buf, size_t len, struct pcr_list *out, struct parse_error *err) {
	struct pcr_list l = {};
	_cleanup_(json_tokener_freep) struct json_tokener *tok = NULL;
	_cleanup_(json_putp) json_object *root = NULL;

	if (len > PCRLIST_FILE_MAX)
		return parse_fail(err, 0, -E2BIG, "over %u bytes", PCRLIST_FILE_MAX);
	if (memchr(buf, '\0', len))
		return parse_fail(err, 0, -EBADMSG, "a NUL byte in the text");
	tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	root = json_tokener_parse_ex(tok, buf, (int) len);
	if (!root || json_tokener_get_error(tok) != json_tokener_success || (size_t) json_tokener_get_parse_end(tok) < len) {
		/* Whitespace after the object is fine (a file ends in a newline); anything else is not. */
		size_t end = root ? json_tokener_get_parse_end(tok) : 0;
		while (root && end < len && (buf[end] == ' ' || buf[end] == '\n' || buf[end] == '\t' || buf[end] == '\r'))
			end++;
		if (!root || end < len)
			return parse_fail(err, 0, -EBADMSG, "not one JSON object");
	}
	if (!json_object_is_type(root, json_type_object))
		return parse_fail(err, 0, -EBADMSG, "not a JSON object of banks");
	json_object_object_foreach(root, key, val) {
		int b = pcr_bank_from_name(key, strlen(key));
		if (b < 0 || strcmp(pcr_bank_name((enum pcr_bank) b), key) != 0)
			return parse_fail(err, 0, -EBADMSG, "\"%.16s\" is not a bank (sha1, sha256, sha384, sha512)", key);
		int r = bank_values(val, (enum pcr_bank) b, &l, err);
		if (r < 0)
			return r;
	}
	uint32_t any = 0;
	for (int b = 0; b < _PCR_BANK_MAX; b++)
		any |= l.listed[b];
	if (!any)
		return parse_fail(err, 0, -EBADMSG, "no PCR value");
	*out = l;
	return 0;
}
