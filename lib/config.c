/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>

#include "config.h"
#include "macro.h"
#include "mountopts.h"
#include "partuuid.h"

static const char *const discovery_names[_USR_DISCOVERY_MAX] = {
	[USR_DISCOVERY_AUTO] = "auto",
	[USR_DISCOVERY_PARTUUID] = "partuuid",
	[USR_DISCOVERY_EXPLICIT] = "explicit",
};
static const char *const slots_names[_USR_SLOTS_MAX] = {
	[USR_SLOTS_SINGLE] = "single",
	[USR_SLOTS_NEWEST] = "newest",
};
static const char *const failure_names[_FAILURE_ACTION_MAX] = {
	[FAILURE_HALT] = "halt",
	[FAILURE_REBOOT] = "reboot",
	[FAILURE_POWEROFF] = "poweroff",
};
static const char *const verity_names[_VERITY_MODE_MAX] = {
	[VERITY_RESTART] = "restart",
	[VERITY_PANIC] = "panic",
	[VERITY_EIO] = "eio",
};
static const char *const requirement_names[_REQUIREMENT_MAX] = {
	[REQUIREMENT_REQUIRED] = "required",
	[REQUIREMENT_OPTIONAL] = "optional",
};
static const char *const ipe_mode_names[_IPE_MODE_MAX] = {
	[IPE_ENFORCE] = "enforce",
	[IPE_AUDIT] = "audit",
};
static const char *const selinux_mode_names[_SELINUX_MODE_MAX] = {
	[SELINUX_ENFORCING] = "enforcing",
	[SELINUX_PERMISSIVE] = "permissive",
};
static const char *const selinux_lock_names[_SELINUX_LOCK_MAX] = {
	[SELINUX_LOCK_NO] = "no",
	[SELINUX_LOCK_YES] = "yes",
};
static const char *const root_exec_names[_ROOT_EXEC_MAX] = {
	[ROOT_EXEC_VERIFIED] = "verified",
	[ROOT_EXEC_UNVERIFIED] = "unverified",
};
static const char *const cmdline_init_names[_CMDLINE_INIT_MAX] = {
	[CMDLINE_INIT_DENY] = "deny",
	[CMDLINE_INIT_ALLOW] = "allow",
};
static const char *const usr_fstypes[] = { "erofs", "squashfs", "ext4", NULL };
static const char *const root_fstypes[] = { "ext4", "xfs", "btrfs", NULL };

/* Without modules=: drivers that work on QEMU (virtio) and on Hyper-V Gen 2 / Azure (vmbus,
 * storvsc, NVMe) alike, then the filesystems this config mounts (and efivarfs, where auto discovery
 * reads which disk the loader booted from), then what every boot needs. Only
 * those filesystems: verinit never loads another (the command line cannot change the types), and
 * every file in the initramfs is unpacked on every boot (ext4 and jbd2 alone are 3 MB). Each
 * allowed type's module has the type's name. */
static const char *const default_drivers[] = {
	/* clang-format off */
	"virtio_blk", "virtio_scsi", "sd_mod", "hv_vmbus", "hv_storvsc", "nvme", "dm-verity",
	/* clang-format on */
};
/* No crc32c: erofs and ext4 pull it in themselves (libcrc32c's and ext4's softdeps, which
 * verinit-mkinitramfs puts in the image with them), and a squashfs /usr needs none. */
static const char *const default_every_boot[] = { "tpm_crb", "tpm_tis" };
_Static_assert(ELEMENTSOF(default_drivers) + 3 + ELEMENTSOF(default_every_boot) <= CONFIG_MODULES_MAX,
	       "the default modules fit");

static bool starts_with(const char *v, size_t n, const char *prefix) {
	size_t p = strlen(prefix);
	return n >= p && memcmp(v, prefix, p) == 0;
}

