/* SPDX-License-Identifier: MIT */
/* pe_parse() and pe_find_section() as `verinit-measure predict --uki` uses them (measure/stub.c):
 * parse, find .linux and the other sections systemd-stub measures, and read each found section's
 * bytes from the file as add_section() does (ASan checks they lie inside the input). Checked: a
 * refusal says why; 1 to 96 sections with terminated names, raw data inside the file, memory inside
 * SizeOfImage; pe_find_section() returns the last section whose name starts with the wanted one. */
#include "fuzz.h"
#include "pe.h"

static const char *const stub_sections[] = { ".linux", ".osrel", ".cmdline", ".initrd",
					     ".splash", ".dtb", ".pcrpkey", ".text" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	static struct pe_image pe;
	struct parse_error err = {};

	int r = pe_parse(data, size, &pe, &err);
	fuzz_trace("pe_parse: %d, %zu sections %s", r, pe.n_sections, r < 0 ? err.msg : "");
	if (r < 0) {
		FUZZ_CHECK(r == -EBADMSG);
		fuzz_check_error(&err, false);
		return 0;
	}
	FUZZ_CHECK(r == 0);
	FUZZ_CHECK(pe.n_sections >= 1 && pe.n_sections <= PE_SECTIONS_MAX);
	for (size_t i = 0; i < pe.n_sections; i++) {
		const struct pe_section *s = &pe.sections[i];
		FUZZ_CHECK_STR(s->name);
		if (s->raw_size > 0)
			FUZZ_CHECK((uint64_t) s->raw_offset + s->raw_size <= size);
		FUZZ_CHECK((uint64_t) s->virtual_address + s->virtual_size <= pe.size_of_image);
	}

	for (size_t k = 0; k < sizeof stub_sections / sizeof stub_sections[0]; k++) {
		const char *name = stub_sections[k];
		const struct pe_section *s = pe_find_section(&pe, name);
		const struct pe_section *want = NULL;
		for (size_t i = 0; i < pe.n_sections; i++)
			if (strncmp(pe.sections[i].name, name, strlen(name)) == 0)
				want = &pe.sections[i];
		FUZZ_CHECK(s == want);
		if (!s || s->virtual_size == 0) /* the stub's "absent" */
			continue;
		uint32_t from_file = pe_section_file_bytes(s);
		FUZZ_CHECK(from_file <= s->virtual_size && from_file <= s->raw_size);
		/* What add_section() hashes from the file; the rest is the loader's zeros. */
		volatile uint8_t sum = 0;
		for (uint32_t i = 0; i < from_file; i++)
			sum ^= data[s->raw_offset + i];
		(void) sum;
	}
	FUZZ_CHECK(pe_find_section(&pe, ".toolongname") == NULL);
	return 0;
}
