/* SPDX-License-Identifier: MIT */
/* /etc/verinit.conf: what the agent enforces. The file is inside the signed UKI, so it is trusted;
 * it is parsed strictly all the same, so that a typo fails the image's first test boot instead of
 * quietly meaning something else. The command line (cmdline.h) may only narrow it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "parse.h"

#define CONFIG_FILE_MAX 65536 /* bytes (64 KiB) */
#define CONFIG_LINE_MAX 1024  /* bytes, without the newline */
#define CONFIG_PATH_MAX 256   /* every path and device field, with its NUL */
#define CONFIG_FLAGS_MAX 256  /* mount options, with the NUL */
#define CONFIG_FSTYPE_MAX 16
#define CONFIG_MODULES_MAX 64
#define CONFIG_MODULE_NAME_MAX 56   /* 55 characters and the NUL */
#define CONFIG_CMDLINE_ALLOW_MAX 16 /* cmdline.allow= words */
#define CONFIG_CMDLINE_KEY_MAX 64   /* a command-line key and its NUL */
#define CONFIG_USRHASH_MAX 65       /* 64 hex digits (sha256) and the NUL */
#define CONFIG_PARTLABEL_MAX 36     /* a GPT partition name is 36 UTF-16 units; we take ASCII only */

/* Where the usr, usr-verity and usr-verity-sig partitions come from. */
enum usr_discovery {
	USR_DISCOVERY_AUTO,     /* Discoverable Partitions type GUIDs */
	USR_DISCOVERY_PARTUUID, /* PARTUUIDs derived from the signed root hash */
	USR_DISCOVERY_EXPLICIT, /* usr.data and usr.hash */
	_USR_DISCOVERY_MAX,
};

/* Without usrhash=, which of several complete /usr slots auto discovery takes. */
enum usr_slots {
	USR_SLOTS_SINGLE, /* none: the disk must hold exactly one (DEVICE_AMBIGUOUS otherwise) */
	USR_SLOTS_NEWEST, /* the newest usr label (systemd's rule; the disk's writer chooses labels) */
	_USR_SLOTS_MAX,
};

enum failure_action {
	FAILURE_HALT,
	FAILURE_REBOOT,
	FAILURE_POWEROFF,
	_FAILURE_ACTION_MAX,
};

/* What dm-verity does on a block that does not match its hash. */
enum verity_mode {
	VERITY_RESTART,
	VERITY_PANIC,
	VERITY_EIO,
	_VERITY_MODE_MAX,
};

/* The strict value is 0 in every enum below, so a zeroed field enforces rather than forgives. */
/* Whether a check must pass for the boot to go on (kernel_verify, tpm, ipe, selinux). */
enum requirement {
	REQUIREMENT_REQUIRED = 0,
	REQUIREMENT_OPTIONAL, /* a failure is recorded in the boot report, not fatal */
	_REQUIREMENT_MAX,
};

enum ipe_mode {
	IPE_ENFORCE,
	IPE_AUDIT, /* IPE logs what it would deny */
	_IPE_MODE_MAX,
};

enum selinux_mode {
	SELINUX_ENFORCING,
	SELINUX_PERMISSIVE,
	_SELINUX_MODE_MAX,
};

/* What may execute from a device root, which is writable and unauthenticated: "verified" (only
 * what something enforces: noexec in root.flags, or an IPE policy enforced and required), or
 * "unverified" (the configuration accepts that code on it runs, and verinit measures that). */
/* Whether verinit sets the policy's secure_mode_policyload boolean after the load, so that no
 * later reload, mode change or boolean change is possible (the default in enforcing mode). */
enum selinux_lock {
	SELINUX_LOCK_NO,
	SELINUX_LOCK_YES,
	_SELINUX_LOCK_MAX,
};

enum root_exec {
	ROOT_EXEC_VERIFIED,
	ROOT_EXEC_UNVERIFIED,
	_ROOT_EXEC_MAX,
};

enum cmdline_init {
	CMDLINE_INIT_DENY,  /* init= on the kernel command line is refused */
	CMDLINE_INIT_ALLOW, /* init= may replace init, still only with a path under /usr/ */
	_CMDLINE_INIT_MAX,
};

struct config {
	enum usr_discovery usr_discovery;
	enum usr_slots usr_slots;       /* auto discovery only */
	char usr_data[CONFIG_PATH_MAX]; /* "/dev/...", "PARTUUID=..." or "PARTLABEL=..."; explicit only */
	char usr_hash[CONFIG_PATH_MAX];
	char usr_signature[CONFIG_PATH_MAX]; /* "partition", or the absolute path of a .p7s file */
	char usr_fstype[CONFIG_FSTYPE_MAX];  /* erofs, squashfs or ext4 */

	bool root_tmpfs;
	char root_device[CONFIG_PATH_MAX];   /* same syntax as usr_data; "" when root_tmpfs */
	char root_fstype[CONFIG_FSTYPE_MAX]; /* ext4, xfs or btrfs; meaningless when root_tmpfs */
	char root_flags[CONFIG_FLAGS_MAX];   /* mount options, "" for none */
	enum root_exec root_exec;            /* device roots only */

