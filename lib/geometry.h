/* SPDX-License-Identifier: MIT */
/* Does the kernel's idea of a disk's partitions match the GPT as libblkid reads it? Pure: no I/O;
 * lib/sys/blockscan.c reads both and asks here.
 *
 * verinit chooses partitions by what libblkid says (type, PARTUUID, label, sectors) and then opens
 * the kernel's device of the same number (/dev/vda2 for entry 2). That is only sound when the two
 * agree, and a table no partitioning tool writes can make them disagree, because they read a GPT
 * by different rules (Linux 6.12 block/partitions/efi.c against util-linux's gpt.c):
 *   - the kernel creates partition N for entry N whenever its type is not zero and its first and
 *     last LBA lie on the disk (<= the disk's last LBA); libblkid drops (but still counts) an entry
 *     that starts below the header's first usable LBA or ends after its last usable LBA. Such an
 *     entry is a device nobody checked: /dev/vda5 over the protective area or the backup table.
 *   - an entry whose last LBA is before its first: the kernel's size (end - start + 1, unsigned)
 *     wraps to a huge partition; libblkid reports a negative (or zero) size, which overlaps nothing
 *     in discover_overlap(), so a partition over the whole disk would pass the overlap check.
 *   - the kernel considers only the first 255 entries (DISK_MAX_PARTS - 1); libblkid reads them all.
 *
 * geometry_check() returns, for one disk with a GPT:
 *   0         consistent: every entry has a kernel partition of the same number with the same start
 *             and size (512-byte sectors), and every kernel partition has its entry;
 *   -EAGAIN   the kernel has no partitions yet for a table that has entries: the kernel adds a
 *             disk's sysfs directory before it has read the table, and its partitions after it.
 *             Transient: the caller lists the disk without partitions and looks again on its next
 *             scan (a disk that never settles ends in the caller's device timeout). So is a disk
 *             whose partitions changed while it was being read (geometry_reads_equal(), the
 *             caller's part);
 *   -EBADMSG  refused, with one line in err: an entry with a negative start, a size of zero or
 *             less (its end is before its start), a partition number listed twice or below 1; a
 *             kernel partition the GPT has no entry for; an entry the kernel made no partition for
 *             (it has made others, so it has read the table); or one whose start or size differs.
 *             None of these is transient: the table is on the disk and both read it whole.
 * The entries are checked on their own first (a hostile entry is refused even before the kernel
 * has read the table), then the kernel's partitions against them, then the entries against the
 * kernel's partitions.
 *
 * Only GPT disks are checked. A disk with an MBR (dos) table or none is listed without partitions,
 * as before: verinit never chooses a partition of one (Discoverable Partitions and PARTUUIDs from a
 * root hash are GPT's), so nothing is opened by number there, and the two readers legitimately
 * differ on MBR: the kernel makes an extended partition a 1- or 2-sector container device where
 * libblkid reports the whole extended area, and Azure's resource disk, on every such VM, is MBR. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "parse.h"

/* A GPT entry as libblkid reports it: its partno (the entry's index + 1), and its start and size
 * in 512-byte sectors as blkid_loff_t, signed: a hostile table makes them negative. */
struct gpt_entry {
	int partno;
	int64_t start, size;
};

/* A partition the kernel created, from sysfs (/sys/class/block/<name>/partition, start, size). */
struct kernel_part {
	unsigned partno;
	uint64_t start, size; /* 512-byte sectors */
	char name[32];        /* "vda2": the kernel's names are shorter than 32 (DISK_NAME_LEN) */
};

/* Partitions of one disk the kernel can have: DISK_MAX_PARTS. */
#define GEOMETRY_KERNEL_MAX 256

/* disk: the whole disk's name ("vda"). ents: what libblkid read; kparts: what sysfs showed, in any
 * order. Returns 0, -EAGAIN or -EBADMSG as above (err filled for -EBADMSG; err may be NULL). */
int geometry_check(const char *disk, const struct gpt_entry *ents, size_t ne, const struct kernel_part *kparts,
		   size_t nk, struct parse_error *err);

/* Whether a disk and its entries GPT partitions fit in the room (entries) left in the scan: 0, or
 * -E2BIG with a line naming the disk in err. Never truncated: a partition the scan left out could
 * be the one that would have made a role ambiguous, or that overlaps a chosen one. */
int geometry_fits(const char *disk, size_t entries, size_t room, struct parse_error *err);

/* Two reads of a disk's partitions from sysfs show the same partitions (as sets, in any order)?
 * The caller reads before and after libblkid's probe: a difference means the kernel was (re)reading the
 * table meanwhile, and the disk is looked at again on the next scan. */
int geometry_reads_equal(const struct kernel_part *a, size_t na, const struct kernel_part *b, size_t nb);

/* The refusal for a disk that stayed at -EAGAIN until the device deadline: the kernel made no
 * partitions for a GPT in which libblkid reads ne entries. It has read the table by then, and
 * refused it: libblkid falls back to the backup header when the primary header or its entry array
 * fails its CRC, the kernel (without "gpt" on its command line) does not. backup_lba: the LBA of
 * the header libblkid read when it was not the primary's (LBA 1), else 0. Returns -EBADMSG with
 * one line in err. */
int geometry_unread(const char *disk, size_t ne, uint64_t backup_lba, struct parse_error *err);

/* The kernel partition of that number, or NULL. */
const struct kernel_part *geometry_find(const struct kernel_part *kparts, size_t nk, int partno);
