/* SPDX-License-Identifier: MIT */
/* Shell-style assignment files such as the lab's usr.env ("ROOTHASH=<hex>" lines, written by
 * qemu/usr-image.sh for the shell). Read without a shell: only the plain forms are accepted, and
 * anything a shell would expand or unescape is refused rather than misread. */
#pragma once

#include <stddef.h>

#include "parse.h"

#define ENVFILE_MAX 65536 /* 64 KiB */

/* Finds key in the whole text and copies its value, NUL-terminated, to out. Each line is blank,
 * a '#' comment, or NAME=VALUE with NAME [A-Za-z_][A-Za-z0-9_]* and VALUE bare (no space, quote,
 * '$', '`', '\\', ';', '&', '|', '<', '>', '(', ')'), in single quotes (no ' inside) or in
 * double quotes (no '"', '$', '`' or '\\' inside). Every line is checked, not only key's.
 * Returns 0, -ENOENT (no such key), -EBADMSG (err names the 1-based line: another form, a control
 * character, a name assigned twice), -E2BIG (the text is over 64 KiB, or the value does not fit
 * size). */
int envfile_get(const char *buf, size_t len, const char *key, char *out, size_t size, struct parse_error *err);