/* Index of v in a NULL-terminated or fixed-size name table, or -EINVAL. */
static int lookup(const char *const *names, size_t n_names, const char *v, size_t n) {
	for (size_t i = 0; i < n_names && names[i]; i++)
		if (memeq_str(v, n, names[i]))
			return (int) i;
	return -EINVAL;
}

DEFINE_STRING_TABLE_TO_STRING(usr_discovery_to_string, enum usr_discovery, discovery_names, "invalid")
DEFINE_STRING_TABLE_TO_STRING(usr_slots_to_string, enum usr_slots, slots_names, "invalid")
DEFINE_STRING_TABLE_TO_STRING(failure_action_to_string, enum failure_action, failure_names, "invalid")
DEFINE_STRING_TABLE_TO_STRING(verity_mode_to_string, enum verity_mode, verity_names, "invalid")
DEFINE_STRING_TABLE_TO_STRING(requirement_to_string, enum requirement, requirement_names, "invalid")
DEFINE_STRING_TABLE_TO_STRING(ipe_mode_to_string, enum ipe_mode, ipe_mode_names, "invalid")
DEFINE_STRING_TABLE_TO_STRING(selinux_mode_to_string, enum selinux_mode, selinux_mode_names, "invalid")
DEFINE_STRING_TABLE_TO_STRING(selinux_lock_to_string, enum selinux_lock, selinux_lock_names, "invalid")
DEFINE_STRING_TABLE_TO_STRING(root_exec_to_string, enum root_exec, root_exec_names, "invalid")
DEFINE_STRING_TABLE_TO_STRING(cmdline_init_to_string, enum cmdline_init, cmdline_init_names, "invalid")

/* Copies a value that was already checked; a value longer than its field is refused, never cut. */
static int set_string(char *dst, size_t size, const char *v, size_t n) {
	if (n >= size)
		return -E2BIG;
	memcpy(dst, v, n);
	dst[n] = '\0';
	return 0;
}

int config_parse_path(const char *v, size_t n, char out[static CONFIG_PATH_MAX]) {
	if (n >= CONFIG_PATH_MAX)
		return -E2BIG;
	if (n == 0 || v[0] != '/')
		return -EINVAL;
	/* One spelling per file, so that comparing strings compares paths: no "//", ".", ".." or
	 * trailing '/', and nothing a shell or a log line would read differently (spaces, controls). */
	size_t start = 1;
	for (size_t i = 1; i <= n; i++) {
		if (i == n || v[i] == '/') {
			size_t len = i - start;
			if (len == 0 || (len == 1 && v[start] == '.') ||
			    (len == 2 && v[start] == '.' && v[start + 1] == '.'))
				return -EINVAL;
			start = i + 1;
		} else if ((unsigned char) v[i] <= ' ' || (unsigned char) v[i] >= 0x7f)
			return -EINVAL;
	}
	return set_string(out, CONFIG_PATH_MAX, v, n);
}

int config_parse_device(const char *v, size_t n, char out[static CONFIG_PATH_MAX]) {
	if (starts_with(v, n, "/dev/"))
		return config_parse_path(v, n, out);

	if (starts_with(v, n, "PARTUUID=")) {
		const size_t p = strlen("PARTUUID=");
		/* GPT only: 8-4-4-4-12 hex, either case. Written back lowercase, as blkid reports it,
		 * so string comparison works. */
		uint8_t id[16];
		char uuid[UUID_STRING_LEN + 1];
		if (uuid_parse_n(v + p, n - p, id) < 0)
			return -EINVAL;
		uuid_format(id, uuid);
		(void) snprintf(out, CONFIG_PATH_MAX, "PARTUUID=%s", uuid);
		return 0;
	}

	if (starts_with(v, n, "PARTLABEL=")) {
		const size_t p = strlen("PARTLABEL=");
		size_t len = n - p;
		if (len > CONFIG_PARTLABEL_MAX)
			return -E2BIG;
		if (len == 0 || v[p] == ' ' || v[n - 1] == ' ')
			return -EINVAL;
		for (size_t i = p; i < n; i++)
			if ((unsigned char) v[i] < ' ' || (unsigned char) v[i] >= 0x7f)
				return -EINVAL;
		return set_string(out, CONFIG_PATH_MAX, v, n);
	}
	return -EINVAL;
}

