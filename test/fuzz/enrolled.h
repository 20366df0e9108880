/* SPDX-License-Identifier: MIT */
/* The enrolled certificates of the signature harnesses: test/fuzz/certs/ (public certificates only;
 * their private keys were thrown away once the seeds were signed, see mkseeds.py), loaded with
 * certs_load_dir() as stage_signature() loads /etc/verinit/certs. VERINIT_FUZZ_CERTS overrides the
 * directory compiled in. */
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include "certs.h"
#include "fuzz.h"

#ifndef FUZZ_CERTS_DIR
#define FUZZ_CERTS_DIR "test/fuzz/certs"
#endif

static struct cert_set enrolled;

static inline void fuzz_load_enrolled(void) {
	struct parse_error err = {};
	const char *dir = getenv("VERINIT_FUZZ_CERTS");
	if (!dir || !*dir)
		dir = FUZZ_CERTS_DIR;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "harness: cannot open the certificate directory %s\n", dir);
		abort();
	}
	int r = certs_load_dir(&enrolled, fd, &err);
	close(fd);
	if (r < 1) {
		fprintf(stderr, "harness: %s: %d: %s\n", dir, r, err.msg);
		abort();
	}
}
