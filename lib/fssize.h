/* SPDX-License-Identifier: MIT */
/* How many bytes the file system at the start of a block device says it spans, from its
 * superblock. Pure: the caller reads the first FSSIZE_HEAD bytes (init/verity.c reads them from
 * /dev/mapper/usr, through dm-verity, so they are the signed image's) and compares.
 *
 * Why: a dm-verity superblock's data_blocks is not always covered by the root hash. With one block
 * fewer, the dropped block's hash leaves the last hash block of level 0, which is zero-padded, so
 * that block and every block above it read the same and the root hash still matches; dm-verity then
 * serves a device one block short of the file system. The kernel's squashfs and ext4 refuse a file
 * system longer than its device at mount (EINVAL, no reason); erofs mounts, and only a read past the
 * end fails. Comparing the two before the mount names what was tampered with.
 *
 * The fields (little-endian; offsets from the start of the device), as Linux 6.12 reads them:
 *   erofs     (fs/erofs/erofs_fs.h, struct erofs_super_block at 1024, EROFS_SUPER_OFFSET)
 *             magic le32 at +0 = 0xE0F5E1E2; blkszbits u8 at +12, 9 to 16 (the kernel takes 9 up to
 *             its PAGE_SHIFT); blocks_hi le16 at +14 (the rootnid_2b union: blocks only with the
 *             48BIT incompatible feature, 0x80); blocks_lo le32 at +36; feature_incompat le32 at +80.
 *             Spans (blocks_hi << 32 | blocks_lo) << blkszbits: mkfs.erofs's count of every block of
 *             the image (of the primary device, with extra devices).
 *   squashfs  (fs/squashfs/squashfs_fs.h, struct squashfs_super_block at 0)
 *             s_magic le32 at 0 = 0x73717368 ("hsqs"); s_major le16 at 28 = 4, s_minor le16 at 30 =
 *             0 (the kernel reads only 4.0); bytes_used le64 at 40, which the kernel reads as signed.
 *             Spans bytes_used: the data before mksquashfs's padding (to 4 KiB by default).
 *   ext4      (fs/ext4/ext4.h, struct ext4_super_block at 1024; ext2 and ext3 too)
 *             s_blocks_count_lo le32 at +4; s_log_block_size le32 at +24, at most 6 (blocks of
 *             1024 << 6 = 64 KiB, EXT4_MAX_BLOCK_LOG_SIZE); s_magic le16 at +56 = 0xEF53;
 *             s_feature_incompat le32 at +96 (INCOMPAT_64BIT, 0x80: s_blocks_count_hi le32 at +336
 *             counts too). Spans blocks_count << (10 + s_log_block_size), from byte 0 of the device
 *             (with 1 KiB blocks, block 0 is the boot sector before the superblock).
 *
 * fssize_span() returns 0 with *bytes, or
 *   -EINVAL   fstype is none of erofs, squashfs and ext4 (usr.fstype's, lib/config.c)
 *   -EBADMSG  a buffer too short for the superblock, a wrong magic, an unknown version or block
 *             size, or a size over 2^63 bytes; one line in err. Each is something the kernel would
 *             refuse to mount as that type too. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "parse.h"

/* The most fssize_span() reads: through the ext4 superblock (1024 bytes at 1024). */
#define FSSIZE_HEAD 2048

int fssize_span(const char *fstype, const uint8_t *head, size_t len, uint64_t *bytes, struct parse_error *err);
