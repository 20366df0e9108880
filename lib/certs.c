/* SPDX-License-Identifier: MIT */
/* The enrolled certificates as a set: DER and PEM parsed from buffers, pure; lib/sys/certs-dir.c
 * reads them from a directory. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "certs.h"
#include "macro.h"

static inline void OPENSSL_freep(void *p) {
	OPENSSL_free(*(void **) p);
}

static int find_index(const struct cert_set *s, const uint8_t fpr[32]) {
	for (size_t i = 0; i < s->n; i++)
		if (memcmp(s->fpr[i], fpr, 32) == 0)
			return (int) i;
	return -1;
}

const X509 *certs_find_fingerprint(const struct cert_set *s, const uint8_t fpr[32]) {
	int i = find_index(s, fpr);
	return i < 0 ? NULL : s->cert[i];
}

void certs_free(struct cert_set *s) {
	for (size_t i = 0; i < s->n; i++)
		X509_free(s->cert[i]);
	*s = (struct cert_set){};
}

/* Takes *x into s (or frees it when s already has it). */
static int push(struct cert_set *s, X509 **x, struct parse_error *err) {
	uint8_t fpr[32];
	unsigned fpr_len = 0;

	_cleanup_(X509_freep) X509 *owned = TAKE_PTR(*x);
	if (X509_digest(owned, EVP_sha256(), fpr, &fpr_len) != 1 || fpr_len != sizeof fpr)
		return parse_fail(err, 0, -ENOMEM, "cannot compute a certificate's SHA-256");
	if (find_index(s, fpr) >= 0)
		return 0;
	if (s->n >= CERTS_MAX)
		return parse_fail(err, 0, -E2BIG, "more than %d certificates", CERTS_MAX);
	memcpy(s->fpr[s->n], fpr, sizeof fpr);
	s->cert[s->n++] = TAKE_PTR(owned);
	return 1;
}

int certs_merge(struct cert_set *s, struct cert_set *add, struct parse_error *err) {
	size_t fresh = 0;
	for (size_t i = 0; i < add->n; i++)
		if (find_index(s, add->fpr[i]) < 0)
			fresh++;
	if (s->n + fresh > CERTS_MAX)
		return parse_fail(err, 0, -E2BIG, "more than %d enrolled certificates", CERTS_MAX);
	for (size_t i = 0; i < add->n; i++) {
		if (find_index(s, add->fpr[i]) >= 0)
			continue;
		memcpy(s->fpr[s->n], add->fpr[i], 32);
		s->cert[s->n++] = TAKE_PTR(add->cert[i]);
	}
	return (int) fresh;
}

static int parse_der(const uint8_t *buf, size_t len, X509 **ret, struct parse_error *err) {
	const unsigned char *p = buf;

	if (len > CERTS_FILE_MAX)
		return parse_fail(err, 0, -E2BIG, "certificate is %zu bytes, more than 64 KiB", len);
	_cleanup_(X509_freep) X509 *x = d2i_X509(NULL, &p, (long) len);
	if (!x)
		return parse_fail(err, 0, -EBADMSG, "not a DER X.509 certificate");
	if (p != buf + len)
		return parse_fail(err, 0, -EBADMSG, "%zu bytes after the DER certificate", (size_t) (buf + len - p));
	*ret = TAKE_PTR(x);
	return 0;
}

static int add_der(struct cert_set *s, const uint8_t *buf, size_t len, struct parse_error *err) {
	_cleanup_(certs_free) struct cert_set tmp = {};
	X509 *x = NULL;

	int r = parse_der(buf, len, &x, err);
	if (r < 0)
		return r;
	r = push(&tmp, &x, err);
	if (r < 0)
		return r;
	return certs_merge(s, &tmp, err);
}

static int add_pem(struct cert_set *s, const uint8_t *buf, size_t len, struct parse_error *err) {
	_cleanup_(certs_free) struct cert_set tmp = {};

	if (len > CERTS_FILE_MAX)
		return parse_fail(err, 0, -E2BIG, "certificate file is %zu bytes, more than 64 KiB", len);
	if (len == 0)
		return parse_fail(err, 0, -EBADMSG, "no PEM certificate (empty)");
	ERR_clear_error(); /* the end of input is told apart by the error PEM_read_bio queues */
	_cleanup_(BIO_freep) BIO *bio = BIO_new_mem_buf(buf, (int) len);
	if (!bio)
		return parse_fail(err, 0, -ENOMEM, "out of memory");

	for (unsigned block = 1;; block++) {
		_cleanup_(OPENSSL_freep) char *name = NULL;
		_cleanup_(OPENSSL_freep) char *header = NULL;
		_cleanup_(OPENSSL_freep) unsigned char *data = NULL;
		long data_len = 0;

		if (!PEM_read_bio(bio, &name, &header, &data, &data_len)) {
			unsigned long e = ERR_peek_last_error();
			bool no_more = ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE;
			if (no_more && block > 1)
				break;
			if (no_more)
				return parse_fail(err, 0, -EBADMSG, "no PEM certificate");
			return parse_fail(err, 0, -EBADMSG, "PEM block %u does not decode", block);
		}
		if (strcmp(name, "CERTIFICATE") != 0)
			return parse_fail(err, 0, -EINVAL, "PEM block %u is '%.40s', not a CERTIFICATE", block, name);
		if (header && header[0] != '\0')
			return parse_fail(err, 0, -EINVAL, "PEM block %u has headers", block);

		X509 *x = NULL;
		struct parse_error sub = {};
		int r = parse_der(data, (size_t) data_len, &x, &sub);
		if (r < 0)
			return parse_fail(err, 0, r, "PEM block %u: %s", block, sub.msg);
		r = push(&tmp, &x, err);
		if (r < 0)
			return r;
	}
	return certs_merge(s, &tmp, err);
}

/* OpenSSL's error queue is only scratch here (errors travel as errno and parse_error): leave it
 * empty so that a later caller's ERR_peek_* never sees our leftovers. */
int certs_add_der(struct cert_set *s, const uint8_t *buf, size_t len, struct parse_error *err) {
	int r = add_der(s, buf, len, err);
	ERR_clear_error();
	return r;
}

int certs_add_pem(struct cert_set *s, const uint8_t *buf, size_t len, struct parse_error *err) {
	int r = add_pem(s, buf, len, err);
	ERR_clear_error();
	return r;
}
