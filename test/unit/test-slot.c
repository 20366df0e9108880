/* SPDX-License-Identifier: MIT */
/* Choosing the /usr slot from a table of disks: A/B slots pinned by usrhash= and not, sysupdate's
 * _empty placeholders, no-auto, PARTUUIDs that no root hash derives, devices named on the command
 * line, versions and ties. Each row names the slot it must choose, or the error. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "macro.h"
#include "partuuid.h"
#include "slot.h"

#define SCAN_MAX 16

/* Three images: their root hashes differ in every byte, so do the PARTUUIDs they derive. */
static void hash_of(char image, uint8_t h[32]) {
	for (size_t i = 0; i < 32; i++)
		h[i] = (uint8_t) (image * 16 + i);
}

struct disk {
	struct part parts[SCAN_MAX];
	size_t n;
	struct slot_sig sigs[8];
	size_t nsigs;
};

static void add(struct disk *d, const char *type, const char *uuid, const char *label, uint64_t flags) {
	struct part *p = &d->parts[d->n];
	*p = (struct part){ .start = 2048 * (d->n + 1), .size = 2048, .flags = flags };
	(void) snprintf(p->dev, sizeof p->dev, "/dev/vda%zu", d->n + 1);
	(void) snprintf(p->type, sizeof p->type, "%s", type);
	(void) snprintf(p->uuid, sizeof p->uuid, "%s", uuid);
	(void) snprintf(p->name, sizeof p->name, "%s", label);
	d->n++;
}

/* A disk from a short spec, one word per partition: "A:usr_1" is image A's complete slot (sig,
 * usr, usr-verity) labelled usr_1, "A:usr_1:sig" / ":usr" / ":verity" just that partition,
 * "E" sysupdate's three _empty placeholders, "N:..." a slot whose usr is marked no-auto, "R" a usr
 * partition with a PARTUUID no root hash derives, "G" a generic-type (0fc63daf) partition. The
 * signature candidates are what discovery reads: the sig partitions neither no-auto nor _empty. */
static void build(struct disk *d, const char *spec) {
	char buf[256], *save = NULL;
	*d = (struct disk){};
	(void) snprintf(buf, sizeof buf, "%s", spec);
	for (char *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		char data_uuid[37], hash_uuid[37];
		if (strcmp(w, "E") == 0) {
			add(d, GPT_USR_VERITY_SIG_X86_64, "e0000000-0000-0000-0000-000000000001", "_empty", 0);
			add(d, GPT_USR_X86_64, "e0000000-0000-0000-0000-000000000002", "_empty", 0);
			add(d, GPT_USR_VERITY_X86_64, "e0000000-0000-0000-0000-000000000003", "_empty", 0);
			continue;
		}
		if (strcmp(w, "R") == 0) {
			add(d, GPT_USR_X86_64, "12345678-1234-1234-1234-123456789abc", "usr_9", 0);
			continue;
		}
		if (strcmp(w, "G") == 0) {
			add(d, "0fc63daf-8483-4772-8e79-3d69d8477de4", "0fc00000-0000-0000-0000-000000000001", "usr-a", 0);
			continue;
		}
		bool no_auto = w[0] == 'N';
		char image = w[no_auto ? 2 : 0];
		const char *label = strchr(w, ':') + 1 + (no_auto ? 2 : 0);
		char lab[64];
		(void) snprintf(lab, sizeof lab, "%s", label);
		char *only = strchr(lab, ':');
		if (only)
			*only++ = '\0';
		uint8_t h[32];
		hash_of(image, h);
		partuuid_from_roothash(h, data_uuid, hash_uuid);
		if (!only || strcmp(only, "sig") == 0) {
			add(d, GPT_USR_VERITY_SIG_X86_64, "5165165f-0000-0000-0000-000000000000", lab, 0);
			d->parts[d->n - 1].uuid[35] = image; /* one PARTUUID each */
			d->sigs[d->nsigs].part = (int) d->n - 1;
			memcpy(d->sigs[d->nsigs++].root_hash, h, 32);
		}
		if (!only || strcmp(only, "usr") == 0)
			add(d, GPT_USR_X86_64, data_uuid, lab, no_auto ? GPT_FLAG_NO_AUTO : 0);
		if (!only || strcmp(only, "verity") == 0)
			add(d, GPT_USR_VERITY_X86_64, hash_uuid, lab, 0);
	}
}

