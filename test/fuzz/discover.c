/* SPDX-License-Identifier: MIT */
/* discover_pick() and part_matches_name() over the partition list blockscan() builds, and the
 * partuuid.c UUID helpers on its strings. The input is text, one line per entry:
 *   DEV|TYPE|UUID|NAME|START|SIZE|FLAGS  a partition as scan_disk() fills it from libblkid ("/dev/"
 *                          + DEV, each field cut to its size, TYPE and UUID lowercased, FLAGS the GPT
 *                          attribute bits in decimal); empty fields: a disk
 *   WTYPE|NAME|d           a want (an empty field: NULL; "d": discovering), besides the agent's own: by type for
 *                          auto discovery, with hints, the explicit names, and the PARTUUIDs derived
 *                          from a root hash (devices_await_by_roothash())
 * Checked against a plain reference: the pick is the one matching entry, -ENOENT when none matches
 * and -ENOTUNIQ when two do (an ambiguous disk is never guessed), discovery passing over no-auto
 * (bit 63) and _empty partitions; an escaped label is one line, whole when it fits; a disk without a PARTUUID never
 * matches by PARTUUID or PARTLABEL; uuid_parse_strict() and uuid_format() round trip, and
 * uuid_string_equal() is symmetric; an overlap is reported exactly when a partition on the same disk
 * shares a sector, computed in 128 bits so that no start + size wraps. */
#include <ctype.h>
#include <strings.h>

#include "blockscan.h"
#include "discover.h"
#include "fuzz.h"
#include "partuuid.h"

#define WANTS_MAX 8

static void lowercase(char *s) {
	for (; *s; s++)
		*s = (char) tolower((unsigned char) *s);
}

static uint64_t field_u64(const char *line, size_t len, unsigned i) {
	char text[24];
	fuzz_field(line, len, i, "", text, sizeof text);
	return strtoull(text, NULL, 10);
}

static bool ref_overlap(const struct part *a, const struct part *b) {
	unsigned __int128 ea = (unsigned __int128) a->start + a->size, eb = (unsigned __int128) b->start + b->size;
	return a->type[0] && b->type[0] && a->disk == b->disk && a->size && b->size && a->start < eb &&
	       b->start < ea;
}

static void check_overlap(const struct part *parts, size_t n) {
	for (size_t i = 0; i <= n; i++) {
		int r = discover_overlap(parts, n, i);
		bool any = false;
		for (size_t j = 0; i < n && j < n; j++)
			any = any || (j != i && ref_overlap(&parts[i], &parts[j]));
		FUZZ_CHECK(any == (r >= 0));
		if (r >= 0)
			FUZZ_CHECK((size_t) r < n && (size_t) r != i && ref_overlap(&parts[i], &parts[r]) &&
				   discover_overlap(parts, n, (size_t) r) >= 0);
	}
}

static bool ref_uuid_eq(const char *a, const char *b) {
	return strlen(a) == strlen(b) && strcasecmp(a, b) == 0;
}

/* The documented rule, written out plainly. */
static bool ref_passed_over(const struct part *p, const struct part_want *w) {
	return w->discovering && p->type[0] && (p->flags >> 63 || strcmp(p->name, "_empty") == 0);
}

static bool ref_matches(const struct part *p, const struct part_want *w) {
	if (w->type && !ref_uuid_eq(p->type, w->type))
		return false;
	if (ref_passed_over(p, w))
		return false;
	if (!w->name)
		return true;
	if (strncmp(w->name, "PARTUUID=", 9) == 0)
		return p->uuid[0] && ref_uuid_eq(p->uuid, w->name + 9);
	if (strncmp(w->name, "PARTLABEL=", 10) == 0)
		return p->uuid[0] && strcmp(p->name, w->name + 10) == 0;
	return strcmp(p->dev, w->name) == 0;
}

