/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509_vfy.h>

#include "hexb64.h"
#include "macro.h"
#include "sigverify.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(CMS_ContentInfo *, CMS_ContentInfo_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(X509_STORE *, X509_STORE_free);
/* The stack only borrows its certificates. */
DEFINE_TRIVIAL_CLEANUP_FUNC(STACK_OF(X509) *, sk_X509_free);

static inline void sk_X509_pop_freep(STACK_OF(X509) **p) {
	sk_X509_pop_free(*p, X509_free);
}

static int cms_parse(const uint8_t *p7, size_t len, CMS_ContentInfo **ret, struct parse_error *err) {
	const unsigned char *p = p7;

	_cleanup_(CMS_ContentInfo_freep) CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long) len);
	if (!cms)
		return parse_fail(err, 0, -EBADMSG, "the signature is not DER PKCS#7");
	if (p != p7 + len)
		return parse_fail(err, 0, -EBADMSG, "%zu bytes after the PKCS#7 signature", (size_t) (p7 + len - p));
	*ret = TAKE_PTR(cms);
	return 0;
}

/* Enters (or skips) the next TLV of [*p, end): it must be definite-length DER with this tag and
 * class. Entering leaves *p at its content and *end at the content's end. */
static bool der_next(const unsigned char **p, const unsigned char **end, int want_tag, int want_class, bool enter) {
	long len = 0;
	int tag = 0, class = 0;

	/* 0x80: a bad header or a length past end; 0x01: indefinite length (BER, not DER). */
	int ret = ASN1_get_object(p, &len, &tag, &class, *end - *p);
	if ((ret & 0x81) || tag != want_tag || class != want_class)
		return false;
	if (enter)
		*end = *p + len;
	else
		*p += len;
	return true;
}

/* The SignedData's digestAlgorithms, which the CMS API does not expose: CMS_verify starts a digest
 * for each algorithm named there, not only for the SignerInfo's, so a set naming anything else is
 * a path through OpenSSL that nothing here checks (one that OpenSSL 3.0.19's CMS_verify leaks on,
 * given an unknown algorithm). Exactly {sha256} passes, with its parameters absent (openssl cms)
 * or NULL (systemd-repart's PKCS7_sign): the set's content must be one of these two encodings.
 * cms_parse() has decoded p7 already; this only finds the set. */
static int check_digest_set(const uint8_t *p7, size_t len, struct parse_error *err) {
	static const uint8_t sha256_absent[] = { 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48,
						 0x01, 0x65, 0x03, 0x04, 0x02, 0x01 };
	static const uint8_t sha256_null[] = { 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
					       0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00 };
	const unsigned char *p = p7, *end = p7 + len;

	/* ContentInfo { contentType, [0] SignedData { version, digestAlgorithms SET, ... } } */
	if (!der_next(&p, &end, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL, true) ||
	    !der_next(&p, &end, V_ASN1_OBJECT, V_ASN1_UNIVERSAL, false) ||
	    !der_next(&p, &end, 0, V_ASN1_CONTEXT_SPECIFIC, true) ||
	    !der_next(&p, &end, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL, true) ||
	    !der_next(&p, &end, V_ASN1_INTEGER, V_ASN1_UNIVERSAL, false) ||
	    !der_next(&p, &end, V_ASN1_SET, V_ASN1_UNIVERSAL, true))
		return parse_fail(err, 0, -EBADMSG, "the signature is not DER PKCS#7 SignedData");
	size_t n = (size_t) (end - p);
	if ((n == sizeof sha256_absent && memcmp(p, sha256_absent, n) == 0) ||
	    (n == sizeof sha256_null && memcmp(p, sha256_null, n) == 0))
		return 0;
	return parse_fail(err, 0, -EBADMSG, "the SignedData's digest algorithms are not exactly {sha256}");
}

/* What systemd-repart and `openssl cms -sign -binary -noattr -md sha256` write, and nothing
 * else: anything more is either a different signing tool or someone exploring what our
 * verifier and the kernel's disagree on. Signed attributes especially: they move what is signed
 * from the content to the attributes, a second path we and the kernel (NOATTR) do not need. */
