/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "hexb64.h"
#include "pcrlist.h"

#define FIELDS 3

static bool blank(char c) {
	return c == ' ' || c == '\t';
}

/* Splits one line into at most FIELDS fields; returns how many there are (FIELDS + 1 for more). */
static size_t split(const char *s, size_t len, const char *f[FIELDS], size_t flen[FIELDS]) {
	size_t n = 0, i = 0;
	while (i < len) {
		while (i < len && blank(s[i]))
			i++;
		if (i == len)
			break;
		if (n == FIELDS)
			return FIELDS + 1;
		f[n] = s + i;
		while (i < len && !blank(s[i]))
			i++;
		flen[n] = (size_t) (s + i - f[n]);
		n++;
	}
	return n;
}

static int parse_pcr(const char *s, size_t n, unsigned *pcr) {
	if (n == 0 || n > 2 || (n == 2 && s[0] == '0'))
		return -EBADMSG;
	unsigned v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EBADMSG;
		v = v * 10 + (unsigned) (s[i] - '0');
	}
	if (v >= PCR_COUNT)
		return -EBADMSG;
	*pcr = v;
	return 0;
}

static int parse_line(const char *s, size_t len, unsigned line, struct pcr_list *out, struct parse_error *err) {
	const char *f[FIELDS];
	size_t flen[FIELDS];
	char hex[2 * PCR_DIGEST_MAX];
	unsigned pcr = 0;
	size_t got = 0;

	if (split(s, len, f, flen) != FIELDS)
		return parse_fail(err, line, -EBADMSG, "not \"BANK PCR HEX\"");
	int b = pcr_bank_from_name(f[0], flen[0]);
	if (b < 0)
		return parse_fail(err, line, -EBADMSG, "unknown bank '%.*s'", (int) (flen[0] > 16 ? 16 : flen[0]), f[0]);
	if (parse_pcr(f[1], flen[1], &pcr) < 0)
		return parse_fail(err, line, -EBADMSG, "PCR '%.*s' is not 0..23", (int) (flen[1] > 16 ? 16 : flen[1]), f[1]);
	size_t size = pcr_bank_size((enum pcr_bank) b);
	if (flen[2] != 2 * size)
		return parse_fail(err, line, -EBADMSG, "a %s value is %zu hex digits, not %zu", pcr_bank_name((enum pcr_bank) b),
				  2 * size, flen[2]);
	for (size_t i = 0; i < flen[2]; i++)
		hex[i] = (char) (f[2][i] >= 'A' && f[2][i] <= 'F' ? f[2][i] - 'A' + 'a' : f[2][i]);
	if (hex_decode(hex, flen[2], out->v[pcr][b], PCR_DIGEST_MAX, &got) < 0)
		return parse_fail(err, line, -EBADMSG, "the value is not hex");
	if (out->listed[b] & (1U << pcr))
		return parse_fail(err, line, -EBADMSG, "%s %u is listed twice", pcr_bank_name((enum pcr_bank) b), pcr);
	out->listed[b] |= 1U << pcr;
	return 0;
}

int pcrlist_parse(const char *buf, size_t len, struct pcr_list *out, struct parse_error *err) {
	const char *p = buf, *end = buf + len;
	unsigned line = 0;

	memset(out, 0, sizeof *out);
	if (len > PCRLIST_FILE_MAX)
		return parse_fail(err, 0, -E2BIG, "longer than %d bytes", PCRLIST_FILE_MAX);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t) (end - p));
		size_t l = (size_t) ((nl ? nl : end) - p);
		line++;
		for (size_t i = 0; i < l; i++)
			if ((unsigned char) p[i] < 0x20 && p[i] != '\t')
				return parse_fail(err, line, -EBADMSG, "a control character (0x%02x)", (unsigned char) p[i]);
		size_t i = 0;
		while (i < l && blank(p[i]))
			i++;
		if (i < l && p[i] != '#') {
			int r = parse_line(p, l, line, out, err);
			if (r < 0)
				return r;
		}
		p += l + (nl ? 1 : 0);
	}
	return 0;
}
