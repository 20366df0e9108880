/* SPDX-License-Identifier: MIT */
/* slot_choose() over a scan and signature candidates, against a plain reference of its rules, and
 * verscmp() on the labels (antisymmetric, reflexive). The input is text, one line per entry:
 *   DEV|TYPE|UUID|NAME|START|SIZE|FLAGS  a partition as in discover.c; a UUID "=D<k>" or "=H<k>" is
 *                          the usr or usr-verity PARTUUID candidate k's root hash derives (so that
 *                          mutations reach complete slots)
 *   S|<k>|<hex>            a candidate: partition k (its index above, or -1 for a file), root hash
 *                          from the hex (cut or padded with zeros to 32 bytes)
 *   R|<hex>|n|DATA|HASH    the rules: pinned hash (empty: none), "n" for usr.slots=newest, and the
 *                          names the command line gives (empty: none)
 * The reference: pinned, the one candidate with that hash (none: -ESRCH, two: -ENOTUNIQ) and its
 * slot; unpinned, any candidate whose role matches two partitions is -ENOTUNIQ, else of the
 * complete slots the only one, or with newest the one strictly newer than every other. */
#include <strings.h>

#include "blockscan.h"
#include "fuzz.h"
#include "hexb64.h"
#include "partuuid.h"
#include "slot.h"
#include "verscmp.h"

#define SIGS_MAX 8

static void hash_from(const char *hex, uint8_t out[32]) {
	size_t len = 0;
	memset(out, 0, 32);
	char even[65];
	(void) snprintf(even, sizeof even, "%s", hex);
	even[strlen(even) & ~(size_t) 1] = '\0';
	if (hex_decode(even, strlen(even), out, 32, &len) < 0)
		memset(out, 0, 32);
}

static int sign_of(int v) {
	return (v > 0) - (v < 0);
}

/* How many partitions fill a role of candidate s: named, or of the type with the derived PARTUUID. */
static size_t ref_count(const struct part *parts, size_t n, const struct slot_sig *s, const char *name, bool data,
			size_t *which) {
	char d[37], h[37];
	size_t count = 0;
	partuuid_from_roothash(s->root_hash, d, h);
	for (size_t i = 0; i < n; i++) {
		bool m;
		if (name)
			m = part_matches_name(&parts[i], name);
		else
			m = strcasecmp(parts[i].type, data ? GPT_USR_X86_64 : GPT_USR_VERITY_X86_64) == 0 &&
			    !part_skip_reason(&parts[i]) && strcasecmp(parts[i].uuid, data ? d : h) == 0;
		if (m && count++ == 0)
			*which = i;
	}
	return count;
}

/* 0 complete (data and hash set), -ENOENT, -ENOTUNIQ. */
static int ref_slot(const struct part *parts, size_t n, const struct slot_sig *s, const struct slot_rules *r,
		    size_t *data, size_t *hash) {
	size_t cd = ref_count(parts, n, s, r->data_name, true, data);
	size_t ch = ref_count(parts, n, s, r->hash_name, false, hash);
	if (cd > 1 || ch > 1)
		return -ENOTUNIQ;
	return cd == 1 && ch == 1 ? 0 : -ENOENT;
}

