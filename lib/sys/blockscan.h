/* SPDX-License-Identifier: MIT */
/* Lists every disk the kernel has shown so far and its GPT partitions, without udev: sysfs for the
 * devices, libblkid for the partition tables. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "discover.h"
#include "parse.h"

/* Disks and partitions together; a disk may have as many partitions as the kernel allows
 * (DISK_MAX_PARTS). */
#define BLOCKSCAN_MAX 256

/* Fills parts (at most BLOCKSCAN_MAX) with every whole disk (type, uuid and name empty) and its GPT
 * partitions, and writes the disks seen, space separated, into seen (for the message when
 * something never appears). A GPT partition is listed only when the kernel's partition of its
 * number has its sectors (lib/geometry.h). A disk whose table cannot be read yet, or whose kernel
 * partitions are not there yet or changed while it was read, is listed without partitions (and
 * marked in seen: "vda (partitions not read yet)"): it is looked at again on the next scan. Returns the number of entries; -EBADMSG when a disk's GPT and
 * the kernel's partitions disagree, -E2BIG when a disk's partitions do not fit (never truncated),
 * each with one line in err; or -errno when /sys cannot be read. final: the scan at the
 * device deadline, where a disk whose GPT has entries and whose kernel partitions never came is
 * refused (-EBADMSG, geometry_unread()), not waited for. */
int blockscan(const char *sysfs_block, bool final, struct part *parts, char *seen, size_t seen_size,
	      struct parse_error *err);
