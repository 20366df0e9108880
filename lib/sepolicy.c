/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sepolicy.h"

#define POLICYDB_MAGIC 0xf97cff8cU
#define POLICYDB_ID "SE Linux"

static uint32_t le32(const uint8_t *p) {
	return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}

int sepolicy_version(const uint8_t *blob, size_t n, unsigned *version, struct parse_error *err) {
	const size_t idlen = sizeof POLICYDB_ID - 1;
	if (n < 8 + idlen + 4)
		return parse_fail(err, 0, -EBADMSG, "%zu bytes: shorter than a policy header", n);
	if (le32(blob) != POLICYDB_MAGIC)
		return parse_fail(err, 0, -EBADMSG, "magic 0x%08x, not a binary SELinux policy's 0x%08x", le32(blob),
				  POLICYDB_MAGIC);
	if (le32(blob + 4) != idlen || memcmp(blob + 8, POLICYDB_ID, idlen) != 0)
		return parse_fail(err, 0, -EBADMSG, "the identifier is not \"%s\" (an MLS or Xen policy?)", POLICYDB_ID);
	uint32_t v = le32(blob + 8 + idlen);
	/* 15 is the oldest the kernel reads; the newest is a few above 6.12's 33. */
	if (v < 15 || v > 64)
		return parse_fail(err, 0, -EBADMSG, "policy version %u is not one a kernel reads", v);
	*version = v;
	return 0;
}

static bool type_char(char c) {
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

int sepolicy_config_parse(const char *buf, size_t n, bool *enforcing, char type[static SEPOLICY_TYPE_MAX],
			  struct parse_error *err) {
	unsigned line = 0, mode_line = 0, type_line = 0;

	for (size_t pos = 0; pos < n;) {
		const char *nl = memchr(buf + pos, '\n', n - pos);
		size_t end = nl ? (size_t) (nl - buf) : n, len = end - pos;
		const char *l = buf + pos;
		line++;
		pos = end + 1;
		if (len == 0 || l[0] == '#')
			continue;
		if (l[0] == ' ' || l[0] == '\t')
			return parse_fail(err, line, -EBADMSG, "a line starting with white space");
		const char *eq = memchr(l, '=', len);
		if (!eq)
			return parse_fail(err, line, -EBADMSG, "not KEY=VALUE");
		size_t klen = (size_t) (eq - l), vlen = len - klen - 1;
		const char *v = eq + 1;
		bool is_mode = klen == 7 && strncasecmp(l, "SELINUX", 7) == 0;
		bool is_type = klen == 11 && strncasecmp(l, "SELINUXTYPE", 11) == 0;
		if (!is_mode && !is_type)
			continue;
		if (memcmp(l, is_mode ? "SELINUX" : "SELINUXTYPE", klen) != 0)
			return parse_fail(err, line, -EBADMSG, "'%.*s' in another case than libselinux's spelling", (int) klen, l);
		if (is_mode) {
			if (mode_line)
				return parse_fail(err, line, -EBADMSG, "SELINUX= again (first on line %u)", mode_line);
			if (vlen == 9 && memcmp(v, "enforcing", 9) == 0)
				*enforcing = true;
			else if (vlen == 10 && memcmp(v, "permissive", 10) == 0)
				*enforcing = false;
			else
				return parse_fail(err, line, -EBADMSG, "SELINUX=%.*s is not enforcing or permissive",
						  (int) (vlen > 32 ? 32 : vlen), v);
			mode_line = line;
			continue;
		}
		if (type_line)
			return parse_fail(err, line, -EBADMSG, "SELINUXTYPE= again (first on line %u)", type_line);
		if (vlen == 0 || vlen >= SEPOLICY_TYPE_MAX)
			return parse_fail(err, line, -EBADMSG, "SELINUXTYPE= is empty or longer than %d", SEPOLICY_TYPE_MAX - 1);
		for (size_t i = 0; i < vlen; i++)
			if (!type_char(v[i]))
				return parse_fail(err, line, -EBADMSG, "SELINUXTYPE= holds a byte other than [A-Za-z0-9_-]");
		memcpy(type, v, vlen);
		type[vlen] = '\0';
		type_line = line;
	}
	if (!mode_line || !type_line)
		return parse_fail(err, 0, -EBADMSG, "no %s line", !mode_line ? "SELINUX=" : "SELINUXTYPE=");
	return 0;
}

int sepolicy_config(bool enforcing, char *out, size_t size) {
	int w = snprintf(out, size, "SELINUX=%s\nSELINUXTYPE=" SEPOLICY_TYPE "\n", enforcing ? "enforcing" : "permissive");
	return w < 0 || (size_t) w >= size ? -E2BIG : w;
}

bool lsm_list_has(const char *buf, size_t n, const char *name) {
	const size_t len = strlen(name);
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	for (size_t pos = 0; pos <= n;) {
		const char *comma = memchr(buf + pos, ',', n - pos);
		size_t end = comma ? (size_t) (comma - buf) : n;
		if (end - pos == len && memcmp(buf + pos, name, len) == 0)
			return true;
		pos = end + 1;
	}
	return false;
}

int sepolicy_bool_parse(const char *buf, size_t n, bool *current, bool *pending) {
	if (n == 4 && buf[3] == '\n')
		n = 3;
	if (n != 3 || buf[1] != ' ' || (buf[0] != '0' && buf[0] != '1') || (buf[2] != '0' && buf[2] != '1'))
		return -EBADMSG;
	*current = buf[0] == '1';
	*pending = buf[2] == '1';
	return 0;
}
