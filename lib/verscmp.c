/* SPDX-License-Identifier: MIT */
#include <stdbool.h>
#include <string.h>

#include "verscmp.h"

/* ASCII classes, not <ctype.h>: a locale must not reorder a disk's slots. */
static bool is_digit(char c) {
	return c >= '0' && c <= '9';
}

static bool is_alpha(char c) {
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_version_char(char c) {
	return is_digit(c) || is_alpha(c) || (c && strchr("~-^.", c));
}

static size_t digit_run(const char *s) {
	size_t n = 0;
	while (is_digit(s[n]))
		n++;
	return n;
}

int verscmp(const char *a, const char *b) {
	/* Older first: at each point, the string that shows one of these where the other does not. */
	static const char older_marks[] = { '-', '^', '.' };

	for (;;) {
		while (*a && !is_version_char(*a))
			a++;
		while (*b && !is_version_char(*b))
			b++;
		if (*a == '~' || *b == '~') {
			if (*a != *b)
				return *a == '~' ? -1 : 1;
			a++, b++;
			continue;
		}
		if (!*a || !*b)
			return (*a != '\0') - (*b != '\0');

		bool marked = false;
		for (size_t i = 0; i < sizeof older_marks; i++) {
			const char m = older_marks[i];
			if (*a != m && *b != m)
				continue;
			if (*a != *b)
				return *a == m ? -1 : 1;
			a++, b++;
			marked = true;
			break;
		}
		if (marked)
			continue;

		if (is_digit(*a) || is_digit(*b)) {
			while (*a == '0')
				a++;
			while (*b == '0')
				b++;
			size_t la = digit_run(a), lb = digit_run(b);
			if (la != lb)
				return la < lb ? -1 : 1;
			int r = memcmp(a, b, la);
			if (r != 0)
				return r < 0 ? -1 : 1;
			a += la, b += lb;
			continue;
		}
		/* Both are letters here: everything else was taken above. */
		while (is_alpha(*a) && is_alpha(*b)) {
			if (*a != *b)
				return (unsigned char) *a < (unsigned char) *b ? -1 : 1;
			a++, b++;
		}
		if (is_alpha(*a) != is_alpha(*b))
			return is_alpha(*a) ? 1 : -1;
	}
}
