/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cmdline.h"
#include "hexb64.h"
#include "macro.h"

static const char *const known_keys[_CMDLINE_KEY_MAX] = {
	[CMDLINE_USRHASH] = "usrhash",
	[CMDLINE_MOUNT_USR] = "mount.usr",
	[CMDLINE_MOUNT_USRFSTYPE] = "mount.usrfstype",
	[CMDLINE_MOUNT_USRFLAGS] = "mount.usrflags",
	[CMDLINE_VERITY_USR_DATA] = "systemd.verity_usr_data",
	[CMDLINE_VERITY_USR_HASH] = "systemd.verity_usr_hash",
	[CMDLINE_VERITY_USR_OPTIONS] = "systemd.verity_usr_options",
	[CMDLINE_ROOT] = "root",
	[CMDLINE_ROOTFSTYPE] = "rootfstype",
	[CMDLINE_ROOTFLAGS] = "rootflags",
	[CMDLINE_INIT] = "init",
	[CMDLINE_ENFORCING] = "enforcing",
	[CMDLINE_SELINUX] = "selinux",
	[CMDLINE_IPE_ENFORCE] = "ipe.enforce",
	[CMDLINE_LSM] = "lsm",
	[CMDLINE_SECURITY] = "security",
};

/* The words verinit lets through without understanding them: the kernel's and the initrd's that
 * cannot weaken what verinit set up or start anything after the hand-over (what fleets ship: a
 * console, log levels, OS Guard's rd.luks=0 rd.hostonly=0 net.ifnames=1, fips=1), and systemd's
 * that only change what it logs. NULL values: any value. Anything else is refused unless the
 * config's cmdline.allow names it: systemd acts on words verinit never sees act
 * (systemd.wants=debug-shell.service, systemd.unit=emergency.target, single, systemd.setenv=). */
static const char *const off_values[] = { "0", "no", NULL };
static const struct {
	const char *key;
	const char *const *values;
} kernel_words[] = {
	/* clang-format off */
	{ "BOOT_IMAGE", NULL }, { "console", NULL }, { "earlycon", NULL }, { "earlyprintk", NULL },
	{ "quiet", NULL }, { "loglevel", NULL }, { "ignore_loglevel", NULL }, { "printk.devkmsg", NULL },
	{ "printk.time", NULL }, { "log_buf_len", NULL }, { "panic", NULL }, { "panic_on_oops", NULL },
	{ "ro", NULL }, { "rw", NULL }, { "rootwait", NULL }, { "rootdelay", NULL }, { "crashkernel", NULL },
	{ "net.ifnames", NULL }, { "biosdevname", NULL }, { "ipv6.disable", NULL }, { "fips", NULL },
	{ "audit", NULL }, { "audit_backlog_limit", NULL }, { "tsc", NULL }, { "clocksource", NULL },
	{ "nvme_core.io_timeout", NULL }, { "nvme_core.admin_timeout", NULL }, { "transparent_hugepage", NULL },
	{ "hugepages", NULL }, { "hugepagesz", NULL }, { "default_hugepagesz", NULL }, { "numa_balancing", NULL },
	{ "init_on_alloc", NULL }, { "init_on_free", NULL }, { "page_alloc.shuffle", NULL },
	{ "randomize_kstack_offset", NULL }, { "slab_nomerge", NULL }, { "iommu", NULL }, { "intel_iommu", NULL },
	{ "amd_iommu", NULL }, { "swiotlb", NULL }, { "nomodeset", NULL }, { "cgroup_no_v1", NULL },
	{ "ipe.success_audit", NULL },
	{ "--", NULL }, /* what follows is init's argv, which verinit does not pass on; still checked here */
	{ "rd.luks", off_values }, { "rd.lvm", off_values }, { "rd.md", off_values }, { "rd.dm", off_values },
	{ "rd.hostonly", NULL }, { "rd.auto", NULL }, { "rd.info", NULL }, { "rd.udev.log_level", NULL },
	{ "rd.udev.log_priority", NULL }, { "udev.log_level", NULL }, { "udev.log_priority", NULL },
	{ "udev.children_max", NULL }, { "rd.systemd.show_status", NULL }, { "rd.systemd.log_level", NULL },
	{ "systemd.show_status", NULL }, { "systemd.log_level", NULL }, { "systemd.log_target", NULL },
	{ "systemd.log_color", NULL }, { "systemd.log_location", NULL }, { "systemd.log_time", NULL },
	{ "systemd.log_tid", NULL }, { "systemd.status_unit_format", NULL },
	{ "systemd.journald.forward_to_console", NULL }, { "systemd.journald.forward_to_kmsg", NULL },
	{ "systemd.journald.max_level_console", NULL }, { "systemd.journald.max_level_kmsg", NULL },
	{ "systemd.unified_cgroup_hierarchy", NULL },
	/* clang-format on */
};

