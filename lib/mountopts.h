/* SPDX-License-Identifier: MIT */
/* Mount options as written in fstab ("ro,noatime,data=ordered") split into what mount(2) takes:
 * MS_* flags, and the string the file system parses. The VFS flags must not reach the file
 * system's string: ext4 refuses "nodev" as an unknown option. */
#pragma once

#include <stddef.h>

/* Parses the comma-separated opts (may be "") into *flags (OR-ed into what is there) and data,
 * which receives the options that are not VFS flags ("rw" and "exec" are mount(2)'s defaults and
 * add nothing), comma-separated ("" when none).
 * Returns 0, -EINVAL for an empty option (",," or a trailing comma) or for "dev" or "suid" (verinit
 * mounts everything nodev and nosuid), or -E2BIG when data does not fit data_size. */
int mountopts_parse(const char *opts, unsigned long *flags, char *data, size_t data_size);
