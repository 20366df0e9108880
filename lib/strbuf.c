/* SPDX-License-Identifier: MIT */
/* Bounded appends of formatted text (lib/strbuf.h). */
#include <stdarg.h>
#include <stdio.h>

#include "strbuf.h"

bool strbuf_append(char *buf, size_t size, size_t *used, const char *fmt, ...) {
	if (*used >= size)
		return false;

	va_list ap;
	va_start(ap, fmt);
	int w = vsnprintf(buf + *used, size - *used, fmt, ap);
	va_end(ap);
	if (w < 0 || (size_t) w >= size - *used)
		return false;
	*used += (size_t) w;
	return true;
}
