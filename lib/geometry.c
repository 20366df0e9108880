/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "geometry.h"

const struct kernel_part *geometry_find(const struct kernel_part *kparts, size_t nk, int partno) {
	for (size_t i = 0; i < nk; i++)
		if (partno > 0 && kparts[i].partno == (unsigned) partno)
			return &kparts[i];
	return NULL;
}

static const struct gpt_entry *find_entry(const struct gpt_entry *ents, size_t ne, unsigned partno) {
	for (size_t i = 0; i < ne; i++)
		if (ents[i].partno > 0 && (unsigned) ents[i].partno == partno)
			return &ents[i];
	return NULL;
}

/* Each entry on its own: what no reading of the kernel's makes right. */
static int check_entries(const char *disk, const struct gpt_entry *ents, size_t ne, struct parse_error *err) {
	for (size_t i = 0; i < ne; i++) {
		const struct gpt_entry *e = &ents[i];
		if (e->partno < 1)
			return parse_fail(err, 0, -EBADMSG, "GPT entry %d of /dev/%s has no valid partition number",
					  e->partno, disk);
		if (e->start < 0)
			return parse_fail(err, 0, -EBADMSG, "GPT entry %d of /dev/%s starts at a negative sector (%" PRId64 ")",
					  e->partno, disk, e->start);
		if (e->size <= 0)
			return parse_fail(err, 0, -EBADMSG, "GPT entry %d of /dev/%s ends before it starts (start %" PRId64 ", size %" PRId64 ")", e->partno, disk, e->start, e->size);
		for (size_t j = 0; j < i; j++)
			if (ents[j].partno == e->partno)
				return parse_fail(err, 0, -EBADMSG, "GPT entry %d of /dev/%s is listed twice", e->partno, disk);
	}
	return 0;
}

int geometry_check(const char *disk, const struct gpt_entry *ents, size_t ne, const struct kernel_part *kparts,
		   size_t nk, struct parse_error *err) {
	int r = check_entries(disk, ents, ne, err);
	if (r < 0)
		return r;
	if (nk == 0 && ne > 0)
		return -EAGAIN; /* the kernel has not read the table yet */
	for (size_t i = 0; i < nk; i++) {
		const struct kernel_part *k = &kparts[i];
		for (size_t j = 0; j < i; j++)
			if (kparts[j].partno == k->partno)
				return parse_fail(err, 0, -EBADMSG, "/dev/%s: the kernel lists partition %u of /dev/%s twice",
						  k->name, k->partno, disk);
		const struct gpt_entry *e = find_entry(ents, ne, k->partno);
		if (!e)
			return parse_fail(err, 0, -EBADMSG, "/dev/%s exists (partition %u) but the GPT as libblkid reads it "
							    "has no such entry",
					  k->name, k->partno);
		/* e->start >= 0 and e->size > 0 by now. */
		if ((uint64_t) e->start != k->start || (uint64_t) e->size != k->size)
			return parse_fail(err, 0, -EBADMSG, "/dev/%s: the GPT says sectors %" PRId64 "+%" PRId64 ", the kernel's partition is %" PRIu64 "+%" PRIu64, k->name, e->start, e->size,
					  k->start, k->size);
	}
	for (size_t i = 0; i < ne; i++)
		if (!geometry_find(kparts, nk, ents[i].partno))
			return parse_fail(err, 0, -EBADMSG, "the kernel has no partition for GPT entry %d of /dev/%s",
					  ents[i].partno, disk);
	return 0;
}

int geometry_unread(const char *disk, size_t ne, uint64_t backup_lba, struct parse_error *err) {
	if (backup_lba)
		return parse_fail(err, 0, -EBADMSG, "/dev/%s: libblkid reads a GPT with %zu partitions from its backup "
						    "header (LBA %" PRIu64 "), the kernel made none: the primary table is damaged",
				  disk, ne,
				  backup_lba);
	return parse_fail(err, 0, -EBADMSG, "/dev/%s: libblkid reads a GPT with %zu partitions, the kernel made none",
			  disk, ne);
}

int geometry_fits(const char *disk, size_t entries, size_t room, struct parse_error *err) {
	if (entries < room)
		return 0;
	return parse_fail(err, 0, -E2BIG, "/dev/%s has %zu GPT partitions; with the disk, more than the %zu entries "
					  "left in verinit's scan",
			  disk, entries, room);
}

/* Every partition of a is in b, the same. */
static int read_within(const struct kernel_part *a, size_t na, const struct kernel_part *b, size_t nb) {
	for (size_t i = 0; i < na; i++) {
		const struct kernel_part *o = NULL;
		for (size_t j = 0; j < nb && !o; j++)
			if (b[j].partno == a[i].partno)
				o = &b[j];
		if (!o || o->start != a[i].start || o->size != a[i].size ||
		    strncmp(o->name, a[i].name, sizeof o->name) != 0)
			return 0;
	}
	return 1;
}

int geometry_reads_equal(const struct kernel_part *a, size_t na, const struct kernel_part *b, size_t nb) {
	return na == nb && read_within(a, na, b, nb) && read_within(b, nb, a, na);
}
