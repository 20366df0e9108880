/* SPDX-License-Identifier: MIT */
/* The bytes a file system's superblock says it spans (lib/fssize.c), from tables: each type as its
 * mkfs writes it, then each way a superblock is refused. Then the verity stage's check of it against
 * the device (init/verity.c's verity_usr_fits()), over the fake ops table. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "fakesys.h"
#include "fssize.h"
#include "stages.h"

/* A field of the head to set: width bytes, little-endian, at off. */
struct poke {
	unsigned off, width;
	uint64_t value;
};

struct fs_case {
	const char *what, *fstype;
	size_t len; /* of the head given to the parser */
	struct poke pokes[8];
	int expect;
	uint64_t bytes;
	const char *msg; /* a substring of the message (a refusal) */
};

/* The superblocks as mkfs.erofs, mksquashfs and mkfs.ext4 -b 4096 write them (the other fields
 * are not read). */
/* clang-format off */
#define SB_EROFS(bits, blocks) { 1024, 4, 0xE0F5E1E2 }, { 1036, 1, bits }, { 1060, 4, blocks }
#define SB_SQUASHFS(bytes) { 0, 4, 0x73717368 }, { 28, 2, 4 }, { 30, 2, 0 }, { 40, 8, bytes }
#define SB_EXT4(log, blocks) { 1080, 2, 0xEF53 }, { 1048, 4, log }, { 1028, 4, blocks }