int config_parse_init(const char *v, size_t n, char out[static CONFIG_PATH_MAX]) {
	char path[CONFIG_PATH_MAX];
	int r = config_parse_path(v, n, path);
	if (r < 0)
		return r;
	/* The '/' after "usr" matters: "/usrx/..." is not on the verified /usr. A normalized path
	 * cannot climb back out with "..". */
	if (strncmp(path, "/usr/", 5) != 0)
		return -EINVAL;
	memcpy(out, path, n + 1);
	return 0;
}

int config_parse_uint(const char *v, size_t n, unsigned min, unsigned max, unsigned *out) {
	uint64_t value = 0;
	/* Leading zeros refused: "010" would be 8 to some readers. Ten digits cannot wrap 64 bits. */
	if (n == 0 || n > 10 || (n > 1 && v[0] == '0'))
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -EINVAL;
		value = value * 10 + (uint64_t) (v[i] - '0');
	}
	if (value < min || value > max)
		return -EINVAL;
	*out = (unsigned) value;
	return 0;
}

static bool is_module_char(char ch) {
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' ||
	       ch == '-';
}

static bool is_cmdline_key_char(char ch) {
	return is_module_char(ch) || ch == '.';
}

/* Names separated by single spaces into out (max entries of width bytes each). */
static int parse_names(const char *v, size_t n, bool (*ok)(char), char *out, size_t width, size_t max,
		       size_t *count) {
	*count = 0;
	for (size_t i = 0;; i++) { /* i steps over the single space between names */
		size_t start = i;
		while (i < n && v[i] != ' ') {
			if (!ok(v[i]))
				return -EINVAL;
			i++;
		}
		if (i == start)
			return -EINVAL; /* two spaces in a row */
		if (*count >= max)
			return -E2BIG;
		int r = set_string(out + *count * width, width, v + start, i - start);
		if (r < 0)
			return r;
		(*count)++;
		if (i == n)
			return 0;
	}
}

static int parse_modules(const char *v, size_t n, struct config *c) {
	return parse_names(v, n, is_module_char, c->modules[0], CONFIG_MODULE_NAME_MAX, CONFIG_MODULES_MAX,
			   &c->n_modules);
}

static int key_cmdline_allow(const char *v, size_t n, struct config *c) {
	return parse_names(v, n, is_cmdline_key_char, c->cmdline_allow[0], CONFIG_CMDLINE_KEY_MAX,
			   CONFIG_CMDLINE_ALLOW_MAX, &c->n_cmdline_allow);
}

static bool is_flags_char(char ch) {
	return is_module_char(ch) || ch == '=' || ch == ',' || ch == '.';
}

static int parse_flags(const char *v, size_t n, char out[static CONFIG_FLAGS_MAX]) {
	for (size_t i = 0; i < n; i++)
		if (!is_flags_char(v[i]))
			return -EINVAL;
	return set_string(out, CONFIG_FLAGS_MAX, v, n);
}

static int parse_fstype(const char *const *allowed, const char *v, size_t n, char out[static CONFIG_FSTYPE_MAX]) {
	int r = lookup(allowed, SIZE_MAX, v, n);
	return r < 0 ? r : set_string(out, CONFIG_FSTYPE_MAX, v, n);
}

/* One function per key: returns 0, -EINVAL or -E2BIG; config_parse() words the message. */
#define ENUM_KEY(fn, field, names, type)                           \
	static int fn(const char *v, size_t n, struct config *c) { \
		int r = lookup(names, ELEMENTSOF(names), v, n);    \
		if (r < 0)                                         \
			return r;                                  \
		c->field = (type) r;                               \
		return 0;                                          \
	}
