/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "discover.h"

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

int discover_pick(const struct part *parts, size_t n, const struct part_want *want) {
	int found = -ENOENT;
	for (size_t i = 0; i < n; i++) {
		if (want->type && strcasecmp(parts[i].type, want->type) != 0)
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
