/* SPDX-License-Identifier: MIT */
/* The PE section reader: a small well-formed image, then a table of one-field corruptions of it
 * with the expected error and place, and systemd-stub's way of finding sections. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "macro.h"
#include "pe.h"

/* Layout: DOS header, "PE\0\0" at 0x40, COFF header, a 240-byte PE32+ optional header, the
 * section table at 0x148, raw data from 0x200. */
#define PE_OFF 0x40
#define COFF (PE_OFF + 4)
#define OPT (COFF + 20)
#define TABLE 0x148
#define SEC(i, field) (TABLE + 40 * (i) + (field))
#define F_VSIZE 8
#define F_VADDR 12
#define F_RSIZE 16
#define F_RPTR 20
#define IMAGE_SIZE 0x800

static uint8_t img[IMAGE_SIZE];

static void put16(size_t off, uint16_t v) {
	img[off] = (uint8_t) v;
	img[off + 1] = (uint8_t) (v >> 8);
}

static void put32(size_t off, uint32_t v) {
	for (int i = 0; i < 4; i++)
		img[off + (size_t) i] = (uint8_t) (v >> (8 * i));
}

static void section(unsigned i, const char *name, uint32_t vsize, uint32_t vaddr, uint32_t rsize, uint32_t rptr) {
	memcpy(&img[SEC(i, 0)], name, strnlen(name, 8));
	put32(SEC(i, F_VSIZE), vsize);
	put32(SEC(i, F_VADDR), vaddr);
	put32(SEC(i, F_RSIZE), rsize);
	put32(SEC(i, F_RPTR), rptr);
}

static void build(void) {
	memset(img, 0, sizeof img);
	img[0] = 'M';
	img[1] = 'Z';
	put32(0x3c, PE_OFF);
	memcpy(&img[PE_OFF], "PE\0\0", 4);
	put16(COFF, 0x8664);
	put16(COFF + 2, 3);
	put16(COFF + 16, 240);
	put16(OPT, 0x20b);
	put32(OPT + 56, 0x4000); /* SizeOfImage */
	section(0, ".text", 0x200, 0x1000, 0x200, 0x200);
	section(1, ".linux", 0x100, 0x2000, 0x200, 0x400);
	section(2, ".cmdline", 0x10, 0x3000, 0x200, 0x600);
}

static void test_good(void **state) {
	struct pe_image pe;
	struct parse_error err = {};
	(void) state;
	build();
	assert_int_equal(pe_parse(img, sizeof img, &pe, &err), 0);
	assert_int_equal(pe.machine, 0x8664);
	assert_int_equal(pe.n_sections, 3);
	assert_string_equal(pe.sections[2].name, ".cmdline"); /* all 8 bytes, no NUL in the file */
	assert_int_equal(pe.sections[1].virtual_size, 0x100);
	assert_int_equal(pe.sections[1].raw_offset, 0x400);
	assert_int_equal(pe_section_file_bytes(&pe.sections[1]), 0x100);

	/* A PE32 optional header is as good; raw data of size 0 may point anywhere. */
	put16(OPT, 0x10b);
	put32(SEC(0, F_RSIZE), 0);
	put32(SEC(0, F_RPTR), 0xffffffff);
	assert_int_equal(pe_parse(img, sizeof img, &pe, &err), 0);
	assert_int_equal(pe_section_file_bytes(&pe.sections[0]), 0);
}

