/* SPDX-License-Identifier: MIT */
/* modules.alias as depmod writes it: parsing (with the line of a bad one), what kind of module each
 * is, and which drivers a device's modalias matches; and the kernel's uevents. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "macro.h"
#include "modalias.h"
#include "uevent.h"

/* Lines from the lab initramfs's modules.alias (Debian's 6.12 kernel). */
static const char lab[] = "# Aliases extracted from modules themselves.\n"
			  "alias crypto-crc32c crc32c_intel\n"
			  "alias cpu:type:x86,ven*fam*mod*:feature:*0094* crc32c_intel\n"
			  "alias fs-ext4 ext4\n"
			  "alias ext3 ext4\n"
			  "alias fs-ext3 ext4\n"
			  "alias fs-erofs erofs\n"
			  "alias virtio:d00000002v* virtio_blk\n"
			  "alias virtio:d00000008v* virtio_scsi\n"
			  "alias vmbus:d96361baa104294db60572e2ffb1dc7f hv_storvsc\n"
			  "alias scsi:t-0x00* sd_mod\n"
			  "alias block-major-8-* sd_mod\n"
			  "alias devname:mapper/control dm_mod\n"
			  "alias char-major-10-236 dm_mod\n"
			  "alias acpi*:VMBUS:* hv_vmbus\n"
			  "alias pci:v*d*sv*sd*bc01sc08i02* nvme\n"
			  "\n"
			  "alias\tfs-squashfs   squashfs\r\n"
			  "alias crypto-crc32c-generic crc32c-generic";

static void parse_lab(struct modalias_table *t) {
	unsigned bad = 99;
	assert_int_equal(modalias_parse(lab, strlen(lab), t, &bad), 0);
	assert_int_equal(bad, 0);
	assert_int_equal(t->n, 17);
}

static void test_parse_errors(void **state) {
	static const struct {
		const char *what, *text;
		int expect;
		unsigned line;
	} cases[] = {
		{ "empty file", "", 0, 0 },
		{ "comments and blank lines only", "# x\n\n   \n# y", 0, 0 },
		{ "not an alias line", "alias a b\noptions nvme x=1\n", -EBADMSG, 2 },
		{ "no module", "alias fs-ext4\n", -EBADMSG, 1 },
		{ "a fourth word", "\nalias fs-ext4 ext4 extra\n", -EBADMSG, 2 },
		{ "alias alone", "alias", -EBADMSG, 1 },
		{ "softdep is modules.softdep's", "softdep ext4 pre: crc32c\n", -EBADMSG, 1 },
		{ "keyword case matters", "Alias a b\n", -EBADMSG, 1 },
	};
	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct modalias_table t;
		unsigned line = 99;
		int r = modalias_parse(cases[i].text, strlen(cases[i].text), &t, &line);
		if (r != cases[i].expect || line != cases[i].line)
			fail_msg("%s: got %d at line %u, want %d at line %u", cases[i].what, r, line, cases[i].expect,
				 cases[i].line);
		modalias_table_free(&t);
	}
	/* A NUL byte is not text: its line is named. */
	static const char nul[] = "alias a b\nalias c\0d e\n";
	struct modalias_table t;
	unsigned line = 0;
	assert_int_equal(modalias_parse(nul, sizeof nul - 1, &t, &line), -EBADMSG);
	assert_int_equal(line, 2);
	assert_null(t.v);
}

static void test_too_many_entries(void **state) {
	(void) state;
	size_t n = MODALIAS_ENTRIES_MAX + 1;
	char *text = malloc(n * 10);
	assert_non_null(text);
	for (size_t i = 0; i < n; i++)
		memcpy(text + i * 10, "alias a b\n", 10);
	struct modalias_table t;
	unsigned line = 0;
	assert_int_equal(modalias_parse(text, (n - 1) * 10, &t, &line), 0);
	assert_int_equal(t.n, MODALIAS_ENTRIES_MAX);
	modalias_table_free(&t);
	assert_int_equal(modalias_parse(text, n * 10, &t, &line), -E2BIG);
	free(text);
}

