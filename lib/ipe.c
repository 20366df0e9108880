/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/pkcs7.h>
#include <stdbool.h>
#include <string.h>

#include "ipe.h"
#include "macro.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(PKCS7 *, PKCS7_free);

static bool take_uint(const char **s, const char *end, unsigned *out) {
	unsigned long v = 0;
	const char *p = *s;
	if (p >= end || *p < '0' || *p > '9' || (*p == '0' && p + 1 < end && p[1] >= '0' && p[1] <= '9'))
		return false;
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (unsigned long) (*p - '0');
		if (v > 65535)
			return false;
	}
	*out = (unsigned) v;
	*s = p;
	return true;
}

int ipe_version_parse(const char *s, size_t n, struct ipe_version *v) {
	const char *end = s + n;
	if (n > 0 && end[-1] == '\n')
		end--;
	if (!take_uint(&s, end, &v->major) || s >= end || *s++ != '.' || !take_uint(&s, end, &v->minor) ||
	    s >= end || *s++ != '.' || !take_uint(&s, end, &v->patch) || s != end)
		return -EINVAL;
	return 0;
}

int ipe_version_cmp(const struct ipe_version *a, const struct ipe_version *b) {
	if (a->major != b->major)
		return a->major < b->major ? -1 : 1;
	if (a->minor != b->minor)
		return a->minor < b->minor ? -1 : 1;
	if (a->patch != b->patch)
		return a->patch < b->patch ? -1 : 1;
	return 0;
}

/* The value of "key=" among the space-separated tokens of line[0..n). */
static bool token(const char *line, size_t n, const char *key, const char **v, size_t *vlen) {
	size_t klen = strlen(key);
	for (size_t i = 0; i < n;) {
		size_t t = i;
		while (t < n && line[t] != ' ' && line[t] != '\t')
			t++;
		if (t - i > klen && memcmp(line + i, key, klen) == 0) {
			*v = line + i + klen;
			*vlen = t - i - klen;
			return true;
		}
		i = t + 1;
	}
	return false;
}

int ipe_policy_header(const uint8_t *p7, size_t len, char name[static IPE_NAME_MAX], struct ipe_version *version,
		      struct parse_error *err) {
	const unsigned char *p = p7;
	const char *v = NULL;
	size_t vlen = 0;

	if (len > (size_t) INT32_MAX)
		return parse_fail(err, 0, -EBADMSG, "larger than 2 GiB");
	_cleanup_(PKCS7_freep) PKCS7 *sig = d2i_PKCS7(NULL, &p, (long) len);
	if (!sig || p != p7 + len)
		return parse_fail(err, 0, -EBADMSG, "not a DER PKCS#7 (or bytes after it): the kernel takes only a "
						    "signed policy with its text attached");
	/* A signedData whose content is absent decodes with d.sign NULL (found by test/fuzz/ipe.c). */
	if (!PKCS7_type_is_signed(sig) || !sig->d.sign || !sig->d.sign->contents ||
	    !PKCS7_type_is_data(sig->d.sign->contents) || !sig->d.sign->contents->d.data)
		return parse_fail(err, 0, -EBADMSG, "a PKCS#7 without the policy text attached (signed with -nodetach?)");
	const ASN1_OCTET_STRING *text = sig->d.sign->contents->d.data;
	const char *t = (const char *) ASN1_STRING_get0_data(text);
	size_t tlen = (size_t) ASN1_STRING_length(text);
	const char *nl = memchr(t, '\n', tlen);
	size_t line = nl ? (size_t) (nl - t) : tlen;

	if (!token(t, line, "policy_name=", &v, &vlen) || vlen == 0 || vlen >= IPE_NAME_MAX)
		return parse_fail(err, 1, -EBADMSG, "the policy's first line has no policy_name= of 1 to %d characters",
				  IPE_NAME_MAX - 1);
	for (size_t i = 0; i < vlen; i++)
		if (v[i] == '/' || v[i] < 0x21 || v[i] > 0x7e)
			return parse_fail(err, 1, -EBADMSG, "policy_name is not printable ASCII without '/'");
	memcpy(name, v, vlen);
	name[vlen] = '\0';
	if (!token(t, line, "policy_version=", &v, &vlen) || ipe_version_parse(v, vlen, version) < 0)
		return parse_fail(err, 1, -EBADMSG, "the policy's first line has no policy_version=a.b.c");
	return 0;
}
