/* SPDX-License-Identifier: MIT */
/* The enrolled certificates read from a directory (lib/certs.c parses them). The files are opened,
 * sized and read through the ops table (sysops.h), so that the fault injection fails them as the
 * signature stage reads them. Left raw: fdopendir/readdir (the directory listing, through an fd
 * the ops opened: libc's own buffer of getdents64). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>

#include "certs.h"
#include "macro.h"
#include "sysops.h"

static inline void closedirp(DIR **d) {
	if (*d) {
		int saved = errno;
		(void) closedir(*d);
		errno = saved;
	}
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
	return certs_merge(s, &tmp, err);
}