static int check_profile(CMS_ContentInfo *cms, CMS_SignerInfo **ret, struct parse_error *err) {
	const ASN1_OBJECT *obj = NULL;

	if (OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed)
		return parse_fail(err, 0, -EBADMSG, "the PKCS#7 is not SignedData");
	if (OBJ_obj2nid(CMS_get0_eContentType(cms)) != NID_pkcs7_data)
		return parse_fail(err, 0, -EBADMSG, "the signed content type is not id-data");
	if (CMS_is_detached(cms) != 1)
		return parse_fail(err, 0, -EBADMSG, "the signature is not detached (it carries content)");

	STACK_OF(CMS_SignerInfo) *infos = CMS_get0_SignerInfos(cms);
	int n = sk_CMS_SignerInfo_num(infos);
	if (n != 1)
		return parse_fail(err, 0, -EBADMSG, "%d signers, expected exactly one", n < 0 ? 0 : n);
	CMS_SignerInfo *si = sk_CMS_SignerInfo_value(infos, 0);

	X509_ALGOR *digest_alg = NULL, *sig_alg = NULL;
	CMS_SignerInfo_get0_algs(si, NULL, NULL, &digest_alg, &sig_alg);
	X509_ALGOR_get0(&obj, NULL, NULL, digest_alg);
	int digest = OBJ_obj2nid(obj);
	if (digest != NID_sha256)
		return parse_fail(err, 0, -EBADMSG, "the digest is %s, expected sha256",
				  digest == NID_undef ? "unknown" : OBJ_nid2sn(digest));
	/* rsaEncryption names no digest and is fine; ecdsa-with-SHA512 next to a sha256 digest is a
	 * contradiction that OpenSSL and the kernel might resolve differently. */
	X509_ALGOR_get0(&obj, NULL, NULL, sig_alg);
	int sig_digest = NID_undef, pkey = NID_undef;
	if (OBJ_find_sigid_algs(OBJ_obj2nid(obj), &sig_digest, &pkey) && sig_digest != NID_undef &&
	    sig_digest != NID_sha256)
		return parse_fail(err, 0, -EBADMSG, "the signature algorithm uses %s, expected sha256",
				  OBJ_nid2sn(sig_digest));
	if (CMS_signed_get_attr_count(si) >= 0)
		return parse_fail(err, 0, -EBADMSG, "the signature has signed attributes");
	/* Nothing vouches for unsigned attributes: bytes anyone may add or change. */
	if (CMS_unsigned_get_attr_count(si) >= 0)
		return parse_fail(err, 0, -EBADMSG, "the signature has unsigned attributes");
	*ret = si;
	return 0;
}

static void name_oneline(const X509_NAME *name, char *out, size_t size) {
	char *data = NULL;

	out[0] = '\0';
	_cleanup_(BIO_freep) BIO *bio = BIO_new(BIO_s_mem());
	/* RFC 2253 escaping keeps control characters and non-ASCII bytes out of the log line. */
	if (!bio || X509_NAME_print_ex(bio, name, 0, XN_FLAG_ONELINE & ~XN_FLAG_SPC_EQ) < 0)
		return;
	long len = BIO_get_mem_data(bio, &data);
	if (len <= 0 || !data)
		return;
	size_t n = (size_t) len < size - 1 ? (size_t) len : size - 1;
	memcpy(out, data, n);
	out[n] = '\0';
}

/* For the message when nobody enrolled signed: whom the SignerInfo names. */
static void describe_signer_id(CMS_SignerInfo *si, char *out, size_t size) {
	ASN1_OCTET_STRING *keyid = NULL;
	X509_NAME *issuer = NULL;
	ASN1_INTEGER *serial = NULL;

	(void) snprintf(out, size, "unknown");
	if (CMS_SignerInfo_get0_signer_id(si, &keyid, &issuer, &serial) != 1)
		return;
	if (issuer) {
		char name[96];
		name_oneline(issuer, name, sizeof name);
		(void) snprintf(out, size, "a certificate issued by '%s'", name);
	} else if (keyid)
		(void) snprintf(out, size, "a certificate with a %d-byte subject key id", ASN1_STRING_length(keyid));
}

/* The enrolled certificates as the only trust anchors: PARTIAL_CHAIN makes an enrolled leaf or
 * self-signed certificate trusted by itself, with no path to a root; NO_CHECK_TIME because the
 * clock of an initramfs is whatever the RTC says (often 1970 or wrong on a fresh VM), and the
 * enrolment, not a date, is what makes a key count (the kernel's keyrings ignore dates too);
 * purpose any because code-signing certificates rarely carry the S/MIME key usage CMS_verify
 * would otherwise ask for. No default paths are loaded: the store starts empty. */
static int make_store(const struct cert_set *enrolled, X509_STORE **ret, struct parse_error *err) {
	_cleanup_(X509_STORE_freep) X509_STORE *store = X509_STORE_new();
	if (!store)
		return parse_fail(err, 0, -ENOMEM, "out of memory");
	for (size_t i = 0; i < enrolled->n; i++)
		if (X509_STORE_add_cert(store, enrolled->cert[i]) != 1)
			return parse_fail(err, 0, -ENOMEM, "cannot add an enrolled certificate to the trust store");
	if (X509_STORE_set_flags(store, X509_V_FLAG_PARTIAL_CHAIN | X509_V_FLAG_NO_CHECK_TIME) != 1 ||
	    X509_STORE_set_purpose(store, X509_PURPOSE_ANY) != 1)
		return parse_fail(err, 0, -ENOMEM, "cannot configure the trust store");
	*ret = TAKE_PTR(store);
	return 0;
}

