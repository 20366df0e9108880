/* SPDX-License-Identifier: MIT */
/* Lists the GPT partitions of every disk the kernel has shown so far, without udev: sysfs for the
 * devices, libblkid for the partition tables. */
#pragma once

#include <stddef.h>

#include "discover.h"

#define BLOCKSCAN_MAX 64

/* Fills parts (at most BLOCKSCAN_MAX) and writes the disks seen, space separated, into seen (for
 * the message when something never appears). A disk that cannot be read yet is skipped: it is
 * looked at again on the next scan. Returns the number of partitions, or -errno when /sys
 * cannot be read. */
int blockscan(const char *sysfs_block, struct part *parts, char *seen, size_t seen_size);
