/* SPDX-License-Identifier: MIT */
/* sigverify_detached() on raw DER: the input is the PKCS#7 (a .p7s file, usr.signature=/path),
 * verified over the fixed root hash the seeds were signed over, against the enrolled test
 * certificates (enrolled.h): once without a fingerprint, then, when the profile passed, once with
 * each enrolled certificate's fingerprint. Checked: a refusal says why in one line; a success names
 * an enrolled signer; naming the signer by fingerprint never turns a success into a failure, and
 * a success with a fingerprint implies one without (the fingerprint only narrows). */
#include "enrolled.h"
#include "hexb64.h"
#include "sigverify.h"

/* mkseeds.py signs this string. */
#define FUZZ_ROOT_HASH "2b0b1b1e7f5c6d4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f00"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
	(void) argc;
	(void) argv;
	fuzz_load_enrolled();
	return 0;
}

static int verify(const uint8_t *p7, size_t len, const uint8_t *fpr, uint8_t signer[32]) {
	struct sigverify_result res = {};
	struct parse_error err = {};
	int r = sigverify_detached(&enrolled, p7, len, FUZZ_ROOT_HASH, fpr, &res, &err);
	fuzz_trace("sigverify_detached(%s): %d %s", fpr ? "fingerprint" : "any", r, r < 0 ? err.msg : res.signer_subject);
	if (r < 0) {
		FUZZ_CHECK(r == -EBADMSG || r == -E2BIG || r == -ENOKEY || r == -EKEYREJECTED);
		fuzz_check_error(&err, true);
		return r;
	}
	FUZZ_CHECK(r == 0);
	FUZZ_CHECK_STR(res.signer_subject);
	FUZZ_CHECK(fuzz_one_line(res.signer_subject));
	FUZZ_CHECK(strlen(res.signer_fingerprint) == 64);
	FUZZ_CHECK(hex_decode(res.signer_fingerprint, 64, signer, 32, NULL) == 0);
	FUZZ_CHECK(certs_find_fingerprint(&enrolled, signer) != NULL);
	if (fpr)
		FUZZ_CHECK(memcmp(fpr, signer, 32) == 0);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	uint8_t signer[32], named[32];

	int any = verify(data, size, NULL, signer);
	if (any == -EBADMSG || any == -E2BIG)
		return 0; /* not DER, or outside the profile: the fingerprint changes nothing */
	for (size_t i = 0; i < enrolled.n; i++) {
		int r = verify(data, size, enrolled.fpr[i], named);
		if (r == 0)
			FUZZ_CHECK(any == 0);
		if (any == 0 && memcmp(enrolled.fpr[i], signer, 32) == 0)
			FUZZ_CHECK(r == 0);
	}
	return 0;
}