/* The agent's OpenSSL is built with no-err: it keeps error codes but has no reason strings. Name
 * the reasons CMS_verify raises over a detached signature with OpenSSL's own words, and any other
 * by its library and reason numbers (openssl/cmserr.h and its kin), so a refusal still says why. */
static const char *reason_text(unsigned long e, char *buf, size_t size) {
	static const struct {
		int reason;
		const char *text;
	} cms[] = {
		{ CMS_R_CONTENT_VERIFY_ERROR, "content verify error" },
		{ CMS_R_VERIFICATION_FAILURE, "verification failure" },
		{ CMS_R_CERTIFICATE_VERIFY_ERROR, "certificate verify error" },
		{ CMS_R_SIGNER_CERTIFICATE_NOT_FOUND, "signer certificate not found" },
		{ CMS_R_NO_MATCHING_DIGEST, "no matching digest" },
		{ CMS_R_MESSAGEDIGEST_WRONG_LENGTH, "messagedigest wrong length" },
		{ CMS_R_ERROR_READING_MESSAGEDIGEST_ATTRIBUTE, "error reading messagedigest attribute" },
		{ CMS_R_UNKNOWN_DIGEST_ALGORITHM, "unknown digest algorithm" },
		{ CMS_R_NO_CONTENT, "no content" },
		{ CMS_R_CONTENT_TYPE_NOT_SIGNED_DATA, "content type not signed data" },
		{ CMS_R_NO_SIGNERS, "no signers" },
		{ CMS_R_STORE_INIT_ERROR, "store init error" },
	};
	if (e == 0)
		return NULL;
	const char *s = ERR_reason_error_string(e);
	if (s)
		return s;
	if (ERR_GET_LIB(e) == ERR_LIB_CMS)
		for (size_t i = 0; i < ELEMENTSOF(cms); i++)
			if (cms[i].reason == ERR_GET_REASON(e))
				return cms[i].text;
	(void) snprintf(buf, size, "OpenSSL library %d reason %d", ERR_GET_LIB(e), ERR_GET_REASON(e));
	return buf;
}

/* One CMS_verify with exactly one candidate signer, of a cms no CMS_verify has seen: it binds the
 * signer it found into the SignerInfo. */
static int verify_with(const struct cert_set *enrolled, size_t idx, X509_STORE *store, CMS_ContentInfo *cms,
		       const char *content, size_t content_len, struct parse_error *err) {
	_cleanup_(sk_X509_freep) STACK_OF(X509) *signers = sk_X509_new_null();
	_cleanup_(BIO_freep) BIO *in = BIO_new_mem_buf(content, (int) content_len);
	if (!signers || !in || sk_X509_push(signers, enrolled->cert[idx]) <= 0)
		return parse_fail(err, 0, -ENOMEM, "out of memory");

	ERR_clear_error();
	/* NOINTERN: the signer comes from `signers` only, never from the certificates p7 carries.
	 * BINARY: the content is bytes, no MIME canonicalisation (CRLF) before hashing. NOCRL: CRLs
	 * in p7 are attacker data too. */
	if (CMS_verify(cms, signers, store, in, NULL, CMS_BINARY | CMS_NOINTERN | CMS_NOCRL) == 1)
		return 0;

	unsigned long e = ERR_peek_last_error();
	const char *data = NULL;
	int flags = 0;
	(void) ERR_peek_last_error_data(&data, &flags);
	char buf[64];
	const char *why = (flags & ERR_TXT_STRING) && data && *data ? data : reason_text(e, buf, sizeof buf);
	if (ERR_GET_REASON(e) == ERR_R_MALLOC_FAILURE)
		return parse_fail(err, 0, -ENOMEM, "out of memory");
	if (ERR_GET_LIB(e) == ERR_LIB_CMS && (ERR_GET_REASON(e) == CMS_R_CERTIFICATE_VERIFY_ERROR ||
					      ERR_GET_REASON(e) == CMS_R_SIGNER_CERTIFICATE_NOT_FOUND))
		return parse_fail(err, 0, -ENOKEY, "the enrolled signer certificate is not accepted: %s",
				  why ? why : "unknown error");
	return parse_fail(err, 0, -EKEYREJECTED, "the signature does not verify over root hash %.16s...: %s", content,
			  why ? why : "unknown error");
}

