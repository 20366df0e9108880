/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>

#include <openssl/evp.h>

#include "veritytop.h"

static bool block_size_ok(uint32_t s) {
	return s >= 512 && s <= VERITY_BLOCK_MAX && (s & (s - 1)) == 0;
}

static unsigned log2u(uint64_t v) {
	unsigned n = 0;
	while (v >>= 1)
		n++;
	return n;
}

int verity_top_block(const struct verity_geometry *g, uint64_t *offset, size_t *size, bool *on_data) {
	if (g->hash_type != 1 || !g->hash_name || strcmp(g->hash_name, "sha256") != 0)
		return -EOPNOTSUPP;
	if (!block_size_ok(g->data_block_size) || !block_size_ok(g->hash_block_size) ||
	    g->salt_size > VERITY_SALT_MAX || (g->salt_size && !g->salt) || g->data_blocks == 0)
		return -EINVAL;

	/* The kernel's count of levels (dm-verity-target.c): as many as it takes for the top level
	 * to be one block of hashes_per_block digests, a power of two. One data block: no levels,
	 * the root hash is that block's own. */
	unsigned bits = log2u(g->hash_block_size / 32);
	unsigned levels = 0;
	while (bits * levels < 64 && ((g->data_blocks - 1) >> (bits * levels)) != 0)
		levels++;
	if (levels == 0) {
		*offset = 0;
		*size = g->data_block_size;
		*on_data = true;
		return 0;
	}

	/* The top level is the first of the tree, in the first hash block after the superblock (512
	 * bytes, rounded up to a hash block), as libcryptsetup lays it out. */
	uint64_t start = g->hash_area_offset;
	if (g->superblock) {
		if (start > UINT64_MAX - 512 - g->hash_block_size)
			return -EINVAL;
		start += 512 + g->hash_block_size - 1;
	}
	*offset = start / g->hash_block_size * g->hash_block_size;
	*size = g->hash_block_size;
	*on_data = false;
	return 0;
}

int verity_top_hash(const struct verity_geometry *g, const uint8_t *block, size_t size, bool on_data,
		    uint8_t out[32]) {
	if (size != (on_data ? g->data_block_size : g->hash_block_size))
		return -EINVAL;
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned len = 0;
	int ok = c && EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1 &&
		 (g->salt_size == 0 || EVP_DigestUpdate(c, g->salt, g->salt_size) == 1) &&
		 EVP_DigestUpdate(c, block, size) == 1 && EVP_DigestFinal_ex(c, out, &len) == 1 && len == 32;
	EVP_MD_CTX_free(c);
	return ok ? 0 : -ENOMEM;
}
