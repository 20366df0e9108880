/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "measure.h"
#include "pcr.h"

void say(const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	(void) fputs(PROG ": ", stderr);
	(void) vfprintf(stderr, fmt, ap);
	(void) fputc('\n', stderr);
	va_end(ap);
}

int read_file(const char *path, size_t max, uint8_t **out, size_t *len) {
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	_cleanup_free_ uint8_t *buf = NULL;
	size_t used = 0, size = 0;

	if (fd < 0) {
		int r = negative_errno();
		say("%s: %s", path, strerror(-r));
		return r;
	}
	for (;;) {
		if (used == size) {
			/* Doubling from 64 KiB; one byte more than max tells "too big" from "exactly max". */
			size_t want = size ? size * 2 : 65536;
			if (want > max + 1)
				want = max + 1;
			if (want <= size) {
				say("%s: larger than %zu bytes", path, max);
				return -EFBIG;
			}
			uint8_t *n = realloc(buf, want + 1);
			if (!n) {
				say("%s: out of memory", path);
				return -ENOMEM;
			}
			buf = n;
			size = want;
		}
		ssize_t got = read(fd, buf + used, size - used);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int r = negative_errno();
			say("%s: %s", path, strerror(-r));
			return r;
		}
		if (got == 0)
			break;
		used += (size_t) got;
		if (used > max) {
			say("%s: larger than %zu bytes", path, max);
			return -EFBIG;
		}
	}
	buf[used] = '\0';
	*len = used;
	*out = TAKE_PTR(buf);
	return 0;
}

int parse_banks(const char *s, unsigned *mask) {
	*mask = 0;
	for (const char *p = s;;) {
		size_t n = strcspn(p, ",");
		int b = pcr_bank_from_name(p, n);
		if (b < 0) {
			say("--banks: unknown bank '%.*s' (sha1, sha256, sha384, sha512)", (int) (n > 16 ? 16 : n), p);
			return -EINVAL;
		}
		*mask |= 1U << b;
		if (!p[n])
			return 0;
		p += n + 1;
	}
}

void print_hex(FILE *f, const uint8_t *d, size_t len) {
	for (size_t i = 0; i < len; i++)
		(void) fprintf(f, "%02x", d[i]);
}

int finish_stdout(void) {
	if (fflush(stdout) != 0 || ferror(stdout)) {
		say("cannot write the result to standard output: %s", strerror(errno ? errno : EIO));
		return -EIO;
	}
	return 0;
}
