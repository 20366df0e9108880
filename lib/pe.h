/* SPDX-License-Identifier: MIT */
/* The section table of a PE/COFF image (a UKI), read the way systemd-stub 252 reads it, so that
 * measure/ predicts from an image file exactly the bytes the stub measures at boot. Pure and
 * bounds-checked over (buffer, length): a UKI to predict from may come from anywhere. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "parse.h"

#define PE_SECTIONS_MAX 96 /* systemd-stub refuses an image with more */

struct pe_section {
	char name[9];             /* the 8-byte name up to its first NUL */
	uint32_t virtual_size;    /* bytes in memory once loaded: what the stub measures */
	uint32_t virtual_address; /* relative to the image base */
	uint32_t raw_size;        /* SizeOfRawData: bytes in the file, padded to FileAlignment */
	uint32_t raw_offset;      /* PointerToRawData */
};

struct pe_image {
	uint16_t machine; /* IMAGE_FILE_MACHINE_*, 0x8664 on x86-64 */
	uint32_t size_of_image;
	size_t n_sections;
	struct pe_section sections[PE_SECTIONS_MAX];
};

/* Parses the DOS and PE headers and the section table. Checked: "MZ" and "PE\0\0", 1 to 96
 * sections (systemd-stub's limit), a PE32 or PE32+ optional header long enough for SizeOfImage,
 * every header and the whole table inside len, every section's raw data inside len and its
 * memory range inside SizeOfImage, without 32-bit wrap-around. The machine is not checked: that
 * is for the firmware. Returns 0, or -EBADMSG with err (line 0 for the headers, else the 1-based
 * section) saying what is wrong. */
int pe_parse(const void *buf, size_t len, struct pe_image *pe, struct parse_error *err);

/* The section systemd-stub 252 takes for name (".linux"): like the stub, it compares only
 * strlen(name) bytes of the 8-byte name field, and a later match replaces an earlier one. NULL
 * when none matches. The stub skips a match whose virtual_size is 0: so must its callers. */
const struct pe_section *pe_find_section(const struct pe_image *pe, const char *name);

/* How many of the section's measured bytes (virtual_size) come from the file; the firmware's
 * loader zero-fills the rest, and that is what the stub hashes. objcopy -O binary extracts only
 * these bytes, so for a section with virtual_size > raw_size an extracted file is short. */
static inline uint32_t pe_section_file_bytes(const struct pe_section *s) {
	return s->virtual_size < s->raw_size ? s->virtual_size : s->raw_size;
}
