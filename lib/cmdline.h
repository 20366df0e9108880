/* SPDX-License-Identifier: MIT */
/* The kernel command line (/proc/cmdline). Whoever can edit it is not trusted: it may narrow what
 * /etc/verinit.conf allows (pin the root hash, choose among allowed devices, tighten a mode) but
 * never weaken enforcement. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "parse.h"

#define CMDLINE_MAX 4096                  /* bytes of /proc/cmdline */
#define CMDLINE_KEY_MAX 64                /* longest key we record, with its NUL */
#define CMDLINE_VALUE_MAX CONFIG_PATH_MAX /* longest value we record, with its NUL */
#define CMDLINE_VERINIT_MAX 16            /* verinit.* words */

/* The words verinit understands besides verinit.*; systemd's spelling. */
enum cmdline_key {
	CMDLINE_USRHASH,
	CMDLINE_MOUNT_USR,
	CMDLINE_MOUNT_USRFSTYPE,
	CMDLINE_MOUNT_USRFLAGS,
	CMDLINE_VERITY_USR_DATA,
	CMDLINE_VERITY_USR_HASH,
	CMDLINE_VERITY_USR_OPTIONS,
	CMDLINE_ROOT,
	CMDLINE_ROOTFSTYPE,
	CMDLINE_ROOTFLAGS,
	CMDLINE_INIT,
	CMDLINE_ENFORCING,   /* the kernel's and systemd's SELinux mode */
	CMDLINE_SELINUX,     /* selinux=0 turns SELinux off in the kernel */
	CMDLINE_IPE_ENFORCE, /* the kernel's initial IPE mode */
	_CMDLINE_KEY_MAX,
};

struct cmdline_word {
	unsigned word;                 /* 1-based position among all words; 0: absent */
	bool has_value;                /* "key=value", not a bare flag */
	char key[CMDLINE_KEY_MAX];     /* as written, quotes removed */
	char value[CMDLINE_VALUE_MAX]; /* quotes removed; "" for a flag */
};

struct cmdline {
	struct cmdline_word known[_CMDLINE_KEY_MAX];      /* indexed by enum cmdline_key */
	struct cmdline_word verinit[CMDLINE_VERINIT_MAX]; /* every verinit.* word, in order */
	size_t n_verinit;
	struct cmdline_word shell; /* the first word asking for a shell (rd.break, rd.shell, ...) */
};

/* Splits the command line as the kernel does (spaces, tabs and newlines; double quotes group, no
 * escapes) and records the words above. Keys compare as systemd compares them ('-' equals '_').
 * Returns 0, or fills err (line = word number) and returns -EINVAL (an unterminated quote, a
 * repeated word we understand, a word we understand without a value or with quotes elsewhere than
 * around the whole word or the whole value, a usrhash= that is not 64 lowercase hex digits),
 * -EBADMSG (a NUL or a control character other than a tab or newline) or -E2BIG (the command line,
 * or a key or value we record, is longer than its limit; more than CMDLINE_VERINIT_MAX verinit.*
 * words). */
int cmdline_parse(const char *buf, size_t len, struct cmdline *out, struct parse_error *err);

/* Merges the words into c. Returns 0, or fills err (line = word number, the message names the word)
 * and returns -EPERM (the word would weaken enforcement, asks for a shell, or is a verinit.* word
 * this version does not know) or -EINVAL (a bad value, or two words that contradict each other).
 * On error *c is left as it was. */
int cmdline_apply(const struct cmdline *cl, struct config *c, struct parse_error *err);
