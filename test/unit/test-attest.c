/* SPDX-License-Identifier: MIT */
/* attest_verify() over quotes this test makes the way a TPM does (TPMS_ATTEST, TPM2B_PUBLIC and
 * TPMT_SIGNATURE byte by byte, signed by keys it generates: no key is committed), from a node
 * whose log the test writes: a table of changes to the node or to its evidence, each with the
 * failure it must give and a word of its detail. Real TPM output is in test-tpm2attest.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "attest.h"
#include "macro.h"
#include "measurements.h"

#define AK_ATTRS (TPM2_AK_REQUIRED | TPM2_OA_SENSITIVE_DATA_ORIGIN | TPM2_OA_USER_WITH_AUTH)

static EVP_PKEY *rsa_key, *ec_key, *ec_key2;

struct buf {
	uint8_t d[1024];
	size_t n;
};

static void put(struct buf *b, const void *p, size_t n) {
	assert_true(b->n + n <= sizeof b->d);
	if (n)
		memcpy(b->d + b->n, p, n);
	b->n += n;
}

static void put_be(struct buf *b, uint64_t v, size_t n) {
	for (size_t i = 0; i < n; i++) {
		uint8_t c = (uint8_t) (v >> (8 * (n - 1 - i)));
		put(b, &c, 1);
	}
}

static void put2b(struct buf *b, const void *p, size_t n) {
	put_be(b, n, 2);
	put(b, p, n);
}

/* What the node did: its log as the TPM saw it, and how it quotes. */
struct node {
	struct eventlog_record fw[2], log[8];
	size_t n_fw, n_log;
	EVP_PKEY *ak, *signer; /* the AK the verifier gets and the key that signs (the same, unless a test says) */
	uint16_t sig_alg;
	uint32_t ak_attrs;
	uint32_t quoted; /* sha256 PCRs */
	uint32_t magic;
	uint16_t type;
};

/* What the verifier gets and chooses. */
struct world {
	struct node node;
	struct buf ak, quote, sig, values;
	struct pcr_list tpm, ref;
	uint8_t nonce[16];
	const char *require[2];
	size_t n_require;
	bool give_fw;
};

static void record(struct eventlog_record *r, unsigned pcr, const char *ctype, const char *etype, const char *s) {
	memset(r, 0, sizeof *r);
	r->pcr = pcr;
	assert_int_equal(pcr_digests_of(1U << PCR_BANK_SHA256, s, strlen(s), &r->digests), 0);
	snprintf(r->content_type, sizeof r->content_type, "%s", ctype);
	snprintf(r->event_type, sizeof r->event_type, "%s", etype);
	snprintf(r->string, sizeof r->string, "%s", s);
}

static void fact(struct eventlog_record *r, const char *s) {
	record(r, 15, "verinit", "verinit", s);
}

static void phase(struct eventlog_record *r, const char *s) {
	record(r, 11, "systemd", "phase", s);
}

/* A good boot: the stub's event (firmware log), verinit's phases and facts, then the booted
 * system's sysinit phase after the hand-over. */
static void good_node(struct node *n, EVP_PKEY *ak) {
	memset(n, 0, sizeof *n);
	record(&n->fw[0], 0, "", "EV_S_CRTM_VERSION", "firmware");
	record(&n->fw[1], 11, "", "EV_IPL", ".linux");
	n->n_fw = 2;
	phase(&n->log[0], MEASURE_ENTER);
	fact(&n->log[1], "verinit.usr.roothash="
			 "1111111111111111111111111111111111111111111111111111111111111111");
	fact(&n->log[2], "verinit.ipe.policy.sha256="
			 "2222222222222222222222222222222222222222222222222222222222222222 mode=audit");
	phase(&n->log[3], MEASURE_LEAVE);
	phase(&n->log[4], "sysinit");
	n->n_log = 5;
	n->ak = n->signer = ak;
	n->sig_alg = EVP_PKEY_is_a(ak, "RSA") ? TPM2_ALG_RSASSA : TPM2_ALG_ECDSA;
	n->ak_attrs = AK_ATTRS;
	n->quoted = 1U << 0 | 1U << 10 | 1U << 11 | 1U << 15;
	n->magic = TPM2_GENERATED_VALUE;
	n->type = TPM2_ST_ATTEST_QUOTE;
}

