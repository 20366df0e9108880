/* SPDX-License-Identifier: MIT */
/* The top of a dm-verity hash tree, checked against the signed root hash before the device is
 * activated. dm-verity itself compares a block with the tree only when it is read, so a valid
 * signature over one image's root hash next to another image's hash tree would otherwise be
 * activated and fail, as a restart on corruption with no reason, at the first read of /usr.
 * Pure: the caller reads the block (lib/ has no I/O here). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VERITY_SALT_MAX 256   /* the superblock's salt field */
#define VERITY_BLOCK_MAX 4096 /* dm-verity's block sizes go up to the page size */

/* What the verity superblock says (libcryptsetup's crypt_params_verity, after crypt_load). */
struct verity_geometry {
	const char *hash_name;                     /* "sha256" */
	uint32_t hash_type;                        /* 1: salt first, as veritysetup and systemd write; 0: Chrome OS */
	uint32_t data_block_size, hash_block_size; /* bytes */
	uint64_t data_blocks;                      /* the data device's size in data blocks */
	uint64_t hash_area_offset;                 /* bytes: where the superblock (or, without one, the tree) starts */
	bool superblock;                           /* the hash area starts with a superblock */
	const uint8_t *salt;
	size_t salt_size;
};

/* Where the one block lies whose salted hash is the root hash: the top level of the tree, at
 * *offset on the hash device, *size bytes; or, when the data is a single block (a tree of no
 * levels), that data block at 0 on the data device (*on_data). Returns 0, or
 *   -EOPNOTSUPP  not format 1 or not sha256 (a SHA-256 root hash is what is signed)
 *   -EINVAL      a block size that is not a power of two from 512 to 4096, a salt over 256 bytes,
 *                no data, or an offset that does not fit in 64 bits */
int verity_top_block(const struct verity_geometry *g, uint64_t *offset, size_t *size, bool *on_data);

/* out = SHA-256(salt || block), the root hash a tree with that top block has. Returns 0, -EINVAL
 * when size is not the block size verity_top_block() gave, or -ENOMEM. */
int verity_top_hash(const struct verity_geometry *g, const uint8_t *block, size_t size, bool on_data,
		    uint8_t out[32]);