	char certificates[CONFIG_PATH_MAX]; /* directory of enrolled certificates */
	char modules[CONFIG_MODULES_MAX][CONFIG_MODULE_NAME_MAX];
	size_t n_modules;
	unsigned device_timeout; /* seconds, 1..600 */

	enum failure_action failure;
	unsigned failure_delay; /* seconds, 0..3600 */
	/* required: the kernel must verify the root-hash signature too; optional: verinit's own check
	 * suffices when the kernel has no key. */
	enum requirement kernel_verify;
	enum verity_mode verity_on_corruption;
	enum requirement tpm; /* optional: without a TPM after tpm_timeout, the boot goes on unmeasured */
	unsigned tpm_timeout; /* seconds to wait for /dev/tpmrm0, 1..600 */
	unsigned pcr_phase;   /* boot phases and failures, as systemd-pcrphase: 11 */
	unsigned pcr_facts;   /* what verinit verified, and failures: 15 */

	/* Policies, loaded from verified storage (the initramfs, or a path under /usr/). "" when none.
	 * ipe/selinux say whether a failure to load stops the boot (required, the default) or is
	 * only recorded (optional). */
	char ipe_policy[CONFIG_PATH_MAX];
	enum ipe_mode ipe_mode;
	enum requirement ipe;
	char selinux_policy[CONFIG_PATH_MAX];
	enum selinux_mode selinux_mode;
	enum requirement selinux;
	enum selinux_lock selinux_lock; /* when left out: yes for enforcing, no for permissive */
	/* A policy store (an /etc/selinux tree) on the verified /usr, bound read-only over the new
	 * root's /etc/selinux; "" for the store verinit writes itself (config and the policy only). */
	char selinux_store[CONFIG_PATH_MAX];

	char init[CONFIG_PATH_MAX]; /* always under /usr/ */
	enum cmdline_init cmdline_init;
	/* Command-line keys a fleet needs beyond the words verinit lets through by itself (lib/cmdline.c's
	 * list), admitted by name with any value. */
	char cmdline_allow[CONFIG_CMDLINE_ALLOW_MAX][CONFIG_CMDLINE_KEY_MAX];
	size_t n_cmdline_allow;

	/* Set only by cmdline_apply(), never by the file: */
	char usrhash[CONFIG_USRHASH_MAX];    /* pinned root hash, lowercase hex; "" when none */
	char usr_data_hint[CONFIG_PATH_MAX]; /* narrows auto/partuuid discovery; "" when none */
	char usr_hash_hint[CONFIG_PATH_MAX];
	char usr_flags[CONFIG_FLAGS_MAX]; /* extra /usr mount options (allowlisted); "" when none */
	bool debug;                       /* verinit.debug: log at LOG_DEBUG */
};

/* The values used for every key the file leaves out. */
void config_defaults(struct config *c);

/* Parses the whole file, starting from config_defaults(). Returns 0, or fills err and returns
 * -EINVAL (syntax, unknown or duplicate key, bad value, a cross-field rule), -EBADMSG (a NUL, a
 * '\r' or another control character other than a tab) or -E2BIG (the file, a line or a value is
 * longer than its limit). On error *c is undefined. */
int config_parse(const char *buf, size_t len, struct config *c, struct parse_error *err);

/* The value checks that the command line shares. Each takes (value, length), writes the
 * NUL-terminated value to out only on success, and returns 0, -EINVAL or -E2BIG. */
/* An absolute path: no empty, "." or ".." component, no trailing '/', printable ASCII without spaces. */
int config_parse_path(const char *v, size_t n, char out[static CONFIG_PATH_MAX]);
/* "/dev/<path>", "PARTUUID=<uuid>" (stored lowercase) or "PARTLABEL=<printable ASCII label>". */
int config_parse_device(const char *v, size_t n, char out[static CONFIG_PATH_MAX]);
/* A path as above strictly under /usr/ ("/usrx/..." is not). */
int config_parse_init(const char *v, size_t n, char out[static CONFIG_PATH_MAX]);
/* Decimal digits without sign or leading zeros, min..max. */
int config_parse_uint(const char *v, size_t n, unsigned min, unsigned max, unsigned *out);

/* The configuration file's spelling of each value; "invalid" for a value out of range. */
const char *usr_discovery_to_string(enum usr_discovery d);
const char *usr_slots_to_string(enum usr_slots s);
const char *failure_action_to_string(enum failure_action a);
const char *verity_mode_to_string(enum verity_mode m);
const char *requirement_to_string(enum requirement r);
const char *cmdline_init_to_string(enum cmdline_init i);
const char *root_exec_to_string(enum root_exec e);
const char *ipe_mode_to_string(enum ipe_mode m);
const char *selinux_mode_to_string(enum selinux_mode m);
const char *selinux_lock_to_string(enum selinux_lock l);