/* TPM2B_PUBLIC of k, as tpm2_createak makes an AK: nameAlg SHA-256, no policy, its scheme. */
static void tpm_public(EVP_PKEY *k, uint32_t attrs, uint16_t scheme, struct buf *out) {
	struct buf t = {};
	uint8_t u[600];
	size_t un = 0;
	bool rsa = EVP_PKEY_is_a(k, "RSA");
	put_be(&t, rsa ? TPM2_ALG_RSA : TPM2_ALG_ECC, 2);
	put_be(&t, 0x000b, 2);
	put_be(&t, attrs, 4);
	put2b(&t, NULL, 0);
	put_be(&t, TPM2_ALG_NULL, 2); /* no symmetric part */
	put_be(&t, scheme, 2);
	put_be(&t, 0x000b, 2);
	if (rsa) {
		BIGNUM *n = NULL;
		assert_int_equal(EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_N, &n), 1);
		put_be(&t, 2048, 2);
		put_be(&t, 0, 4); /* the default exponent, 65537 */
		assert_int_equal(BN_bn2binpad(n, u, 256), 256);
		BN_free(n);
		put2b(&t, u, 256);
	} else {
		put_be(&t, 0x0003, 2);        /* NIST P-256 */
		put_be(&t, TPM2_ALG_NULL, 2); /* no KDF */
		assert_int_equal(EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_PUB_KEY, u, sizeof u, &un), 1);
		assert_int_equal(un, 65);
		put2b(&t, u + 1, 32);
		put2b(&t, u + 33, 32);
	}
	out->n = 0;
	put2b(out, t.d, t.n);
}

static void sign(EVP_PKEY *k, uint16_t alg, const struct buf *msg, struct buf *out) {
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pc = NULL;
	uint8_t s[600];
	size_t n = sizeof s;
	assert_int_equal(EVP_DigestSignInit(c, &pc, EVP_sha256(), NULL, k), 1);
	if (alg == TPM2_ALG_RSAPSS) {
		assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PSS_PADDING), 1);
		assert_int_equal(EVP_PKEY_CTX_set_rsa_pss_saltlen(pc, RSA_PSS_SALTLEN_DIGEST), 1);
	}
	assert_int_equal(EVP_DigestSign(c, s, &n, msg->d, msg->n), 1);
	EVP_MD_CTX_free(c);
	out->n = 0;
	put_be(out, alg, 2);
	put_be(out, 0x000b, 2);
	if (alg != TPM2_ALG_ECDSA) {
		put2b(out, s, n);
		return;
	}
	const uint8_t *p = s;
	ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long) n);
	uint8_t rs[32];
	assert_non_null(es);
	assert_int_equal(BN_bn2binpad(ECDSA_SIG_get0_r(es), rs, 32), 32);
	put2b(out, rs, 32);
	assert_int_equal(BN_bn2binpad(ECDSA_SIG_get0_s(es), rs, 32), 32);
	put2b(out, rs, 32);
	ECDSA_SIG_free(es);
}

static void replay_into(struct pcr_list *l, const struct eventlog_record *r, size_t n) {
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(pcr_extend(PCR_BANK_SHA256, l->v[r[i].pcr][PCR_BANK_SHA256], r[i].digests.d[PCR_BANK_SHA256]), 0);
		l->listed[PCR_BANK_SHA256] |= 1U << r[i].pcr;
	}
}

/* The TPM's side: its PCRs after the node's events, its quote and signature; the verifier's
 * reference: the values at the hand-over (a good node's, whatever this node did). */
