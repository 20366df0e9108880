/* SPDX-License-Identifier: MIT */
/* Shared by the libFuzzer harnesses (test/fuzz/<name>.c): invariant checks that abort, so that
 * libFuzzer keeps the input as a crash, and the checks every parser's result gets. */
#pragma once

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/linkhash.h>

#include "parse.h"

#define FUZZ_CHECK(cond)                                                                             \
	do {                                                                                         \
		if (!(cond)) {                                                                       \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                                     \
		}                                                                                    \
	} while (0)

/* A char array holds a NUL within its size. */
#define FUZZ_CHECK_STR(arr) FUZZ_CHECK(memchr((arr), '\0', sizeof(arr)) != NULL)

/* s (NUL-terminated) holds no control character but tabs: what the agent prints goes to the console
 * and /dev/kmsg one line per message, and the lab's runner reads verdicts from those lines, so a
 * newline, carriage return or escape sequence taken from the input could forge one. */
static inline bool fuzz_one_line(const char *s) {
	for (; *s; s++)
		if (((unsigned char) *s < 0x20 && *s != '\t') || *s == 0x7f)
			return false;
	return true;
}

/* A refusal says why: the message is terminated and not empty. With one_line, also a single line
 * without control characters (for the parsers whose messages the agent logs). */
static inline void fuzz_check_error(const struct parse_error *err, bool one_line) {
	FUZZ_CHECK_STR(err->msg);
	FUZZ_CHECK(err->msg[0] != '\0');
	if (one_line && !fuzz_one_line(err->msg)) {
		fprintf(stderr, "error message with a control character: '%s'\n", err->msg);
		abort();
	}
}

/* The input as a NUL-terminated string in an allocation of exactly n + 1 bytes (free it). */
static inline char *fuzz_strndup(const uint8_t *data, size_t n) {
	char *s = malloc(n + 1);
	if (!s)
		abort();
	if (n)
		memcpy(s, data, n);
	s[n] = '\0';
	return s;
}

/* Consumes the first byte of the input as a selector (0 when empty). */
static inline uint8_t fuzz_take_byte(const uint8_t **data, size_t *size) {
	if (*size == 0)
		return 0;
	uint8_t b = **data;
	(*data)++;
	(*size)--;
	return b;
}

static inline bool fuzz_is_lower_hex(const char *s, size_t n) {
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* Field i of a '|'-separated line (len bytes) into out, after prefix, cut to size as snprintf("%s")
 * cuts; "" when the line has fewer fields. The line-oriented harnesses (discover, slot) read their
 * partitions this way. */
static inline void fuzz_field(const char *line, size_t len, unsigned i, const char *prefix, char *out,
			      size_t size) {
	const char *p = line, *end = line + len;
	for (unsigned k = 0; k < i && p; k++) {
		p = memchr(p, '|', (size_t) (end - p));
		if (p)
			p++;
	}
	if (!p) {
		(void) snprintf(out, size, "%s", "");
		return;
	}
	const char *bar = memchr(p, '|', (size_t) (end - p));
	(void) snprintf(out, size, "%s%.*s", prefix, (int) ((bar ? bar : end) - p), p);
}

/* With FUZZ_TRACE=1 in the environment, a line on stderr per call: what each seed reaches
 * (FUZZ_TRACE=1 build/fuzz/bin/sigjson test/fuzz/corpus/sigjson/SEED). */
__attribute__((format(printf, 1, 2))) static inline void fuzz_trace(const char *fmt, ...) {
	static int on = -1;
	if (on < 0)
		on = getenv("FUZZ_TRACE") != NULL;
	if (!on)
		return;
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* json-c hashes object keys with a seed from RDRAND or getrandom(), and with it the coverage of a
 * JSON input differed from run to run: make check's fixed runs (run.sh --runs) would not be fixed.
 * Perl's hash has no seed; the parsers' results do not depend on the hash. */
__attribute__((constructor)) static void fuzz_unseeded_json_hash(void) {
	if (json_global_set_string_hash(JSON_C_STR_HASH_PERLLIKE) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);
