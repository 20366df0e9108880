/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "eventlog.h"
#include "hexb64.h"
#include "jsonutil.h"
#include "macro.h"

#define EVENTLOG_DEPTH 8

static json_object *digests_json(const struct pcr_digests *d, bool *oom) {
	json_object *a = json_object_new_array();
	char hex[2 * PCR_DIGEST_MAX + 1];
	if (!a) {
		*oom = true;
		return NULL;
	}
	for (int b = 0; b < _PCR_BANK_MAX; b++) {
		if (!(d->banks & (1U << b)))
			continue;
		json_object *e = json_object_new_object();
		if (!e || json_object_array_add(a, e) < 0) {
			json_object_put(e);
			*oom = true;
			continue;
		}
		(void) hex_encode(d->d[b], pcr_bank_size((enum pcr_bank) b), hex, sizeof hex);
		json_add(e, "hashAlg", json_object_new_string(pcr_bank_name((enum pcr_bank) b)), oom);
		json_add(e, "digest", json_object_new_string(hex), oom);
	}
	return a;
}

ssize_t eventlog_format(const struct eventlog_record *r, const char *boot_id, uint64_t timestamp_us, char *buf,
			size_t size) {
	_cleanup_(json_putp) json_object *top = json_object_new_object();
	json_object *content = json_object_new_object();
	bool oom = !top || !content;

	if (oom) {
		json_object_put(content);
		return -ENOMEM;
	}
	json_add(top, "pcr", json_object_new_int((int) r->pcr), &oom);
	json_add(top, "digests", digests_json(&r->digests, &oom), &oom);
	json_add(top, "content_type", json_object_new_string(r->content_type), &oom);
	if (r->string[0])
		json_add(content, "string", json_object_new_string(r->string), &oom);
	if (boot_id)
		json_add(content, "bootId", json_object_new_string(boot_id), &oom);
	json_add(content, "timestamp", json_object_new_uint64(timestamp_us), &oom);
	if (r->event_type[0])
		json_add(content, "eventType", json_object_new_string(r->event_type), &oom);
	json_add(top, "content", content, &oom);
	if (oom)
		return -ENOMEM;

	const char *text = json_object_to_json_string_ext(top, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!text)
		return -ENOMEM;
	int w = snprintf(buf, size, "\x1e%s\n", text);
	if (w < 0 || (size_t) w >= size)
		return -ENOBUFS;
	return w;
}

/* Copies a string member of o into out; absent leaves "". Returns 0 or -EBADMSG. */
static int get_string(json_object *o, const char *key, char *out, size_t size) {
	json_object *v;
	out[0] = '\0';
	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_string) || (size_t) json_object_get_string_len(v) >= size)
		return -EBADMSG;
	memcpy(out, json_object_get_string(v), (size_t) json_object_get_string_len(v) + 1);
	return 0;
}

static int parse_digests(json_object *a, struct pcr_digests *d, unsigned rec, struct parse_error *err) {
	if (!a || !json_object_is_type(a, json_type_array) || json_object_array_length(a) == 0)
		return parse_fail(err, rec, -EBADMSG, "\"digests\" is not a non-empty array");
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		json_object *e = json_object_array_get_idx(a, i), *alg, *dig;
		if (!json_object_is_type(e, json_type_object) || !json_object_object_get_ex(e, "hashAlg", &alg) ||
		    !json_object_object_get_ex(e, "digest", &dig) || !json_object_is_type(alg, json_type_string) ||
		    !json_object_is_type(dig, json_type_string))
			return parse_fail(err, rec, -EBADMSG, "digest %zu lacks a hashAlg or digest string", i + 1);
		int b = pcr_bank_from_name(json_object_get_string(alg), (size_t) json_object_get_string_len(alg));
		if (b < 0)
			return parse_fail(err, rec, -EBADMSG, "unknown hashAlg '%.16s'", json_object_get_string(alg));
		if (d->banks & (1U << b))
			return parse_fail(err, rec, -EBADMSG, "bank %s twice", pcr_bank_name((enum pcr_bank) b));
		size_t len = 0;
		if (hex_decode(json_object_get_string(dig), (size_t) json_object_get_string_len(dig), d->d[b],
			       PCR_DIGEST_MAX, &len) < 0 ||
		    len != pcr_bank_size((enum pcr_bank) b))
			return parse_fail(err, rec, -EBADMSG, "%s digest is not %zu bytes of lowercase hex",
					  pcr_bank_name((enum pcr_bank) b), pcr_bank_size((enum pcr_bank) b));
		d->banks |= 1U << b;
	}
	return 0;
}