static void build(struct world *w) {
	struct node *n = &w->node;
	struct pcr_list at_handover = {};
	struct buf ak_named = {}, att = {};
	uint8_t name[TPM2_NAME_MAX], digest[PCR_DIGEST_MAX];
	struct tpm2_public pub;
	struct node good;

	memset(&w->tpm, 0, sizeof w->tpm);
	replay_into(&w->tpm, n->fw, n->n_fw);
	replay_into(&w->tpm, n->log, n->n_log);
	assert_int_equal(pcr_hash(PCR_BANK_SHA256, "ima", 3, w->tpm.v[10][PCR_BANK_SHA256]), 0);
	good_node(&good, rsa_key);
	replay_into(&at_handover, good.fw, good.n_fw);
	replay_into(&at_handover, good.log, 4);
	memset(&w->ref, 0, sizeof w->ref);
	for (unsigned p = 11; p <= 15; p += 4) {
		memcpy(w->ref.v[p][PCR_BANK_SHA256], at_handover.v[p][PCR_BANK_SHA256], 32);
		w->ref.listed[PCR_BANK_SHA256] |= 1U << p;
	}

	tpm_public(n->ak, n->ak_attrs, n->sig_alg, &w->ak);
	tpm_public(n->ak, AK_ATTRS, n->sig_alg, &ak_named);
	assert_int_equal(tpm2_public_parse(ak_named.d, ak_named.n, &pub, NULL), 0);
	assert_int_equal(tpm2_public_name(&pub, name), 34);

	w->values.n = 0;
	for (unsigned p = 0; p < PCR_COUNT; p++)
		if (n->quoted & (1U << p))
			put(&w->values, w->tpm.v[p][PCR_BANK_SHA256], 32);
	assert_int_equal(pcr_hash(PCR_BANK_SHA256, w->values.d, w->values.n, digest), 0);
	put_be(&att, n->magic, 4);
	put_be(&att, n->type, 2);
	put2b(&att, name, 34);
	put2b(&att, w->nonce, sizeof w->nonce);
	put_be(&att, 4242, 8); /* clock */
	put_be(&att, 1, 4);
	put_be(&att, 0, 4);
	put_be(&att, 1, 1);
	put_be(&att, 0x2019102300163636ULL, 8);
	put_be(&att, 1, 4); /* one bank */
	put_be(&att, 0x000b, 2);
	put_be(&att, 3, 1);
	put_be(&att, n->quoted & 0xff, 1);
	put_be(&att, n->quoted >> 8 & 0xff, 1);
	put_be(&att, n->quoted >> 16 & 0xff, 1);
	put2b(&att, digest, 32);
	w->quote = att;
	sign(n->signer, n->sig_alg, &w->quote, &w->sig);
}

static int verify(struct world *w, struct attest_result *res) {
	const struct attest_evidence e = {
		.quote = w->quote.d,
		.quote_len = w->quote.n,
		.signature = w->sig.d,
		.signature_len = w->sig.n,
		.ak_public = w->ak.d,
		.ak_public_len = w->ak.n,
		.pcr_values = w->values.d,
		.pcr_values_len = w->values.n,
		.log = w->node.log,
		.n_log = w->node.n_log,
		.firmware = w->give_fw ? w->node.fw : NULL,
		.n_firmware = w->give_fw ? w->node.n_fw : 0,
		.locality = -1,
	};
	static const uint8_t nonce[16] = "verifier's nonce";
	const struct attest_policy p = {
		.nonce = nonce,
		.nonce_len = sizeof nonce,
		.reference = &w->ref,
		.require = w->require,
		.n_require = w->n_require,
	};
	return attest_verify(&e, &p, res);
}

static void start(struct world *w, EVP_PKEY *ak) {
	memset(w, 0, sizeof *w);
	good_node(&w->node, ak);
	memcpy(w->nonce, "verifier's nonce", 16);
	w->give_fw = true;
}

