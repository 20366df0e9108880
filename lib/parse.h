/* SPDX-License-Identifier: MIT */
/* What a pure parser reports when it refuses its input: where, and why, in one line. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct parse_error {
	unsigned line; /* 1-based line (config) or word (command line); 0 when not about a place */
	char msg[160]; /* "unknown key 'foo'", without the place */
};

/* The n bytes at p are exactly the string s: a word cut from a line, against a name. */
static inline bool memeq_str(const char *p, size_t n, const char *s) {
	return strlen(s) == n && memcmp(p, s, n) == 0;
}

/* Fills err (which may be NULL) and returns `error` (a negative errno) for `return parse_fail(...)`. */
int parse_fail(struct parse_error *err, unsigned line, int error, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