static void test_class(void **state) {
	static const struct {
		const char *name;
		enum modalias_class expect;
	} cases[] = {
		{ "virtio_blk", MODALIAS_DEVICE },
		{ "hv_storvsc", MODALIAS_DEVICE },
		{ "hv-storvsc", MODALIAS_DEVICE },   /* '-' and '_' are one character to the kernel */
		{ "hv_vmbus", MODALIAS_DEVICE },     /* acpi*: starts with a wildcard */
		{ "sd_mod", MODALIAS_DEVICE },       /* its block-major- aliases do not make it "other" */
		{ "crc32c_intel", MODALIAS_DEVICE }, /* a CPU feature is a device too */
		{ "ext4", MODALIAS_FS },
		{ "squashfs", MODALIAS_FS },
		{ "erofs", MODALIAS_FS },
		{ "dm_mod", MODALIAS_OTHER },    /* devname: and char-major- name device nodes */
		{ "dm-verity", MODALIAS_OTHER }, /* no aliases at all */
		{ "crc32c_generic", MODALIAS_OTHER },
		{ "fs-ext4", MODALIAS_OTHER }, /* an alias is not a module name */
		{ "ext", MODALIAS_OTHER },     /* nor is a prefix of one */
		{ "virtio_blk_x", MODALIAS_OTHER },
	};
	struct modalias_table t;
	(void) state;
	parse_lab(&t);
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		enum modalias_class c = modalias_class_of(&t, cases[i].name);
		if (c != cases[i].expect)
			fail_msg("%s: got class %d, want %d", cases[i].name, c, cases[i].expect);
	}
	assert_true(modalias_provides_fs(&t, "ext4", "ext4"));
	assert_true(modalias_provides_fs(&t, "ext4", "ext3"));
	assert_false(modalias_provides_fs(&t, "ext4", "ext2"));
	assert_false(modalias_provides_fs(&t, "ext4", "erofs"));
	assert_false(modalias_provides_fs(&t, "ext4", "ext")); /* no prefix matches */
	assert_true(modalias_provides_fs(&t, "squashfs", "squashfs"));
	assert_false(modalias_provides_fs(&t, "sd_mod", "8"));
	modalias_table_free(&t);
}

/* Every module matching a modalias, as "a b": what the agent would load for that device. */
static void matches(const struct modalias_table *t, const char *modalias, char *out, size_t size) {
	out[0] = '\0';
	for (long e = modalias_next_match(t, 0, modalias); e >= 0; e = modalias_next_match(t, (size_t) e + 1, modalias)) {
		size_t used = strlen(out);
		(void) snprintf(out + used, size - used, "%s%s", used ? " " : "", t->v[e].module);
	}
}

static void test_match(void **state) {
	static const struct {
		const char *modalias, *expect;
	} cases[] = {
		{ "virtio:d00000002v00001AF4", "virtio_blk" },
		{ "virtio:d00000008v00001AF4", "virtio_scsi" },
		{ "virtio:d00000001v00001AF4", "" }, /* a virtio NIC */
		{ "vmbus:d96361baa104294db60572e2ffb1dc7f", "hv_storvsc" },
		{ "vmbus:d96361baa104294db60572e2ffb1dc7e", "" },
		{ "acpi:VMBUS:", "hv_vmbus" },
		{ "acpi:PNP0A08:PNP0A03:", "" },
		{ "scsi:t-0x00", "sd_mod" },
		{ "scsi:t-0x05", "" }, /* a CD-ROM: sr_mod's, not configured here */
		{ "pci:v0000144Dd0000A808sv0000144Dsd0000A801bc01sc08i02", "nvme" },
		{ "pci:v0000144Dd0000A808sv0000144Dsd0000A801bc01sc08i03", "" },
		{ "cpu:type:x86,ven0000fam0006mod003F:feature:,0000,0094,00E5", "crc32c_intel" },
		{ "cpu:type:x86,ven0000fam0006mod003F:feature:,0000,0095", "" },
		{ "block-major-8-0", "" }, /* a device-node alias is never a device match */
		{ "fs-ext4", "" },
		{ "", "" },
	};
	struct modalias_table t;
	char got[256];
	(void) state;
	parse_lab(&t);
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		matches(&t, cases[i].modalias, got, sizeof got);
		if (strcmp(got, cases[i].expect) != 0)
			fail_msg("%s: matched '%s', want '%s'", cases[i].modalias, got, cases[i].expect);
	}
	modalias_table_free(&t);
}

/* A module made for CPU features: left out where the CPU's modalias lacks them; a module without a
 * cpu: alias never is. */
static void test_cpu_lacks(void **state) {
	static const struct {
		const char *module, *cpu;
		bool lacks;
	} cases[] = {
		/* QEMU's qemu64 model: no SSE4.2 (feature 0x94) */
		{ "crc32c_intel", "cpu:type:x86,ven0000fam0006mod0006:feature:,0000,0001,0002,0003,0080", true },
		{ "crc32c-intel", "cpu:type:x86,ven0000fam0006mod0006:feature:,0000,0001,0002,0003,0080", true },
		/* a host CPU with SSE4.2 */
		{ "crc32c_intel", "cpu:type:x86,ven0000fam0006mod003F:feature:,0000,0094,00E5", false },
		{ "crc32c_generic", "cpu:type:x86,ven0000fam0006mod0006:feature:,0000", false },
		{ "virtio_blk", "cpu:type:x86,ven0000fam0006mod0006:feature:,0000", false },
		{ "crc32c_intel", "", true }, /* no CPU modalias matches nothing */
	};
	struct modalias_table t;
	(void) state;
	parse_lab(&t);
	for (size_t i = 0; i < ELEMENTSOF(cases); i++)
		if (modalias_cpu_lacks(&t, cases[i].module, cases[i].cpu) != cases[i].lacks)
			fail_msg("%s on %s: want %s", cases[i].module, cases[i].cpu, cases[i].lacks ? "lacks" : "not");
	modalias_table_free(&t);
}

