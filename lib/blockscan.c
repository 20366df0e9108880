/* SPDX-License-Identifier: MIT */
#include <blkid/blkid.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "blockscan.h"
#include "macro.h"

static void closedirp(DIR **d) {
	if (*d)
		closedir(*d);
}
static void blkid_free_probep(blkid_probe *p) {
	if (*p)
		blkid_free_probe(*p);
}

static void lowercase(char *s) {
	for (; *s; s++)
		*s = (char) tolower((unsigned char) *s);
}

/* Reads a small sysfs attribute as an integer; -1 when absent. */
static long sysfs_long(int dirfd, const char *attr) {
	char buf[32];
	_cleanup_close_ int fd = openat(dirfd, attr, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	char *end = NULL;
	long v = strtol(buf, &end, 10);
	return end == buf ? -1 : v;
}

/* The device name of partition partno of disk, from the disk's sysfs children; "" if it is not
 * there yet (the kernel adds partitions after it has read the table). */
static void partition_dev(const char *sysfs_block, const char *disk, int partno, char *out, size_t size) {
	char path[512];
	out[0] = '\0';
	int w = snprintf(path, sizeof path, "%s/%s", sysfs_block, disk);
	if (w < 0 || (size_t) w >= sizeof path)
		return;
	_cleanup_(closedirp) DIR *d = opendir(path);
	if (!d)
		return;
	for (struct dirent *e; (e = readdir(d));) {
		if (strncmp(e->d_name, disk, strlen(disk)) != 0)
			continue;
		_cleanup_close_ int fd = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0 && sysfs_long(fd, "partition") == partno) {
			int len = snprintf(out, size, "/dev/%s", e->d_name);
			if (len < 0 || (size_t) len >= size)
				out[0] = '\0'; /* a name this long is no partition we could use */
			return;
		}
	}
}

static int scan_disk(const char *sysfs_block, const char *disk, struct part *parts, int n) {
	char dev[300];
	int w = snprintf(dev, sizeof dev, "/dev/%s", disk);
	if (w < 0 || (size_t) w >= sizeof(parts[0].dev) || n >= BLOCKSCAN_MAX)
		return n;
	/* The disk itself, with no type or PARTUUID: only an explicit /dev/... name can select it. */
	unsigned self = (unsigned) n;
	memset(&parts[n], 0, sizeof parts[n]);
	memcpy(parts[n].dev, dev, (size_t) w + 1);
	parts[n].disk = self;
	n++;
	_cleanup_(blkid_free_probep) blkid_probe pr = blkid_new_probe_from_filename(dev);
	if (!pr)
		return n;
	blkid_probe_enable_superblocks(pr, 0);
	blkid_probe_enable_partitions(pr, 1);
	blkid_probe_set_partitions_flags(pr, BLKID_PARTS_ENTRY_DETAILS);
	blkid_partlist ls = blkid_probe_get_partitions(pr);
	if (!ls)
		return n;
	blkid_parttable tab = blkid_partlist_get_table(ls);
	if (!tab || strcmp(blkid_parttable_get_type(tab), "gpt") != 0)
		return n;

	int np = blkid_partlist_numof_partitions(ls);
	for (int i = 0; i < np && n < BLOCKSCAN_MAX; i++) {
		blkid_partition p = blkid_partlist_get_partition(ls, i);
		struct part *out = &parts[n];
		const char *type = blkid_partition_get_type_string(p);
		const char *uuid = blkid_partition_get_uuid(p);
		const char *name = blkid_partition_get_name(p);

		memset(out, 0, sizeof *out);
		partition_dev(sysfs_block, disk, blkid_partition_get_partno(p), out->dev, sizeof out->dev);
		if (!out->dev[0] || !type || !uuid)
			continue;
		(void) snprintf(out->type, sizeof out->type, "%s", type);
		(void) snprintf(out->uuid, sizeof out->uuid, "%s", uuid);
		(void) snprintf(out->name, sizeof out->name, "%s", name ? name : "");
		lowercase(out->type);
		lowercase(out->uuid);
		blkid_loff_t start = blkid_partition_get_start(p), size = blkid_partition_get_size(p);
		out->start = start > 0 ? (uint64_t) start : 0;
		out->size = size > 0 ? (uint64_t) size : 0;
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
	return fd >= 0 && sysfs_long(fd, "partition") < 0;
}

int blockscan(const char *sysfs_block, struct part *parts, char *seen, size_t seen_size) {
	_cleanup_(closedirp) DIR *d = opendir(sysfs_block);
	int n = 0;
	size_t used = 0;

	if (!d)
		return negative_errno();
	seen[0] = '\0';
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_name[0] == '.' || !is_candidate_disk(dirfd(d), e->d_name))
			continue;
		int w = snprintf(seen + used, seen_size - used, "%s%s", used ? " " : "", e->d_name);
		if (w > 0 && (size_t) w < seen_size - used)
			used += (size_t) w;
		n = scan_disk(sysfs_block, e->d_name, parts, n);
	}
	return n;
}