ENUM_KEY(key_discovery, usr_discovery, discovery_names, enum usr_discovery)
ENUM_KEY(key_slots, usr_slots, slots_names, enum usr_slots)
ENUM_KEY(key_failure, failure, failure_names, enum failure_action)
ENUM_KEY(key_kernel_verify, kernel_verify, requirement_names, enum requirement)
ENUM_KEY(key_verity, verity_on_corruption, verity_names, enum verity_mode)
ENUM_KEY(key_tpm, tpm, requirement_names, enum requirement)
ENUM_KEY(key_ipe, ipe, requirement_names, enum requirement)
ENUM_KEY(key_ipe_mode, ipe_mode, ipe_mode_names, enum ipe_mode)
ENUM_KEY(key_selinux, selinux, requirement_names, enum requirement)
ENUM_KEY(key_selinux_mode, selinux_mode, selinux_mode_names, enum selinux_mode)
ENUM_KEY(key_selinux_lock, selinux_lock, selinux_lock_names, enum selinux_lock)
ENUM_KEY(key_cmdline_init, cmdline_init, cmdline_init_names, enum cmdline_init)
ENUM_KEY(key_root_exec, root_exec, root_exec_names, enum root_exec)

static int key_usr_data(const char *v, size_t n, struct config *c) {
	return config_parse_device(v, n, c->usr_data);
}
static int key_usr_hash(const char *v, size_t n, struct config *c) {
	return config_parse_device(v, n, c->usr_hash);
}
static int key_usr_signature(const char *v, size_t n, struct config *c) {
	if (memeq_str(v, n, "partition"))
		return set_string(c->usr_signature, sizeof c->usr_signature, v, n);
	return config_parse_path(v, n, c->usr_signature);
}
static int key_usr_fstype(const char *v, size_t n, struct config *c) {
	return parse_fstype(usr_fstypes, v, n, c->usr_fstype);
}
static int key_root(const char *v, size_t n, struct config *c) {
	c->root_tmpfs = memeq_str(v, n, "tmpfs");
	if (c->root_tmpfs)
		return 0;
	return config_parse_device(v, n, c->root_device);
}
static int key_root_fstype(const char *v, size_t n, struct config *c) {
	return parse_fstype(root_fstypes, v, n, c->root_fstype);
}
static int key_root_flags(const char *v, size_t n, struct config *c) {
	char data[CONFIG_FLAGS_MAX];
	unsigned long flags = 0;
	int r = parse_flags(v, n, c->root_flags);
	if (r < 0)
		return r;
	/* Checked here so that a bad option is named with its line, not at mount time. */
	return mountopts_parse(c->root_flags, &flags, data, sizeof data) < 0 ? -EINVAL : 0;
}
static int key_certificates(const char *v, size_t n, struct config *c) {
	return config_parse_path(v, n, c->certificates);
}
static int key_modules(const char *v, size_t n, struct config *c) {
	return parse_modules(v, n, c);
}
static int key_device_timeout(const char *v, size_t n, struct config *c) {
	return config_parse_uint(v, n, 1, 600, &c->device_timeout);
}
static int key_tpm_timeout(const char *v, size_t n, struct config *c) {
	return config_parse_uint(v, n, 1, 600, &c->tpm_timeout);
}
/* PCRs 0..7 belong to the firmware: an initramfs extending them would forge its measurements. */
static int key_pcr_phase(const char *v, size_t n, struct config *c) {
	return config_parse_uint(v, n, 8, 23, &c->pcr_phase);
}
static int key_pcr_facts(const char *v, size_t n, struct config *c) {
	return config_parse_uint(v, n, 8, 23, &c->pcr_facts);
}
static int key_ipe_policy(const char *v, size_t n, struct config *c) {
	return config_parse_path(v, n, c->ipe_policy);
}
static int key_selinux_policy(const char *v, size_t n, struct config *c) {
	return config_parse_path(v, n, c->selinux_policy);
}
static int key_failure_delay(const char *v, size_t n, struct config *c) {
	return config_parse_uint(v, n, 0, 3600, &c->failure_delay);
}
static int key_selinux_store(const char *v, size_t n, struct config *c) {
	return config_parse_init(v, n, c->selinux_store); /* the same rule: a path strictly under /usr/ */
}

