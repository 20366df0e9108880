/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "modalias.h"

static bool is_space(char c) {
	return c == ' ' || c == '\t' || c == '\r';
}

/* The next whitespace-separated word of [*p, end), NUL-terminated in place; NULL when none. */
static char *word(char **p, const char *end) {
	char *s = *p;
	while (s < end && is_space(*s))
		s++;
	if (s == end)
		return NULL;
	char *e = s;
	while (e < end && !is_space(*e))
		e++;
	*p = e < end ? e + 1 : e;
	*e = '\0';
	return s;
}

/* A bus alias, as MODULE_DEVICE_TABLE writes them: "pci:v...", "acpi*:VMBUS:*", "virtio:d...".
 * devname: names a device node, not a device. */
static bool device_pattern(const char *p) {
	return strchr(p, ':') && strncmp(p, "devname:", 8) != 0;
}

static void normalise(char *m) {
	for (; *m; m++)
		if (*m == '-')
			*m = '_';
}

int modalias_parse(const char *buf, size_t len, struct modalias_table *t, unsigned *bad_line) {
	*t = (struct modalias_table){ 0 };
	*bad_line = 0;
	const char *nul = memchr(buf, '\0', len);
	if (nul) {
		*bad_line = 1;
		for (const char *c = buf; c < nul; c++)
			*bad_line += *c == '\n';
		return -EBADMSG;
	}
	size_t lines = 1;
	for (size_t i = 0; i < len; i++)
		lines += buf[i] == '\n';
	if (lines > MODALIAS_ENTRIES_MAX)
		lines = MODALIAS_ENTRIES_MAX + 1; /* enough to notice one too many */

	t->text = malloc(len + 1);
	t->v = calloc(lines, sizeof *t->v);
	if (!t->text || !t->v) {
		modalias_table_free(t);
		return -ENOMEM;
	}
	memcpy(t->text, buf, len);
	t->text[len] = '\0';

	char *p = t->text, *end = t->text + len;
	for (unsigned line = 1; p < end; line++) {
		char *nl = memchr(p, '\n', (size_t) (end - p));
		char *eol = nl ? nl : end;
		char *next = nl ? nl + 1 : end;
		*eol = '\0';
		char *s = p;
		char *kw = word(&s, eol);
		if (kw && kw[0] != '#') {
			char *pattern = word(&s, eol), *module = word(&s, eol);
			if (strcmp(kw, "alias") != 0 || !pattern || !module || word(&s, eol)) {
				*bad_line = line;
				modalias_table_free(t);
				return -EBADMSG;
			}
			if (t->n == MODALIAS_ENTRIES_MAX) {
				modalias_table_free(t);
				return -E2BIG;
			}
			normalise(module);
			t->v[t->n++] = (struct modalias_entry){ pattern, module, device_pattern(pattern) };
		}
		p = next;
	}
	return 0;
}

void modalias_table_free(struct modalias_table *t) {
	free(t->text);
	free(t->v);
	*t = (struct modalias_table){ 0 };
}

static char module_char(char c) {
	if (c == '-')
		return '_';
	return c;
}

bool modalias_same_module(const char *a, const char *b) {
	for (;; a++, b++) {
		if (module_char(*a) != module_char(*b))
			return false;
		if (!*a)
			return true;
	}
}

enum modalias_class modalias_class_of(const struct modalias_table *t, const char *name) {
	bool fs = false;
	for (size_t i = 0; i < t->n; i++) {
		if (!modalias_same_module(t->v[i].module, name))
			continue;
		if (t->v[i].device)
			return MODALIAS_DEVICE;
		fs = fs || strncmp(t->v[i].pattern, "fs-", 3) == 0;
	}
	return fs ? MODALIAS_FS : MODALIAS_OTHER;
}

bool modalias_provides_fs(const struct modalias_table *t, const char *name, const char *fstype) {
	for (size_t i = 0; i < t->n; i++)
		if (strncmp(t->v[i].pattern, "fs-", 3) == 0 && strcmp(t->v[i].pattern + 3, fstype) == 0 &&
		    modalias_same_module(t->v[i].module, name))
			return true;
	return false;
}

long modalias_next_match(const struct modalias_table *t, size_t from, const char *modalias) {
	for (size_t i = from; i < t->n; i++) {
		const char *p = t->v[i].pattern;
		if (!t->v[i].device)
			continue;
		/* Most patterns start with their bus name: most entries are ruled out by one byte, which
		 * matters when every device of the machine is matched against them under emulation. */
		if (p[0] != '*' && p[0] != '?' && p[0] != '[' && p[0] != '\\' && p[0] != modalias[0])
			continue;
		if (fnmatch(p, modalias, 0) == 0)
			return (long) i;
	}
	return -1;
}

bool modalias_cpu_lacks(const struct modalias_table *t, const char *name, const char *cpu) {
	bool has_cpu_alias = false;
	for (size_t i = 0; i < t->n; i++) {
		if (strncmp(t->v[i].pattern, "cpu:", 4) != 0 || !modalias_same_module(t->v[i].module, name))
			continue;
		if (fnmatch(t->v[i].pattern, cpu, 0) == 0)
			return false;
		has_cpu_alias = true;
	}
	return has_cpu_alias;
}
