/* SPDX-License-Identifier: MIT */
/* What verinit reads from and writes for SELinux's userspace, as pure functions over buffers:
 * the binary policy's header, the active-LSM list, a boolean's selinuxfs value, and the
 * /etc/selinux/config a later policy reload (libselinux's selinux_init_load_policy(), which
 * systemd calls after the hand-over) reads. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parse.h"

/* The SELINUXTYPE of the store verinit writes over /etc/selinux: the reload then loads
 * /etc/selinux/verinit/policy/policy.<version>, the bytes verinit verified. */
#define SEPOLICY_TYPE "verinit"
/* The boolean that, set in an enforcing refpolicy-style policy, denies every later policy load,
 * mode change and boolean change (load_policy, setenforce, setbool), root's included. */
#define SEPOLICY_LOCK_BOOL "secure_mode_policyload"

/* The policy format version from a binary policy's header (magic 0xf97cff8c, the string
 * "SE Linux", then the version), as the kernel reads it. Returns 0, or -EBADMSG with err filled
 * (too short, wrong magic or identifier, a version outside 15..64). */
int sepolicy_version(const uint8_t *blob, size_t n, unsigned *version, struct parse_error *err);

#define SEPOLICY_TYPE_MAX 64

/* Reads an /etc/selinux/config as libselinux would, strictly: lines of KEY=VALUE, '#' comments and
 * empty lines; SELINUX= (enforcing or permissive: disabled is not a mode verinit hands over in)
 * and SELINUXTYPE= (a name of [A-Za-z0-9_-]) each exactly once; other keys are libselinux's
 * business and pass. Refused, because libselinux's two readers would take them differently or
 * not at all: a line starting with white space, a key spelt in another case, trailing bytes after
 * a value (libselinux compares SELINUX= by prefix). Returns 0, or -EBADMSG with err (line = the
 * file's line). */
int sepolicy_config_parse(const char *buf, size_t n, bool *enforcing, char type[static SEPOLICY_TYPE_MAX],
			  struct parse_error *err);

/* The config file that makes a reload choose verinit's mode and store: "SELINUX=<enforcing|
 * permissive>\nSELINUXTYPE=verinit\n" into out. Returns its length, or -E2BIG. */
int sepolicy_config(bool enforcing, char *out, size_t size);

/* Whether name is one of the comma-separated LSMs of /sys/kernel/security/lsm (buf, n: the file's
 * bytes, a trailing newline allowed). Exact names only: "selinuxx" is not "selinux". */
bool lsm_list_has(const char *buf, size_t n, const char *name);

/* A selinuxfs boolean file's "<current> <pending>" (each 0 or 1, a trailing newline allowed).
 * Returns 0, or -EBADMSG for anything else. */
int sepolicy_bool_parse(const char *buf, size_t n, bool *current, bool *pending);
