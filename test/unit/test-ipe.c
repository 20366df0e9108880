/* SPDX-License-Identifier: MIT */
/* The IPE policy header (name and version) from signed policies made here with a fresh key, and
 * the version arithmetic that decides update or downgrade. */
#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "ipe.h"
#include "macro.h"

static EVP_PKEY *key;
static X509 *cert;

static int setup(void **state) {
	(void) state;
	key = EVP_EC_gen("P-256");
	cert = X509_new();
	if (!key || !cert)
		return -1;
	X509_NAME *name = X509_get_subject_name(cert);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *) "ipe test", -1, -1, 0);
	X509_set_issuer_name(cert, name);
	ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
	X509_gmtime_adj(X509_getm_notBefore(cert), 0);
	X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
	X509_set_pubkey(cert, key);
	return X509_sign(cert, key, EVP_sha256()) > 0 ? 0 : -1;
}

static int teardown(void **state) {
	(void) state;
	X509_free(cert);
	EVP_PKEY_free(key);
	return 0;
}

/* DER of a SignedData over text; attached unless detached. Returns its length, *der malloc'ed. */
static int sign(const char *text, bool detached, unsigned char **der) {
	BIO *in = BIO_new_mem_buf(text, (int) strlen(text));
	unsigned flags = CMS_BINARY | CMS_NOATTR | (detached ? CMS_DETACHED : 0);
	CMS_ContentInfo *cms = CMS_sign(cert, key, NULL, in, flags);
	assert_non_null(cms);
	*der = NULL;
	int n = i2d_CMS_ContentInfo(cms, der);
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	assert_true(n > 0);
	return n;
}

static void test_header_table(void **state) {
	static const struct {
		const char *text;
		int expect;
		const char *name, *msg;
		struct ipe_version v;
	} cases[] = {
		/* clang-format off */
		{ "policy_name=verinit_default policy_version=1.0.0\nDEFAULT action=ALLOW\n", 0, "verinit_default", NULL,
		  { 1, 0, 0 } },
		{ "policy_version=2.10.65535 policy_name=x\n", 0, "x", NULL, { 2, 10, 65535 } },
		{ "policy_name=a policy_version=1.0.0", 0, "a", NULL, { 1, 0, 0 } }, /* no newline at all */
		{ "policy_name=a\npolicy_version=1.0.0\n", -EBADMSG, NULL, "policy_version", { 0, 0, 0 } },
		{ "policy_version=1.0.0\n", -EBADMSG, NULL, "policy_name", { 0, 0, 0 } },
		{ "policy_name= policy_version=1.0.0\n", -EBADMSG, NULL, "policy_name", { 0, 0, 0 } },
		{ "policy_name=a/b policy_version=1.0.0\n", -EBADMSG, NULL, "without '/'", { 0, 0, 0 } },
		{ "policy_name=a policy_version=1.0\n", -EBADMSG, NULL, "a.b.c", { 0, 0, 0 } },
		{ "policy_name=a policy_version=1.0.65536\n", -EBADMSG, NULL, "a.b.c", { 0, 0, 0 } },
		{ "policy_name=a policy_version=01.0.0\n", -EBADMSG, NULL, "a.b.c", { 0, 0, 0 } },
		{ "", -EBADMSG, NULL, "policy_name", { 0, 0, 0 } },
		/* clang-format on */
	};
	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		unsigned char *der = NULL;
		char name[IPE_NAME_MAX] = "";
		struct ipe_version v = { 9, 9, 9 };
		struct parse_error err = {};
		int n = sign(cases[i].text, false, &der);
		int r = ipe_policy_header(der, (size_t) n, name, &v, &err);
		OPENSSL_free(der);
		if (r != cases[i].expect)
			fail_msg("case %zu: returned %d, want %d (%s)", i, r, cases[i].expect, err.msg);
		if (r == 0 && (strcmp(name, cases[i].name) != 0 || ipe_version_cmp(&v, &cases[i].v) != 0))
			fail_msg("case %zu: got %s %u.%u.%u", i, name, v.major, v.minor, v.patch);
		if (r < 0 && !strstr(err.msg, cases[i].msg))
			fail_msg("case %zu: message '%s', want '%s'", i, err.msg, cases[i].msg);
	}
}

/* What the kernel would refuse with EBADMSG or EKEYREJECTED is refused here first, named. */
static void test_not_a_signed_policy(void **state) {
	static const char text[] = "policy_name=a policy_version=1.0.0\n";
	unsigned char *der = NULL;
	char name[IPE_NAME_MAX];
	struct ipe_version v;
	struct parse_error err = {};
	(void) state;
	assert_int_equal(ipe_policy_header((const uint8_t *) text, sizeof text - 1, name, &v, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "not a DER PKCS#7"));
	int n = sign(text, true, &der);
	assert_int_equal(ipe_policy_header(der, (size_t) n, name, &v, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "without the policy text attached"));
	OPENSSL_free(der);
	/* SEQUENCE { OID signedData } and nothing else: found by test/fuzz/ipe.c (a NULL dereference). */
	static const uint8_t bare[] = { 0x30, 0x0b, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02 };
	assert_int_equal(ipe_policy_header(bare, sizeof bare, name, &v, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "without the policy text attached"));
	n = sign(text, false, &der);
	assert_int_equal(ipe_policy_header(der, (size_t) n / 2, name, &v, &err), -EBADMSG); /* truncated */
	assert_int_equal(ipe_policy_header(der, (size_t) n, name, &v, &err), 0);
	OPENSSL_free(der);
}

static void test_versions(void **state) {
	struct ipe_version a, b;
	(void) state;
	assert_int_equal(ipe_version_parse("1.2.3\n", 6, &a), 0);
	assert_int_equal(ipe_version_parse("1.2.10", 6, &b), 0);
	assert_true(ipe_version_cmp(&a, &b) < 0);
	assert_true(ipe_version_cmp(&b, &a) > 0);
	assert_int_equal(ipe_version_cmp(&a, &a), 0);
	assert_int_equal(ipe_version_parse("2.0.0", 5, &b), 0);
	assert_true(ipe_version_cmp(&a, &b) < 0);
	assert_int_equal(ipe_version_parse("1.2.3\n\n", 7, &a), -EINVAL);
	assert_int_equal(ipe_version_parse("1..3", 4, &a), -EINVAL);
	assert_int_equal(ipe_version_parse("-1.2.3", 6, &a), -EINVAL);
	assert_int_equal(ipe_version_parse("", 0, &a), -EINVAL);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_table),
		cmocka_unit_test(test_not_a_signed_policy),
		cmocka_unit_test(test_versions),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