static const struct fs_case cases[] = {
	/* The lab's /usr: 2 MiB of erofs (qemu/usr-image.sh pads to 4 KiB). */
	{ "erofs, 4 KiB blocks", "erofs", FSSIZE_HEAD, { SB_EROFS(12, 512) }, 0, 512 * 4096, NULL },
	{ "erofs, 512-byte blocks", "erofs", FSSIZE_HEAD, { SB_EROFS(9, 3) }, 0, 1536, NULL },
	{ "erofs, 64 KiB blocks", "erofs", FSSIZE_HEAD, { SB_EROFS(16, 1) }, 0, 65536, NULL },
	{ "erofs, just the superblock's bytes", "erofs", 1024 + 84, { SB_EROFS(12, 7) }, 0, 7 * 4096, NULL },
	{ "erofs, blocks_hi without 48BIT is the root nid", "erofs", FSSIZE_HEAD,
	  { SB_EROFS(12, 10), { 1038, 2, 0x24 } }, 0, 10 * 4096, NULL },
	{ "erofs, 48-bit block count", "erofs", FSSIZE_HEAD,
	  { SB_EROFS(12, 10), { 1038, 2, 1 }, { 1104, 4, 0x80 } }, 0, ((1ULL << 32) + 10) * 4096, NULL },
	{ "erofs, 48-bit, the largest count of 64 KiB blocks", "erofs", FSSIZE_HEAD,
	  { SB_EROFS(16, 0xffffffff), { 1038, 2, 0x7fff }, { 1104, 4, 0x80 } }, 0, 0x7fffffffffffULL << 16, NULL },
	{ "erofs, 48-bit, past 2^63 bytes", "erofs", FSSIZE_HEAD,
	  { SB_EROFS(16, 0), { 1038, 2, 0x8000 }, { 1104, 4, 0x80 } }, -EBADMSG, 0, "more than 2^63 bytes" },
	{ "erofs, no blocks", "erofs", FSSIZE_HEAD, { SB_EROFS(12, 0) }, 0, 0, NULL },
	{ "erofs, bad magic", "erofs", FSSIZE_HEAD, { SB_EROFS(12, 512), { 1024, 1, 0xE3 } }, -EBADMSG, 0,
	  "magic 0xe0f5e1e3 at 1024, not erofs's 0xe0f5e1e2" },
	{ "erofs, squashfs's superblock", "erofs", FSSIZE_HEAD, { SB_SQUASHFS(4096) }, -EBADMSG, 0, "not erofs's" },
	{ "erofs, truncated", "erofs", 1024 + 83, { SB_EROFS(12, 512) }, -EBADMSG, 0,
	  "1107 bytes, shorter than an erofs superblock (1108)" },
	{ "erofs, nothing", "erofs", 0, { { 0, 0, 0 } }, -EBADMSG, 0, "0 bytes, shorter than an erofs superblock" },
	{ "erofs, blocks of 256 bytes", "erofs", FSSIZE_HEAD, { SB_EROFS(8, 512) }, -EBADMSG, 0, "erofs blocks of 2^8 bytes" },
	{ "erofs, absurd blkszbits", "erofs", FSSIZE_HEAD, { SB_EROFS(200, 512) }, -EBADMSG, 0,
	  "erofs blocks of 2^200 bytes" },
	{ "erofs, blocks of 128 KiB", "erofs", FSSIZE_HEAD, { SB_EROFS(17, 1) }, -EBADMSG, 0, "2^17" },

	{ "squashfs", "squashfs", FSSIZE_HEAD, { SB_SQUASHFS(1234567) }, 0, 1234567, NULL },
	{ "squashfs, just the superblock's bytes", "squashfs", 48, { SB_SQUASHFS(96) }, 0, 96, NULL },
	{ "squashfs, the largest", "squashfs", 48, { SB_SQUASHFS(INT64_MAX) }, 0, INT64_MAX, NULL },
	{ "squashfs, a negative size", "squashfs", 48, { SB_SQUASHFS(1ULL << 63) }, -EBADMSG, 0, "more than 2^63 bytes" },
	{ "squashfs, bad magic", "squashfs", FSSIZE_HEAD, { SB_SQUASHFS(4096), { 0, 1, 'H' } }, -EBADMSG, 0,
	  "magic 0x73717348, not squashfs's 0x73717368 (\"hsqs\")" },
	{ "squashfs, big-endian (squashfs 3's other byte order)", "squashfs", FSSIZE_HEAD,
	  { SB_SQUASHFS(4096), { 0, 4, 0x68737173 } }, -EBADMSG, 0, "not squashfs's" },
	{ "squashfs, version 3.1", "squashfs", FSSIZE_HEAD, { SB_SQUASHFS(4096), { 28, 2, 3 }, { 30, 2, 1 } }, -EBADMSG, 0,
	  "squashfs version 3.1, not 4.0" },
	{ "squashfs, version 4.1", "squashfs", FSSIZE_HEAD, { SB_SQUASHFS(4096), { 30, 2, 1 } }, -EBADMSG, 0,
	  "squashfs version 4.1" },
	{ "squashfs, truncated", "squashfs", 47, { SB_SQUASHFS(4096) }, -EBADMSG, 0,
	  "47 bytes, shorter than a squashfs superblock (48)" },

	{ "ext4, 4 KiB blocks", "ext4", FSSIZE_HEAD, { SB_EXT4(2, 8192) }, 0, 8192ULL * 4096, NULL },
	{ "ext4, 1 KiB blocks", "ext4", FSSIZE_HEAD, { SB_EXT4(0, 5000) }, 0, 5000ULL * 1024, NULL },
	{ "ext4, 64 KiB blocks", "ext4", FSSIZE_HEAD, { SB_EXT4(6, 2) }, 0, 2ULL * 65536, NULL },
	{ "ext4, just the superblock's bytes", "ext4", 1024 + 340, { SB_EXT4(2, 3) }, 0, 3ULL * 4096, NULL },
	{ "ext4, 64-bit", "ext4", FSSIZE_HEAD, { SB_EXT4(2, 16), { 1120, 4, 0x80 | 0x2 | 0x40 }, { 1360, 4, 2 } }, 0,
	  ((2ULL << 32) + 16) * 4096, NULL },
	{ "ext4, blocks_count_hi without the 64bit feature", "ext4", FSSIZE_HEAD,
	  { SB_EXT4(2, 16), { 1120, 4, 0x2 | 0x40 }, { 1360, 4, 2 } }, 0, 16ULL * 4096, NULL },
	{ "ext4, 64-bit, past 2^63 bytes", "ext4", FSSIZE_HEAD,
	  { SB_EXT4(2, 0), { 1120, 4, 0x80 }, { 1360, 4, 1U << 21 } }, -EBADMSG, 0,
	  "an ext4 of 9007199254740992 blocks of 4096 bytes: more than 2^63 bytes" },
	{ "ext4, 64-bit, the largest", "ext4", FSSIZE_HEAD,
	  { SB_EXT4(2, 0xffffffff), { 1120, 4, 0x80 }, { 1360, 4, (1U << 19) - 1 } }, 0, INT64_MAX - 4095, NULL },
	{ "ext4, bad magic", "ext4", FSSIZE_HEAD, { SB_EXT4(2, 8192), { 1080, 2, 0x53EF } }, -EBADMSG, 0,
	  "magic 0x53ef at 1080, not ext4's 0xef53" },
	{ "ext4, erofs's superblock", "ext4", FSSIZE_HEAD, { SB_EROFS(12, 512) }, -EBADMSG, 0, "not ext4's" },
	{ "ext4, 128 KiB blocks", "ext4", FSSIZE_HEAD, { SB_EXT4(7, 8192) }, -EBADMSG, 0,
	  "ext4 blocks of 1024 << 7 bytes, more than 64 KiB" },
	{ "ext4, absurd log_block_size", "ext4", FSSIZE_HEAD, { SB_EXT4(0xffffffff, 8192) }, -EBADMSG, 0,
	  "1024 << 4294967295" },
	{ "ext4, truncated", "ext4", 1024 + 339, { SB_EXT4(2, 8192) }, -EBADMSG, 0,
	  "1363 bytes, shorter than an ext4 superblock (1364)" },

	{ "an fstype verinit does not mount", "xfs", FSSIZE_HEAD, { SB_EXT4(2, 8192) }, -EINVAL, 0,
	  "no superblock reader for a file system of type 'xfs'" },
	{ "the empty fstype", "", FSSIZE_HEAD, { { 0, 0, 0 } }, -EINVAL, 0, "type ''" },
	{ "a type's name is matched whole", "ext", FSSIZE_HEAD, { SB_EXT4(2, 8192) }, -EINVAL, 0, "type 'ext'" },
};
/* clang-format on */