/* Words that ask an initrd for a shell. verinit never gives one, so asking is refused. */
static const char *const shell_keys[] = {
	/* clang-format off */
	"rd.break", "rd.shell", "rd.emergency", "systemd.debug_shell", "rd.systemd.debug_shell",
	/* clang-format on */
};

/* Values with which those words turn the shell off (dracut's rd.shell=0, rd.emergency=reboot are
 * common on fleet command lines): verinit agrees and ignores them. Any other value is refused. */
static const char *const shell_off[] = { "0", "no", "false", "off" };
static const char *const emergency_off[] = { "reboot", "poweroff", "halt" };

/* Read-only compatible: none of them lets /usr be written or a device node on it be used. */
static const char *const usrflags_allowed[] = { "ro", "nodev", "nosuid", "noexec", "noatime", "relatime" };

static bool in_list(const char *v, const char *const *list, size_t n) {
	for (size_t i = 0; i < n; i++)
		if (strcmp(v, list[i]) == 0)
			return true;
	return false;
}

/* systemd compares command-line keys with '-' and '_' equal; so do we, or "verinit.kernel-verify"
 * would slip past as a word we do not know and "systemd.verity-usr-data" past the duplicate check. */
static bool key_eq(const char *k, size_t n, const char *name) {
	if (strlen(name) != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char a = k[i], b = name[i];
		if (a == '-')
			a = '_';
		if (b == '-')
			b = '_';
		if (a != b)
			return false;
	}
	return true;
}

/* w's key is one of shell_keys. rd.break stops the boot whatever its value. */
static bool shell_denied(const struct cmdline_word *w) {
	const size_t n = strlen(w->key);
	if (!w->has_value || key_eq(w->key, n, "rd.break"))
		return false;
	if (key_eq(w->key, n, "rd.emergency"))
		return in_list(w->value, emergency_off, ELEMENTSOF(emergency_off));
	return in_list(w->value, shell_off, ELEMENTSOF(shell_off));
}

/* A word on kernel_words: its key there, and its value (NULL for a flag) one the entry allows. */
static bool kernel_word(const char *key, size_t klen, const char *value) {
	for (size_t i = 0; i < ELEMENTSOF(kernel_words); i++) {
		if (!key_eq(key, klen, kernel_words[i].key))
			continue;
		if (!kernel_words[i].values)
			return true;
		for (const char *const *v = kernel_words[i].values; *v; v++)
			if (value && strcmp(value, *v) == 0)
				return true;
		return false;
	}
	return false;
}

static bool is_separator(char ch) {
	return ch == ' ' || ch == '\t' || ch == '\n';
}

/* Quotes are accepted only where the kernel and systemd both strip them: around the whole word or
 * around the whole value. Elsewhere ("usr"hash=..., a"b") the two would read different words. */
static bool quotes_plain(const char *w, size_t n, size_t quotes) {
	if (quotes == 0)
		return true;
	if (quotes != 2 || n < 2 || w[n - 1] != '"')
		return false;
	if (w[0] == '"')
		return true;
	const char *eq = memchr(w, '=', n);
	return eq && eq[1] == '"' && eq + 1 != w + n - 1;
}

/* How much of a word goes into a message: up to 64 bytes, and never past a tab or newline, which
 * quotes may hold but which would break the one-line message. */
static int shown(const char *w, size_t n) {
	size_t i = 0;
	while (i < n && i < 64 && w[i] != '\t' && w[i] != '\n')
		i++;
	return (int) i;
}

#define WORD_FMT "'%s%s%.64s'"
#define WORD_ARGS(w) (w)->key, (w)->has_value ? "=" : "", (w)->value

