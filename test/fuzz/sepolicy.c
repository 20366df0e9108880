/* SPDX-License-Identifier: MIT */
/* lib/sepolicy.c's readers over any bytes (the first byte picks one): a policy header it accepts
 * has the magic, the identifier and a version in range; an LSM list it finds "selinux" in holds
 * that name; a config it accepts has a plain type name and the mode it read spelt out; a boolean
 * it reads is exactly "C P" with an optional newline. */
#include "fuzz.h"
#include "sepolicy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	struct parse_error err = {};
	unsigned version = 0;
	bool cur = false, pending = false, enforcing = false;
	char type[SEPOLICY_TYPE_MAX];

	if (size == 0)
		return 0;
	const uint8_t *p = data + 1;
	const size_t n = size - 1;
	switch (data[0] % 4) {
	case 0:
		if (sepolicy_version(p, n, &version, &err) < 0) {
			FUZZ_CHECK_STR(err.msg);
			FUZZ_CHECK(err.msg[0] != '\0');
			return 0;
		}
		FUZZ_CHECK(n >= 20 && p[0] == 0x8c && p[3] == 0xf9 && memcmp(p + 8, "SE Linux", 8) == 0);
		FUZZ_CHECK(version >= 15 && version <= 64 && version == p[16]);
		break;
	case 1:
		if (lsm_list_has((const char *) p, n, "selinux")) {
			const char *hit = memmem(p, n, "selinux", 7);
			FUZZ_CHECK(hit != NULL);
		}
		break;
	case 2:
		if (sepolicy_config_parse((const char *) p, n, &enforcing, type, &err) < 0) {
			FUZZ_CHECK_STR(err.msg);
			return 0;
		}
		FUZZ_CHECK_STR(type);
		FUZZ_CHECK(type[0] != '\0' && strspn(type, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") ==
						      strlen(type));
		FUZZ_CHECK(memmem(p, n, enforcing ? "SELINUX=enforcing" : "SELINUX=permissive", enforcing ? 17 : 18) != NULL);
		break;
	default:
		if (sepolicy_bool_parse((const char *) p, n, &cur, &pending) == 0)
			FUZZ_CHECK((n == 3 || (n == 4 && p[3] == '\n')) && p[0] == (cur ? '1' : '0') &&
				   p[2] == (pending ? '1' : '0'));
		break;
	}
	return 0;
}