static int parse_record(const char *text, size_t len, struct eventlog_record *r, unsigned rec,
			struct parse_error *err) {
	_cleanup_(json_tokener_freep) struct json_tokener *tok = json_tokener_new_ex(EVENTLOG_DEPTH);
	json_object *v, *content;

	if (!tok)
		return parse_fail(err, rec, -ENOMEM, "out of memory");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	_cleanup_(json_putp) json_object *o = json_tokener_parse_ex(tok, text, (int) len);
	/* Strict mode also refuses anything but white space after the object. */
	if (!o || json_tokener_get_error(tok) != json_tokener_success)
		return parse_fail(err, rec, -EBADMSG, "not JSON: %s",
				  json_tokener_error_desc(json_tokener_get_error(tok)));
	if (!json_object_is_type(o, json_type_object))
		return parse_fail(err, rec, -EBADMSG, "not a JSON object");

	memset(r, 0, sizeof *r);
	if (!json_object_object_get_ex(o, "pcr", &v) || !json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) < 0 || json_object_get_int64(v) >= PCR_COUNT)
		return parse_fail(err, rec, -EBADMSG, "\"pcr\" is not an integer 0..23");
	r->pcr = (unsigned) json_object_get_int64(v);
	json_object *digests = NULL;
	(void) json_object_object_get_ex(o, "digests", &digests);
	int ret = parse_digests(digests, &r->digests, rec, err);
	if (ret < 0)
		return ret;
	if (get_string(o, "content_type", r->content_type, sizeof r->content_type) < 0)
		return parse_fail(err, rec, -EBADMSG, "\"content_type\" is not a short string");
	if (json_object_object_get_ex(o, "content", &content)) {
		if (!json_object_is_type(content, json_type_object))
			return parse_fail(err, rec, -EBADMSG, "\"content\" is not an object");
		if (get_string(content, "string", r->string, sizeof r->string) < 0 ||
		    get_string(content, "eventType", r->event_type, sizeof r->event_type) < 0)
			return parse_fail(err, rec, -EBADMSG, "content.string or content.eventType is not a string "
							      "of a sane length");
	}
	return 0;
}

int eventlog_parse(const void *buf, size_t len, struct eventlog_record *out, size_t max, size_t *n,
		   struct parse_error *err) {
	const char *p = buf, *end = p + len;
	unsigned rec = 0;

	*n = 0;
	while (p < end) {
		rec++;
		if (*p != '\x1e')
			return parse_fail(err, rec, -EBADMSG, "does not start with the record separator 0x1E");
		p++;
		const char *next = memchr(p, '\x1e', (size_t) (end - p));
		size_t rlen = (size_t) ((next ? next : end) - p);
		if (rlen > EVENTLOG_RECORD_MAX)
			return parse_fail(err, rec, -EBADMSG, "longer than %d bytes", EVENTLOG_RECORD_MAX);
		if (*n >= max)
			return parse_fail(err, rec, -E2BIG, "more than %zu records", max);
		int r = parse_record(p, rlen, &out[*n], rec, err);
		if (r < 0)
			return r;
		(*n)++;
		p += rlen;
	}
	return 0;
}

int eventlog_replay(const struct eventlog_record *recs, size_t n, struct pcr_values *vals,
		    struct parse_error *err) {
	for (size_t i = 0; i < n; i++) {
		const struct eventlog_record *r = &recs[i];
		for (int b = 0; b < _PCR_BANK_MAX; b++) {
			if (!(vals->banks & (1U << b)))
				continue;
			if (!(r->digests.banks & (1U << b)))
				return parse_fail(err, (unsigned) i + 1, -EBADMSG, "no %s digest for PCR %u",
						  pcr_bank_name((enum pcr_bank) b), r->pcr);
			int ret = pcr_extend((enum pcr_bank) b, vals->v[r->pcr][b], r->digests.d[b]);
			if (ret < 0)
				return ret;
		}
		vals->pcrs |= 1U << r->pcr;
	}
	return 0;
}

int eventlog_replay_pcr(const struct eventlog_record *recs, size_t n, unsigned pcr, enum pcr_bank b,
			uint8_t v[static PCR_DIGEST_MAX], size_t *bad) {
	for (size_t i = 0; i < n; i++) {
		if (recs[i].pcr != pcr)
			continue;
		if (!(recs[i].digests.banks & (1U << b))) {
			*bad = i;
			return -EBADMSG;
		}
		if (pcr_extend(b, v, recs[i].digests.d[b]) < 0)
			return -EIO;
	}
	return 0;
}

uint32_t eventlog_pcrs(const struct eventlog_record *recs, size_t n) {
	uint32_t m = 0;
	for (size_t i = 0; i < n; i++)
		m |= 1U << recs[i].pcr;
	return m;
}
