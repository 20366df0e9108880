/* SPDX-License-Identifier: MIT */
/* lib/veritytop against the real thing: each case formats a hash tree with veritysetup (cryptsetup-bin)
 * over a file of known bytes and checks that the block verity_top_block() names hashes, with the
 * salt, to the root hash veritysetup printed; that a flipped bit in that block changes the hash;
 * and, the other way, that a flipped bit in a lower level of the tree does not (dm-verity finds that
 * one when the block under it is read). The refusals come from a table. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "hexb64.h"
#include "macro.h"
#include "veritytop.h"

struct tree_case {
	const char *name;
	uint64_t data_blocks;
	uint32_t data_block_size, hash_block_size;
	const char *salt; /* hex, "" for none */
	bool no_superblock;
	uint64_t hash_offset; /* --hash-offset, bytes */
};

static const struct tree_case trees[] = {
	{ "one data block: no levels", 1, 4096, 4096, "00ff", false, 0 },
	{ "two blocks: one level", 2, 4096, 4096, "5a5a5a5a", false, 0 },
	{ "128 blocks: one full block of hashes", 128, 4096, 4096, "01", false, 0 },
	{ "129 blocks: two levels", 129, 4096, 4096, "02", false, 0 },
	{ "16385 blocks: three levels", 16385, 4096, 4096, "03", false, 0 },
	{ "512-byte blocks, as systemd-repart 252", 300, 512, 512, "04", false, 0 },
	{ "4 KiB data, 512-byte hash blocks", 40, 4096, 512, "05", false, 0 },
	{ "no salt", 200, 4096, 4096, "", false, 0 },
	{ "a 256-byte salt", 200, 4096, 4096, "*", false, 0 },
	{ "no superblock", 200, 4096, 4096, "06", true, 0 },
	{ "superblock after 1 MiB", 200, 4096, 4096, "07", false, 1048576 },
};

struct files {
	char dir[64], data[96], hash[96];
};

static void files_remove(struct files *f) {
	if (!f->dir[0])
		return;
	(void) unlink(f->data);
	(void) unlink(f->hash);
	(void) rmdir(f->dir);
}

static void write_data(const char *path, uint64_t size, unsigned seed) {
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	uint8_t buf[4096];
	uint32_t x = 0x9e3779b9u * (seed + 1);
	assert_true(fd >= 0);
	for (uint64_t done = 0; done < size; done += sizeof buf) {
		for (size_t i = 0; i < sizeof buf; i++) {
			x ^= x << 13, x ^= x >> 17, x ^= x << 5;
			buf[i] = (uint8_t) x;
		}
		size_t n = size - done < sizeof buf ? (size_t) (size - done) : sizeof buf;
		assert_int_equal(write(fd, buf, n), (ssize_t) n);
	}
}

/* Runs veritysetup format; returns the root hash it printed, decoded. */
static void veritysetup_format(const struct tree_case *c, const struct files *f, const char *salt, uint8_t root[32]) {
	char cmd[1024], line[256], hex[65] = "";
	int n = snprintf(cmd, sizeof cmd,
			 "veritysetup format --hash=sha256 --format=1 --data-block-size=%u --hash-block-size=%u "
			 "--salt=%s %s --hash-offset=%llu '%s' '%s' 2>&1",
			 c->data_block_size, c->hash_block_size, salt[0] ? salt : "-",
			 c->no_superblock ? "--no-superblock" : "", (unsigned long long) c->hash_offset, f->data, f->hash);
	assert_true(n > 0 && (size_t) n < sizeof cmd);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof line, p))
		(void) sscanf(line, "Root hash: %64s", hex);
	if (pclose(p) != 0 || strlen(hex) != 64)
		fail_msg("%s: veritysetup failed or printed no root hash", c->name);
	assert_int_equal(hex_decode(hex, 64, root, 32, NULL), 0);
}

static void read_at(const char *path, uint64_t offset, uint8_t *buf, size_t size) {
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, buf, size, (off_t) offset), (ssize_t) size);
}

static void flip_at(const char *path, uint64_t offset) {
	uint8_t b;
	_cleanup_close_ int fd = open(path, O_RDWR | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &b, 1, (off_t) offset), 1);
	b ^= 0x01;
	assert_int_equal(pwrite(fd, &b, 1, (off_t) offset), 1);
}

