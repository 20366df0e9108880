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
#define CMDLINE_UNLISTED_MAX 16           /* words outside every list, for the config to admit */

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
	CMDLINE_LSM,         /* the kernel's LSMs: may not drop one a policy needs */
	CMDLINE_SECURITY,    /* the kernel's legacy choice of a major LSM */
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
	/* Words on none of verinit's lists (lib/cmdline.c's kernel_words), in order: refused unless
	 * the config's cmdline.allow names their key. Values are cut to fit. */
	struct cmdline_word unlisted[CMDLINE_UNLISTED_MAX];
	size_t n_unlisted;
	/* "enforcing=" somewhere other than at the start of an unquoted word: libselinux, reading
	 * /proc/cmdline after the hand-over by substring, would take (or give up on) it there. */
	unsigned enforcing_inside;
};

/* Splits the command line as the kernel does (spaces, tabs and newlines; double quotes group, no
 * escapes) and records the words above. Keys compare as systemd compares them ('-' equals '_').
 * Returns 0, or fills err (line = word number) and returns -EINVAL (an unterminated quote, a single
 * quote anywhere (systemd strips them, the kernel does not), a repeated word we understand, a word
 * we understand without a value or with quotes elsewhere than around the whole word or the whole
 * value, a usrhash= that is not 64 lowercase hex digits), -EBADMSG (a NUL, a control character
 * other than a tab or newline, a byte of 0x80 or above: the kernel splits at 0xa0 too) or -E2BIG
 * (the command line, or a key or value we record, is longer than its limit; more than
 * CMDLINE_VERINIT_MAX verinit.* words or CMDLINE_UNLISTED_MAX unlisted ones). */
int cmdline_parse(const char *buf, size_t len, struct cmdline *out, struct parse_error *err);

/* Merges the words into c. Returns 0, or fills err (line = word number, the message names the word)
 * and returns -EPERM (the word would weaken enforcement, asks for a shell, is a verinit.* word this
 * version does not know, or is on no list and not in the config's cmdline.allow) or -EINVAL (a bad
 * value, or two words that contradict each other).
 * On error *c is left as it was. */
int cmdline_apply(const struct cmdline *cl, struct config *c, struct parse_error *err);
