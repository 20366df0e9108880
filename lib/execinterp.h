/* SPDX-License-Identifier: MIT */
/* What else the kernel loads when it executes a file: a script's "#!" interpreter, an ELF's
 * PT_INTERP (the dynamic loader). The hand-over checks that each of them, too, is on the verified
 * /usr: an init on /usr whose loader comes off the writable root is the root's code as PID 1. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "parse.h"

/* The kernel reads at most this much of a script's first line (BINPRM_BUF_SIZE); verinit reads
 * this much of an ELF to find its program headers and PT_INTERP. */
#define EXEC_SCRIPT_HEAD 256
#define EXEC_HEAD_MAX 65536
#define EXEC_INTERP_MAX 256

enum exec_kind {
	EXEC_STATIC, /* an ELF without PT_INTERP: nothing else is loaded */
	EXEC_ELF,    /* an ELF with PT_INTERP: the kernel maps that loader too */
	EXEC_SCRIPT, /* "#!": the kernel executes the interpreter (which may be any of these) */
};

/* Parses the first len bytes of an executable file (a prefix of at most EXEC_HEAD_MAX bytes, the
 * whole file when shorter: file_size says which). On success writes the kind and, for EXEC_ELF
 * and EXEC_SCRIPT, the interpreter's path (absolute, NUL-terminated, at most EXEC_INTERP_MAX - 1
 * bytes) into interp. Returns 0, or, with err filled:
 *   -ENOEXEC  neither "#!" nor an ELF executable of this machine's class and byte order (the
 *             kernel has no other format verinit lets it use: binfmt_misc is not set up in an
 *             initramfs), an ELF that is not ET_EXEC or ET_DYN;
 *   -EBADMSG  a malformed ELF: program headers outside the file, two PT_INTERP, an interpreter
 *             path that is empty, not NUL-terminated or has a NUL inside;
 *   -EFBIG    the program headers or the path lie beyond the bytes given while the file goes on
 *             (a loader that far in is no file verinit hands over to);
 *   -EINVAL   an interpreter path that is not absolute (the kernel would resolve it against the
 *             working directory);
 *   -ENAMETOOLONG  an interpreter path of EXEC_INTERP_MAX bytes or more, or a "#!" line with no
 *             end in the first EXEC_SCRIPT_HEAD bytes. */
int exec_interp(const uint8_t *buf, size_t len, uint64_t file_size, enum exec_kind *kind,
		char interp[static EXEC_INTERP_MAX], struct parse_error *err);