static int record_word(const char *w, size_t n, unsigned word, struct cmdline *out, struct parse_error *err) {
	char text[CMDLINE_MAX + 1];
	size_t tn = 0, quotes = 0;

	for (size_t i = 0; i < n; i++) {
		if (w[i] == '"')
			quotes++;
		else
			text[tn++] = w[i];
	}
	text[tn] = '\0';
	const char *eq = memchr(text, '=', tn);
	size_t klen = eq ? (size_t) (eq - text) : tn;

	enum {
		IGNORED,
		KNOWN,
		SHELL,
		VERINIT,
		UNLISTED
	} kind = IGNORED;
	size_t k = 0;
	while (k < _CMDLINE_KEY_MAX && !key_eq(text, klen, known_keys[k]))
		k++;
	if (k < _CMDLINE_KEY_MAX)
		kind = KNOWN;
	for (size_t s = 0; s < ELEMENTSOF(shell_keys) && kind == IGNORED; s++)
		if (key_eq(text, klen, shell_keys[s]))
			kind = SHELL;
	if (kind == IGNORED && klen >= 8 && memcmp(text, "verinit.", 8) == 0)
		kind = VERINIT;
	if (kind == IGNORED) {
		if (kernel_word(text, klen, eq ? eq + 1 : NULL))
			return 0; /* harmless, and not verinit's */
		kind = UNLISTED;
	}

	if (memchr(text, '\t', tn) || memchr(text, '\n', tn))
		return parse_fail(err, word, -EINVAL, "tab or newline inside quotes in '%.*s'", shown(text, tn), text);
	if (!quotes_plain(w, n, quotes))
		return parse_fail(err, word, -EINVAL, "quotes inside '%.*s': quote the whole word or the whole value",
				  shown(w, n), w);
	if (klen >= CMDLINE_KEY_MAX)
		return parse_fail(err, word, -E2BIG, "key '%.64s...' is longer than %d bytes", text,
				  CMDLINE_KEY_MAX - 1);
	size_t vlen = eq ? tn - klen - 1 : 0;
	if (vlen >= CMDLINE_VALUE_MAX && kind != UNLISTED)
		return parse_fail(err, word, -E2BIG, "value of %.*s is longer than %d bytes", (int) klen, text,
				  CMDLINE_VALUE_MAX - 1);
	if (vlen >= CMDLINE_VALUE_MAX)
		vlen = CMDLINE_VALUE_MAX - 1; /* only shown in a refusal */

	struct cmdline_word rec = { .word = word, .has_value = eq != NULL };
	memcpy(rec.key, text, klen);
	rec.key[klen] = '\0';
	if (eq) {
		memcpy(rec.value, eq + 1, vlen);
		rec.value[vlen] = '\0';
	}

	struct cmdline_word *slot = NULL;
	switch (kind) {
	case UNLISTED: /* the config decides, in cmdline_apply() */
		if (klen == 0)
			return parse_fail(err, word, -EINVAL, "a word without a key: '%.*s'", shown(text, tn), text);
		if (out->n_unlisted >= CMDLINE_UNLISTED_MAX)
			return parse_fail(err, word, -E2BIG, "more than %d words verinit does not know",
					  CMDLINE_UNLISTED_MAX);
		out->unlisted[out->n_unlisted++] = rec;
		return 0;
	case SHELL:
		if (shell_denied(&rec))
			return 0;
		if (!out->shell.word)
			out->shell = rec;
		return 0;
	case KNOWN:
		slot = &out->known[k];
		break;
	default: /* VERINIT: checked in cmdline_apply(), which knows the config */
		for (size_t i = 0; i < out->n_verinit && !slot; i++)
			if (key_eq(rec.key, klen, out->verinit[i].key))
				slot = &out->verinit[i];
		if (!slot && out->n_verinit >= CMDLINE_VERINIT_MAX)
			return parse_fail(err, word, -E2BIG, "more than %d verinit.* words", CMDLINE_VERINIT_MAX);
		if (!slot)
			slot = &out->verinit[out->n_verinit++];
		break;
	}
	/* systemd takes the last of repeated words: appending one is how an override would be tried. */
	if (slot->word)
		return parse_fail(err, word, -EINVAL, "repeated word " WORD_FMT " (first as word %u: " WORD_FMT ")",
				  WORD_ARGS(&rec), slot->word, WORD_ARGS(slot));
	if (kind == KNOWN && vlen == 0)
		return parse_fail(err, word, -EINVAL, "'%s' needs a value", rec.key);
	if (slot == &out->known[CMDLINE_USRHASH] && !hex_is_sha256(rec.value))
		return parse_fail(err, word, -EINVAL,
				  "bad value '%.64s' for usrhash: want 64 lowercase hex digits (sha256)", rec.value);
	*slot = rec;
	return 0;
}