static int key_init(const char *v, size_t n, struct config *c) {
	return config_parse_init(v, n, c->init);
}

enum key {
	K_USR_DISCOVERY,
	K_USR_SLOTS,
	K_USR_DATA,
	K_USR_HASH,
	K_USR_SIGNATURE,
	K_USR_FSTYPE,
	K_ROOT,
	K_ROOT_FSTYPE,
	K_ROOT_FLAGS,
	K_ROOT_EXEC,
	K_CERTIFICATES,
	K_MODULES,
	K_DEVICE_TIMEOUT,
	K_FAILURE,
	K_FAILURE_DELAY,
	K_KERNEL_VERIFY,
	K_VERITY,
	K_INIT,
	K_CMDLINE_INIT,
	K_CMDLINE_ALLOW,
	K_TPM,
	K_TPM_TIMEOUT,
	K_PCR_PHASE,
	K_PCR_FACTS,
	K_IPE_POLICY,
	K_IPE_MODE,
	K_IPE,
	K_SELINUX_POLICY,
	K_SELINUX_MODE,
	K_SELINUX,
	K_SELINUX_LOCK,
	K_SELINUX_STORE,
	_K_MAX,
};

static const struct key_def {
	const char *name;
	int (*parse)(const char *v, size_t n, struct config *c);
	const char *want; /* ends the message for a bad value */
} keys[_K_MAX] = {
	[K_USR_DISCOVERY] = { "usr.discovery", key_discovery, "auto, partuuid or explicit" },
	[K_USR_SLOTS] = { "usr.slots", key_slots, "single or newest" },
	[K_USR_DATA] = { "usr.data", key_usr_data, "/dev/..., PARTUUID=<uuid> or PARTLABEL=<label>" },
	[K_USR_HASH] = { "usr.hash", key_usr_hash, "/dev/..., PARTUUID=<uuid> or PARTLABEL=<label>" },
	[K_USR_SIGNATURE] = { "usr.signature", key_usr_signature, "partition or an absolute path" },
	[K_USR_FSTYPE] = { "usr.fstype", key_usr_fstype, "erofs, squashfs or ext4" },
	[K_ROOT] = { "root", key_root, "tmpfs, /dev/..., PARTUUID=<uuid> or PARTLABEL=<label>" },
	[K_ROOT_FSTYPE] = { "root.fstype", key_root_fstype, "ext4, xfs or btrfs" },
	[K_ROOT_FLAGS] = { "root.flags", key_root_flags, "mount options of [A-Za-z0-9=,._-], not dev or suid" },
	[K_ROOT_EXEC] = { "root.exec", key_root_exec, "verified or unverified" },
	[K_CERTIFICATES] = { "certificates", key_certificates, "an absolute directory path" },
	[K_MODULES] = { "modules", key_modules,
			"up to 64 names of [A-Za-z0-9_-], each at most 55 long, one space apart" },
	[K_DEVICE_TIMEOUT] = { "device_timeout", key_device_timeout, "seconds, 1 to 600" },
	[K_FAILURE] = { "failure", key_failure, "halt, reboot or poweroff" },
	[K_FAILURE_DELAY] = { "failure_delay", key_failure_delay, "seconds, 0 to 3600" },
	[K_KERNEL_VERIFY] = { "kernel_verify", key_kernel_verify, "required or optional" },
	[K_VERITY] = { "verity.on_corruption", key_verity, "restart, panic or eio" },
	[K_INIT] = { "init", key_init, "an absolute path under /usr/" },
	[K_CMDLINE_INIT] = { "cmdline.init", key_cmdline_init, "deny or allow" },
	[K_CMDLINE_ALLOW] = { "cmdline.allow", key_cmdline_allow,
			      "command-line keys of [A-Za-z0-9._-], separated by single spaces" },
	[K_TPM] = { "tpm", key_tpm, "required or optional" },
	[K_TPM_TIMEOUT] = { "tpm_timeout", key_tpm_timeout, "seconds, 1 to 600" },
	[K_PCR_PHASE] = { "pcr.phase", key_pcr_phase, "a PCR, 8 to 23" },
	[K_PCR_FACTS] = { "pcr.facts", key_pcr_facts, "a PCR, 8 to 23" },
	[K_IPE_POLICY] = { "ipe.policy", key_ipe_policy, "an absolute path" },
	[K_IPE_MODE] = { "ipe.mode", key_ipe_mode, "enforce or audit" },
	[K_IPE] = { "ipe", key_ipe, "required or optional" },
	[K_SELINUX_POLICY] = { "selinux.policy", key_selinux_policy, "an absolute path" },
	[K_SELINUX_MODE] = { "selinux.mode", key_selinux_mode, "enforcing or permissive" },
	[K_SELINUX] = { "selinux", key_selinux, "required or optional" },
	[K_SELINUX_LOCK] = { "selinux.lock", key_selinux_lock, "yes or no" },
	[K_SELINUX_STORE] = { "selinux.store", key_selinux_store, "a directory under /usr/ (the initramfs is emptied at the hand-over)" },
};

