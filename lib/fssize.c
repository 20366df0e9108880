/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "fssize.h"

#define EROFS_SB 1024
#define EROFS_MAGIC 0xE0F5E1E2U
#define EROFS_INCOMPAT_48BIT 0x80U
#define SQUASHFS_MAGIC 0x73717368U
#define EXT4_SB 1024
#define EXT4_MAGIC 0xEF53U
#define EXT4_INCOMPAT_64BIT 0x80U

static uint64_t le(const uint8_t *p, unsigned n) {
	uint64_t v = 0;
	while (n-- > 0)
		v = v << 8 | p[n];
	return v;
}

static int too_short(size_t len, size_t need, const char *what, struct parse_error *err) {
	return parse_fail(err, 0, -EBADMSG, "%zu bytes, shorter than %s (%zu)", len, what, need);
}

/* blocks << shift, refused past 2^63 - 1 bytes (the largest off_t). */
static int span(const char *fstype, uint64_t blocks, unsigned shift, uint64_t *bytes, struct parse_error *err) {
	if (blocks > (uint64_t) INT64_MAX >> shift)
		return parse_fail(err, 0, -EBADMSG, "%s of %" PRIu64 " blocks of %u bytes: more than 2^63 bytes", fstype,
				  blocks, 1U << shift);
	*bytes = blocks << shift;
	return 0;
}

static int erofs_span(const uint8_t *h, size_t len, uint64_t *bytes, struct parse_error *err) {
	if (len < EROFS_SB + 84)
		return too_short(len, EROFS_SB + 84, "an erofs superblock", err);
	const uint8_t *sb = h + EROFS_SB;
	if (le(sb, 4) != EROFS_MAGIC)
		return parse_fail(err, 0, -EBADMSG, "magic 0x%08" PRIx64 " at 1024, not erofs's 0x%08x", le(sb, 4),
				  EROFS_MAGIC);
	unsigned bits = sb[12];
	if (bits < 9 || bits > 16)
		return parse_fail(err, 0, -EBADMSG, "erofs blocks of 2^%u bytes", bits);
	uint64_t blocks = le(sb + 36, 4);
	if (le(sb + 80, 4) & EROFS_INCOMPAT_48BIT)
		blocks |= le(sb + 14, 2) << 32;
	return span("an erofs", blocks, bits, bytes, err);
}

static int squashfs_span(const uint8_t *h, size_t len, uint64_t *bytes, struct parse_error *err) {
	if (len < 48)
		return too_short(len, 48, "a squashfs superblock", err);
	if (le(h, 4) != SQUASHFS_MAGIC)
		return parse_fail(err, 0, -EBADMSG, "magic 0x%08" PRIx64 ", not squashfs's 0x%08x (\"hsqs\")", le(h, 4),
				  SQUASHFS_MAGIC);
	if (le(h + 28, 2) != 4 || le(h + 30, 2) != 0)
		return parse_fail(err, 0, -EBADMSG, "squashfs version %" PRIu64 ".%" PRIu64 ", not 4.0", le(h + 28, 2),
				  le(h + 30, 2));
	return span("a squashfs", le(h + 40, 8), 0, bytes, err);
}

static int ext4_span(const uint8_t *h, size_t len, uint64_t *bytes, struct parse_error *err) {
	if (len < EXT4_SB + 340)
		return too_short(len, EXT4_SB + 340, "an ext4 superblock", err);
	const uint8_t *sb = h + EXT4_SB;
	if (le(sb + 56, 2) != EXT4_MAGIC)
		return parse_fail(err, 0, -EBADMSG, "magic 0x%04" PRIx64 " at 1080, not ext4's 0x%04x", le(sb + 56, 2),
				  EXT4_MAGIC);
	uint64_t log = le(sb + 24, 4);
	if (log > 6)
		return parse_fail(err, 0, -EBADMSG, "ext4 blocks of 1024 << %" PRIu64 " bytes, more than 64 KiB", log);
	uint64_t blocks = le(sb + 4, 4);
	if (le(sb + 96, 4) & EXT4_INCOMPAT_64BIT)
		blocks |= le(sb + 336, 4) << 32;
	return span("an ext4", blocks, 10 + (unsigned) log, bytes, err);
}

int fssize_span(const char *fstype, const uint8_t *head, size_t len, uint64_t *bytes, struct parse_error *err) {
	if (strcmp(fstype, "erofs") == 0)
		return erofs_span(head, len, bytes, err);
	if (strcmp(fstype, "squashfs") == 0)
		return squashfs_span(head, len, bytes, err);
	if (strcmp(fstype, "ext4") == 0)
		return ext4_span(head, len, bytes, err);
	return parse_fail(err, 0, -EINVAL, "no superblock reader for a file system of type '%.16s'", fstype);
}