static void test_malformed_table(void **state) {
	static const struct {
		const char *what;
		size_t off;     /* the field changed, 0 for none */
		unsigned width; /* 2 or 4 */
		uint32_t value;
		size_t len; /* bytes given to the parser */
		unsigned place;
		const char *msg;
	} cases[] = {
		{ "truncated DOS header", 0, 0, 0, 63, 0, "no MZ header" },
		{ "empty", 0, 0, 0, 0, 0, "no MZ header" },
		{ "no MZ", 0, 2, 0x5a4e, IMAGE_SIZE, 0, "no MZ header" },
		{ "PE header past the end", 0x3c, 4, IMAGE_SIZE - 8, IMAGE_SIZE, 0, "lies outside the file" },
		{ "PE offset near 4 GiB", 0x3c, 4, 0xfffffff0, IMAGE_SIZE, 0, "lies outside the file" },
		{ "truncated COFF header", 0, 0, 0, COFF + 10, 0, "lies outside the file" },
		{ "no PE signature", PE_OFF, 2, 0x4550 + 1, IMAGE_SIZE, 0, "no PE signature" },
		{ "no sections", COFF + 2, 2, 0, IMAGE_SIZE, 0, "0 sections" },
		{ "97 sections", COFF + 2, 2, 97, IMAGE_SIZE, 0, "97 sections" },
		{ "ROM optional header", OPT, 2, 0x107, IMAGE_SIZE, 0, "neither PE32 nor PE32+" },
		{ "optional header too short", COFF + 16, 2, 58, IMAGE_SIZE, 0, "too short" },
		{ "optional header past the end", COFF + 16, 2, 0xffff, IMAGE_SIZE, 0, "past the end" },
		{ "truncated optional header", 0, 0, 0, OPT + 100, 0, "past the end" },
		{ "section table past the end", COFF + 2, 2, 96, IMAGE_SIZE, 0, "table of 96 sections" },
		{ "truncated section table", 0, 0, 0, TABLE + 100, 0, "table of 3 sections" },
		{ "raw data past the end", SEC(1, F_RPTR), 4, IMAGE_SIZE - 0x100, IMAGE_SIZE, 2, "'.linux': raw data" },
		{ "raw data cut off", 0, 0, 0, 0x700, 3, "'.cmdline': raw data at 0x600" },
		{ "raw offset wraps 32 bits", SEC(1, F_RPTR), 4, 0xffffff00, IMAGE_SIZE, 2, "runs past the end" },
		{ "raw size wraps 32 bits", SEC(2, F_RSIZE), 4, 0xfffffc00, IMAGE_SIZE, 3, "runs past the end" },
		{ "memory past SizeOfImage", SEC(2, F_VSIZE), 4, 0x1001, IMAGE_SIZE, 3, "past SizeOfImage 0x4000" },
		{ "memory wraps 32 bits", SEC(0, F_VADDR), 4, 0xfffff000, IMAGE_SIZE, 1, "past SizeOfImage" },
	};
	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct pe_image pe;
		struct parse_error err = {};
		build();
		if (cases[i].width == 2)
			put16(cases[i].off, (uint16_t) cases[i].value);
		else if (cases[i].width == 4)
			put32(cases[i].off, cases[i].value);
		int r = pe_parse(img, cases[i].len, &pe, &err);
		if (r != -EBADMSG)
			fail_msg("%s: returned %d, want -EBADMSG", cases[i].what, r);
		if (err.line != cases[i].place || !strstr(err.msg, cases[i].msg))
			fail_msg("%s: at %u '%s', want %u '%s'", cases[i].what, err.line, err.msg, cases[i].place,
				 cases[i].msg);
	}
}

static void test_find_like_the_stub(void **state) {
	struct pe_image pe;
	struct parse_error err = {};
	(void) state;
	build();
	/* The stub compares strlen(name) bytes: ".linuxAB" is a .linux, and the last one wins. */
	section(0, ".linuxAB", 0x40, 0x1000, 0x200, 0x200);
	assert_int_equal(pe_parse(img, sizeof img, &pe, &err), 0);
	assert_ptr_equal(pe_find_section(&pe, ".linux"), &pe.sections[1]);
	section(1, ".initrd", 0x100, 0x2000, 0x200, 0x400);
	assert_int_equal(pe_parse(img, sizeof img, &pe, &err), 0);
	assert_ptr_equal(pe_find_section(&pe, ".linux"), &pe.sections[0]);
	assert_ptr_equal(pe_find_section(&pe, ".cmdline"), &pe.sections[2]);
	assert_null(pe_find_section(&pe, ".osrel"));
	assert_null(pe_find_section(&pe, ".cmdlinex")); /* longer than a name can be */
	/* A section bigger in memory than in the file: the rest is the loader's zeros. */
	put32(SEC(2, F_VSIZE), 0x300);
	assert_int_equal(pe_parse(img, sizeof img, &pe, &err), 0);
	assert_int_equal(pe_section_file_bytes(pe_find_section(&pe, ".cmdline")), 0x200);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_malformed_table),
		cmocka_unit_test(test_find_like_the_stub),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
