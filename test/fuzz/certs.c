/* SPDX-License-Identifier: MIT */
/* certs_add_pem() and certs_add_der() as certs_load_dir() and verinit-measure's load_cert() use
 * them (DER when the input starts with a SEQUENCE tag, PEM otherwise; then the other one too),
 * into an empty set and into the enrolled test set. Checked: an adder is all or nothing (on error
 * the set is as it was), returns how many it added, never adds a fingerprint twice, and each
 * fpr[i] is the SHA-256 of cert[i]'s DER. */
#include <openssl/evp.h>

#include "enrolled.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
	(void) argc;
	(void) argv;
	fuzz_load_enrolled();
	return 0;
}

static void check_set(const struct cert_set *s) {
	FUZZ_CHECK(s->n <= CERTS_MAX);
	for (size_t i = 0; i < s->n; i++) {
		uint8_t fpr[32];
		unsigned len = 0;
		FUZZ_CHECK(s->cert[i] != NULL);
		FUZZ_CHECK(X509_digest(s->cert[i], EVP_sha256(), fpr, &len) == 1 && len == 32);
		FUZZ_CHECK(memcmp(fpr, s->fpr[i], 32) == 0);
		FUZZ_CHECK(certs_find_fingerprint(s, fpr) == s->cert[i]);
		for (size_t j = 0; j < i; j++)
			FUZZ_CHECK(memcmp(s->fpr[i], s->fpr[j], 32) != 0);
	}
}

static void add(struct cert_set *s, bool der, const uint8_t *data, size_t size) {
	struct parse_error err = {};
	const size_t before = s->n;
	X509 *first = s->n ? s->cert[0] : NULL;

	int r = der ? certs_add_der(s, data, size, &err) : certs_add_pem(s, data, size, &err);
	fuzz_trace("certs_add_%s: %d %s", der ? "der" : "pem", r, r < 0 ? err.msg : "");
	if (r < 0) {
		FUZZ_CHECK(r == -EBADMSG || r == -EINVAL || r == -E2BIG);
		fuzz_check_error(&err, false);
		FUZZ_CHECK(s->n == before);
		FUZZ_CHECK(!before || s->cert[0] == first);
		return;
	}
	FUZZ_CHECK(s->n == before + (size_t) r);
	if (der)
		FUZZ_CHECK(r <= 1);
	check_set(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	const bool der = size > 0 && data[0] == 0x30;
	struct cert_set s = {};

	add(&s, der, data, size);
	add(&s, !der, data, size);
	const size_t alone = s.n;
	/* The same input again adds nothing: every certificate is in already. */
	add(&s, der, data, size);
	FUZZ_CHECK(s.n == alone);
	certs_free(&s);
	FUZZ_CHECK(s.n == 0);

	/* Into a set that holds the enrolled certificates (copies: the set owns what it holds). */
	for (size_t i = 0; i < enrolled.n; i++) {
		X509_up_ref(enrolled.cert[i]);
		s.cert[i] = enrolled.cert[i];
		memcpy(s.fpr[i], enrolled.fpr[i], 32);
	}
	s.n = enrolled.n;
	add(&s, der, data, size);
	certs_free(&s);
	return 0;
}
