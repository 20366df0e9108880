/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "partuuid.h"
#include "slot.h"
#include "verscmp.h"

void slot_wants(const uint8_t root_hash[32], const struct slot_rules *rules, struct part_want *data,
		struct part_want *hash, char data_buf[48], char hash_buf[48]) {
	char data_uuid[UUID_STRING_LEN + 1], hash_uuid[UUID_STRING_LEN + 1];

	partuuid_from_roothash(root_hash, data_uuid, hash_uuid);
	(void) snprintf(data_buf, 48, "PARTUUID=%s", data_uuid);
	(void) snprintf(hash_buf, 48, "PARTUUID=%s", hash_uuid);
	*data = rules->data_name ? (struct part_want){ NULL, rules->data_name, false }
				 : (struct part_want){ GPT_USR_X86_64, data_buf, true };
	*hash = rules->hash_name ? (struct part_want){ NULL, rules->hash_name, false }
				 : (struct part_want){ GPT_USR_VERITY_X86_64, hash_buf, true };
}

/* Fills out with the slot of sigs[i]. Returns 0, -ENOENT (a partition missing) or -ENOTUNIQ. */
static int slot_of(const struct part *parts, size_t n, const struct slot_sig *sigs, size_t i,
		   const struct slot_rules *rules, struct slot_choice *out) {
	struct part_want data, hash;
	char data_buf[48], hash_buf[48];

	slot_wants(sigs[i].root_hash, rules, &data, &hash, data_buf, hash_buf);
	int d = discover_pick(parts, n, &data), h = discover_pick(parts, n, &hash);
	if (d == -ENOTUNIQ || h == -ENOTUNIQ)
		return -ENOTUNIQ;
	if (d < 0 || h < 0)
		return -ENOENT;
	*out = (struct slot_choice){ .sig = sigs[i].part, .data = d, .hash = h, .sig_index = i };
	return 0;
}

static int choose_pinned(const struct part *parts, size_t n, const struct slot_sig *sigs, size_t nsigs,
			 const struct slot_rules *rules, struct slot_choice *out) {
	size_t found = nsigs;
	for (size_t i = 0; i < nsigs; i++) {
		if (memcmp(sigs[i].root_hash, rules->usrhash, 32) != 0)
			continue;
		if (found < nsigs)
			return -ENOTUNIQ; /* the same image twice: which copy is not for us to guess */
		found = i;
	}
	if (found == nsigs)
		return -ESRCH;
	return slot_of(parts, n, sigs, found, rules, out);
}

int slot_choose(const struct part *parts, size_t n, const struct slot_sig *sigs, size_t nsigs,
		const struct slot_rules *rules, struct slot_choice *out) {
	struct slot_choice best = {}, c;
	size_t complete = 0;
	bool tie = false;

	if (rules->usrhash)
		return choose_pinned(parts, n, sigs, nsigs, rules, out);
	for (size_t i = 0; i < nsigs; i++) {
		int r = slot_of(parts, n, sigs, i, rules, &c);
		if (r == -ENOENT)
			continue; /* not a slot (yet): its partitions may still appear */
		if (r < 0)
			return r;
		if (complete++ == 0) {
			best = c;
			continue;
		}
		if (!rules->newest)
			return -ENOTUNIQ;
		int v = verscmp(parts[c.data].name, parts[best.data].name);
		if (v > 0) {
			best = c;
			tie = false;
		} else if (v == 0)
			tie = true;
	}
	if (complete == 0)
		return -ENOENT;
	if (tie)
		return -ENOTUNIQ;
	*out = best;
	return 0;
}
