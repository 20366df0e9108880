/* SPDX-License-Identifier: MIT */
/* Choosing the /usr slot: one usr-verity-sig partition and the usr and usr-verity partitions its
 * signed root hash names, on a disk that may hold several (A/B updates, sysupdate's placeholders).
 * Pure: the caller reads each candidate's rootHash (lib/sigjson.c) and verifies the chosen one. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "discover.h"

/* A source of a root hash: a usr-verity-sig partition that discovery may use (its index in the
 * scan) and the rootHash its JSON names, not verified yet: it only says which partitions to
 * verify. part is -1 for the detached signature file (usr.signature=), whose hash is usrhash=. */
struct slot_sig {
	int part;
	uint8_t root_hash[32];
};

struct slot_rules {
	const uint8_t *usrhash; /* the root hash usrhash= pins (32 bytes), or NULL */
	bool newest;            /* usr.slots=newest: of several complete slots, the newest usr label */
	/* Named on the command line (systemd.verity_usr_data=, _hash=), taken as named whatever
	 * their type; NULL: the partition of the usr (usr-verity) type whose PARTUUID the slot's root
	 * hash derives, among those discovery may use. */
	const char *data_name, *hash_name;
};

struct slot_choice {
	int sig, data, hash; /* indices into the scan; sig is that of its struct slot_sig */
	size_t sig_index;    /* the chosen entry of sigs[] */
};

/* The slot the rules choose among sigs[0..nsigs) over parts[0..n). A slot is complete when both
 * its usr and usr-verity partitions are there. With usrhash: the candidate with that root hash.
 * Without: the one complete slot; of several, with newest, the one whose usr label is the newest
 * version (verscmp()). Returns 0; -ENOENT when no slot is complete yet (or the pinned one is not);
 * -ESRCH when usrhash names no candidate's root hash; -ENOTUNIQ when the disk does not say which:
 * a root hash on two candidates, two partitions for a role, several complete slots without
 * newest, or two newest of equal version. An ambiguous disk is refused, never guessed. */
int slot_choose(const struct part *parts, size_t n, const struct slot_sig *sigs, size_t nsigs,
		const struct slot_rules *rules, struct slot_choice *out);

/* The usr and usr-verity wants for a root hash under rules, into data and hash; the names they
 * point to are written into data_buf and hash_buf (48 bytes each). */
void slot_wants(const uint8_t root_hash[32], const struct slot_rules *rules, struct part_want *data,
		struct part_want *hash, char data_buf[48], char hash_buf[48]);
