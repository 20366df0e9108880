/* SPDX-License-Identifier: MIT */
/* exec_interp(): a table of crafted ELF headers and "#!" lines, with the interpreter or the error
 * each must give; and the host's own executables (a dynamic /bin/ls, whose loader the kernel maps). */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "execinterp.h"
#include "macro.h"

#define LOADER "/lib64/ld-linux-x86-64.so.2"

/* An ELF executable as a linker lays it out: header, program headers at 64, PT_INTERP's path
 * after them. Each field that a case breaks is a parameter. */
struct elf_shape {
	unsigned char class, data;
	uint16_t type, phentsize, phnum;
	uint64_t phoff;
	int interps;       /* PT_INTERP headers, each pointing at the path */
	const char *path;  /* written at path_off, with its NUL unless raw_len is set */
	uint64_t path_off; /* 0: right after the program headers */
	uint64_t raw_len;  /* p_filesz when not strlen(path) + 1 */
	bool zero_len;     /* p_filesz 0 */
};

static size_t mk_elf(const struct elf_shape *s, uint8_t *out, size_t size) {
	Elf64_Ehdr eh = { 0 };
	memset(out, 0, size);
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = s->class ? s->class : ELFCLASS64;
	eh.e_ident[EI_DATA] = s->data ? s->data : ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = s->type ? s->type : ET_DYN;
	eh.e_machine = EM_X86_64;
	eh.e_phoff = s->phoff ? s->phoff : sizeof eh;
	eh.e_phentsize = s->phentsize ? s->phentsize : sizeof(Elf64_Phdr);
	eh.e_phnum = s->phnum ? s->phnum : 3;
	memcpy(out, &eh, sizeof eh);
	uint64_t path_off = s->path_off ? s->path_off : sizeof eh + 3 * sizeof(Elf64_Phdr);
	size_t end = (size_t) path_off;
	if (s->path && path_off + strlen(s->path) + 1 <= size) {
		memcpy(out + path_off, s->path, strlen(s->path) + 1);
		end += strlen(s->path) + 1;
	}
	for (int i = 0; i < 3 && sizeof eh + (size_t) (i + 1) * sizeof(Elf64_Phdr) <= size; i++) {
		Elf64_Phdr ph = { .p_type = i < s->interps ? PT_INTERP : PT_LOAD };
		if (ph.p_type == PT_INTERP) {
			ph.p_offset = path_off;
			ph.p_filesz = s->zero_len  ? 0
				      : s->raw_len ? s->raw_len
						   : (s->path ? strlen(s->path) + 1 : 0);
		}
		memcpy(out + sizeof eh + (size_t) i * sizeof ph, &ph, sizeof ph);
	}
	return end > 512 ? end : 512;
}

static void test_elf_table(void **state) {
	static const struct {
		const char *what;
		struct elf_shape s;
		size_t cut; /* give only this many bytes (0: all), the file being longer */
		int expect; /* 0 or -errno */
		enum exec_kind kind;
		const char *interp;
	} cases[] = {
		{ "dynamic", { .interps = 1, .path = LOADER }, 0, 0, EXEC_ELF, LOADER },
		{ "static", { .interps = 0 }, 0, 0, EXEC_STATIC, "" },
		{ "ET_EXEC", { .type = ET_EXEC, .interps = 1, .path = LOADER }, 0, 0, EXEC_ELF, LOADER },
		{ "ET_REL", { .type = ET_REL }, 0, -ENOEXEC, 0, NULL },
		{ "32-bit", { .class = ELFCLASS32 }, 0, -ENOEXEC, 0, NULL },
		{ "big-endian", { .data = ELFDATA2MSB }, 0, -ENOEXEC, 0, NULL },
		{ "two PT_INTERP", { .interps = 2, .path = LOADER }, 0, -EBADMSG, 0, NULL },
		{ "odd phentsize", { .phentsize = 40, .interps = 1, .path = LOADER }, 0, -EBADMSG, 0, NULL },
		{ "phdrs past the end", { .phoff = 480, .interps = 1, .path = LOADER }, 0, -EBADMSG, 0, NULL },
		{ "phdrs past what was read", { .interps = 1, .path = LOADER }, 100, -EFBIG, 0, NULL },
		{ "phoff overflows", { .phoff = UINT64_MAX - 8 }, 0, -EBADMSG, 0, NULL },
		{ "path past the end", { .interps = 1, .path = LOADER, .path_off = 1000 }, 0, -EBADMSG, 0, NULL },
		{ "path past what was read", { .interps = 1, .path = LOADER }, 240, -EFBIG, 0, NULL },
		{ "path offset overflows", { .interps = 1, .path_off = UINT64_MAX - 2, .raw_len = 8 }, 0, -EBADMSG, 0, NULL },
		{ "no NUL", { .interps = 1, .path = LOADER, .raw_len = sizeof LOADER - 1 }, 0, -EBADMSG, 0, NULL },
		{ "NUL inside", { .interps = 1, .path = LOADER, .raw_len = sizeof LOADER + 1 }, 0, -EBADMSG, 0, NULL },
		{ "empty", { .interps = 1, .path = "" }, 0, -EBADMSG, 0, NULL },
		{ "zero length", { .interps = 1, .path = LOADER, .zero_len = true }, 0, -EBADMSG, 0, NULL },
		{ "relative", { .interps = 1, .path = "lib/ld.so" }, 0, -EINVAL, 0, NULL },
		{ "too long", { .interps = 1, .path = LOADER, .raw_len = 4096 }, 0, -ENAMETOOLONG, 0, NULL },
	};
	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		uint8_t buf[1024];
		char interp[EXEC_INTERP_MAX] = "untouched";
		enum exec_kind kind = EXEC_SCRIPT;
		struct parse_error err = { 0 };
		size_t n = mk_elf(&cases[i].s, buf, sizeof buf);
		size_t len = cases[i].cut ? cases[i].cut : n;
		int r = exec_interp(buf, len, n, &kind, interp, &err);
		if (r != cases[i].expect)
			fail_msg("%s: returned %d (%s), want %d", cases[i].what, r, err.msg, cases[i].expect);
		if (r < 0) {
			if (!err.msg[0])
				fail_msg("%s: no message", cases[i].what);
			if (strcmp(interp, "untouched") != 0 || kind != EXEC_SCRIPT)
				fail_msg("%s: a refusal wrote its outputs", cases[i].what);
			continue;
		}
		if (kind != cases[i].kind || strcmp(interp, cases[i].interp) != 0)
			fail_msg("%s: kind %d '%s', want %d '%s'", cases[i].what, kind, interp, cases[i].kind, cases[i].interp);
	}
}