static void build(uint8_t head[static FSSIZE_HEAD], const struct poke *pokes, size_t n) {
	memset(head, 0, FSSIZE_HEAD);
	for (const struct poke *p = pokes; p < pokes + n && p->width; p++)
		for (unsigned i = 0; i < p->width; i++)
			head[p->off + i] = (uint8_t) (p->value >> (8 * i));
}

static void test_cases(void **state) {
	(void) state;
	static uint8_t head[FSSIZE_HEAD];
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		const struct fs_case *c = &cases[i];
		struct parse_error err = { 0, "" };
		uint64_t bytes = 0xdead;
		build(head, c->pokes, ELEMENTSOF(c->pokes));
		int r = fssize_span(c->fstype, head, c->len, &bytes, &err);
		if (r != c->expect || (r == 0 && bytes != c->bytes) || (c->msg && !strstr(err.msg, c->msg)))
			fail_msg("%s: returned %d (want %d), %llu bytes (want %llu), message '%s' (want '%s')", c->what,
				 r, c->expect, (unsigned long long) bytes, (unsigned long long) c->bytes, err.msg,
				 c->msg ? c->msg : "");
		if (r == 0)
			assert_string_equal(err.msg, "");
		else
			assert_int_equal(bytes, 0xdead); /* untouched on a refusal */
		/* err may be NULL. */
		assert_int_equal(fssize_span(c->fstype, head, c->len, &bytes, NULL), r);
	}
}

/* ---- the verity stage's check: the head read through the ops table, against the device ------ */

static struct context ctx;

/* /dev/mapper/usr as a memfd holding a head made of pokes, opened through the ops table. */
static int usr_device(const struct poke *pokes, size_t n) {
	static uint8_t head[FSSIZE_HEAD];
	build(head, pokes, n);
	assert_int_equal(pwrite(fake.capture, head, sizeof head, 0), (ssize_t) sizeof head);
	fake.capture_path = "/dev/mapper/usr";
	int fd = sys->open("/dev/mapper/usr", O_RDONLY, 0);
	assert_true(fd >= 0);
	return fd;
}

static void prepare(const char *fstype) {
	memset(&ctx, 0, sizeof ctx);
	(void) snprintf(ctx.cfg.usr_fstype, sizeof ctx.cfg.usr_fstype, "%s", fstype);
	(void) snprintf(ctx.dev_hash, sizeof ctx.dev_hash, "/dev/vda3");
}

static void test_fits(void **state) {
	(void) state;
	static const struct poke fs[] = { SB_EROFS(12, 512) };
	prepare("erofs");
	_cleanup_close_ int fd = usr_device(fs, ELEMENTSOF(fs));
	assert_int_equal(verity_usr_fits(&ctx, fd, 512 * 4096), 0);
	assert_int_equal(ctx.reason, REASON_NONE);
}

