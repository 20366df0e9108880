/* SPDX-License-Identifier: MIT */
/* Lists every disk the kernel has shown so far and its GPT partitions, without udev: sysfs for the
 * devices, libblkid for the partition tables. */
#pragma once

#include <stddef.h>

#include "discover.h"

#define BLOCKSCAN_MAX 64

/* Fills parts (at most BLOCKSCAN_MAX) with every whole disk (type, uuid and name empty) and its GPT
 * partitions, and writes the disks seen, space separated, into seen (for the message when
 * something never appears). A disk whose table cannot be read yet is listed without partitions:
 * it is looked at again on the next scan. Returns the number of entries, or -errno when /sys
 * cannot be read. */
int blockscan(const char *sysfs_block, struct part *parts, char *seen, size_t seen_size);