/* Changes to the node (before build) or to its evidence or the policy (after). */
static void node_ecc(struct world *w) {
	good_node(&w->node, ec_key);
}
static void node_pss(struct world *w) {
	w->node.sig_alg = TPM2_ALG_RSAPSS;
}
static void no_fw(struct world *w) {
	w->give_fw = false;
}
static void require_ok(struct world *w) {
	w->require[0] = "verinit.usr.roothash=1111*";
	w->require[1] = "verinit.ipe.policy.sha256=* mode=audit";
	w->n_require = 2;
}
static void ak_unrestricted(struct world *w) {
	w->node.ak_attrs &= ~TPM2_OA_RESTRICTED;
}
static void ak_cut(struct world *w) {
	w->ak.n -= 1;
}
static void sig_flipped(struct world *w) {
	w->sig.d[w->sig.n - 1] ^= 1;
}
static void signed_by_other(struct world *w) {
	good_node(&w->node, ec_key);
	w->node.signer = ec_key2;
}
static void other_ak_given(struct world *w) {
	tpm_public(ec_key2, AK_ATTRS, TPM2_ALG_ECDSA, &w->ak);
}
static void ecc_sig_rsa_ak(struct world *w) {
	struct world e;
	start(&e, ec_key);
	build(&e);
	w->sig = e.sig;
}
static void not_tpm_made(struct world *w) {
	w->node.magic = 0x12345678;
}
static void a_certify(struct world *w) {
	w->node.type = 0x8017;
}
static void old_nonce(struct world *w) {
	memcpy(w->nonce, "an older nonce!!", 16);
}
static void no_pcr15(struct world *w) {
	w->node.quoted &= ~(1U << 15);
}
static void ref_sha384(struct world *w) {
	w->ref.listed[PCR_BANK_SHA384] = w->ref.listed[PCR_BANK_SHA256];
	w->ref.listed[PCR_BANK_SHA256] = 0;
}
static void value_changed(struct world *w) {
	w->values.d[40] ^= 1;
}
static void values_cut(struct world *w) {
	w->values.n -= 32;
}
static void log_fact_changed(struct world *w) {
	fact(&w->node.log[1], "verinit.usr.roothash="
			      "3333333333333333333333333333333333333333333333333333333333333333");
}
static void fw_event_changed(struct world *w) {
	w->node.fw[1].digests.d[PCR_BANK_SHA256][0] ^= 1;
}
static void log_lacks_bank(struct world *w) {
	w->node.log[2].digests.banks = 1U << PCR_BANK_SHA1;
}
static void booted_other_image(struct world *w) {
	fact(&w->node.log[1], "verinit.usr.roothash="
			      "3333333333333333333333333333333333333333333333333333333333333333");
}
static void booted_other_kernel(struct world *w) {
	record(&w->node.fw[1], 11, "", "EV_IPL", ".linux of another kernel");
}
static void failed_boot(struct world *w) {
	record(&w->node.log[3], 11, "verinit", "verinit-failure", "verinit.failure stage=verity reason=VERITY");
	record(&w->node.log[4], 15, "verinit", "verinit-failure", "verinit.failure stage=verity reason=VERITY");
}
static void no_leave(struct world *w) {
	w->node.n_log = 3;
}
static void ref_names_pcr10(struct world *w) {
	w->ref.listed[PCR_BANK_SHA256] |= 1U << 10;
}
static void ref_pcr10_ok(struct world *w) {
	ref_names_pcr10(w);
	memcpy(w->ref.v[10][PCR_BANK_SHA256], w->tpm.v[10][PCR_BANK_SHA256], 32);
}
static void require_missing(struct world *w) {
	w->require[0] = "verinit.ipe.policy.sha256=* mode=enforce";
	w->n_require = 1;
}
/* The booted system extends a fact of its own after the hand-over: it does not count. */
static void later_fact(struct world *w) {
	fact(&w->node.log[4], "verinit.ipe.policy.sha256="
			      "2222222222222222222222222222222222222222222222222222222222222222 mode=enforce");
}

/* clang-format off */
static const struct {
	const char *name;
	void (*node)(struct world *w);  /* before build */
	void (*after)(struct world *w); /* after build */
	enum attest_failure want;
	const char *detail;
} cases[] = {
	{ "good rsassa",                NULL,                 NULL,              ATTEST_PASS,       "" },
	{ "good ecdsa",                 node_ecc,             NULL,              ATTEST_PASS,       "" },
	{ "good rsapss",                node_pss,             NULL,              ATTEST_PASS,       "" },
	{ "good, no firmware log",      NULL,                 no_fw,             ATTEST_PASS,       "" },
	{ "good, facts required",       NULL,                 require_ok,        ATTEST_PASS,       "" },
	{ "reference names PCR 10",     NULL,                 ref_pcr10_ok,      ATTEST_PASS,       "" },
	{ "AK unrestricted",            ak_unrestricted,      NULL,              ATTEST_AK,         "restricted" },
	{ "AK cut short",               NULL,                 ak_cut,            ATTEST_MALFORMED,  "AK public area" },
	{ "signature flipped",          NULL,                 sig_flipped,       ATTEST_SIGNATURE,  "does not verify" },
	{ "signed by another key",      signed_by_other,      NULL,              ATTEST_SIGNATURE,  "does not verify" },
	{ "another AK's public",        node_ecc,             other_ak_given,    ATTEST_SIGNATURE,  "does not verify" },
	{ "ECDSA for an RSA AK",        NULL,                 ecc_sig_rsa_ak,    ATTEST_SIGNATURE,  "key type" },
	{ "not TPM-generated",          not_tpm_made,         NULL,              ATTEST_QUOTE,      "magic" },
	{ "a certify, no quote",        a_certify,            NULL,              ATTEST_QUOTE,      "0x8017" },
	{ "an old nonce",               old_nonce,            NULL,              ATTEST_NONCE,      "nonce" },
	{ "PCR 15 not quoted",          no_pcr15,             NULL,              ATTEST_SELECTION,  "PCR 15" },
	{ "reference in sha384",        NULL,                 ref_sha384,        ATTEST_SELECTION,  "no bank" },
	{ "a PCR value changed",        NULL,                 value_changed,     ATTEST_PCR_DIGEST, "pcrDigest" },
	{ "PCR values cut",             NULL,                 values_cut,        ATTEST_MALFORMED,  "-F values" },
	{ "a fact edited in the log",   NULL,                 log_fact_changed,  ATTEST_LOG,        "PCR 15 sha256" },
	{ "a firmware event edited",    NULL,                 fw_event_changed,  ATTEST_LOG,        "PCR 11 sha256" },
	{ "a record lacks sha256",      NULL,                 log_lacks_bank,    ATTEST_LOG,        "no sha256 digest" },
	{ "failed boot",                failed_boot,          NULL,              ATTEST_LOG,        "records a failure" },
	{ "no leave-initrd",            no_leave,             NULL,              ATTEST_LOG,        "no hand-over" },
	{ "another /usr",               booted_other_image,   NULL,              ATTEST_REFERENCE,  "PCR 15" },
	{ "another kernel",             booted_other_kernel,  NULL,              ATTEST_REFERENCE,  "PCR 11" },
	{ "another kernel, no fw log",  booted_other_kernel,  no_fw,             ATTEST_REFERENCE,  "later" },
	{ "reference PCR 10 differs",   NULL,                 ref_names_pcr10,   ATTEST_REFERENCE,  "PCR 10" },
	{ "a fact required",            NULL,                 require_missing,   ATTEST_REQUIRE,    "mode=enforce" },
	{ "required fact too late",     later_fact,           require_missing,   ATTEST_REQUIRE,    "mode=enforce" },
};
/* clang-format on */

