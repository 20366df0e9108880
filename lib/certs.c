/* SPDX-License-Identifier: MIT */
/* The certificate files are opened, sized and read through the ops table (sysops.h), so that
 * the fault injection fails them as the signature stage reads them. Left raw: fdopendir/readdir
 * (the directory listing, through an fd the ops opened: libc's own buffer of getdents64). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "certs.h"
#include "macro.h"
#include "sysops.h"

static inline void OPENSSL_freep(void *p) {
	OPENSSL_free(*(void **) p);
}

static inline void closedirp(DIR **d) {
	if (*d) {
		int saved = errno;
		(void) closedir(*d);
		errno = saved;
	}
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

/* Moves every certificate of add that s lacks into s, or nothing when they would not fit. */
static int merge(struct cert_set *s, struct cert_set *add, struct parse_error *err) {
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
	return merge(s, &tmp, err);
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
	return merge(s, &tmp, err);
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

enum cert_kind {
	KIND_NONE,
	KIND_PEM,
	KIND_DER,
	KIND_CRT
};

static enum cert_kind kind_of(const char *name) {
	static const struct {
		const char *suffix;
		enum cert_kind kind;
	} table[] = { { ".pem", KIND_PEM }, { ".der", KIND_DER }, { ".crt", KIND_CRT } };
	size_t len = strlen(name);

	for (size_t i = 0; i < ELEMENTSOF(table); i++)
		if (len >= 4 && strcmp(name + len - 4, table[i].suffix) == 0)
			return table[i].kind;
	return KIND_NONE;
}

/* Reads all of a regular file into a memory BIO: OpenSSL's allocator, so that the buffer is freed
 * through BIO_freep (clang-analyzer 14 does not see cleanup attributes free a malloc). */
static int read_cert_file(int dirfd, const char *name, BIO **ret) {
	struct stat st;
	uint8_t chunk[4096];
	size_t n = 0;

	/* O_NONBLOCK: a FIFO under a certificate's name must not hang PID 1 before fstat refuses it. */
	_cleanup_close_ int fd = sys->openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK, 0);
	if (fd < 0)
		return fd;
	int r = sys->fstat(fd, &st);
	if (r < 0)
		return r;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if (st.st_size > CERTS_FILE_MAX)
		return -E2BIG;
	_cleanup_(BIO_freep) BIO *mem = BIO_new(BIO_s_mem());
	if (!mem)
		return -ENOMEM;
	/* Read to EOF rather than trusting st_size: the file may change under us. */
	for (;;) {
		ssize_t k = sys->read(fd, chunk, sizeof chunk); /* retries EINTR */
		if (k < 0)
			return (int) k;
		if (k == 0)
			break;
		n += (size_t) k;
		if (n > CERTS_FILE_MAX)
			return -E2BIG;
		if (BIO_write(mem, chunk, (int) k) != (int) k)
			return -ENOMEM;
	}
	*ret = TAKE_PTR(mem);
	return 0;
}

static int compare_names(const void *a, const void *b) {
	return strcmp(a, b);
}

static const char *read_error_text(int r) {
	switch (r) {
	case -ELOOP:
		return "is a symbolic link";
	case -EINVAL:
		return "is not a regular file";
	case -E2BIG:
		return "is larger than 64 KiB";
	default:
		return strerror(-r);
	}
}

int certs_load_dir(struct cert_set *s, int dirfd, struct parse_error *err) {
	int r;

	/* A fresh open: fdopendir would take dirfd and share its offset with the caller. */
	_cleanup_close_ int fd = sys->openat(dirfd, ".", O_RDONLY | O_DIRECTORY, 0);
	if (fd < 0) {
		r = fd;
		return parse_fail(err, 0, r, "cannot open the certificate directory: %s", strerror(-r));
	}
	_cleanup_(closedirp) DIR *d = fdopendir(fd);
	if (!d) {
		r = negative_errno();
		return parse_fail(err, 0, r, "cannot read the certificate directory: %s", strerror(-r));
	}
	(void) TAKE_FD(fd); /* d owns it now */

	char names[CERTS_MAX][NAME_MAX + 1];
	size_t n = 0;
	for (;;) {
		errno = 0;
		const struct dirent *de = readdir(d);
		if (!de) {
			if (errno == 0)
				break;
			r = negative_errno();
			return parse_fail(err, 0, r, "cannot read the certificate directory: %s", strerror(-r));
		}
		if (kind_of(de->d_name) == KIND_NONE)
			continue;
		if (n == CERTS_MAX)
			return parse_fail(err, 0, -E2BIG, "more than %d certificate files", CERTS_MAX);
		(void) snprintf(names[n++], sizeof *names, "%s", de->d_name);
	}
	/* Name order, so that which bad file is reported does not depend on the file system. */
	qsort(names, n, sizeof *names, compare_names);

	_cleanup_(certs_free) struct cert_set tmp = {};
	for (size_t i = 0; i < n; i++) {
		struct parse_error sub = {};
		_cleanup_(BIO_freep) BIO *file = NULL;
		char *data = NULL;

		r = read_cert_file(dirfd, names[i], &file);
		if (r < 0)
			return parse_fail(err, 0, r, "certificate file '%s' %s", names[i], read_error_text(r));
		long got = BIO_get_mem_data(file, &data);
		size_t len = got > 0 && data ? (size_t) got : 0;
		const uint8_t *buf = (const uint8_t *) data;
		enum cert_kind kind = kind_of(names[i]);
		if (kind == KIND_CRT)
			kind = len > 0 && buf[0] == 0x30 ? KIND_DER : KIND_PEM; /* 0x30: an ASN.1 SEQUENCE */
		r = kind == KIND_DER ? certs_add_der(&tmp, buf, len, &sub) : certs_add_pem(&tmp, buf, len, &sub);
		if (r < 0)
			return parse_fail(err, 0, r, "certificate file '%s': %s", names[i], sub.msg);
	}
	return merge(s, &tmp, err);
}