int cmdline_parse(const char *buf, size_t len, struct cmdline *out, struct parse_error *err) {
	unsigned word = 0;

	memset(out, 0, sizeof *out);
	if (len > CMDLINE_MAX)
		return parse_fail(err, 0, -E2BIG, "command line is %zu bytes, more than %d", len, CMDLINE_MAX);
	for (size_t i = 0;;) {
		while (i < len && is_separator(buf[i]))
			i++;
		if (i == len)
			return 0;
		size_t start = i;
		bool quoted = false;
		word++;
		for (; i < len && (quoted || !is_separator(buf[i])); i++) {
			unsigned char ch = (unsigned char) buf[i];
			/* The kernel splits at \r, \v and \f too: refusing them keeps our words its words. */
			if (ch == '\0')
				return parse_fail(err, word, -EBADMSG, "NUL byte in the command line");
			if ((ch < ' ' && ch != '\t' && ch != '\n') || ch == 0x7f)
				return parse_fail(err, word, -EBADMSG, "control character 0x%02x in the command line",
						  ch);
			/* The kernel's isspace() takes 0xa0 for a space: its words would not be ours. */
			if (ch >= 0x80)
				return parse_fail(err, word, -EBADMSG, "byte 0x%02x in the command line (ASCII only)",
						  ch);
			/* systemd strips single quotes, the kernel does not: 'rd.shell' would be two words. */
			if (ch == '\'')
				return parse_fail(err, word, -EINVAL, "single quote in the command line: systemd "
								      "would read the word without it");
			if (ch == '"')
				quoted = !quoted;
		}
		for (const char *p = buf + start; (p = memmem(p, (size_t) (buf + i - p), "enforcing=", 10)); p++)
			if (p != buf + start)
				out->enforcing_inside++;
		if (quoted)
			return parse_fail(err, word, -EINVAL, "unterminated quote in '%.*s'",
					  shown(buf + start, i - start), buf + start);
		int r = record_word(buf + start, i - start, word, out, err);
		if (r < 0)
			return r;
	}
}

/* -EPERM for a word that would weaken enforcement; `why` says what it would override. */
_printf_(3, 4) static int refuse(struct parse_error *err, const struct cmdline_word *w, const char *why, ...) {
	char reason[128];
	va_list ap;

	va_start(ap, why);
	(void) vsnprintf(reason, sizeof reason, why, ap);
	va_end(ap);
	return parse_fail(err, w->word, -EPERM, WORD_FMT " would weaken enforcement (%s)", WORD_ARGS(w), reason);
}

static int bad_value(struct parse_error *err, const struct cmdline_word *w, const char *want) {
	return parse_fail(err, w->word, -EINVAL, "bad value '%.64s' for %s: want %s", w->value, w->key, want);
}

static int copy_value(char *dst, size_t size, const struct cmdline_word *w, struct parse_error *err) {
	size_t n = strlen(w->value);
	if (n >= size) /* cannot happen with today's sizes; refused rather than cut if it ever can */
		return parse_fail(err, w->word, -E2BIG, "value of %s is longer than %zu bytes", w->key, size - 1);
	memcpy(dst, w->value, n + 1);
	return 0;
}

/* verinit.kernel_verify= and verinit.tpm=, over the config's field (config_key): "required"
 * tightens; "optional" only restates. The field is written only on success. */
static int apply_requirement(const struct cmdline_word *w, const char *config_key, enum requirement *field,
			     struct parse_error *err) {
	if (!w->has_value)
		return bad_value(err, w, "required or optional");
	if (strcmp(w->value, "required") == 0) {
		*field = REQUIREMENT_REQUIRED;
		return 0;
	}
	if (strcmp(w->value, "optional") != 0)
		return bad_value(err, w, "required or optional");
	if (*field == REQUIREMENT_REQUIRED)
		return refuse(err, w, "config: %s=required", config_key);
	*field = REQUIREMENT_OPTIONAL;
	return 0;
}

