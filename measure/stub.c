/* SPDX-License-Identifier: MIT */
/* What systemd-stub 252 (Debian 12's linuxx64.efi.stub) extends into PCR 11 before the kernel
 * starts: for each section below that the UKI has, in this order (never .pcrsig, which signs
 * these very values), the digest of its name including the NUL, then the digest of its
 * VirtualSize bytes as the firmware loaded them. Checked against `systemd-measure calculate`
 * by test/measure-cli.sh. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "measure.h"
#include "pe.h"

#define SECTION_FILE_MAX ((size_t) 1 << 30)

const char *const stub_section_names[STUB_SECTIONS] = {
	/* clang-format off */
	".linux", ".osrel", ".cmdline", ".initrd", ".splash", ".dtb", ".pcrpkey",
	/* clang-format on */
};

static int add(struct eventlog_record *r, const char *name, const void *data, size_t len, unsigned banks,
	       const char *path) {
	memset(r, 0, sizeof *r);
	r->pcr = STUB_PCR;
	(void) snprintf(r->content_type, sizeof r->content_type, "systemd-stub");
	(void) snprintf(r->event_type, sizeof r->event_type, data ? "section" : "section-name");
	(void) snprintf(r->string, sizeof r->string, "%s", name);
	/* The name is hashed with its NUL: the stub passes strsize8(), not strlen8(). */
	int ret = data ? pcr_digests_of(banks, data, len, &r->digests)
		       : pcr_digests_of(banks, name, strlen(name) + 1, &r->digests);
	if (ret < 0)
		say("%s: cannot hash %s: %s", path, name, strerror(-ret));
	return ret;
}

static int add_pair(struct eventlog_record *out, size_t *n, const char *name, const void *data, size_t len,
		    unsigned banks, const char *path) {
	int r = add(&out[(*n)++], name, NULL, 0, banks, path);
	if (r >= 0)
		r = add(&out[(*n)++], name, data, len, banks, path);
	return r;
}

/* The section's bytes as the stub hashes them: from the loaded image, VirtualSize of them. */
static int add_section(const uint8_t *file, const struct pe_section *s, const char *name, unsigned banks,
		       struct eventlog_record *out, size_t *n, const char *path) {
	uint32_t from_file = pe_section_file_bytes(s);
	if (from_file == s->virtual_size)
		return add_pair(out, n, name, file + s->raw_offset, from_file, banks, path);

	/* The loader zero-fills past the raw data; the stub hashes memory, zeros included. */
	uint8_t *mem = calloc(1, s->virtual_size);
	if (!mem) {
		say("%s: out of memory for %s", path, name);
		return -ENOMEM;
	}
	memcpy(mem, file + s->raw_offset, from_file);
	say("%s: warning: %s has VirtualSize %u > SizeOfRawData %u: predicted with the %u zero bytes the firmware "
	    "adds, which a section extracted with objcopy lacks",
	    path, name, s->virtual_size, s->raw_size, s->virtual_size - from_file);
	int r = add_pair(out, n, name, mem, s->virtual_size, banks, path);
	free(mem);
	return r;
}

int stub_records_from_uki(const char *path, unsigned banks, struct eventlog_record *out) {
	_cleanup_free_ uint8_t *buf = NULL;
	struct pe_image pe;
	struct parse_error err = {};
	size_t len = 0, n = 0;

	int r = read_file(path, UKI_MAX, &buf, &len);
	if (r < 0)
		return r;
	r = pe_parse(buf, len, &pe, &err);
	if (r < 0) {
		if (err.line)
			say("%s: section %u: %s", path, err.line, err.msg);
		else
			say("%s: %s", path, err.msg);
		return r;
	}
	const struct pe_section *linux_section = pe_find_section(&pe, ".linux");
	if (!linux_section || linux_section->virtual_size == 0) {
		say("%s: no .linux section: not a UKI", path);
		return -ENOENT;
	}
	for (size_t i = 0; i < STUB_SECTIONS; i++) {
		const struct pe_section *s = pe_find_section(&pe, stub_section_names[i]);
		if (!s || s->virtual_size == 0) /* the stub takes a size of 0 for "absent" */
			continue;
		r = add_section(buf, s, stub_section_names[i], banks, out, &n, path);
		if (r < 0)
			return r;
	}
	return (int) n;
}

static int add_file(const char *path, const char *name, unsigned banks, struct eventlog_record *out, size_t *n) {
	_cleanup_free_ uint8_t *buf = NULL;
	size_t len = 0;
	int r = read_file(path, SECTION_FILE_MAX, &buf, &len);
	if (r < 0)
		return r;
	/* An empty file would be an empty section, which the stub does not measure at all. */
	return len == 0 ? 0 : add_pair(out, n, name, buf, len, banks, path);
}

int stub_records_from_files(const char *const files[STUB_SECTIONS], unsigned banks, struct eventlog_record *out) {
	size_t n = 0;

	if (!files[0]) {
		say("--linux is missing: systemd-stub boots nothing without a .linux section");
		return -EINVAL;
	}
	for (size_t i = 0; i < STUB_SECTIONS; i++) {
		int r = files[i] ? add_file(files[i], stub_section_names[i], banks, out, &n) : 0;
		if (r < 0)
			return r;
	}
	return (int) n;
}