static void test_choose_table(void **state) {
	static const struct {
		const char *what, *disk;
		char pin;    /* the image usrhash= pins, 0 for none */
		bool newest; /* usr.slots=newest */
		const char *data_name, *hash_name;
		int expect; /* -errno, or the image whose slot is chosen */
	} cases[] = {
		{ "one slot", "A:usr_1", 0, false, NULL, NULL, 'A' },
		{ "A/B pinned to A", "A:usr_1 B:usr_2", 'A', false, NULL, NULL, 'A' },
		{ "A/B pinned to B", "A:usr_1 B:usr_2", 'B', false, NULL, NULL, 'B' },
		{ "A/B pinned to neither", "A:usr_1 B:usr_2", 'C', false, NULL, NULL, -ESRCH },
		{ "A/B unpinned: ambiguous", "A:usr_1 B:usr_2", 0, false, NULL, NULL, -ENOTUNIQ },
		{ "A/B unpinned, newest: B", "A:usr_1 B:usr_2", 0, true, NULL, NULL, 'B' },
		{ "newest by version, not order", "B:usr_10 A:usr_9", 0, true, NULL, NULL, 'B' },
		{ "newest of three", "A:usr_2 B:usr_3 C:usr_1", 0, true, NULL, NULL, 'B' },
		{ "equal versions: ambiguous", "A:usr_2 B:usr_2", 0, true, NULL, NULL, -ENOTUNIQ },
		{ "a tie below the newest is no tie", "A:usr_1 B:usr_1 C:usr_2", 0, true, NULL, NULL, 'C' },
		{ "pinned ignores versions", "A:usr_1 B:usr_2", 'A', true, NULL, NULL, 'A' },
		{ "slot B as _empty placeholders", "A:usr_1 E", 0, false, NULL, NULL, 'A' },
		{ "only placeholders", "E", 0, false, NULL, NULL, -ENOENT },
		{ "only placeholders, pinned", "E", 'A', false, NULL, NULL, -ESRCH },
		{ "a usr no root hash derives is ignored", "A:usr_1 R", 0, false, NULL, NULL, 'A' },
		{ "incomplete B is not a slot", "A:usr_1 B:usr_2:sig B:usr_2:usr", 0, false, NULL, NULL, 'A' },
		{ "pinned to an incomplete slot: wait", "A:usr_1 B:usr_2:sig B:usr_2:usr", 'B', false, NULL, NULL, -ENOENT },
		{ "no signature partition yet", "A:usr_1:usr A:usr_1:verity", 0, false, NULL, NULL, -ENOENT },
		{ "usr marked no-auto: no slot", "N:A:usr_1", 0, false, NULL, NULL, -ENOENT },
		{ "no-auto B beside A", "A:usr_1 N:B:usr_2", 0, false, NULL, NULL, 'A' },
		{ "the same image twice, pinned", "A:usr_1 A:usr_1", 'A', false, NULL, NULL, -ENOTUNIQ },
		{ "the same image twice, unpinned", "A:usr_1 A:usr_1", 0, true, NULL, NULL, -ENOTUNIQ },
		/* Named on the command line: taken as named, any type. */
		{ "named generic-type usr", "A:usr_1:sig G A:usr_1:verity", 'A', false, "PARTLABEL=usr-a", NULL, 'A' },
		{ "named usr absent: wait", "A:usr_1", 'A', false, "PARTLABEL=nothing", NULL, -ENOENT },
		{ "named devices, two signatures: ambiguous", "A:usr_1 B:usr_2", 0, false, "/dev/vda2", "/dev/vda3",
		  -ENOTUNIQ },
		{ "named devices, pinned", "A:usr_1 B:usr_2", 'B', false, "/dev/vda2", "/dev/vda3", 'B' },
	};
	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct disk d;
		uint8_t pin[32];
		struct slot_choice c = { -9, -9, -9, 99 };
		build(&d, cases[i].disk);
		hash_of(cases[i].pin, pin);
		const struct slot_rules rules = { cases[i].pin ? pin : NULL, cases[i].newest, cases[i].data_name,
						  cases[i].hash_name };
		int r = slot_choose(d.parts, d.n, d.sigs, d.nsigs, &rules, &c);
		if (cases[i].expect < 0) {
			if (r != cases[i].expect)
				fail_msg("%s: got %d, want %d", cases[i].what, r, cases[i].expect);
			continue;
		}
		if (r != 0)
			fail_msg("%s: got %d, want image %c", cases[i].what, r, cases[i].expect);
		/* The slot of the expected image: its signature, and the partitions its hash names. */
		uint8_t want[32];
		hash_of((char) cases[i].expect, want);
		if (c.sig_index >= d.nsigs || memcmp(d.sigs[c.sig_index].root_hash, want, 32) != 0 ||
		    c.sig != d.sigs[c.sig_index].part)
			fail_msg("%s: chose signature %d, not image %c's", cases[i].what, c.sig, cases[i].expect);
		char data_uuid[37], hash_uuid[37];
		partuuid_from_roothash(want, data_uuid, hash_uuid);
		if (!cases[i].data_name && strcmp(d.parts[c.data].uuid, data_uuid) != 0)
			fail_msg("%s: usr %s is not image %c's", cases[i].what, d.parts[c.data].dev, cases[i].expect);
		if (!cases[i].hash_name && strcmp(d.parts[c.hash].uuid, hash_uuid) != 0)
			fail_msg("%s: usr-verity %s is not image %c's", cases[i].what, d.parts[c.hash].dev,
				 cases[i].expect);
		if (cases[i].data_name && !part_matches_name(&d.parts[c.data], cases[i].data_name))
			fail_msg("%s: usr %s is not %s", cases[i].what, d.parts[c.data].dev, cases[i].data_name);
	}
}

/* The detached signature file stands for a candidate at part -1 (usrhash= is its root hash). */
static void test_signature_file(void **state) {
	struct disk d;
	uint8_t a[32];
	struct slot_choice c;
	(void) state;
	build(&d, "A:usr_1:usr A:usr_1:verity");
	hash_of('A', a);
	struct slot_sig file = { -1, {} };
	memcpy(file.root_hash, a, 32);
	const struct slot_rules rules = { a, false, NULL, NULL };
	assert_int_equal(slot_choose(d.parts, d.n, &file, 1, &rules, &c), 0);
	assert_int_equal(c.sig, -1);
	assert_string_equal(d.parts[c.data].dev, "/dev/vda1");
	assert_string_equal(d.parts[c.hash].dev, "/dev/vda2");
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_choose_table),
		cmocka_unit_test(test_signature_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