static int apply_verinit(const struct cmdline_word *w, struct config *c, unsigned *verity_word,
			 struct parse_error *err) {
	const size_t n = strlen(w->key);

	if (key_eq(w->key, n, "verinit.debug")) {
		if (w->has_value)
			return parse_fail(err, w->word, -EINVAL, "verinit.debug takes no value: '%.64s'", w->value);
		c->debug = true;
		return 0;
	}
	if (key_eq(w->key, n, "verinit.failure_delay")) {
		/* How long the failure message stays up is not enforcement: any value in range. */
		if (!w->has_value || config_parse_uint(w->value, strlen(w->value), 0, 3600, &c->failure_delay) < 0)
			return bad_value(err, w, "seconds, 0 to 3600");
		return 0;
	}
	if (key_eq(w->key, n, "verinit.kernel_verify"))
		return apply_requirement(w, "kernel_verify", &c->kernel_verify, err);
	if (key_eq(w->key, n, "verinit.tpm"))
		return apply_requirement(w, "tpm", &c->tpm, err);
	if (key_eq(w->key, n, "verinit.verity.on_corruption")) {
		/* Both stop the machine rather than return bad data; eio would hand it to the reader. */
		if (strcmp(w->value, "panic") == 0)
			c->verity_on_corruption = VERITY_PANIC;
		else if (strcmp(w->value, "restart") == 0)
			c->verity_on_corruption = VERITY_RESTART;
		else if (strcmp(w->value, "eio") == 0) {
			/* Saying what the config says already loosens nothing. */
			if (c->verity_on_corruption != VERITY_EIO)
				return refuse(err, w, "config: verity.on_corruption=%s",
					      verity_mode_to_string(c->verity_on_corruption));
		} else
			return bad_value(err, w, "panic or restart");
		*verity_word = w->word;
		return 0;
	}
	if (key_eq(w->key, n, "verinit.failure"))
		return refuse(err, w, "config: failure=%s", failure_action_to_string(c->failure));
	/* An older verinit must not ignore a word that a newer one might use to loosen something. */
	return refuse(err, w, "not a word this verinit knows");
}

static int apply_usrflags(const struct cmdline_word *w, struct config *c, struct parse_error *err) {
	const char *v = w->value;
	for (;;) {
		size_t len = strcspn(v, ",");
		bool ok = false;
		if (len == 0)
			return bad_value(err, w, "comma-separated mount options");
		for (size_t i = 0; i < ELEMENTSOF(usrflags_allowed) && !ok; i++)
			ok = memeq_str(v, len, usrflags_allowed[i]);
		if (!ok)
			return refuse(err, w,
				      "option '%.*s' is not one of ro, nodev, nosuid, noexec, noatime, relatime",
				      (int) (len < 32 ? len : 32), v);
		if (v[len] == '\0')
			return copy_value(c->usr_flags, sizeof c->usr_flags, w, err);
		v += len + 1;
	}
}

static int apply_verity_options(const struct cmdline_word *w, struct config *c, unsigned verity_word,
				struct parse_error *err) {
	const char *v = w->value;
	enum verity_mode mode = _VERITY_MODE_MAX; /* none chosen yet */
	for (;;) {
		size_t len = strcspn(v, ",");
		enum verity_mode m;
		if (len == 0)
			return bad_value(err, w, "comma-separated dm-verity options");
		if (memeq_str(v, len, "panic-on-corruption"))
			m = VERITY_PANIC;
		else if (memeq_str(v, len, "restart-on-corruption"))
			m = VERITY_RESTART;
		else if (strncmp(v, "root-hash-signature=", strlen("root-hash-signature=")) == 0)
			return refuse(err, w, "the signature comes from the config: usr.signature=%.64s",
				      c->usr_signature);
		else
			/* ignore-corruption, ignore-zero-blocks and check-at-most-once loosen dm-verity; the
			 * others (hash=, superblock=, fec-*=, ...) would override what the signed superblock says. */
			return refuse(err, w, "option '%.*s' is not panic-on-corruption or restart-on-corruption",
				      (int) (len < 32 ? len : 32), v);
		if (mode != _VERITY_MODE_MAX && m != mode)
			return parse_fail(err, w->word, -EINVAL, WORD_FMT " asks for both panic and restart",
					  WORD_ARGS(w));
		mode = m;
		if (v[len] == '\0')
			break;
		v += len + 1;
	}
	if (verity_word && c->verity_on_corruption != mode)
		return parse_fail(err, w->word, -EINVAL, WORD_FMT " contradicts word %u (verity.on_corruption=%s)",
				  WORD_ARGS(w), verity_word, verity_mode_to_string(c->verity_on_corruption));
	c->verity_on_corruption = mode;
	return 0;
}