static void add_module(struct config *c, const char *name) {
	for (size_t i = 0; i < c->n_modules; i++)
		if (strcmp(c->modules[i], name) == 0)
			return;
	(void) set_string(c->modules[c->n_modules++], CONFIG_MODULE_NAME_MAX, name, strlen(name));
}

static void set_default_modules(struct config *c) {
	memset(c->modules, 0, sizeof c->modules); /* no bytes of the list it replaces */
	c->n_modules = 0;
	for (size_t i = 0; i < ELEMENTSOF(default_drivers); i++)
		add_module(c, default_drivers[i]);
	add_module(c, c->usr_fstype);
	if (!c->root_tmpfs)
		add_module(c, c->root_fstype);
	if (c->usr_discovery == USR_DISCOVERY_AUTO)
		add_module(c, "efivarfs");
	for (size_t i = 0; i < ELEMENTSOF(default_every_boot); i++)
		add_module(c, default_every_boot[i]);
}

void config_defaults(struct config *c) {
	*c = (struct config){
		.usr_discovery = USR_DISCOVERY_AUTO,
		.usr_signature = "partition",
		.usr_fstype = "erofs",
		.root_tmpfs = true,
		.root_fstype = "ext4",
		.certificates = "/etc/verinit/certs",
		.device_timeout = 30,
		.failure = FAILURE_HALT,
		.failure_delay = 0,
		.kernel_verify = REQUIREMENT_REQUIRED,
		.verity_on_corruption = VERITY_RESTART,
		.tpm = REQUIREMENT_REQUIRED,
		.tpm_timeout = 10,
		.pcr_phase = 11,
		.pcr_facts = 15,
		.init = "/usr/lib/systemd/systemd",
		.cmdline_init = CMDLINE_INIT_DENY,
		.selinux_lock = SELINUX_LOCK_YES,
	};
	set_default_modules(c);
}

static bool is_blank(char ch) {
	return ch == ' ' || ch == '\t';
}

/* At most this much of a bad value goes into the message, so the key and the hint still fit. */
#define SHOWN(n) ((int) ((n) < 64 ? (n) : 64))

