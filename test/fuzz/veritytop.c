/* SPDX-License-Identifier: MIT */
/* verity_top_block() and verity_top_hash() over what an attacker who writes the hash partition
 * controls: the verity superblock (the input's last 512 bytes, veritysetup's on-disk layout, its
 * fields taken as libcryptsetup hands them over, unvalidated) and where it lies (the first 9 bytes:
 * a superblock flag and the hash area's offset). Checked: a refusal is one of the documented codes;
 * an accepted geometry names a whole block of the right size, aligned, inside 64 bits and not
 * before the hash area (after its superblock), and hashing a block of that size succeeds. */
#include "fuzz.h"
#include "veritytop.h"

#define SB_SIZE 512

static uint32_t le32(const uint8_t *p) {
	return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}

static uint64_t le64(const uint8_t *p) {
	return (uint64_t) le32(p) | (uint64_t) le32(p + 4) << 32;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	static uint8_t block[VERITY_BLOCK_MAX];
	char hash_name[33];

	if (size != 9 + SB_SIZE)
		return 0;
	const uint8_t *sb = data + 9;
	/* struct verity_sb: signature[8] version hash_type uuid[16] algorithm[32] data_block_size
	 * hash_block_size data_blocks salt_size pad[6] salt[256] */
	memcpy(hash_name, sb + 32, 32);
	hash_name[32] = '\0';
	uint16_t salt_size = (uint16_t) (sb[80] | sb[81] << 8);
	const struct verity_geometry g = {
		.hash_name = hash_name,
		.hash_type = le32(sb + 12),
		.data_block_size = le32(sb + 64),
		.hash_block_size = le32(sb + 68),
		.data_blocks = le64(sb + 72),
		.hash_area_offset = le64(data + 1),
		.superblock = data[0] & 1,
		.salt = sb + 88,
		.salt_size = salt_size,
	};
	uint64_t offset = 0;
	size_t len = 0;
	bool on_data = false;
	int r = verity_top_block(&g, &offset, &len, &on_data);
	fuzz_trace("verity_top_block: %d offset %llu size %zu%s", r, (unsigned long long) offset, len,
		   on_data ? " on the data device" : "");
	if (r < 0) {
		FUZZ_CHECK(r == -EOPNOTSUPP || r == -EINVAL);
		return 0;
	}
	FUZZ_CHECK(r == 0);
	FUZZ_CHECK(g.salt_size <= VERITY_SALT_MAX);
	if (on_data) {
		FUZZ_CHECK(g.data_blocks == 1 && offset == 0 && len == g.data_block_size);
	} else {
		FUZZ_CHECK(g.data_blocks > 1 && len == g.hash_block_size);
		FUZZ_CHECK(offset % g.hash_block_size == 0);
		FUZZ_CHECK(offset <= UINT64_MAX - len);
		if (g.superblock)
			FUZZ_CHECK(offset >= g.hash_area_offset + 512);
		else
			FUZZ_CHECK(offset <= g.hash_area_offset && g.hash_area_offset - offset < len);
	}
	FUZZ_CHECK(len >= 512 && len <= sizeof block);
	uint8_t out[32];
	FUZZ_CHECK(verity_top_hash(&g, block, len, on_data, out) == 0);
	FUZZ_CHECK(verity_top_hash(&g, block, len == 512 ? 1024 : 512, on_data, out) == -EINVAL);
	return 0;
}
