/* SPDX-License-Identifier: MIT */
/* What verinit needs to know of an IPE policy before the kernel sees it: its name and version,
 * from the first line of the text inside the signed PKCS#7 ("policy_name=NAME
 * policy_version=a.b.c"). The signature itself is the kernel's to check. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "parse.h"

#define IPE_NAME_MAX 64

struct ipe_version {
	unsigned major, minor, patch;
};

/* Reads name and version from a DER PKCS#7 SignedData with the policy text attached.
 * Returns 0, -EBADMSG (not such a PKCS#7, no content, or a first line without a name and a
 * version; err says which) or -ENOMEM. */
int ipe_policy_header(const uint8_t *p7, size_t len, char name[static IPE_NAME_MAX], struct ipe_version *version,
		      struct parse_error *err);

/* "a.b.c" (n bytes, an optional trailing newline) to a version: decimal, no sign, each at most
 * 65535 as the kernel's. Returns 0 or -EINVAL. */
int ipe_version_parse(const char *s, size_t n, struct ipe_version *v);

/* <0, 0, >0 as a is older than, equal to, newer than b. */
int ipe_version_cmp(const struct ipe_version *a, const struct ipe_version *b);