static int parse_line(const char *l, size_t n, unsigned line, struct config *c, unsigned seen[static _K_MAX],
		      struct parse_error *err) {
	if (n > CONFIG_LINE_MAX)
		return parse_fail(err, line, -E2BIG, "line is longer than %d bytes", CONFIG_LINE_MAX);
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char) l[i];
		if (ch == '\0')
			return parse_fail(err, line, -EBADMSG, "NUL byte at column %zu", i + 1);
		if (ch == '\r')
			return parse_fail(err, line, -EBADMSG,
					  "carriage return at column %zu (CRLF line ends are not allowed)", i + 1);
		if ((ch < ' ' && ch != '\t') || ch == 0x7f)
			return parse_fail(err, line, -EBADMSG, "control character 0x%02x at column %zu", ch, i + 1);
	}
	if (n == 0)
		return 0;
	if (is_blank(l[0]) || is_blank(l[n - 1]))
		return parse_fail(err, line, -EINVAL, "leading or trailing whitespace in '%.*s'", SHOWN(n), l);
	if (l[0] == '#')
		return 0;

	const char *eq = memchr(l, '=', n);
	if (!eq)
		return parse_fail(err, line, -EINVAL, "no '=' in '%.*s': want key=value", SHOWN(n), l);
	size_t klen = (size_t) (eq - l), vlen = n - klen - 1;
	const char *v = eq + 1;
	if (klen == 0)
		return parse_fail(err, line, -EINVAL, "empty key in '%.*s'", SHOWN(n), l);
	if (is_blank(l[klen - 1]) || (vlen > 0 && is_blank(v[0])))
		return parse_fail(err, line, -EINVAL, "whitespace around '=' in '%.*s'", SHOWN(n), l);

	size_t k = 0;
	while (k < _K_MAX && !memeq_str(l, klen, keys[k].name))
		k++;
	if (k == _K_MAX)
		return parse_fail(err, line, -EINVAL, "unknown key '%.*s'", SHOWN(klen), l);
	if (seen[k])
		return parse_fail(err, line, -EINVAL, "duplicate key '%s' (first on line %u)", keys[k].name, seen[k]);
	seen[k] = line;
	if (vlen == 0)
		return parse_fail(err, line, -EINVAL, "empty value for %s: want %s", keys[k].name, keys[k].want);

	int r = keys[k].parse(v, vlen, c);
	if (r == -E2BIG)
		return parse_fail(err, line, r, "value for %s is too long: want %s", keys[k].name, keys[k].want);
	if (r < 0)
		return parse_fail(err, line, -EINVAL, "bad value '%.*s' for %s: want %s", SHOWN(vlen), v, keys[k].name,
				  keys[k].want);
	return 0;
}

static bool root_noexec(const struct config *c) {
	unsigned long flags = 0;
	char data[CONFIG_FLAGS_MAX];
	return mountopts_parse(c->root_flags, &flags, data, sizeof data) == 0 && (flags & MS_NOEXEC);
}

