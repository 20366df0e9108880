/* SPDX-License-Identifier: MIT */
/* envfile_get() as `verinit-measure predict --usr-env` reads usr.env (ROOTHASH, CERT_FPR into 65
 * bytes), plus a key named by the input's first line and a small output buffer allocated to its exact
 * size. Checked: a refusal says why (with the line for -EBADMSG); a found value is terminated inside
 * the buffer and holds no control character; one key's lookup succeeds or fails with the others'
 * (every line is checked whatever the key). */
#include "envfile.h"
#include "fuzz.h"

static int get(const uint8_t *data, size_t size, const char *key, size_t out_size) {
	struct parse_error err = {};
	char *out = malloc(out_size);
	FUZZ_CHECK(out);
	memset(out, 0x5a, out_size);
	int r = envfile_get((const char *) data, size, key, out, out_size, &err);
	fuzz_trace("envfile_get(%s): %d %s", key, r, r == 0 ? out : err.msg);
	if (r == 0) {
		FUZZ_CHECK(memchr(out, '\0', out_size) != NULL);
		for (const char *p = out; *p; p++)
			FUZZ_CHECK((unsigned char) *p >= 0x20 || *p == '\t');
	} else if (r == -EBADMSG) {
		fuzz_check_error(&err, false);
		FUZZ_CHECK(err.line >= 1);
	} else if (r == -E2BIG)
		fuzz_check_error(&err, false);
	else
		FUZZ_CHECK(r == -ENOENT);
	free(out);
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	char key[65] = "A";
	const uint8_t *eq = memchr(data, '=', size);
	if (eq && (size_t) (eq - data) < sizeof key)
		memcpy(key, data, (size_t) (eq - data)), key[eq - data] = '\0';

	int a = get(data, size, "ROOTHASH", 65);
	int b = get(data, size, "CERT_FPR", 65);
	int c = get(data, size, key, 8);
	/* A malformed file is malformed for every key. */
	FUZZ_CHECK((a == -EBADMSG) == (b == -EBADMSG));
	FUZZ_CHECK((a == -EBADMSG) == (c == -EBADMSG));
	return 0;
}
