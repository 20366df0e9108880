/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>

#include "pe.h"

#define DOS_HEADER_SIZE 64
#define DOS_LFANEW 0x3c
#define COFF_HEADER_SIZE 20  /* after the 4-byte "PE\0\0" */
#define OPT_SIZE_OF_IMAGE 56 /* the same offset in PE32 and PE32+ */
#define OPT_MIN (OPT_SIZE_OF_IMAGE + 4)
#define SECTION_HEADER_SIZE 40

/* The file is little-endian whatever the host is, and nothing in it is aligned. */
static uint16_t le16(const uint8_t *p) {
	return (uint16_t) (p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p) {
	return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}

static int parse_section(const uint8_t *h, size_t len, uint32_t size_of_image, unsigned idx, struct pe_section *s,
			 struct parse_error *err) {
	memset(s, 0, sizeof *s);
	memcpy(s->name, h, 8);
	s->virtual_size = le32(h + 8);
	s->virtual_address = le32(h + 12);
	s->raw_size = le32(h + 16);
	s->raw_offset = le32(h + 20);

	/* 64-bit sums: two 32-bit fields can add up past 4 GiB and wrap to something small. */
	if (s->raw_size > 0 && (uint64_t) s->raw_offset + s->raw_size > len)
		return parse_fail(err, idx, -EBADMSG,
				  "section '%s': raw data at 0x%x, 0x%x bytes, runs past the end of the file (%zu bytes)",
				  s->name, s->raw_offset, s->raw_size, len);
	if ((uint64_t) s->virtual_address + s->virtual_size > size_of_image)
		return parse_fail(err, idx, -EBADMSG,
				  "section '%s': memory at 0x%x, 0x%x bytes, runs past SizeOfImage 0x%x", s->name,
				  s->virtual_address, s->virtual_size, size_of_image);
	return 0;
}

int pe_parse(const void *buf, size_t len, struct pe_image *pe, struct parse_error *err) {
	const uint8_t *b = buf;

	memset(pe, 0, sizeof *pe);
	if (len < DOS_HEADER_SIZE || b[0] != 'M' || b[1] != 'Z')
		return parse_fail(err, 0, -EBADMSG, "not a PE image: no MZ header");
	uint64_t pe_off = le32(b + DOS_LFANEW);
	if (pe_off + 4 + COFF_HEADER_SIZE + 2 > len)
		return parse_fail(err, 0, -EBADMSG, "the PE header at 0x%llx lies outside the file (%zu bytes)",
				  (unsigned long long) pe_off, len);
	const uint8_t *coff = b + pe_off + 4;
	if (memcmp(b + pe_off, "PE\0\0", 4) != 0)
		return parse_fail(err, 0, -EBADMSG, "not a PE image: no PE signature at 0x%llx",
				  (unsigned long long) pe_off);

	pe->machine = le16(coff);
	unsigned n = le16(coff + 2);
	uint64_t opt_size = le16(coff + 16);
	const uint8_t *opt = coff + COFF_HEADER_SIZE;
	if (n == 0 || n > PE_SECTIONS_MAX)
		return parse_fail(err, 0, -EBADMSG, "%u sections; systemd-stub takes 1 to %d", n, PE_SECTIONS_MAX);
	if (le16(opt) != 0x10b && le16(opt) != 0x20b)
		return parse_fail(err, 0, -EBADMSG, "optional header magic 0x%04x is neither PE32 nor PE32+", le16(opt));
	uint64_t table = pe_off + 4 + COFF_HEADER_SIZE + opt_size;
	if (opt_size < OPT_MIN || table > len)
		return parse_fail(err, 0, -EBADMSG, "optional header of %llu bytes: too short or past the end of the file",
				  (unsigned long long) opt_size);
	pe->size_of_image = le32(opt + OPT_SIZE_OF_IMAGE);
	if (table + (uint64_t) n * SECTION_HEADER_SIZE > len)
		return parse_fail(err, 0, -EBADMSG, "the table of %u sections at 0x%llx runs past the end of the file", n,
				  (unsigned long long) table);

	for (unsigned i = 0; i < n; i++) {
		int r = parse_section(b + table + (size_t) i * SECTION_HEADER_SIZE, len, pe->size_of_image, i + 1,
				      &pe->sections[i], err);
		if (r < 0)
			return r;
	}
	pe->n_sections = n;
	return 0;
}

const struct pe_section *pe_find_section(const struct pe_image *pe, const char *name) {
	const struct pe_section *found = NULL;
	size_t l = strlen(name);

	if (l > 8)
		return NULL;
	/* name[] stops at the field's first NUL, so strncmp over l bytes is the stub's memcmp. */
	for (size_t i = 0; i < pe->n_sections; i++)
		if (strncmp(pe->sections[i].name, name, l) == 0)
			found = &pe->sections[i];
	return found;
}