static void test_table(void **state) {
	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct world w;
		struct attest_result res;
		start(&w, rsa_key);
		if (cases[i].node)
			cases[i].node(&w);
		build(&w);
		if (cases[i].after)
			cases[i].after(&w);
		assert_int_equal(verify(&w, &res), 0);
		if (res.failure != cases[i].want || !strstr(res.detail, cases[i].detail))
			fail_msg("%s: got %s (%s), want %s with '%s'", cases[i].name, attest_failure_name(res.failure) ?: "PASS",
				 res.detail, attest_failure_name(cases[i].want) ?: "PASS", cases[i].detail);
	}
}

/* A pass says what the boot measured: the facts before the hand-over, the records after it. */
static void test_pass_result(void **state) {
	struct world w;
	struct attest_result res;
	(void) state;
	start(&w, rsa_key);
	later_fact(&w);
	build(&w);
	assert_int_equal(verify(&w, &res), 0);
	assert_int_equal(res.failure, ATTEST_PASS);
	assert_int_equal(res.n_facts, 2);
	assert_int_equal(res.facts[0], 1);
	assert_int_equal(res.facts[1], 2);
	assert_int_equal(res.n_later, 1);
	assert_int_equal(res.later[0], 4);
	assert_int_equal(res.banks, 1U << PCR_BANK_SHA256);
	assert_int_equal(res.sig_alg, TPM2_ALG_RSASSA);
	assert_int_equal(res.quote.clock, 4242);
	assert_memory_equal(res.quoted.v[15][PCR_BANK_SHA256], w.tpm.v[15][PCR_BANK_SHA256], 32);
}

static void test_names(void **state) {
	(void) state;
	assert_null(attest_failure_name(ATTEST_PASS));
	assert_string_equal(attest_failure_name(ATTEST_PCR_DIGEST), "PCR_DIGEST");
	for (int f = 1; f < _ATTEST_FAILURE_MAX; f++)
		assert_non_null(attest_failure_name((enum attest_failure) f));
	assert_null(attest_failure_name(_ATTEST_FAILURE_MAX));
}

static int setup(void **state) {
	(void) state;
	rsa_key = EVP_RSA_gen(2048);
	ec_key = EVP_EC_gen("P-256");
	ec_key2 = EVP_EC_gen("P-256");
	return rsa_key && ec_key && ec_key2 ? 0 : -1;
}

static int teardown(void **state) {
	(void) state;
	EVP_PKEY_free(rsa_key);
	EVP_PKEY_free(ec_key);
	EVP_PKEY_free(ec_key2);
	return 0;
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_pass_result),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