static void check_pick(const struct part *parts, size_t n, const struct part_want *w) {
	size_t matches = 0, first = 0;
	for (size_t i = 0; i < n; i++) {
		bool m = ref_matches(&parts[i], w);
		if ((!w->type || ref_uuid_eq(parts[i].type, w->type)) && !ref_passed_over(&parts[i], w))
			FUZZ_CHECK(!w->name || m == (part_matches_name(&parts[i], w->name) != 0));
		FUZZ_CHECK(ref_passed_over(&parts[i], w) == (w->discovering && part_skip_reason(&parts[i]) != NULL));
		if (m && matches++ == 0)
			first = i;
	}
	int r = discover_pick(parts, n, w);
	if (matches == 0)
		FUZZ_CHECK(r == -ENOENT);
	else if (matches == 1)
		FUZZ_CHECK(r >= 0 && (size_t) r == first);
	else
		FUZZ_CHECK(r == -ENOTUNIQ);
}

static void check_uuid(const char *s) {
	uint8_t id[16], again[16];
	char text[UUID_STRING_LEN + 1], lower[UUID_STRING_LEN + 1];
	if (uuid_parse_strict(s, id) < 0) {
		FUZZ_CHECK(!uuid_string_equal(s, s));
		return;
	}
	FUZZ_CHECK(strlen(s) == UUID_STRING_LEN);
	uuid_format(id, text);
	FUZZ_CHECK(strlen(text) == UUID_STRING_LEN);
	memcpy(lower, s, sizeof lower);
	lowercase(lower);
	FUZZ_CHECK(strcmp(text, lower) == 0);
	FUZZ_CHECK(uuid_parse_strict(text, again) == 0 && memcmp(id, again, 16) == 0);
	FUZZ_CHECK(uuid_string_equal(s, text) && uuid_string_equal(text, s));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	static struct part parts[BLOCKSCAN_MAX];
	static char want_text[WANTS_MAX][2][128];
	struct part_want wants[WANTS_MAX + 16];
	size_t n = 0, nw = 0;
	unsigned disk = 0;
	const char *p = (const char *) data, *end = p + size;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t) (end - p));
		size_t len = (size_t) ((nl ? nl : end) - p);
		if (len > 0 && p[0] == 'W') {
			if (nw < WANTS_MAX) {
				fuzz_field(p + 1, len - 1, 0, "", want_text[nw][0], sizeof want_text[nw][0]);
				fuzz_field(p + 1, len - 1, 1, "", want_text[nw][1], sizeof want_text[nw][1]);
				wants[nw].type = want_text[nw][0][0] ? want_text[nw][0] : NULL;
				wants[nw].name = want_text[nw][1][0] ? want_text[nw][1] : NULL;
				char d[4];
				fuzz_field(p + 1, len - 1, 2, "", d, sizeof d);
				wants[nw].discovering = d[0] == 'd';
				nw++;
			}
		} else if (n < BLOCKSCAN_MAX) {
			struct part *e = &parts[n++];
			memset(e, 0, sizeof *e);
			fuzz_field(p, len, 0, "/dev/", e->dev, sizeof e->dev);
			fuzz_field(p, len, 1, "", e->type, sizeof e->type);
			fuzz_field(p, len, 2, "", e->uuid, sizeof e->uuid);
			fuzz_field(p, len, 3, "", e->name, sizeof e->name);
			lowercase(e->type);
			lowercase(e->uuid);
			e->start = field_u64(p, len, 4);
			e->size = field_u64(p, len, 5);
			e->flags = field_u64(p, len, 6);
			if (!e->type[0])
				disk = (unsigned) (n - 1);
			e->disk = disk;
		}
		p += len + (nl ? 1 : 0);
	}

	/* The agent's own wants (stage_devices(), devices_await_by_roothash()). */
	static const uint8_t roothash[32] = { 0xc8, 0x6e, 0x17, 0x61, 0x12, 0x77, 0x85, 0x7a, 0x3b, 0xb2, 0x87,
					      0xc0, 0xc1, 0x62, 0x28, 0xc7, 0x2e, 0x82, 0xeb, 0x41, 0x50, 0x6e,
					      0xd5, 0x87, 0xdd, 0x61, 0x43, 0xe2, 0xdd, 0x1e, 0x32, 0x75 };
	char data_uuid[UUID_STRING_LEN + 1], hash_uuid[UUID_STRING_LEN + 1], want_data[48], want_hash[48];
	char first_uuid[64];
	partuuid_from_roothash(roothash, data_uuid, hash_uuid);
	(void) snprintf(want_data, sizeof want_data, "PARTUUID=%s", data_uuid);
	(void) snprintf(want_hash, sizeof want_hash, "PARTUUID=%s", hash_uuid);
	/* A hint naming the first entry in upper case, as a command line may. */
	(void) snprintf(first_uuid, sizeof first_uuid, "PARTUUID=%s", n ? parts[0].uuid : "");
	for (char *c = first_uuid; *c; c++)
		*c = (char) toupper((unsigned char) *c);
	const struct part_want agent[] = {
		{ GPT_USR_VERITY_SIG_X86_64, NULL, true },
		{ GPT_USR_X86_64, NULL, true },
		{ GPT_USR_VERITY_X86_64, NULL, true },
		{ GPT_USR_X86_64, NULL, false },
		{ GPT_USR_X86_64, "PARTLABEL=usr", false },
		{ GPT_USR_VERITY_X86_64, first_uuid, false },
		{ NULL, first_uuid, false },
		{ NULL, "/dev/vda2", false },
		{ NULL, "PARTLABEL=usr-verity", false },
		{ NULL, "PARTLABEL=", false },
		{ GPT_USR_X86_64, want_data, true },
		{ GPT_USR_VERITY_X86_64, want_hash, true },
	};
	for (size_t i = 0; i < sizeof agent / sizeof agent[0]; i++)
		wants[nw++] = agent[i];

	for (size_t i = 0; i < nw; i++)
		check_pick(parts, n, &wants[i]);
	check_overlap(parts, n);
	for (size_t i = 0; i < n; i++) {
		/* A label in a log line: one line, cut to the buffer, and, when it fits, whole. */
		char esc[64];
		label_escape(parts[i].name, esc, sizeof esc);
		FUZZ_CHECK_STR(esc);
		FUZZ_CHECK(fuzz_one_line(esc));
		size_t plain = 0;
		for (const char *c = parts[i].name; *c; c++)
			plain += *c >= 0x20 && *c < 0x7f && *c != '\\' ? 1 : 4;
		if (plain < sizeof esc)
			FUZZ_CHECK(strlen(esc) == plain && (plain != strlen(parts[i].name) || strcmp(esc, parts[i].name) == 0));
		else
			FUZZ_CHECK(strlen(esc) >= 3 && strcmp(esc + strlen(esc) - 3, "...") == 0);
		FUZZ_CHECK_STR(parts[i].dev);
		check_uuid(parts[i].uuid);
		check_uuid(parts[i].type);
		if (i > 0)
			FUZZ_CHECK(uuid_string_equal(parts[i].uuid, parts[i - 1].uuid) ==
				   uuid_string_equal(parts[i - 1].uuid, parts[i].uuid));
	}
	for (size_t i = 0; i < nw; i++)
		if (wants[i].name && strncmp(wants[i].name, "PARTUUID=", 9) == 0)
			check_uuid(wants[i].name + 9);

	/* The root-hash halves come back from their UUIDs. */
	uint8_t half[16];
	FUZZ_CHECK(uuid_parse_strict(data_uuid, half) == 0 && memcmp(half, roothash, 16) == 0);
	FUZZ_CHECK(uuid_parse_strict(hash_uuid, half) == 0 && memcmp(half, roothash + 16, 16) == 0);
	if (size >= 32) {
		partuuid_from_roothash(data + size - 32, data_uuid, hash_uuid);
		FUZZ_CHECK(uuid_parse_strict(data_uuid, half) == 0 && memcmp(half, data + size - 32, 16) == 0);
		FUZZ_CHECK(uuid_parse_strict(hash_uuid, half) == 0 && memcmp(half, data + size - 16, 16) == 0);
	}
	return 0;
}
