/* SPDX-License-Identifier: MIT */
#include <blkid/blkid.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "blockscan.h"
#include "geometry.h"
#include "macro.h"
#include "strbuf.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(DIR *, closedir);
DEFINE_TRIVIAL_CLEANUP_FUNC(blkid_probe, blkid_free_probe);

static void lowercase(char *s) {
	for (; *s; s++)
		*s = (char) tolower((unsigned char) *s);
}

/* Reads a small sysfs attribute as an unsigned decimal (a partition's number, start and size): 0,
 * or -1 when it is absent or not a number. */
static int sysfs_u64(int dirfd, const char *attr, uint64_t *v) {
	char buf[32];
	_cleanup_close_ int fd = openat(dirfd, attr, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	if (n <= 0 || buf[0] < '0' || buf[0] > '9')
		return -1;
	buf[n] = '\0';
	char *end = NULL;
	errno = 0;
	*v = strtoull(buf, &end, 10);
	return errno || (*end != '\n' && *end != '\0') ? -1 : 0;
}

/* The partitions the kernel has made of disk, from its sysfs children ("vda2" with partition, start
 * and size): their number, or -1 when one could not be read whole (a partition going away). */
static int kernel_parts(const char *sysfs_block, const char *disk, struct kernel_part *out) {
	char path[512];
	int n = 0;
	int w = snprintf(path, sizeof path, "%s/%s", sysfs_block, disk);
	if (w < 0 || (size_t) w >= sizeof path)
		return -1;
	_cleanup_(closedirp) DIR *d = opendir(path);
	if (!d)
		return -1;
	for (struct dirent *e; (e = readdir(d));) {
		if (strncmp(e->d_name, disk, strlen(disk)) != 0)
			continue;
		_cleanup_close_ int fd = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		uint64_t partno;
		if (fd < 0 || sysfs_u64(fd, "partition", &partno) < 0)
			continue; /* not a partition */
		if (n == GEOMETRY_KERNEL_MAX || strlen(e->d_name) >= sizeof out->name || partno == 0 || partno > INT_MAX)
			return -1;
		struct kernel_part *k = &out[n++];
		memcpy(k->name, e->d_name, strlen(e->d_name) + 1);
		k->partno = (unsigned) partno;
		if (sysfs_u64(fd, "start", &k->start) < 0 || sysfs_u64(fd, "size", &k->size) < 0)
			return -1;
	}
	return n;
}

/* What one disk's scan reads: off the stack, the agent scans one disk at a time. */
static struct {
	struct gpt_entry ents[BLOCKSCAN_MAX];
	struct kernel_part before[GEOMETRY_KERNEL_MAX], after[GEOMETRY_KERNEL_MAX];
} scratch;

/* The disk, then its GPT partitions, each under the kernel's device of its number once
 * lib/geometry.c found the kernel's partitions and the table the same. Returns the new count or a
 * refusal (-EBADMSG, -E2BIG, with err). */
static int scan_disk(const char *sysfs_block, const char *disk, bool final, struct part *parts, int n,
		     bool *unsettled, struct parse_error *err) {
	char dev[300];
	int w = snprintf(dev, sizeof dev, "/dev/%s", disk);
	if (w < 0 || (size_t) w >= sizeof(parts[0].dev))
		return n;
	/* The kernel's partitions before and after libblkid reads the table: opening the disk waits
	 * for a partition scan in progress, so a table being read shows as a difference. */
	int nb = kernel_parts(sysfs_block, disk, scratch.before);
	_cleanup_(blkid_free_probep) blkid_probe pr = blkid_new_probe_from_filename(dev);
	blkid_partlist ls = NULL;
	blkid_parttable tab = NULL;
	if (pr) {
		blkid_probe_enable_superblocks(pr, 0);
		blkid_probe_enable_partitions(pr, 1);
		blkid_probe_set_partitions_flags(pr, BLKID_PARTS_ENTRY_DETAILS);
		ls = blkid_probe_get_partitions(pr);
		tab = ls ? blkid_partlist_get_table(ls) : NULL;
	}
	/* Only a GPT is read (lib/geometry.h says why): any other disk is listed alone. */
	bool gpt = tab && strcmp(blkid_parttable_get_type(tab), "gpt") == 0;
	int np = gpt ? blkid_partlist_numof_partitions(ls) : 0;
	int r = geometry_fits(disk, np > 0 ? (size_t) np : 0, (size_t) (BLOCKSCAN_MAX - n), err);
	if (r < 0)
		return r;

	/* The disk itself, with no type or PARTUUID: only an explicit /dev/... name can select it. */
	unsigned self = (unsigned) n;
	memset(&parts[n], 0, sizeof parts[n]);
	memcpy(parts[n].dev, dev, (size_t) w + 1);
	parts[n].disk = self;
	n++;
	if (np <= 0)
		return n;
	for (int i = 0; i < np; i++) {
		blkid_partition p = blkid_partlist_get_partition(ls, i);
		scratch.ents[i] = (struct gpt_entry){ blkid_partition_get_partno(p), blkid_partition_get_start(p),
						      blkid_partition_get_size(p) };
	}
	int na = kernel_parts(sysfs_block, disk, scratch.after);
	/* The kernel is reading the table, or has not yet: the next scan looks again. */
	*unsettled = nb < 0 || na < 0 || !geometry_reads_equal(scratch.before, (size_t) nb, scratch.after, (size_t) na);
	if (*unsettled)
		return n;
	r = geometry_check(disk, scratch.ents, (size_t) np, scratch.after, (size_t) na, err);
	if (r == -EAGAIN && final) {
		/* The header libblkid read, in bytes: the primary's is at LBA 1, anything else the backup. */
		blkid_loff_t off = blkid_parttable_get_offset(tab);
		unsigned ssz = blkid_probe_get_sectorsize(pr);
		uint64_t lba = off > 0 && ssz > 0 ? (uint64_t) off / ssz : 0;
		return geometry_unread(disk, (size_t) np, lba == 1 ? 0 : lba, err);
	}
	*unsettled = r == -EAGAIN;
	if (r == -EAGAIN)
		return n;
	if (r < 0)
		return r;

	for (int i = 0; i < np; i++) {
		blkid_partition p = blkid_partlist_get_partition(ls, i);
		const struct kernel_part *k = geometry_find(scratch.after, (size_t) na, scratch.ents[i].partno);
		struct part *out = &parts[n];
		const char *type = blkid_partition_get_type_string(p);
		const char *uuid = blkid_partition_get_uuid(p);
		const char *name = blkid_partition_get_name(p);

		if (!k || !type || !uuid)
			continue;
		memset(out, 0, sizeof *out);
		(void) snprintf(out->dev, sizeof out->dev, "/dev/%s", k->name);
		(void) snprintf(out->type, sizeof out->type, "%s", type);
		(void) snprintf(out->uuid, sizeof out->uuid, "%s", uuid);
		(void) snprintf(out->name, sizeof out->name, "%s", name ? name : "");
		lowercase(out->type);
		lowercase(out->uuid);
		/* Positive: geometry_check() refused anything else. */
		out->start = (uint64_t) scratch.ents[i].start;
		out->size = (uint64_t) scratch.ents[i].size;
		out->disk = self;
		out->flags = blkid_partition_get_flags(p);
		n++;
	}
	return n;
}

/* Whole disks only; device-mapper, loop, RAM and optical devices never hold our partitions. */
static int is_candidate_disk(int block_dirfd, const char *name) {
	static const char *const skip[] = { "loop", "ram", "dm-", "zram", "sr", "fd" };
	for (size_t i = 0; i < ELEMENTSOF(skip); i++)
		if (strncmp(name, skip[i], strlen(skip[i])) == 0)
			return 0;
	_cleanup_close_ int fd = openat(block_dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	uint64_t partno;
	return fd >= 0 && sysfs_u64(fd, "partition", &partno) < 0;
}

int blockscan(const char *sysfs_block, bool final, struct part *parts, char *seen, size_t seen_size,
	      struct parse_error *err) {
	_cleanup_(closedirp) DIR *d = opendir(sysfs_block);
	int n = 0;
	size_t used = 0;

	if (!d)
		return negative_errno();
	seen[0] = '\0';
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_name[0] == '.' || !is_candidate_disk(dirfd(d), e->d_name))
			continue;
		const bool named = strbuf_append(seen, seen_size, &used, "%s%s", used ? " " : "", e->d_name);
		bool unsettled = false;
		n = scan_disk(sysfs_block, e->d_name, final, parts, n, &unsettled, err);
		if (n < 0)
			return n;
		/* Said in the timeout's "disks seen" when it never settles. */
		if (named && unsettled)
			(void) strbuf_append(seen, seen_size, &used, " (partitions not read yet)");
	}
	return n;
}
