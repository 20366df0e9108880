/* SPDX-License-Identifier: MIT */
/* The usr-verity-sig partition as stage_signature() reads it: sigjson_parse() over the whole
 * partition, then sigverify_detached() of the decoded PKCS#7 over the parsed root hash, with the
 * fingerprint when the JSON names one, against the enrolled test certificates (enrolled.h).
 * Checked: a refusal says why in one line; a parsed signature has a root hash of 64 lowercase hex
 * that decodes to root_hash, a signature of 1 to 16 KiB; a verified one names an enrolled signer
 * (the one the fingerprint names, when there is one). */
#include "enrolled.h"
#include "hexb64.h"
#include "sigjson.h"
#include "sigverify.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
	(void) argc;
	(void) argv;
	fuzz_load_enrolled();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	static struct verity_sig sig;
	struct sigverify_result res = {};
	struct parse_error err = {};
	uint8_t hash[32];
	char hex[65];

	int r = sigjson_parse(data, size, &sig, &err);
	fuzz_trace("sigjson_parse: %d %s", r, r < 0 ? err.msg : "");
	if (r < 0) {
		FUZZ_CHECK(r == -EBADMSG || r == -EINVAL || r == -E2BIG);
		fuzz_check_error(&err, true);
		return 0;
	}
	FUZZ_CHECK(r == 0);
	FUZZ_CHECK_STR(sig.root_hash_hex);
	FUZZ_CHECK(strlen(sig.root_hash_hex) == 64 && fuzz_is_lower_hex(sig.root_hash_hex, 64));
	FUZZ_CHECK(hex_decode(sig.root_hash_hex, 64, hash, sizeof hash, NULL) == 0);
	FUZZ_CHECK(memcmp(hash, sig.root_hash, 32) == 0);
	FUZZ_CHECK(hex_encode(sig.root_hash, 32, hex, sizeof hex) == 0 && strcmp(hex, sig.root_hash_hex) == 0);
	FUZZ_CHECK(sig.signature_len >= 1 && sig.signature_len <= SIGJSON_SIGNATURE_MAX);

	r = sigverify_detached(&enrolled, sig.signature, sig.signature_len, sig.root_hash_hex,
			       sig.has_fingerprint ? sig.fingerprint : NULL, &res, &err);
	fuzz_trace("sigverify_detached: %d %s", r, r < 0 ? err.msg : res.signer_subject);
	if (r < 0) {
		FUZZ_CHECK(r == -EBADMSG || r == -ENOKEY || r == -EKEYREJECTED);
		fuzz_check_error(&err, true);
		return 0;
	}
	FUZZ_CHECK(r == 0);
	FUZZ_CHECK_STR(res.signer_subject);
	FUZZ_CHECK(fuzz_one_line(res.signer_subject));
	FUZZ_CHECK_STR(res.signer_fingerprint);
	FUZZ_CHECK(strlen(res.signer_fingerprint) == 64);
	uint8_t fpr[32];
	FUZZ_CHECK(hex_decode(res.signer_fingerprint, 64, fpr, sizeof fpr, NULL) == 0);
	FUZZ_CHECK(certs_find_fingerprint(&enrolled, fpr) != NULL);
	if (sig.has_fingerprint)
		FUZZ_CHECK(memcmp(fpr, sig.fingerprint, 32) == 0);
	return 0;
}
