/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "envfile.h"

#define NAMES_MAX 256 /* assignments remembered to refuse a name set twice */
#define NAME_MAX_LEN 64

static bool name_char(char c, bool first) {
	return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (!first && c >= '0' && c <= '9');
}

/* The characters a bare word may hold: anything else would make the shell do something. */
static bool bare_char(char c) {
	return c > 0x20 && c < 0x7f && !strchr("'\"$`\\;&|<>()#*?[]~{}", c);
}

/* The value of one NAME=VALUE line, unquoted: *v and *vlen. Returns 0 or -EBADMSG. */
static int parse_value(const char *s, size_t n, const char **v, size_t *vlen) {
	if (n >= 2 && (s[0] == '\'' || s[0] == '"') && s[n - 1] == s[0]) {
		const char *forbidden = s[0] == '\'' ? "'" : "\"$`\\";
		for (size_t i = 1; i + 1 < n; i++)
			if (strchr(forbidden, s[i]))
				return -EBADMSG;
		*v = s + 1;
		*vlen = n - 2;
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		if (!bare_char(s[i]))
			return -EBADMSG;
	*v = s;
	*vlen = n;
	return 0;
}

int envfile_get(const char *buf, size_t len, const char *key, char *out, size_t size, struct parse_error *err) {
	const char *names[NAMES_MAX];
	size_t name_lens[NAMES_MAX];
	const char *p = buf, *end = buf + len;
	const char *found = NULL;
	size_t found_len = 0, n_names = 0;
	unsigned line = 0;

	if (len > ENVFILE_MAX)
		return parse_fail(err, 0, -E2BIG, "longer than %d bytes", ENVFILE_MAX);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t) (end - p));
		size_t l = (size_t) ((nl ? nl : end) - p), k = 0;
		const char *v = NULL;
		size_t vlen = 0;

		line++;
		for (size_t i = 0; i < l; i++)
			if ((unsigned char) p[i] < 0x20 && p[i] != '\t')
				return parse_fail(err, line, -EBADMSG, "a control character (0x%02x)", (unsigned char) p[i]);
		size_t first = 0;
		while (first < l && (p[first] == ' ' || p[first] == '\t'))
			first++;
		if (first == l || p[first] == '#') {
			p += l + (nl ? 1 : 0);
			continue;
		}
		while (k < l && name_char(p[k], k == 0))
			k++;
		if (k == 0 || k > NAME_MAX_LEN || k == l || p[k] != '=')
			return parse_fail(err, line, -EBADMSG, "not NAME=VALUE");
		if (parse_value(p + k + 1, l - k - 1, &v, &vlen) < 0)
			return parse_fail(err, line, -EBADMSG, "the value of %.*s needs a shell to read", (int) k, p);
		for (size_t i = 0; i < n_names; i++)
			if (name_lens[i] == k && memcmp(names[i], p, k) == 0)
				return parse_fail(err, line, -EBADMSG, "%.*s is assigned twice", (int) k, p);
		if (n_names == NAMES_MAX)
			return parse_fail(err, line, -E2BIG, "more than %d assignments", NAMES_MAX);
		names[n_names] = p;
		name_lens[n_names++] = k;
		if (memeq_str(p, k, key)) {
			found = v;
			found_len = vlen;
		}
		p += l + (nl ? 1 : 0);
	}
	if (!found)
		return -ENOENT;
	if (found_len >= size)
		return parse_fail(err, 0, -E2BIG, "the value of %s is longer than %zu bytes", key, size - 1);
	memcpy(out, found, found_len);
	out[found_len] = '\0';
	return 0;
}
