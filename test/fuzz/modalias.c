/* SPDX-License-Identifier: MIT */
/* modalias_parse() over modules.alias text, then what the modules stage asks of the table. Checked:
 * a refusal names a line within the input (-EBADMSG) or is -E2BIG; each entry is two non-empty
 * words, the module written with '_' only, device exactly for a bus alias; modalias_class_of()
 * agrees with the entries; and modalias_next_match(), with its one-byte shortcut, finds exactly
 * the entries a plain fnmatch(3) over every device entry finds, for modaliases taken from the
 * patterns themselves and from the input's lines ("#virtio:d00000002v00001AF4": a comment to the
 * parser, a device here). */
#include <fnmatch.h>

#include "fuzz.h"
#include "modalias.h"

static void check_matches(const struct modalias_table *t, const char *modalias) {
	long next = modalias_next_match(t, 0, modalias);
	for (size_t i = 0; i < t->n; i++) {
		bool want = t->v[i].device && fnmatch(t->v[i].pattern, modalias, 0) == 0;
		if (!want)
			continue;
		FUZZ_CHECK(next == (long) i);
		next = modalias_next_match(t, i + 1, modalias);
	}
	FUZZ_CHECK(next == -1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	struct modalias_table t;
	unsigned line = 0;
	int r = modalias_parse((const char *) data, size, &t, &line);
	if (r < 0) {
		FUZZ_CHECK(r == -EBADMSG || r == -E2BIG);
		size_t lines = 1;
		for (size_t i = 0; i < size; i++)
			lines += data[i] == '\n';
		FUZZ_CHECK(r != -EBADMSG || (line >= 1 && line <= lines));
		FUZZ_CHECK(!t.v && !t.text && t.n == 0);
		return 0;
	}
	FUZZ_CHECK(line == 0 && t.n <= MODALIAS_ENTRIES_MAX);
	for (size_t i = 0; i < t.n; i++) {
		const struct modalias_entry *e = &t.v[i];
		FUZZ_CHECK(e->pattern[0] && e->module[0]);
		FUZZ_CHECK(!strpbrk(e->pattern, " \t\r\n") && !strpbrk(e->module, " \t\r\n-"));
		FUZZ_CHECK(e->device == (strchr(e->pattern, ':') && strncmp(e->pattern, "devname:", 8) != 0));
		enum modalias_class c = modalias_class_of(&t, e->module);
		FUZZ_CHECK(!e->device || c == MODALIAS_DEVICE);
		FUZZ_CHECK(c != MODALIAS_OTHER || strncmp(e->pattern, "fs-", 3) != 0);
		if (strncmp(e->pattern, "fs-", 3) == 0)
			FUZZ_CHECK(modalias_provides_fs(&t, e->module, e->pattern + 3));
		if (i < 64)
			check_matches(&t, e->pattern);
	}
	/* Each input line as a device's modalias (a comment's without its '#'), as a uevent could carry
	 * any string. */
	char alias[256];
	const char *p = (const char *) data, *end = p + size;
	for (int k = 0; k < 32 && p < end; k++) {
		const char *nl = memchr(p, '\n', (size_t) (end - p));
		size_t n = (size_t) ((nl ? nl : end) - p), skip = n > 0 && p[0] == '#';
		n = n - skip < sizeof alias - 1 ? n - skip : sizeof alias - 1;
		memcpy(alias, p + skip, n);
		alias[n] = '\0';
		check_matches(&t, alias);
		p = nl ? nl + 1 : end;
	}
	modalias_table_free(&t);
	return 0;
}