/* Whether the config's cmdline.allow names key ('-' and '_' alike, as everywhere here). */
static bool config_admits(const struct config *c, const char *key) {
	for (size_t i = 0; i < c->n_cmdline_allow && i < CONFIG_CMDLINE_ALLOW_MAX; i++)
		if (key_eq(key, strlen(key), c->cmdline_allow[i]))
			return true;
	return false;
}

/* Whether name is one of the comma-separated items of list. */
static bool in_csv(const char *list, const char *name) {
	size_t n = strlen(name);
	for (const char *p = list;; p++) {
		size_t len = strcspn(p, ",");
		if (len == n && memcmp(p, name, n) == 0)
			return true;
		p += len;
		if (!*p)
			return false;
	}
}

/* A device word must be well formed and, where the config names the device, name the same one. */
static int apply_device(const struct cmdline_word *w, const char *config_key, const char *configured, char *hint,
			struct parse_error *err) {
	char dev[CONFIG_PATH_MAX];
	int r = config_parse_device(w->value, strlen(w->value), dev);
	if (r < 0)
		return parse_fail(err, w->word, r,
				  "bad value '%.64s' for %s: want /dev/..., PARTUUID=<uuid> or PARTLABEL=<label>",
				  w->value, w->key);
	if (configured) {
		if (strcmp(dev, configured) != 0)
			return refuse(err, w, "config: %s=%.64s", config_key, configured);
		return 0;
	}
	memcpy(hint, dev, sizeof dev);
	return 0;
}