static void test_script_table(void **state) {
	static const struct {
		const char *what, *text;
		bool longer; /* the file goes on after the text */
		int expect;
		const char *interp;
	} cases[] = {
		{ "busybox sh", "#!/usr/bin/busybox sh\necho\n", false, 0, "/usr/bin/busybox" },
		{ "space after #!", "#! \t/bin/sh -e\n", false, 0, "/bin/sh" },
		{ "no argument", "#!/bin/sh\n", false, 0, "/bin/sh" },
		{ "the whole file", "#!/bin/sh", false, 0, "/bin/sh" },
		{ "cut, the line ends", "#!/bin/sh\n", true, 0, "/bin/sh" },
		{ "cut mid-path", "#!/bin/s", true, -ENAMETOOLONG, NULL },
		{ "empty", "#!\n", false, -EBADMSG, NULL },
		{ "only blanks", "#!   \n", false, -EBADMSG, NULL },
		{ "relative", "#!sh\n", false, -EINVAL, NULL },
		{ "neither", "echo hi\n", false, -ENOEXEC, NULL },
		{ "one byte", "#", false, -ENOEXEC, NULL },
	};
	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		char interp[EXEC_INTERP_MAX] = "untouched";
		enum exec_kind kind = EXEC_STATIC;
		struct parse_error err = { 0 };
		size_t len = strlen(cases[i].text);
		int r = exec_interp((const uint8_t *) cases[i].text, len, cases[i].longer ? len + 100 : len, &kind, interp,
				    &err);
		if (r != cases[i].expect)
			fail_msg("%s: returned %d (%s), want %d", cases[i].what, r, err.msg, cases[i].expect);
		if (r == 0 && (kind != EXEC_SCRIPT || strcmp(interp, cases[i].interp) != 0))
			fail_msg("%s: kind %d '%s', want a script of '%s'", cases[i].what, kind, interp, cases[i].interp);
		if (r < 0 && (strcmp(interp, "untouched") != 0 || !err.msg[0]))
			fail_msg("%s: a refusal wrote its outputs or said nothing", cases[i].what);
	}
}

/* A "#!" line longer than the kernel reads: the interpreter must end in the first 256 bytes. */
static void test_script_head(void **state) {
	char text[400], interp[EXEC_INTERP_MAX];
	enum exec_kind kind;
	(void) state;
	memset(text, 'a', sizeof text);
	memcpy(text, "#!/", 3);
	text[250] = ' ';
	assert_int_equal(exec_interp((uint8_t *) text, sizeof text, sizeof text, &kind, interp, NULL), 0);
	assert_int_equal(strlen(interp), 248);
	text[250] = 'a';
	assert_int_equal(exec_interp((uint8_t *) text, sizeof text, sizeof text, &kind, interp, NULL), -ENAMETOOLONG);
}

/* The host's /bin/ls is dynamically linked (Debian: glibc's loader); what the kernel maps for it is
 * what readelf says. */
static void test_host_binary(void **state) {
	static uint8_t buf[EXEC_HEAD_MAX];
	char interp[EXEC_INTERP_MAX];
	enum exec_kind kind;
	struct parse_error err = { 0 };
	struct stat st;
	(void) state;
	int fd = open("/bin/ls", O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	ssize_t n = read(fd, buf, sizeof buf);
	close(fd);
	assert_true(n > 0);
	int r = exec_interp(buf, (size_t) n, (uint64_t) st.st_size, &kind, interp, &err);
	if (r < 0)
		fail_msg("/bin/ls: %s", err.msg);
	assert_int_equal(kind, EXEC_ELF);
	assert_string_equal(interp, LOADER);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_elf_table),
		cmocka_unit_test(test_script_table),
		cmocka_unit_test(test_script_head),
		cmocka_unit_test(test_host_binary),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