static void test_top_of_real_trees(void **state) {
	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(trees); i++) {
		const struct tree_case *c = &trees[i];
		_cleanup_(files_remove) struct files f = {};
		char salt_hex[2 * VERITY_SALT_MAX + 1];
		uint8_t salt[VERITY_SALT_MAX], root[32], got[32], block[VERITY_BLOCK_MAX];
		size_t salt_len = 0;

		if (strcmp(c->salt, "*") == 0) {
			for (size_t k = 0; k < VERITY_SALT_MAX; k++)
				salt[k] = (uint8_t) (k * 7 + 1);
			assert_int_equal(hex_encode(salt, VERITY_SALT_MAX, salt_hex, sizeof salt_hex), 0);
			salt_len = VERITY_SALT_MAX;
		} else {
			(void) snprintf(salt_hex, sizeof salt_hex, "%s", c->salt);
			assert_int_equal(hex_decode(salt_hex, strlen(salt_hex), salt, sizeof salt, &salt_len), 0);
		}
		(void) snprintf(f.dir, sizeof f.dir, "/tmp/verinit-veritytop.XXXXXX");
		assert_non_null(mkdtemp(f.dir));
		(void) snprintf(f.data, sizeof f.data, "%s/data", f.dir);
		(void) snprintf(f.hash, sizeof f.hash, "%s/hash", f.dir);
		write_data(f.data, c->data_blocks * c->data_block_size, (unsigned) i);
		veritysetup_format(c, &f, salt_hex, root);

		const struct verity_geometry g = {
			.hash_name = "sha256",
			.hash_type = 1,
			.data_block_size = c->data_block_size,
			.hash_block_size = c->hash_block_size,
			.data_blocks = c->data_blocks,
			.hash_area_offset = c->hash_offset,
			.superblock = !c->no_superblock,
			.salt = salt,
			.salt_size = salt_len,
		};
		uint64_t offset = 0;
		size_t size = 0;
		bool on_data = false;
		assert_int_equal(verity_top_block(&g, &offset, &size, &on_data), 0);
		if (on_data != (c->data_blocks == 1))
			fail_msg("%s: the top is %s", c->name, on_data ? "on the data device" : "on the hash device");
		const char *dev = on_data ? f.data : f.hash;
		read_at(dev, offset, block, size);
		assert_int_equal(verity_top_hash(&g, block, size, on_data, got), 0);
		if (memcmp(got, root, 32) != 0)
			fail_msg("%s: the block at %llu does not hash to veritysetup's root hash", c->name,
				 (unsigned long long) offset);

		/* The check can fail: one bit of the top block, and the hash differs. */
		flip_at(dev, offset + size - 1);
		read_at(dev, offset, block, size);
		assert_int_equal(verity_top_hash(&g, block, size, on_data, got), 0);
		if (memcmp(got, root, 32) == 0)
			fail_msg("%s: a flipped bit in the top block went unnoticed", c->name);
		flip_at(dev, offset + size - 1);

		/* Below the top (trees of two levels or more): not this check's to see. */
		if (!on_data) {
			struct stat st;
			assert_int_equal(stat(f.hash, &st), 0);
			if ((uint64_t) st.st_size >= offset + 2 * size) {
				flip_at(f.hash, offset + size);
				read_at(f.hash, offset, block, size);
				assert_int_equal(verity_top_hash(&g, block, size, false, got), 0);
				assert_memory_equal(got, root, 32);
			}
		}
	}
}

static void test_refused_geometries(void **state) {
	static const uint8_t salt[1] = { 0 };
	static const struct {
		const char *name;
		struct verity_geometry g;
		int expected;
	} cases[] = {
		/* clang-format off */
		{ "format 0 (Chrome OS)", { "sha256", 0, 4096, 4096, 10, 0, true, salt, 1 }, -EOPNOTSUPP },
		{ "sha1", { "sha1", 1, 4096, 4096, 10, 0, true, salt, 1 }, -EOPNOTSUPP },
		{ "sha512", { "sha512", 1, 4096, 4096, 10, 0, true, salt, 1 }, -EOPNOTSUPP },
		{ "no hash name", { NULL, 1, 4096, 4096, 10, 0, true, salt, 1 }, -EOPNOTSUPP },
		{ "8 KiB hash blocks", { "sha256", 1, 4096, 8192, 10, 0, true, salt, 1 }, -EINVAL },
		{ "256-byte data blocks", { "sha256", 1, 256, 4096, 10, 0, true, salt, 1 }, -EINVAL },
		{ "3000-byte hash blocks", { "sha256", 1, 4096, 3000, 10, 0, true, salt, 1 }, -EINVAL },
		{ "no data", { "sha256", 1, 4096, 4096, 0, 0, true, salt, 1 }, -EINVAL },
		{ "a 257-byte salt", { "sha256", 1, 4096, 4096, 10, 0, true, salt, 257 }, -EINVAL },
		{ "a salt size without a salt", { "sha256", 1, 4096, 4096, 10, 0, true, NULL, 4 }, -EINVAL },
		{ "an offset at the end of 64 bits", { "sha256", 1, 4096, 4096, 10, UINT64_MAX - 100, true, salt, 1 },
		  -EINVAL },
		{ "2^64 - 1 blocks: the top is still one block", { "sha256", 1, 4096, 4096, UINT64_MAX, 0, true, salt, 1 },
		  0 },
		/* clang-format on */
	};
	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		uint64_t offset = 1;
		size_t size = 1;
		bool on_data = true;
		int r = verity_top_block(&cases[i].g, &offset, &size, &on_data);
		if (r != cases[i].expected)
			fail_msg("%s: got %d, expected %d", cases[i].name, r, cases[i].expected);
		if (r == 0) {
			assert_int_equal(offset, 4096);
			assert_int_equal(size, 4096);
			assert_false(on_data);
		}
	}

	/* A block of another size than the geometry's is never hashed. */
	const struct verity_geometry g = { "sha256", 1, 4096, 512, 10, 0, true, salt, 1 };
	uint8_t block[4096] = { 0 }, out[32];
	assert_int_equal(verity_top_hash(&g, block, 4096, false, out), -EINVAL);
	assert_int_equal(verity_top_hash(&g, block, 512, true, out), -EINVAL);
	assert_int_equal(verity_top_hash(&g, block, 512, false, out), 0);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_top_of_real_trees),
		cmocka_unit_test(test_refused_geometries),
	};
	return cmocka_run_group_tests_name("veritytop", tests, NULL, NULL);
}