/* The rules that involve more than one key, once every key is known. */
static int validate(const struct config *c, const unsigned seen[static _K_MAX], struct parse_error *err) {
	/* A mode for a policy that is never loaded would read as protection that is not there. */
	static const struct {
		enum key policy, dependent[4];
	} policy_keys[] = { { K_IPE_POLICY, { K_IPE_MODE, K_IPE, K_IPE, K_IPE } },
			    { K_SELINUX_POLICY, { K_SELINUX_MODE, K_SELINUX, K_SELINUX_LOCK, K_SELINUX_STORE } } };
	for (size_t i = 0; i < ELEMENTSOF(policy_keys); i++)
		for (size_t j = 0; j < ELEMENTSOF(policy_keys[i].dependent); j++)
			if (!seen[policy_keys[i].policy] && seen[policy_keys[i].dependent[j]])
				return parse_fail(err, seen[policy_keys[i].dependent[j]], -EINVAL, "%s without %s",
						  keys[policy_keys[i].dependent[j]].name, keys[policy_keys[i].policy].name);
	/* A permissive kernel denies nothing, the lock's own setbool and load_policy included. */
	if (c->selinux_lock == SELINUX_LOCK_YES && c->selinux_mode == SELINUX_PERMISSIVE)
		return parse_fail(err, seen[K_SELINUX_LOCK], -EINVAL,
				  "selinux.lock=yes needs selinux.mode=enforcing: a permissive policy locks nothing");
	if (c->usr_discovery == USR_DISCOVERY_EXPLICIT) {
		if (!seen[K_USR_DATA] || !seen[K_USR_HASH])
			return parse_fail(err, seen[K_USR_DISCOVERY], -EINVAL,
					  "usr.discovery=explicit needs both usr.data and usr.hash");
		if (strcmp(c->usr_data, c->usr_hash) == 0)
			return parse_fail(err, seen[K_USR_HASH], -EINVAL,
					  "usr.hash names the same device as usr.data: %s", c->usr_hash);
		if (!c->root_tmpfs &&
		    (strcmp(c->root_device, c->usr_data) == 0 || strcmp(c->root_device, c->usr_hash) == 0))
			return parse_fail(err, seen[K_ROOT], -EINVAL, "root names a /usr device: %s", c->root_device);
	} else {
		for (enum key k = K_USR_DATA; k <= K_USR_HASH; k++)
			if (seen[k])
				return parse_fail(err, seen[k], -EINVAL,
						  "%s is only allowed with usr.discovery=explicit (it is %s)",
						  keys[k].name, usr_discovery_to_string(c->usr_discovery));
	}
	/* Slots are auto discovery's: the other modes name one image, never choose among several. */
	if (seen[K_USR_SLOTS] && c->usr_discovery != USR_DISCOVERY_AUTO)
		return parse_fail(err, seen[K_USR_SLOTS], -EINVAL, "usr.slots is only allowed with usr.discovery=auto (it is %s)",
				  usr_discovery_to_string(c->usr_discovery));
	static const enum key device_root_only[] = { K_ROOT_FSTYPE, K_ROOT_EXEC };
	for (size_t i = 0; i < ELEMENTSOF(device_root_only); i++)
		if (c->root_tmpfs && seen[device_root_only[i]])
			return parse_fail(err, seen[device_root_only[i]], -EINVAL,
					  "%s is only allowed when root is a device (root=tmpfs)", keys[device_root_only[i]].name);
	/* A device root is the disk's, not the signer's: its code may run only where something stops
	 * the rest (noexec, or IPE enforced, and required so that a failed load stops the boot), or
	 * where the configuration says plainly that it accepts the risk. */
	if (!c->root_tmpfs && c->root_exec == ROOT_EXEC_VERIFIED && !root_noexec(c) &&
	    !(c->ipe_policy[0] && c->ipe_mode == IPE_ENFORCE && c->ipe == REQUIREMENT_REQUIRED))
		return parse_fail(err, seen[K_ROOT], -EINVAL,
				  "a writable root runs unverified code: set noexec in root.flags, enforce IPE (ipe.mode=enforce, "
				  "ipe=required) or say root.exec=unverified");
	return 0;
}

int config_parse(const char *buf, size_t len, struct config *c, struct parse_error *err) {
	unsigned seen[_K_MAX] = { 0 }; /* the line that set each key, 0 when none did */
	unsigned line = 0;

	config_defaults(c);
	if (len > CONFIG_FILE_MAX)
		return parse_fail(err, 0, -E2BIG, "file is %zu bytes, more than %d", len, CONFIG_FILE_MAX);
	for (size_t pos = 0; pos < len;) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t end = nl ? (size_t) (nl - buf) : len; /* the last line may lack its newline */
		int r = parse_line(buf + pos, end - pos, ++line, c, seen, err);
		if (r < 0)
			return r;
		pos = end + 1;
	}
	if (!seen[K_MODULES])
		set_default_modules(c); /* for the filesystems the file chose */
	if (!seen[K_SELINUX_LOCK])
		c->selinux_lock = c->selinux_mode == SELINUX_ENFORCING ? SELINUX_LOCK_YES : SELINUX_LOCK_NO;
	return validate(c, seen, err);
}
