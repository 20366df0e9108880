/* SPDX-License-Identifier: MIT */
/* The rules are the kernel's (fs/binfmt_script.c, fs/binfmt_elf.c), read for their semantics and
 * made stricter where the kernel would take something no real executable has. */
#include <elf.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "execinterp.h"

/* The class and byte order of the machine verinit runs on: the only ELF its kernel executes
 * natively (a compat 32-bit init is no supported hand-over). */
#if __SIZEOF_POINTER__ == 8
#define ELF_CLASS ELFCLASS64
typedef Elf64_Ehdr ehdr_t;
typedef Elf64_Phdr phdr_t;
#else
#define ELF_CLASS ELFCLASS32
typedef Elf32_Ehdr ehdr_t;
typedef Elf32_Phdr phdr_t;
#endif
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ELF_DATA ELFDATA2LSB
#else
#define ELF_DATA ELFDATA2MSB
#endif

/* Beyond the bytes given: malformed when they were the whole file, too far in otherwise. */
static int beyond(size_t len, uint64_t file_size, struct parse_error *err, const char *what) {
	if (file_size > len)
		return parse_fail(err, 0, -EFBIG, "the %s lie beyond the first %zu bytes", what, len);
	return parse_fail(err, 0, -EBADMSG, "the %s lie beyond the end of the file (%zu bytes)", what, len);
}

static int check_path(const char *p, size_t n, struct parse_error *err, const char *what) {
	if (n == 0)
		return parse_fail(err, 0, -EBADMSG, "an empty %s", what);
	if (n >= EXEC_INTERP_MAX)
		return parse_fail(err, 0, -ENAMETOOLONG, "a %s of %zu bytes (at most %d)", what, n, EXEC_INTERP_MAX - 1);
	if (p[0] != '/')
		return parse_fail(err, 0, -EINVAL, "a %s that is not an absolute path", what);
	return 0;
}

/* line: the head of a "#!" file as the kernel reads it, head bytes of it; whole: the file ends
 * there (the kernel sees NULs after the end). */
static int script(const char *line, size_t head, bool whole, char *interp, struct parse_error *err) {
	size_t start = 2;
	while (start < head && (line[start] == ' ' || line[start] == '\t'))
		start++;
	size_t end = start;
	while (end < head && !memchr(" \t\n", line[end], 4))
		end++;
	if (end == head && !whole)
		return parse_fail(err, 0, -ENAMETOOLONG, "a \"#!\" line whose interpreter does not end in the first %d bytes",
				  EXEC_SCRIPT_HEAD);
	int r = check_path(line + start, end - start, err, "\"#!\" interpreter");
	if (r < 0)
		return r;
	memcpy(interp, line + start, end - start);
	interp[end - start] = '\0';
	return 0;
}

static int elf(const uint8_t *buf, size_t len, uint64_t file_size, enum exec_kind *kind, char *interp,
	       struct parse_error *err) {
	ehdr_t eh;
	if (len < sizeof eh)
		return beyond(len, file_size, err, "ELF header's bytes");
	memcpy(&eh, buf, sizeof eh);
	if (eh.e_ident[EI_CLASS] != ELF_CLASS || eh.e_ident[EI_DATA] != ELF_DATA)
		return parse_fail(err, 0, -ENOEXEC, "an ELF of another class or byte order than this machine's");
	if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)
		return parse_fail(err, 0, -ENOEXEC, "an ELF of type %u, not an executable", (unsigned) eh.e_type);
	if (eh.e_phentsize != sizeof(phdr_t))
		return parse_fail(err, 0, -EBADMSG, "ELF program headers of %u bytes", (unsigned) eh.e_phentsize);
	uint64_t end = (uint64_t) eh.e_phoff + (uint64_t) eh.e_phnum * sizeof(phdr_t);
	if (end < eh.e_phoff)
		return parse_fail(err, 0, -EBADMSG, "ELF program headers past the end of any file");
	if (end > len)
		return beyond(len, file_size, err, "ELF program headers");

	int found = 0;
	for (size_t i = 0; i < eh.e_phnum; i++) {
		phdr_t ph;
		memcpy(&ph, buf + eh.e_phoff + i * sizeof ph, sizeof ph);
		if (ph.p_type != PT_INTERP)
			continue;
		if (found++)
			return parse_fail(err, 0, -EBADMSG, "two PT_INTERP program headers");
		uint64_t pend = (uint64_t) ph.p_offset + ph.p_filesz;
		if (pend < ph.p_offset)
			return parse_fail(err, 0, -EBADMSG, "a PT_INTERP past the end of any file");
		if (ph.p_filesz > EXEC_INTERP_MAX)
			return parse_fail(err, 0, -ENAMETOOLONG, "a PT_INTERP of %llu bytes (at most %d)",
					  (unsigned long long) ph.p_filesz, EXEC_INTERP_MAX);
		if (pend > len)
			return beyond(len, file_size, err, "PT_INTERP's bytes");
		const char *p = (const char *) buf + ph.p_offset;
		size_t n = (size_t) ph.p_filesz;
		/* The kernel wants the NUL last; a NUL before it would make the path it opens a prefix of
		 * the one a reader of the header sees. */
		if (n == 0 || p[n - 1] != '\0' || memchr(p, '\0', n - 1))
			return parse_fail(err, 0, -EBADMSG, "a PT_INTERP that is not one NUL-terminated path");
		int r = check_path(p, n - 1, err, "PT_INTERP");
		if (r < 0)
			return r;
		memcpy(interp, p, n);
	}
	*kind = found ? EXEC_ELF : EXEC_STATIC;
	return 0;
}

int exec_interp(const uint8_t *buf, size_t len, uint64_t file_size, enum exec_kind *kind,
		char interp[static EXEC_INTERP_MAX], struct parse_error *err) {
	enum exec_kind k = EXEC_STATIC;
	char out[EXEC_INTERP_MAX] = "";
	int r;

	if (len > file_size)
		return parse_fail(err, 0, -EINVAL, "internal: %zu bytes of a %llu-byte file", len,
				  (unsigned long long) file_size);
	if (len >= 2 && buf[0] == '#' && buf[1] == '!') {
		k = EXEC_SCRIPT;
		r = script((const char *) buf, len < EXEC_SCRIPT_HEAD ? len : EXEC_SCRIPT_HEAD,
			   len == file_size && len <= EXEC_SCRIPT_HEAD, out, err);
	} else if (len >= SELFMAG && memcmp(buf, ELFMAG, SELFMAG) == 0)
		r = elf(buf, len, file_size, &k, out, err);
	else
		r = parse_fail(err, 0, -ENOEXEC, "neither \"#!\" nor an ELF executable");
	if (r < 0)
		return r;
	*kind = k;
	memcpy(interp, out, sizeof out);
	return 0;
}
