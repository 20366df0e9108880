/* SPDX-License-Identifier: MIT */
/* Choosing the partitions of /usr from what the block scan found: by Discoverable Partitions type
 * GUID, by PARTUUID, or by device name. Pure: the scan lives in lib/sys/blockscan.c. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GPT_USR_X86_64 "8484680c-9521-48c6-9c11-b0720656f69e"
#define GPT_USR_VERITY_X86_64 "77ff5f63-e7b6-4633-acf4-1565b864c0e6"
#define GPT_USR_VERITY_SIG_X86_64 "e7bb33fb-06cf-4e81-8273-e543b413e2e2"

/* A GPT partition, or a whole disk (type, uuid and name empty). */
struct part {
	char dev[64];         /* /dev/vda2 */
	char type[37];        /* partition type GUID, lowercase */
	char uuid[37];        /* PARTUUID, lowercase */
	char name[72];        /* PARTLABEL */
	uint64_t start, size; /* in 512-byte sectors, as the GPT says; 0 for a whole disk */
	unsigned disk;        /* the scan index of the whole disk it is on (a disk: its own) */
	uint64_t flags;       /* the GPT entry's attribute bits (GPT_FLAG_*) */
};

/* Discoverable Partitions Specification: "do not discover this partition automatically". */
#define GPT_FLAG_NO_AUTO (UINT64_C(1) << 63)
/* systemd-sysupdate's label for a slot that holds nothing yet. */
#define GPT_LABEL_EMPTY "_empty"

/* What selects a partition: a type GUID and, optionally, a name that must also match:
 * "PARTUUID=<uuid>", "PARTLABEL=<label>", or a device path "/dev/...". */
struct part_want {
	const char *type; /* NULL: any type */
	const char *name; /* NULL: any partition of that type */
	/* Found by discovery (a type, or a PARTUUID derived from the root hash), not named by the
	 * configuration or the command line: partitions marked not to be discovered (no-auto, _empty)
	 * are passed over, as systemd passes over them. */
	bool discovering;
};

/* Why discovery passes over p: "no-auto attribute" or "_empty label"; NULL when it may use it. */
const char *part_skip_reason(const struct part *p);

/* The role a Discoverable Partitions type GUID has here ("usr", "usr-verity", "usr-verity-sig"),
 * or NULL for any other type. */
const char *discover_type_role(const char *type);

/* A GPT label for a log line: printable ASCII as it is, a backslash and every other byte as \xNN,
 * cut (with "...") to fit out. A label is anyone's bytes: it must not forge a console line. */
void label_escape(const char *label, char *out, size_t size);

/* Picks the one partition that matches (with want->discovering, among those part_skip_reason()
 * does not pass over). Returns its index, -ENOENT when none matches, or -ENOTUNIQ when two or more
 * do: an ambiguous disk is refused, never guessed. */
int discover_pick(const struct part *parts, size_t n, const struct part_want *want);

/* Another partition on the same disk as parts[i] that shares a sector with it: its index, or
 * -ENOENT. A table whose entries overlap was not made by a partitioning tool; which bytes belong
 * to which partition is then ambiguous, so the caller refuses the disk. Whole disks (no type) are
 * never compared; an empty partition overlaps nothing. */
int discover_overlap(const struct part *parts, size_t n, size_t i);

/* "PARTUUID=...", "PARTLABEL=..." or "/dev/..." matches p? (UUIDs compare case-insensitively.) */
int part_matches_name(const struct part *p, const char *name);