/* One device matched by two modules: both are returned, in file order. */
static void test_match_several(void **state) {
	static const char text[] = "alias acpi*:MSFT0101:* tpm_tis\nalias pnp:dPNP0C31* tpm_tis\n"
				   "alias acpi*:MSFT0101:* tpm_crb\n";
	struct modalias_table t;
	unsigned line;
	char got[64];
	(void) state;
	assert_int_equal(modalias_parse(text, sizeof text - 1, &t, &line), 0);
	matches(&t, "acpi:MSFT0101:", got, sizeof got);
	assert_string_equal(got, "tpm_tis tpm_crb");
	modalias_table_free(&t);
}

#define EV(s) s, sizeof s - 1
static void test_uevent(void **state) {
	static const struct {
		const char *what, *buf;
		size_t len;
		int expect;
		const char *action, *subsystem, *modalias;
	} cases[] = {
		{ "a virtio disk",
		  EV("add@/devices/pci0000:00/0000:00:02.0/virtio0\0ACTION=add\0DEVPATH=/devices/pci0000:00/0000:00:02.0/"
		     "virtio0\0SUBSYSTEM=virtio\0MODALIAS=virtio:d00000002v00001AF4\0SEQNUM=1042\0"),
		  0, "add", "virtio", "virtio:d00000002v00001AF4" },
		{ "a block device has no MODALIAS",
		  EV("add@/devices/virtual/block/dm-0\0ACTION=add\0DEVPATH=/devices/virtual/block/dm-0\0SUBSYSTEM=block\0"),
		  0, "add", "block", NULL },
		{ "bind", EV("bind@/d\0ACTION=bind\0DEVPATH=/d\0SUBSYSTEM=scsi\0MODALIAS=scsi:t-0x00\0"), 0, "bind", "scsi",
		  "scsi:t-0x00" },
		{ "header and ACTION disagree", EV("remove@/d\0ACTION=add\0MODALIAS=scsi:t-0x00\0"), -EBADMSG, NULL, NULL,
		  NULL },
		{ "ACTION a prefix of the header's", EV("add@/d\0ACTION=ad\0"), -EBADMSG, NULL, NULL, NULL },
		{ "no ACTION", EV("add@/d\0DEVPATH=/d\0"), -EBADMSG, NULL, NULL, NULL },
		{ "no @ in the header (libudev's)", EV("libudev\0ACTION=add\0"), -EBADMSG, NULL, NULL, NULL },
		{ "empty action", EV("@/d\0ACTION=\0"), -EBADMSG, NULL, NULL, NULL },
		{ "empty path", EV("add@\0ACTION=add\0"), -EBADMSG, NULL, NULL, NULL },
		{ "a pair without =", EV("add@/d\0ACTION=add\0GARBAGE\0"), -EBADMSG, NULL, NULL, NULL },
		{ "an empty pair", EV("add@/d\0ACTION=add\0\0"), -EBADMSG, NULL, NULL, NULL },
		{ "not NUL-terminated", "add@/d\0ACTION=add", 17, -EBADMSG, NULL, NULL, NULL },
		{ "nothing", "", 0, -EBADMSG, NULL, NULL, NULL },
	};
	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct uevent ev;
		int r = uevent_parse(cases[i].buf, cases[i].len, &ev);
		if (r != cases[i].expect)
			fail_msg("%s: got %d, want %d", cases[i].what, r, cases[i].expect);
		if (r < 0) {
			assert_null(ev.action);
			assert_null(ev.modalias);
			continue;
		}
		assert_string_equal(ev.action, cases[i].action);
		assert_string_equal(ev.subsystem, cases[i].subsystem);
		if (cases[i].modalias)
			assert_string_equal(ev.modalias, cases[i].modalias);
		else
			assert_null(ev.modalias);
	}
}

int main(void) {
	const struct CMUnitTest tests[] = {
		/* clang-format off */
		cmocka_unit_test(test_parse_errors), cmocka_unit_test(test_too_many_entries),
		cmocka_unit_test(test_class),	     cmocka_unit_test(test_match),
		cmocka_unit_test(test_match_several), cmocka_unit_test(test_uevent),
		cmocka_unit_test(test_cpu_lacks),
		/* clang-format on */
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
