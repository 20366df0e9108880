/* SPDX-License-Identifier: MIT */
/* Choosing the partitions of /usr from what the block scan found: by Discoverable Partitions type
 * GUID, by PARTUUID, or by device name. Pure: the scan lives in lib/blockscan.c. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define GPT_USR_X86_64 "8484680c-9521-48c6-9c11-b0720656f69e"
#define GPT_USR_VERITY_X86_64 "77ff5f63-e7b6-4633-acf4-1565b864c0e6"
#define GPT_USR_VERITY_SIG_X86_64 "e7bb33fb-06cf-4e81-8273-e543b413e2e2"

/* A GPT partition, or a whole disk (type, uuid and name empty). */
struct part {
	char dev[64];  /* /dev/vda2 */
	char type[37]; /* partition type GUID, lowercase */
	char uuid[37]; /* PARTUUID, lowercase */
	char name[72]; /* PARTLABEL */
	uint64_t start, size; /* in 512-byte sectors, as the GPT says; 0 for a whole disk */
	unsigned disk;        /* the scan index of the whole disk it is on (a disk: its own) */
};

/* What selects a partition: a type GUID and, optionally, a name that must also match:
 * "PARTUUID=<uuid>", "PARTLABEL=<label>", or a device path "/dev/...". */
struct part_want {
	const char *type; /* NULL: any type */
	const char *name; /* NULL: any partition of that type */
};

/* Picks the one partition that matches. Returns its index, -ENOENT when none matches, or
 * -ENOTUNIQ when two or more do: an ambiguous disk is refused, never guessed. */
int discover_pick(const struct part *parts, size_t n, const struct part_want *want);

/* Another partition on the same disk as parts[i] that shares a sector with it: its index, or
 * -ENOENT. A table whose entries overlap was not made by a partitioning tool; which bytes belong
 * to which partition is then ambiguous, so the caller refuses the disk. Whole disks (no type) are
 * never compared; an empty partition overlaps nothing. */
int discover_overlap(const struct part *parts, size_t n, size_t i);

/* "PARTUUID=...", "PARTLABEL=..." or "/dev/..." matches p? (UUIDs compare case-insensitively.) */
int part_matches_name(const struct part *p, const char *name);