static int apply_known(enum cmdline_key k, const struct cmdline_word *w, struct config *c, unsigned verity_word,
		       struct parse_error *err) {
	const bool explicit = c->usr_discovery == USR_DISCOVERY_EXPLICIT;
	const char *want;
	char dev[CONFIG_PATH_MAX];

	switch (k) {
	case CMDLINE_USRHASH: /* checked by cmdline_parse(); compared with the signed hash later */
		return copy_value(c->usrhash, sizeof c->usrhash, w, err);
	case CMDLINE_MOUNT_USR:
		if (strcmp(w->value, "/dev/mapper/usr") != 0)
			return refuse(err, w, "/usr is always the verified /dev/mapper/usr");
		return 0;
	case CMDLINE_MOUNT_USRFSTYPE:
		if (strcmp(w->value, c->usr_fstype) != 0)
			return refuse(err, w, "config: usr.fstype=%s", c->usr_fstype);
		return 0;
	case CMDLINE_MOUNT_USRFLAGS:
		return apply_usrflags(w, c, err);
	case CMDLINE_VERITY_USR_DATA:
		return apply_device(w, "usr.data", explicit ? c->usr_data : NULL, c->usr_data_hint, err);
	case CMDLINE_VERITY_USR_HASH:
		return apply_device(w, "usr.hash", explicit ? c->usr_hash : NULL, c->usr_hash_hint, err);
	case CMDLINE_VERITY_USR_OPTIONS:
		return apply_verity_options(w, c, verity_word, err);
	case CMDLINE_ROOT:
		if (c->root_tmpfs || strcmp(w->value, "tmpfs") == 0) {
			if (!c->root_tmpfs || strcmp(w->value, "tmpfs") != 0)
				return refuse(err, w, "config: root=%.64s", c->root_tmpfs ? "tmpfs" : c->root_device);
			return 0;
		}
		return apply_device(w, "root", c->root_device, dev, err);
	case CMDLINE_ROOTFSTYPE:
		want = c->root_tmpfs ? "tmpfs" : c->root_fstype;
		if (strcmp(w->value, want) != 0)
			return refuse(err, w, "config: %s=%s", c->root_tmpfs ? "root" : "root.fstype", want);
		return 0;
	case CMDLINE_ROOTFLAGS:
		if (strcmp(w->value, c->root_flags) != 0)
			return refuse(err, w, "config: root.flags=%.64s", c->root_flags[0] ? c->root_flags : "(none)");
		return 0;
	case CMDLINE_INIT:
		/* Restating the configured init changes nothing, so even "deny" accepts it. */
		if (strcmp(w->value, c->init) == 0)
			return 0;
		if (c->cmdline_init != CMDLINE_INIT_ALLOW)
			return refuse(err, w, "config: cmdline.init=deny");
		if (config_parse_init(w->value, strlen(w->value), dev) < 0)
			return refuse(err, w, "init must be a path under /usr/ without '.', '..' or '//'");
		memcpy(c->init, dev, sizeof dev);
		return 0;
	/* Kernel words about the policies verinit loads: harmless unless a policy is configured, then
	 * only the configured mode may be said (systemd, too, sets SELinux's mode from enforcing=). */
	case CMDLINE_ENFORCING:
		if (c->selinux_policy[0] && c->selinux_mode == SELINUX_ENFORCING && strcmp(w->value, "1") != 0)
			return refuse(err, w, "config: selinux.mode=enforcing");
		return 0;
	case CMDLINE_SELINUX:
		if (c->selinux_policy[0] && strcmp(w->value, "1") != 0)
			return refuse(err, w, "config: selinux.policy=%.64s", c->selinux_policy);
		return 0;
	case CMDLINE_IPE_ENFORCE:
		if (c->ipe_policy[0] && c->ipe_mode == IPE_ENFORCE && strcmp(w->value, "1") != 0)
			return refuse(err, w, "config: ipe.mode=enforce");
		/* Without a policy of its own, verinit cannot tell what the kernel's would audit only:
		 * the config must say it expects that. */
		if (!c->ipe_policy[0] && strcmp(w->value, "1") != 0 && !config_admits(c, w->key))
			return refuse(err, w, "config: no ipe.policy; cmdline.allow=ipe.enforce admits it");
		return 0;
	case CMDLINE_LSM:
		if (c->ipe_policy[0] && !in_csv(w->value, "ipe"))
			return refuse(err, w, "it drops ipe; config: ipe.policy=%.64s", c->ipe_policy);
		if (c->selinux_policy[0] && !in_csv(w->value, "selinux"))
			return refuse(err, w, "it drops selinux; config: selinux.policy=%.64s", c->selinux_policy);
		return 0;
	case CMDLINE_SECURITY:
		if (c->selinux_policy[0] && strcmp(w->value, "selinux") != 0)
			return refuse(err, w, "config: selinux.policy=%.64s", c->selinux_policy);
		return 0;
	default:
		return parse_fail(err, w->word, -EINVAL, "internal: no rule for '%s'", w->key);
	}
}

int cmdline_apply(const struct cmdline *cl, struct config *c, struct parse_error *err) {
	struct config next = *c;  /* committed only when every word passed */
	unsigned verity_word = 0; /* the verinit.* word that chose the corruption mode, if any */
	int r;

	if (cl->shell.word)
		return parse_fail(err, cl->shell.word, -EPERM, WORD_FMT " asks for a shell: verinit never gives one",
				  WORD_ARGS(&cl->shell));
	for (size_t i = 0; i < cl->n_unlisted && i < CMDLINE_UNLISTED_MAX; i++)
		if (!config_admits(c, cl->unlisted[i].key))
			return parse_fail(err, cl->unlisted[i].word, -EPERM,
					  WORD_FMT " is on no list of words verinit lets through (config: cmdline.allow)",
					  WORD_ARGS(&cl->unlisted[i]));
	if (cl->enforcing_inside && c->selinux_policy[0] && c->selinux_mode == SELINUX_ENFORCING)
		return parse_fail(err, 0, -EPERM, "'enforcing=' inside another word or quotes: libselinux would read "
						  "the mode there (config: selinux.mode=enforcing)");
	for (size_t i = 0; i < cl->n_verinit && i < CMDLINE_VERINIT_MAX; i++) {
		r = apply_verinit(&cl->verinit[i], &next, &verity_word, err);
		if (r < 0)
			return r;
	}
	for (enum cmdline_key k = 0; k < _CMDLINE_KEY_MAX; k++) {
		if (!cl->known[k].word)
			continue;
		r = apply_known(k, &cl->known[k], &next, verity_word, err);
		if (r < 0)
			return r;
	}
	*c = next;
	return 0;
}