static int verify(const struct cert_set *enrolled, const uint8_t *p7, size_t p7_len, const char *root_hash_hex,
		  const uint8_t *fingerprint, struct sigverify_result *res, struct parse_error *err) {
	uint8_t scratch[64];
	int r;

	size_t hex_len = root_hash_hex ? strlen(root_hash_hex) : 0;
	if (hex_len == 0 || hex_len > 2 * sizeof scratch ||
	    hex_decode(root_hash_hex, hex_len, scratch, sizeof scratch, NULL) < 0)
		return parse_fail(err, 0, -EINVAL, "the root hash is not lowercase hex of at most 128 characters");
	if (p7_len == 0)
		return parse_fail(err, 0, -EBADMSG, "the signature is empty");
	if (p7_len > SIGVERIFY_P7_MAX)
		return parse_fail(err, 0, -E2BIG, "the signature is %zu bytes, more than 16 KiB", p7_len);

	ERR_clear_error();
	_cleanup_(CMS_ContentInfo_freep) CMS_ContentInfo *cms = NULL;
	r = cms_parse(p7, p7_len, &cms, err);
	if (r < 0)
		return r;
	CMS_SignerInfo *si = NULL;
	r = check_profile(cms, &si, err);
	if (r < 0)
		return r;
	r = check_digest_set(p7, p7_len, err);
	if (r < 0)
		return r;

	/* The candidates: enrolled certificates the SignerInfo's issuer+serial or key id names. Two
	 * enrolled certificates may share issuer and serial (test certificates often do): try each. */
	size_t candidates[CERTS_MAX], n = 0;
	if (fingerprint) {
		char hex[65];
		(void) hex_encode(fingerprint, 32, hex, sizeof hex);
		const X509 *named = certs_find_fingerprint(enrolled, fingerprint);
		if (!named)
			return parse_fail(err, 0, -ENOKEY,
					  "certificate %.16s... named by the fingerprint is not enrolled", hex);
		for (size_t i = 0; i < enrolled->n; i++)
			if (enrolled->cert[i] == named && CMS_SignerInfo_cert_cmp(si, enrolled->cert[i]) == 0)
				candidates[n++] = i;
		if (n == 0)
			return parse_fail(err, 0, -ENOKEY,
					  "the signer is not the enrolled certificate %.16s... the fingerprint names",
					  hex);
	} else
		for (size_t i = 0; i < enrolled->n && n < ELEMENTSOF(candidates); i++)
			if (CMS_SignerInfo_cert_cmp(si, enrolled->cert[i]) == 0)
				candidates[n++] = i;
	if (n == 0) {
		char who[160];
		describe_signer_id(si, who, sizeof who);
		return parse_fail(err, 0, -ENOKEY, "the signer, %s, is not enrolled", who);
	}

	_cleanup_(X509_STORE_freep) X509_STORE *store = NULL;
	r = make_store(enrolled, &store, err);
	if (r < 0)
		return r;

	size_t signer = 0;
	r = -ENOKEY;
	for (size_t k = 0; k < n; k++) {
		struct parse_error one = {};
		/* The first candidate, almost always the only one, uses the parse above (parsing is much
		 * of the work: the certificate p7 carries is decoded too); each further one a fresh parse. */
		if (k > 0) {
			CMS_ContentInfo_free(TAKE_PTR(cms));
			int p = cms_parse(p7, p7_len, &cms, err);
			if (p < 0)
				return p;
		}
		int q = verify_with(enrolled, candidates[k], store, cms, root_hash_hex, hex_len, &one);
		if (q == 0) {
			signer = candidates[k];
			r = 0;
			break;
		}
		/* Report the most telling failure: a bad signature over an unaccepted key. */
		if (q == -ENOMEM || r == -ENOKEY || q == -EKEYREJECTED) {
			r = parse_fail(err, 0, q, "%s", one.msg);
			if (q == -ENOMEM)
				return r;
		}
	}
	if (r < 0)
		return r;

	if (res) {
		*res = (struct sigverify_result){};
		name_oneline(X509_get_subject_name(enrolled->cert[signer]), res->signer_subject,
			     sizeof res->signer_subject);
		(void) hex_encode(enrolled->fpr[signer], 32, res->signer_fingerprint, sizeof res->signer_fingerprint);
		_cleanup_(sk_X509_pop_freep) STACK_OF(X509) *carried = CMS_get1_certs(cms);
		res->embedded_certs = sk_X509_num(carried) > 0;
	}
	return 0;
}

/* OpenSSL's error queue is only scratch here (errors travel as errno and parse_error): leave it
 * empty so that a later caller's ERR_peek_* never sees our leftovers. */
int sigverify_detached(const struct cert_set *enrolled, const uint8_t *p7, size_t p7_len, const char *root_hash_hex,
		       const uint8_t *fingerprint, struct sigverify_result *res, struct parse_error *err) {
	int r = verify(enrolled, p7, p7_len, root_hash_hex, fingerprint, res, err);
	ERR_clear_error();
	return r;
}