static int ref_choose(const struct part *parts, size_t n, const struct slot_sig *sigs, size_t ns,
		      const struct slot_rules *r, size_t *chosen) {
	size_t d, h;
	if (r->usrhash) {
		size_t matches = 0;
		for (size_t i = 0; i < ns; i++)
			if (memcmp(sigs[i].root_hash, r->usrhash, 32) == 0 && matches++ == 0)
				*chosen = i;
		if (matches == 0)
			return -ESRCH;
		if (matches > 1)
			return -ENOTUNIQ;
		return ref_slot(parts, n, &sigs[*chosen], r, &d, &h);
	}
	size_t complete[SIGS_MAX], nc = 0;
	for (size_t i = 0; i < ns; i++) {
		int s = ref_slot(parts, n, &sigs[i], r, &d, &h);
		if (s == -ENOTUNIQ)
			return s;
		if (s == 0)
			complete[nc++] = i;
	}
	if (nc == 0)
		return -ENOENT;
	if (nc == 1) {
		*chosen = complete[0];
		return 0;
	}
	if (!r->newest)
		return -ENOTUNIQ;
	for (size_t a = 0; a < nc; a++) {
		size_t da, ha, db, hb;
		(void) ref_slot(parts, n, &sigs[complete[a]], r, &da, &ha);
		bool newer_than_all = true;
		for (size_t b = 0; b < nc && newer_than_all; b++) {
			(void) ref_slot(parts, n, &sigs[complete[b]], r, &db, &hb);
			newer_than_all = a == b || verscmp(parts[da].name, parts[db].name) > 0;
		}
		if (newer_than_all) {
			*chosen = complete[a];
			return 0;
		}
	}
	return -ENOTUNIQ;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	static struct part parts[BLOCKSCAN_MAX];
	static char uuid_ref[BLOCKSCAN_MAX][8];
	struct slot_sig sigs[SIGS_MAX];
	char data_name[72] = "", hash_name[72] = "", pin_hex[80] = "", newest[4] = "";
	uint8_t pin[32];
	bool pinned = false;
	size_t n = 0, ns = 0;
	unsigned disk = 0;
	const char *p = (const char *) data, *end = p + size;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t) (end - p));
		size_t len = (size_t) ((nl ? nl : end) - p);
		char text[80];
		if (len >= 2 && p[0] == 'S' && p[1] == '|') {
			if (ns < SIGS_MAX) {
				fuzz_field(p, len, 1, "", text, sizeof text);
				sigs[ns].part = atoi(text);
				fuzz_field(p, len, 2, "", text, sizeof text);
				hash_from(text, sigs[ns].root_hash);
				ns++;
			}
		} else if (len >= 2 && p[0] == 'R' && p[1] == '|') {
			fuzz_field(p, len, 1, "", pin_hex, sizeof pin_hex);
			pinned = true;
			fuzz_field(p, len, 2, "", newest, sizeof newest);
			fuzz_field(p, len, 3, "", data_name, sizeof data_name);
			fuzz_field(p, len, 4, "", hash_name, sizeof hash_name);
		} else if (n < BLOCKSCAN_MAX) {
			struct part *e = &parts[n];
			memset(e, 0, sizeof *e);
			char dev[60];
			fuzz_field(p, len, 0, "", dev, sizeof dev);
			(void) snprintf(e->dev, sizeof e->dev, "/dev/%s", dev);
			fuzz_field(p, len, 1, "", e->type, sizeof e->type);
			fuzz_field(p, len, 2, "", text, sizeof text);
			(void) snprintf(uuid_ref[n], sizeof uuid_ref[n], "%s", text[0] == '=' ? text : "");
			(void) snprintf(e->uuid, sizeof e->uuid, "%s", text);
			fuzz_field(p, len, 3, "", e->name, sizeof e->name);
			fuzz_field(p, len, 4, "", text, sizeof text);
			e->start = strtoull(text, NULL, 10);
			fuzz_field(p, len, 5, "", text, sizeof text);
			e->size = strtoull(text, NULL, 10);
			fuzz_field(p, len, 6, "", text, sizeof text);
			e->flags = strtoull(text, NULL, 10);
			if (!e->type[0])
				disk = (unsigned) n;
			e->disk = disk;
			n++;
		}
		p += len + (nl ? 1 : 0);
	}
	/* The derived PARTUUIDs the "=D<k>" / "=H<k>" entries ask for. */
	for (size_t i = 0; i < n; i++) {
		if (!uuid_ref[i][0] || (uuid_ref[i][1] != 'D' && uuid_ref[i][1] != 'H'))
			continue;
		size_t k = (size_t) atoi(uuid_ref[i] + 2);
		if (k >= ns)
			continue;
		char d[37], h[37];
		partuuid_from_roothash(sigs[k].root_hash, d, h);
		memcpy(parts[i].uuid, uuid_ref[i][1] == 'D' ? d : h, 37);
	}
	for (size_t k = 0; k < ns; k++)
		if (sigs[k].part < -1 || sigs[k].part >= (int) n)
			sigs[k].part = -1;
	hash_from(pin_hex, pin);
	const struct slot_rules rules = { pinned && pin_hex[0] ? pin : NULL, newest[0] == 'n',
					  data_name[0] ? data_name : NULL, hash_name[0] ? hash_name : NULL };

	struct slot_choice c = { -9, -9, -9, 99 };
	size_t want = 0;
	int r = slot_choose(parts, n, sigs, ns, &rules, &c);
	int ref = ref_choose(parts, n, sigs, ns, &rules, &want);
	FUZZ_CHECK(r == ref);
	if (r == 0) {
		size_t d, h;
		FUZZ_CHECK(c.sig_index == want && c.sig == sigs[want].part);
		FUZZ_CHECK(ref_slot(parts, n, &sigs[want], &rules, &d, &h) == 0);
		FUZZ_CHECK(c.data == (int) d && c.hash == (int) h);
	}
	for (size_t i = 0; i < n; i++) {
		FUZZ_CHECK(verscmp(parts[i].name, parts[i].name) == 0);
		if (i > 0)
			FUZZ_CHECK(sign_of(verscmp(parts[i].name, parts[i - 1].name)) ==
				   -sign_of(verscmp(parts[i - 1].name, parts[i].name)));
	}
	return 0;
}
