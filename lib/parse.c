/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdio.h>

#include "parse.h"

int parse_fail(struct parse_error *err, unsigned line, int error, const char *fmt, ...) {
	if (err) {
		va_list ap;
		err->line = line;
		va_start(ap, fmt);
		(void) vsnprintf(err->msg, sizeof err->msg, fmt, ap); /* a long message is cut */
		va_end(ap);
	}
	return error;
}
