/* SPDX-License-Identifier: MIT */
/* The enrolled certificates: the only keys whose signature over a root hash counts. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <openssl/bio.h>
#include <openssl/x509.h>

#include "macro.h"
#include "parse.h"

#define CERTS_MAX 32
#define CERTS_FILE_MAX 65536 /* 64 KiB */

/* Zero-initialise (`struct cert_set s = {};`); release with certs_free. cert[i] is owned by the
 * set; fpr[i] is the SHA-256 of its DER encoding (what "certificateFingerprint" names). */
struct cert_set {
	size_t n;
	X509 *cert[CERTS_MAX];
	uint8_t fpr[CERTS_MAX][32];
};

DEFINE_TRIVIAL_CLEANUP_FUNC(X509 *, X509_free);
DEFINE_CLEANUP_FUNC_NAMED(BIO_freep, BIO *, BIO_free_all);

/* Each adder is all or nothing: on error the set is as it was. A certificate already in the set
 * (same fingerprint) is not added twice. They return the number of certificates added, or:
 *   -EBADMSG  not a DER certificate / no PEM certificate / a PEM block that does not decode, or
 *             bytes after the DER certificate
 *   -EINVAL   a PEM block that is not a CERTIFICATE (a key, a CRL, ...) or carries headers
 *   -E2BIG    the input is over 64 KiB, or the set would hold more than 32
 *   -ENOMEM */
int certs_add_der(struct cert_set *s, const uint8_t *buf, size_t len, struct parse_error *err);
/* One or more "-----BEGIN CERTIFICATE-----" blocks; text between blocks is ignored. */
int certs_add_pem(struct cert_set *s, const uint8_t *buf, size_t len, struct parse_error *err);

/* Moves every certificate of add that s lacks into s, or none when they would not fit: returns the
 * number moved, or -E2BIG (more than 32 in s). What stays in add (already in s, or all of it on
 * error) is still add's to free. */
int certs_merge(struct cert_set *s, struct cert_set *add, struct parse_error *err);

/* In the system half, lib/sys/certs-dir.c (the host tools do not link it).
 * Reads every entry of the directory dirfd whose name ends in .pem (PEM), .der (DER) or .crt
 * (DER when it starts with a SEQUENCE tag, PEM otherwise), in name order, through openat with
 * O_NOFOLLOW; other names are ignored. Fails closed: an entry with such a name that is not a
 * regular file, cannot be read or does not parse fails the whole call, and err names it.
 * Returns the number of certificates added, the adders' errors, -ELOOP (a symlink), -EINVAL (not
 * a regular file), -E2BIG (a file over 64 KiB, more than 32 files) or another open/read errno. */
int certs_load_dir(struct cert_set *s, int dirfd, struct parse_error *err);

/* The enrolled certificate whose DER has this SHA-256, or NULL. */
const X509 *certs_find_fingerprint(const struct cert_set *s, const uint8_t fpr[32]);

/* Frees every certificate and leaves an empty set; usable as _cleanup_(certs_free). */
void certs_free(struct cert_set *s);