/* Smaller than the device: the padding after a squashfs, or a partition larger than its image. */
static void test_smaller_fits(void **state) {
	(void) state;
	static const struct poke fs[] = { SB_SQUASHFS(4096 * 10 + 100) };
	prepare("squashfs");
	_cleanup_close_ int fd = usr_device(fs, ELEMENTSOF(fs));
	assert_int_equal(verity_usr_fits(&ctx, fd, 4096 * 11), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(verity_usr_fits(&ctx, fd, 4096 * 10 + 100), 0);
	assert_int_equal(ctx.reason, REASON_NONE);
}

/* sb-data-blocks: data_blocks one lower than the image, the root hash the same. */
static void test_one_block_short(void **state) {
	(void) state;
	static const struct poke fs[] = { SB_EROFS(12, 512) };
	prepare("erofs");
	_cleanup_close_ int fd = usr_device(fs, ELEMENTSOF(fs));
	assert_int_equal(verity_usr_fits(&ctx, fd, 511 * 4096), -EBADMSG);
	assert_int_equal(ctx.reason, REASON_VERITY_MISMATCH);
	assert_non_null(strstr(fake_read(fake.console),
			       "verinit: /usr's erofs spans 2097152 bytes, /dev/mapper/usr holds only 2093056 (data_blocks "
			       "in the hash tree's superblock on /dev/vda3 is smaller than the file system)\n"));
}

static void test_one_byte_short(void **state) {
	(void) state;
	static const struct poke fs[] = { SB_SQUASHFS(4096 * 10 + 100) };
	prepare("squashfs");
	_cleanup_close_ int fd = usr_device(fs, ELEMENTSOF(fs));
	assert_int_equal(verity_usr_fits(&ctx, fd, 4096 * 10 + 99), -EBADMSG);
	assert_int_equal(ctx.reason, REASON_VERITY_MISMATCH);
	assert_non_null(strstr(fake_read(fake.console), "/usr's squashfs spans 41060 bytes, /dev/mapper/usr holds only 41059"));
}

/* The device is shorter than the superblock: what it holds is read, and refused. */
static void test_device_shorter_than_superblock(void **state) {
	(void) state;
	static const struct poke fs[] = { SB_EXT4(2, 1) };
	prepare("ext4");
	_cleanup_close_ int fd = usr_device(fs, ELEMENTSOF(fs));
	assert_int_equal(ftruncate(fake.capture, 1024), 0);
	assert_int_equal(verity_usr_fits(&ctx, fd, 1024), -EBADMSG);
	assert_int_equal(ctx.reason, REASON_MOUNT);
	assert_non_null(strstr(fake_read(fake.console), "/dev/mapper/usr is not the ext4 usr.fstype names: 1024 bytes, "
							"shorter than an ext4 superblock (1364)"));
}

/* The signed image is not the configured type: the mount would fail, named here instead. */
static void test_other_type(void **state) {
	(void) state;
	static const struct poke fs[] = { SB_SQUASHFS(4096) };
	prepare("erofs");
	_cleanup_close_ int fd = usr_device(fs, ELEMENTSOF(fs));
	assert_int_equal(verity_usr_fits(&ctx, fd, 4096), -EBADMSG);
	assert_int_equal(ctx.reason, REASON_MOUNT);
	assert_non_null(strstr(fake_read(fake.console), "/dev/mapper/usr is not the erofs usr.fstype names: magic"));
}

static void test_read_fails(void **state) {
	(void) state;
	prepare("erofs");
	/* A descriptor open for writing only: read(2) fails with EBADF, as a read dm-verity refuses
	 * fails with EIO. */
	_cleanup_close_ int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(verity_usr_fits(&ctx, fd, 4096), -EBADF);
	assert_int_equal(ctx.reason, REASON_NONE); /* the stage's own: VERITY */
	assert_non_null(strstr(fake_read(fake.console), "Cannot read the start of /dev/mapper/usr: "));
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test_setup_teardown(test_fits, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_smaller_fits, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_one_block_short, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_one_byte_short, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_device_shorter_than_superblock, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_other_type, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_read_fails, fake_setup, fake_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
