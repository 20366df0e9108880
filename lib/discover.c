/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "discover.h"
#include "macro.h"

int part_matches_name(const struct part *p, const char *name) {
	/* A whole disk has no PARTUUID or label: an empty one must never equal an empty name. */
	if (!p->uuid[0] && strncmp(name, "/dev/", 5) != 0)
		return 0;
	if (strncmp(name, "PARTUUID=", 9) == 0)
		return strcasecmp(p->uuid, name + 9) == 0;
	if (strncmp(name, "PARTLABEL=", 10) == 0)
		return strcmp(p->name, name + 10) == 0;
	return strcmp(p->dev, name) == 0;
}

const char *part_skip_reason(const struct part *p) {
	if (!p->type[0])
		return NULL; /* a whole disk */
	if (p->flags & GPT_FLAG_NO_AUTO)
		return "no-auto attribute";
	if (strcmp(p->name, GPT_LABEL_EMPTY) == 0)
		return GPT_LABEL_EMPTY " label";
	return NULL;
}

const char *discover_type_role(const char *type) {
	static const struct {
		const char *type, *role;
	} roles[] = {
		{ GPT_USR_X86_64, "usr" },
		{ GPT_USR_VERITY_X86_64, "usr-verity" },
		{ GPT_USR_VERITY_SIG_X86_64, "usr-verity-sig" },
	};
	for (size_t i = 0; i < ELEMENTSOF(roles); i++)
		if (strcasecmp(type, roles[i].type) == 0)
			return roles[i].role;
	return NULL;
}

static bool label_plain(unsigned char c) {
	return c >= 0x20 && c < 0x7f && c != '\\';
}

void label_escape(const char *label, char *out, size_t size) {
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *) label;
	size_t o = 0, total = 0;

	if (size == 0)
		return;
	for (const unsigned char *p = s; *p; p++)
		total += label_plain(*p) ? 1 : 4;
	/* Cut only what does not fit, and then leave room for "...". */
	const size_t room = total < size ? size - 1
			    : size > 4   ? size - 4
					 : 0;
	for (const unsigned char *p = s; *p; p++) {
		size_t need = label_plain(*p) ? 1 : 4;
		if (o + need > room)
			break;
		if (need == 1)
			out[o++] = (char) *p;
		else {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[*p >> 4];
			out[o++] = hex[*p & 15];
		}
	}
	if (total >= size && size > 4) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

int discover_pick(const struct part *parts, size_t n, const struct part_want *want) {
	int found = -ENOENT;
	for (size_t i = 0; i < n; i++) {
		if (want->type && strcasecmp(parts[i].type, want->type) != 0)
			continue;
		if (want->discovering && part_skip_reason(&parts[i]))
			continue;
		if (want->name && !part_matches_name(&parts[i], want->name))
			continue;
		if (found >= 0)
			return -ENOTUNIQ;
		found = (int) i;
	}
	return found;
}

/* Written without start + size, which a hostile table can make overflow. */
static int sectors_overlap(const struct part *a, const struct part *b) {
	if (!a->size || !b->size)
		return 0;
	return a->start <= b->start ? b->start - a->start < a->size : a->start - b->start < b->size;
}

int discover_overlap(const struct part *parts, size_t n, size_t i) {
	if (i >= n || !parts[i].type[0])
		return -ENOENT;
	for (size_t j = 0; j < n; j++)
		if (j != i && parts[j].type[0] && parts[j].disk == parts[i].disk && sectors_overlap(&parts[i], &parts[j]))
			return (int) j;
	return -ENOENT;
}
