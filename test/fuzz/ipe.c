/* SPDX-License-Identifier: MIT */
/* ipe_policy_header() as stage_ipe() uses it on a policy file (DER PKCS#7 with the policy text
 * attached), and ipe_version_parse()/ipe_version_cmp() on the same bytes read as a version string.
 * Checked: a refusal says why in one line; an accepted header has a name of 1 to 63 printable
 * characters without '/' and a version of three numbers up to 65535; a parsed version prints and
 * parses back to itself, and compares as equal to itself and antisymmetrically to the header's. */
#include "fuzz.h"
#include "ipe.h"

static void check_version(const struct ipe_version *v) {
	FUZZ_CHECK(v->major <= 65535 && v->minor <= 65535 && v->patch <= 65535);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	char name[IPE_NAME_MAX];
	struct ipe_version hv = {}, tv = {}, back = {};
	struct parse_error err = {};
	char text[3 * 6 + 3];

	memset(name, 0x5a, sizeof name);
	int r = ipe_policy_header(data, size, name, &hv, &err);
	fuzz_trace("ipe_policy_header: %d %s", r, r < 0 ? err.msg : name);
	if (r < 0) {
		FUZZ_CHECK(r == -EBADMSG);
		fuzz_check_error(&err, true);
	} else {
		FUZZ_CHECK(r == 0);
		FUZZ_CHECK_STR(name);
		FUZZ_CHECK(name[0] != '\0');
		for (const char *p = name; *p; p++)
			FUZZ_CHECK(*p > 0x20 && *p < 0x7f && *p != '/');
		check_version(&hv);
	}

	int t = ipe_version_parse((const char *) data, size, &tv);
	if (t < 0) {
		FUZZ_CHECK(t == -EINVAL);
		return 0;
	}
	check_version(&tv);
	int w = snprintf(text, sizeof text, "%u.%u.%u", tv.major, tv.minor, tv.patch);
	FUZZ_CHECK(w > 0 && (size_t) w < sizeof text);
	FUZZ_CHECK(ipe_version_parse(text, (size_t) w, &back) == 0);
	FUZZ_CHECK(ipe_version_cmp(&tv, &back) == 0 && ipe_version_cmp(&back, &tv) == 0);
	/* The accepted spelling is the one spelling: no leading zeros, at most a trailing newline. */
	FUZZ_CHECK(size == (size_t) w || (size == (size_t) w + 1 && data[w] == '\n'));
	FUZZ_CHECK(memcmp(data, text, (size_t) w) == 0);
	if (r == 0)
		FUZZ_CHECK(ipe_version_cmp(&tv, &hv) == -ipe_version_cmp(&hv, &tv));
	return 0;
}
