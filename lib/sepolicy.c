/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <string.h>

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
