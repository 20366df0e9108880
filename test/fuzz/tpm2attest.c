/* SPDX-License-Identifier: MIT */
/* The three parsers of tpm2attest.h on every input, as `verinit-measure verify-quote` will read a
 * quote, its signature and the AK's public part from files anyone can write. Checked: a refusal
 * says why in one line with a documented code; every TPM2B lies inside the input and within its
 * limit; the selection selects only PCRs 0-23 in distinct banks, and tpm2_attest_pcr_order() lists
 * each selected pair once, banks in selection order, PCRs ascending; the AK check agrees with the
 * attribute bits. */
#include "fuzz.h"
#include "macro.h"
#include "tpm2attest.h"

static const uint8_t *start, *end;

static void check_2b(const struct tpm2b *b, size_t max) {
	FUZZ_CHECK(b->size <= max);
	FUZZ_CHECK((b->size == 0) == (b->buf == NULL));
	if (b->buf)
		FUZZ_CHECK(b->buf >= start && b->buf + b->size <= end);
}

static void check_refusal(int r, const struct parse_error *err) {
	FUZZ_CHECK(r == -EBADMSG || r == -E2BIG || r == -EOPNOTSUPP || r == -EPROTO || r == -ENOMSG);
	fuzz_check_error(err, true);
}

static void check_quote(const uint8_t *data, size_t size) {
	static struct tpm2_pcr_ref refs[TPM2_PCR_REFS_MAX];
	struct parse_error err = {};
	struct tpm2_attest a;

	int r = tpm2_attest_parse_quote(data, size, &a, &err);
	fuzz_trace("tpm2_attest_parse_quote: %d %s", r, r < 0 ? err.msg : "");
	if (r < 0) {
		check_refusal(r, &err);
		return;
	}
	FUZZ_CHECK(r == 0 && a.type == TPM2_ST_ATTEST_QUOTE);
	check_2b(&a.qualified_signer, TPM2_NAME_MAX);
	check_2b(&a.extra_data, TPM2_DIGEST_MAX);
	check_2b(&a.pcr_digest, TPM2_DIGEST_MAX);
	FUZZ_CHECK(a.n_selections <= _PCR_BANK_MAX);
	int total = 0;
	for (size_t i = 0; i < a.n_selections; i++) {
		const struct tpm2_pcr_select *s = &a.selections[i];
		FUZZ_CHECK((unsigned) s->bank < _PCR_BANK_MAX && pcr_bank_tpm_alg(s->bank) == s->hash);
		FUZZ_CHECK((s->pcrs >> PCR_COUNT) == 0);
		FUZZ_CHECK(tpm2_attest_pcrs(&a, s->bank) == s->pcrs);
		for (size_t j = 0; j < i; j++)
			FUZZ_CHECK(a.selections[j].bank != s->bank);
		total += __builtin_popcount(s->pcrs);
	}
	int n = tpm2_attest_pcr_order(&a, refs, ELEMENTSOF(refs));
	FUZZ_CHECK(n == total);
	size_t sel = 0;
	for (int i = 0; i < n; i++) {
		while (sel < a.n_selections && a.selections[sel].bank != refs[i].bank)
			sel++;
		FUZZ_CHECK(sel < a.n_selections && refs[i].pcr < PCR_COUNT);
		FUZZ_CHECK(a.selections[sel].pcrs & (1U << refs[i].pcr));
		if (i > 0 && refs[i - 1].bank == refs[i].bank)
			FUZZ_CHECK(refs[i - 1].pcr < refs[i].pcr);
	}
	if (n > 0)
		FUZZ_CHECK(tpm2_attest_pcr_order(&a, refs, (size_t) n - 1) == -E2BIG);
}

static void check_signature(const uint8_t *data, size_t size) {
	struct parse_error err = {};
	struct tpm2_signature s;

	int r = tpm2_signature_parse(data, size, &s, &err);
	fuzz_trace("tpm2_signature_parse: %d %s", r, r < 0 ? err.msg : "");
	if (r < 0) {
		check_refusal(r, &err);
		return;
	}
	FUZZ_CHECK(pcr_bank_from_tpm_alg(s.hash_alg) >= 0);
	if (s.sig_alg == TPM2_ALG_ECDSA) {
		FUZZ_CHECK(s.sig.size == 0);
		check_2b(&s.r, TPM2_ECC_MAX);
		check_2b(&s.s, TPM2_ECC_MAX);
	} else {
		FUZZ_CHECK(s.sig_alg == TPM2_ALG_RSASSA || s.sig_alg == TPM2_ALG_RSAPSS);
		FUZZ_CHECK(s.r.size == 0 && s.s.size == 0);
		check_2b(&s.sig, TPM2_RSA_MAX);
	}
}

static void check_public(const uint8_t *data, size_t size) {
	struct parse_error err = {};
	struct tpm2_public p;
	uint32_t bad = 0;

	int r = tpm2_public_parse(data, size, &p, &err);
	fuzz_trace("tpm2_public_parse: %d %s", r, r < 0 ? err.msg : "");
	if (r < 0) {
		check_refusal(r, &err);
		return;
	}
	FUZZ_CHECK(p.area.buf == data + 2 && p.area.size + 2U == size);
	FUZZ_CHECK(pcr_bank_from_tpm_alg(p.name_alg) >= 0);
	check_2b(&p.auth_policy, TPM2_DIGEST_MAX);
	if (p.type == TPM2_ALG_RSA) {
		check_2b(&p.rsa_modulus, TPM2_RSA_MAX);
		FUZZ_CHECK(p.rsa_modulus.size * 8U == p.rsa_key_bits && p.rsa_exponent != 0);
	} else {
		FUZZ_CHECK(p.type == TPM2_ALG_ECC);
		check_2b(&p.ecc_x, TPM2_ECC_MAX);
		check_2b(&p.ecc_y, TPM2_ECC_MAX);
	}
	r = tpm2_public_check_ak(&p, &bad);
	FUZZ_CHECK((r == 0) == (bad == 0) && (r == 0 || r == -EPERM));
	FUZZ_CHECK(bad == ((~p.attributes & TPM2_AK_REQUIRED) | (p.attributes & TPM2_AK_FORBIDDEN)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	start = data;
	end = data + size;
	check_quote(data, size);
	check_signature(data, size);
	check_public(data, size);
	return 0;
}
