/* SPDX-License-Identifier: MIT */
/* cmdline_parse() and cmdline_apply() from tables: a command line and a config → the return value,
 * the word and the message, or → the fields the command line may set. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "cmdline.h"
#include "config.h"
#include "macro.h"

/* The fields a command line can change, in the config file's syntax. */
static const char *render(const struct config *c, const char *key, char *buf, size_t size) {
	if (strcmp(key, "usrhash") == 0)
		return c->usrhash;
	if (strcmp(key, "usr_data_hint") == 0)
		return c->usr_data_hint;
	if (strcmp(key, "usr_hash_hint") == 0)
		return c->usr_hash_hint;
	if (strcmp(key, "usr_flags") == 0)
		return c->usr_flags;
	if (strcmp(key, "debug") == 0)
		return c->debug ? "yes" : "no";
	if (strcmp(key, "init") == 0)
		return c->init;
	if (strcmp(key, "kernel_verify") == 0)
		return requirement_to_string(c->kernel_verify);
	if (strcmp(key, "selinux.mode") == 0)
		return selinux_mode_to_string(c->selinux_mode);
	if (strcmp(key, "ipe.mode") == 0)
		return ipe_mode_to_string(c->ipe_mode);
	if (strcmp(key, "tpm") == 0)
		return requirement_to_string(c->tpm);
	if (strcmp(key, "verity.on_corruption") == 0)
		return verity_mode_to_string(c->verity_on_corruption);
	if (strcmp(key, "failure_delay") == 0) {
		(void) snprintf(buf, size, "%u", c->failure_delay);
		return buf;
	}
	fail_msg("test bug: no renderer for '%s'", key);
	return "(no renderer)";
}

struct cmdline_case {
	const char *name;
	const char *in;
	size_t len;
	const char *config; /* the file to apply to; NULL: the defaults */
	bool in_parse;      /* the error comes from cmdline_parse(), not cmdline_apply() */
	int ret;
	unsigned word;       /* for errors */
	const char *msg;     /* a substring of the message, for errors; NULL: any non-empty message */
	const char *want[4]; /* "key=value" checks of the config after apply, for successes */
};

/* A command line that applies to the config, with fields to check; one that cmdline_parse()
 * refuses; one that cmdline_apply() refuses. The length is the literal's, so a NUL is input. */
#define OK(name, in, config, ...)                                      \
	{                                                              \
		name, in, sizeof(in) - 1, config, false, 0, 0, NULL, { \
			__VA_ARGS__                                    \
		}                                                      \
	}
#define PARSE_ERR(name, in, ret, word, msg)                             \
	{                                                               \
		name, in, sizeof(in) - 1, NULL, true, ret, word, msg, { \
			NULL                                            \
		}                                                       \
	}
#define APPLY_ERR(name, in, config, ret, word, msg)                        \
	{                                                                  \
		name, in, sizeof(in) - 1, config, false, ret, word, msg, { \
			NULL                                               \
		}                                                          \
	}

#define HASH "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define UUID_LOWER "4f68bce3-e8cd-4db1-96e7-fbcaf984b709"
#define UUID_UPPER "4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709"
#define EXPLICIT "usr.discovery=explicit\nusr.data=/dev/vda2\nusr.hash=PARTLABEL=usr-verity\n"
#define ROOTDEV "root=PARTUUID=" UUID_LOWER "\nroot.fstype=xfs\nroot.flags=noatime\nroot.exec=unverified\n"
#define LOOSE "kernel_verify=optional\ntpm=optional\nverity.on_corruption=eio\ncmdline.init=allow\n"
#define WEAKENS "would weaken enforcement"
/* Azure Linux OS Guard's command line as its image builder writes it (its PARTUUIDs), and the
 * config that boots it (qemu/conf/osguard.conf): the root named, ext4 nodev,nosuid, IPE audited. */
#define OSGUARD_UUID_USR "c6141dd5-491e-4551-b134-13c76c349604"
#define OSGUARD_UUID_HASH "6d6ba26b-e816-4739-bf8f-8e736a9ed90e"
#define OSGUARD_UUID_ROOT "fc1c6ba1-de4b-4b83-9f83-a355aa2f7ef0"
#define OSGUARD_CMDLINE                                                                                      \
	"console=ttyS0 usrhash=" HASH " systemd.verity_usr_data=PARTUUID=" OSGUARD_UUID_USR                  \
	" systemd.verity_usr_hash=PARTUUID=" OSGUARD_UUID_HASH " root=PARTUUID=" OSGUARD_UUID_ROOT           \
	" rootfstype=ext4 rootflags=nodev,nosuid mount.usrfstype=ext4 rd.luks=0 rd.hostonly=0 net.ifnames=1" \
	" ipe.enforce=0"
#define OSGUARD_CONF                                                                                                   \
	"usr.fstype=ext4\nusr.signature=/etc/verinit/usr.p7s\nroot=PARTUUID=" OSGUARD_UUID_ROOT                        \
	"\nroot.fstype=ext4\nroot.flags=nodev,nosuid\nroot.exec=unverified\nipe.policy=/etc/verinit/ipe/default.p7s\n" \
	"ipe.mode=audit\n"

/* Prints why a case failed and lets the table go on, so one run lists every failing case. */
_printf_(1, 2) static bool bad(const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	vprint_error(fmt, ap);
	va_end(ap);
	print_error("\n");
	return false;
}

static bool check_case(const struct cmdline_case *t) {
	struct cmdline cl;
	struct config c, before;
	struct parse_error err = { .line = 4242, .msg = "untouched" };
	const char *file = t->config ? t->config : "";
	char buf[4096];

	int r = config_parse(file, strlen(file), &c, &err);
	if (r < 0)
		return bad("%s: test bug: config does not parse: line %u: %s", t->name, err.line, err.msg);
	memcpy(&before, &c, sizeof c); /* byte for byte, padding included */

	r = cmdline_parse(t->in, t->len, &cl, &err);
	if (r < 0 && !t->in_parse)
		return bad("%s: cmdline_parse() failed (%d, word %u: %s), want cmdline_apply() to decide", t->name, r,
			   err.line, err.msg);
	if (r == 0 && t->in_parse)
		return bad("%s: cmdline_parse() passed, want it to return %d", t->name, t->ret);
	if (r == 0)
		r = cmdline_apply(&cl, &c, &err);

	if (r != t->ret)
		return bad("%s: returned %d, want %d (word %u: %s)", t->name, r, t->ret, err.line, err.msg);
	if (t->ret < 0) {
		if (err.line != t->word)
			return bad("%s: error at word %u, want %u (%s)", t->name, err.line, t->word, err.msg);
		if (strcmp(err.msg, "untouched") == 0 || err.msg[0] == '\0')
			return bad("%s: no message", t->name);
		if (t->msg && !strstr(err.msg, t->msg))
			return bad("%s: message '%s' lacks '%s'", t->name, err.msg, t->msg);
		/* A refusal writes nothing, not a byte: the caller fails closed with the config it had. */
		/* NOLINTNEXTLINE(bugprone-suspicious-memory-comparison): exact bytes, padding included */
		if (memcmp(&c, &before, sizeof c) != 0)
			return bad("%s: a failed apply changed the config", t->name);
		return true;
	}
	if (err.line != 4242 || strcmp(err.msg, "untouched") != 0)
		return bad("%s: success wrote an error (%u: %s)", t->name, err.line, err.msg);
	for (size_t i = 0; i < ELEMENTSOF(t->want) && t->want[i]; i++) {
		const char *eq = strchr(t->want[i], '=');
		char key[64];
		assert_non_null(eq);
		(void) snprintf(key, sizeof key, "%.*s", (int) (eq - t->want[i]), t->want[i]);
		const char *got = render(&c, key, buf, sizeof buf);
		if (strcmp(got, eq + 1) != 0)
			return bad("%s: %s is '%s', want '%s'", t->name, key, got, eq + 1);
	}
	return true;
}

static const struct cmdline_case cases[] = {
	/* Splitting into words. */
	OK("empty", "", NULL, "usrhash=", "usr_data_hint=", "debug=no"),
	OK("only the kernel's words", "BOOT_IMAGE=/vmlinuz console=ttyS0,115200 ro quiet panic=-1\n", NULL,
	   "usrhash=", "init=/usr/lib/systemd/systemd"),
	APPLY_ERR("tab and newline separate words", "quiet\tro\nverinit.tpm=optional\n", NULL, -EPERM, 3,
		  "'verinit.tpm=optional' " WEAKENS " (config: tpm=required)"),
	OK("quoted value", "systemd.verity_usr_data=\"PARTLABEL=usr a\"", NULL, "usr_data_hint=PARTLABEL=usr a"),
	OK("quoted word", "quiet \"systemd.verity_usr_hash=PARTLABEL=usr b\" ro", NULL,
	   "usr_hash_hint=PARTLABEL=usr b"),
	OK("quotes group an ignored word", "console=\"a verinit.failure=halt\" verinit.debug", NULL, "debug=yes"),
	APPLY_ERR("quotes mid-word group too", "console=a\"b c\"d verinit.failure=halt", NULL, -EPERM, 2,
		  "'verinit.failure=halt'"),
	PARSE_ERR("quotes inside a key we read", "quiet \"usr\"hash=" HASH, -EINVAL, 2, "quotes inside"),
	PARSE_ERR("quote in the middle of a value", "init=/usr/\"bin/x\"", -EINVAL, 1, "quotes inside"),
	PARSE_ERR("unterminated quote", "quiet foo=\"bar baz", -EINVAL, 2, "unterminated quote"),
	PARSE_ERR("one-line message for a quoted newline", "\"verinit.a\nb\"", -EINVAL, 1,
		  "tab or newline inside quotes in 'verinit.a'"),
	PARSE_ERR("one-line message for an unterminated quote", "foo=\"a\nb", -EINVAL, 1,
		  "unterminated quote in 'foo=\"a'"),
	PARSE_ERR("unterminated quote on a word we read", "usrhash=\"" HASH, -EINVAL, 1, "unterminated quote"),
	PARSE_ERR("quoted tab in a value we read", "systemd.verity_usr_data=\"PARTLABEL=a\tb\"", -EINVAL, 1,
		  "tab or newline"),
	PARSE_ERR("NUL between words", "quiet ro\0 verinit.debug", -EBADMSG, 2, "NUL"),
	PARSE_ERR("NUL inside a value", "usrhash=0123\000456", -EBADMSG, 1, "NUL"),
	PARSE_ERR("carriage return", "quiet\r\n", -EBADMSG, 1, "0x0d"),
	PARSE_ERR("vertical tab, a kernel separator", "quiet\vusrhash=" HASH, -EBADMSG, 1, "0x0b"),
	APPLY_ERR("words after -- still count", "quiet -- verinit.failure=halt", NULL, -EPERM, 3,
		  "'verinit.failure=halt'"),
	APPLY_ERR("look-alike keys are on no list", "usrhashx=1 myverinit.tpm=optional", NULL, -EPERM, 1,
		  "'usrhashx=1' is on no list of words verinit lets through"),
	OK("look-alike keys are not ours", "usrhashx=1 myverinit.tpm=optional Verinit.tpm=optional roothash=x",
	   "cmdline.allow=usrhashx myverinit.tpm Verinit.tpm roothash\n", "usrhash=", "tpm=required"),

	/* An allow-list: the kernel's harmless words and systemd's logging pass; what systemd would act
	 * on after the hand-over does not, unless the config names it. */
	OK("fleet words", "BOOT_IMAGE=/vmlinuz console=ttyS0,115200 loglevel=3 rd.luks=0 rd.hostonly=0 net.ifnames=1 "
			  "fips=1 systemd.show_status=auto systemd.log_level=info --",
	   NULL, "usrhash="),
	APPLY_ERR("debug-shell unit", "quiet systemd.wants=debug-shell.service", NULL, -EPERM, 2,
		  "'systemd.wants=debug-shell.service' is on no list"),
	APPLY_ERR("emergency target", "systemd.unit=emergency.target", NULL, -EPERM, 1, "on no list"),
	APPLY_ERR("single", "ro single", NULL, -EPERM, 2, "'single' is on no list"),
	APPLY_ERR("emergency", "emergency", NULL, -EPERM, 1, "on no list"),
	APPLY_ERR("systemd.run", "systemd.run=/usr/bin/sh", NULL, -EPERM, 1, "on no list"),
	APPLY_ERR("systemd.setenv", "systemd.setenv=LD_PRELOAD=/x.so", NULL, -EPERM, 1, "on no list"),
	APPLY_ERR("rd.luks on", "rd.luks=1", NULL, -EPERM, 1, "'rd.luks=1' is on no list"),
	APPLY_ERR("mitigations off", "mitigations=off", NULL, -EPERM, 1, "on no list"),
	OK("admitted by the config", "systemd.unit=multi-user.target", "cmdline.allow=systemd.unit\n", "usrhash="),
	OK("admitted with the other spelling", "systemd.machine-id=1", "cmdline.allow=systemd.machine_id\n", "usrhash="),
	PARSE_ERR("a word without a key", "quiet =x", -EINVAL, 2, "without a key"),
	PARSE_ERR("single quotes", "quiet 'systemd.debug_shell'", -EINVAL, 2, "single quote"),
	PARSE_ERR("a single quote in a value", "console='ttyS0'", -EINVAL, 1, "single quote"),
	PARSE_ERR("0xa0 splits words in the kernel", "console=x\xa0ipe.enforce=0", -EBADMSG, 1, "byte 0xa0"),
	PARSE_ERR("UTF-8", "console=caf\xc3\xa9", -EBADMSG, 1, "byte 0xc3"),

	/* Words we read: presence, repetition. */
	OK("usrhash pins", "ro usrhash=" HASH, NULL, "usrhash=" HASH),
	PARSE_ERR("usrhash uppercase", "usrhash=0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
		  -EINVAL, 1, "want 64 lowercase hex digits"),
	PARSE_ERR("usrhash of 63", "usrhash=123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", -EINVAL,
		  1, "for usrhash"),
	PARSE_ERR("usrhash of 65", "usrhash=" HASH "0", -EINVAL, 1, "for usrhash"),
	PARSE_ERR("usrhash not hex", "usrhash=g123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		  -EINVAL, 1, "for usrhash"),
	PARSE_ERR("usrhash as a flag", "quiet usrhash", -EINVAL, 2, "'usrhash' needs a value"),
	PARSE_ERR("usrhash empty", "usrhash=", -EINVAL, 1, "needs a value"),
	PARSE_ERR("usrhash empty quotes", "usrhash=\"\"", -EINVAL, 1, "needs a value"),
	PARSE_ERR("repeated usrhash, same value", "usrhash=" HASH " quiet usrhash=" HASH, -EINVAL, 3,
		  "(first as word 1"),
	PARSE_ERR("repeated with a dash", "systemd.verity_usr_data=/dev/vda2 systemd.verity-usr-data=/dev/vdb2",
		  -EINVAL, 2, "repeated word"),
	PARSE_ERR("repeated verinit word", "verinit.debug verinit.debug", -EINVAL, 2, "repeated word"),

	/* /usr: mount words. */
	OK("mount.usr of ours", "mount.usr=/dev/mapper/usr", NULL, NULL),
	APPLY_ERR("mount.usr elsewhere", "mount.usr=/dev/vda2", NULL, -EPERM, 1, "'mount.usr=/dev/vda2' " WEAKENS),
	APPLY_ERR("mount.usr by PARTUUID", "mount.usr=PARTUUID=" UUID_LOWER, NULL, -EPERM, 1, WEAKENS),
	OK("mount.usrfstype as configured", "mount.usrfstype=erofs", NULL, NULL),
	APPLY_ERR("mount.usrfstype other", "mount.usrfstype=ext4", NULL, -EPERM, 1, "(config: usr.fstype=erofs)"),
	OK("mount.usrflags read-only", "mount.usrflags=ro,nodev,nosuid,noatime", NULL,
	   "usr_flags=ro,nodev,nosuid,noatime"),
	APPLY_ERR("mount.usrflags rw", "mount.usrflags=ro,rw", NULL, -EPERM, 1, "option 'rw'"),
	APPLY_ERR("mount.usrflags dev", "mount.usrflags=dev", NULL, -EPERM, 1, "option 'dev'"),
	APPLY_ERR("mount.usrflags empty option", "mount.usrflags=ro,,nodev", NULL, -EINVAL, 1, "for mount.usrflags"),

	/* /usr: devices. */
	OK("data hint with auto", "systemd.verity_usr_data=PARTUUID=" UUID_UPPER, NULL,
	   "usr_data_hint=PARTUUID=" UUID_LOWER),
	OK("hash hint with partuuid", "systemd.verity_usr_hash=/dev/vda3", "usr.discovery=partuuid\n",
	   "usr_hash_hint=/dev/vda3"),
	APPLY_ERR("malformed hint", "systemd.verity_usr_data=vda2", NULL, -EINVAL, 1, "bad value 'vda2'"),
	APPLY_ERR("hint climbing out of /dev", "systemd.verity_usr_hash=/dev/../tmp/x", NULL, -EINVAL, 1, "bad value"),
	OK("explicit, the same devices",
	   "systemd.verity_usr_data=/dev/vda2 systemd.verity_usr_hash=PARTLABEL=usr-verity", EXPLICIT,
	   "usr_data_hint=", "usr_hash_hint="),
	APPLY_ERR("explicit, another data device", "quiet systemd.verity_usr_data=/dev/vdb2", EXPLICIT, -EPERM, 2,
		  "(config: usr.data=/dev/vda2)"),
	APPLY_ERR("explicit, another hash device", "systemd.verity_usr_hash=PARTLABEL=evil", EXPLICIT, -EPERM, 1,
		  "(config: usr.hash=PARTLABEL=usr-verity)"),

	/* /usr: dm-verity options. */
	OK("options: panic", "systemd.verity_usr_options=panic-on-corruption", NULL, "verity.on_corruption=panic"),
	OK("options: eio tightened to restart", "systemd.verity_usr_options=restart-on-corruption", LOOSE,
	   "verity.on_corruption=restart"),
	APPLY_ERR("options: ignore-corruption", "systemd.verity_usr_options=ignore-corruption", NULL, -EPERM, 1,
		  "option 'ignore-corruption'"),
	APPLY_ERR("options: ignore-zero-blocks", "systemd.verity_usr_options=restart-on-corruption,ignore-zero-blocks",
		  NULL, -EPERM, 1, "option 'ignore-zero-blocks'"),
	APPLY_ERR("options: check-at-most-once", "systemd.verity_usr_options=check-at-most-once", NULL, -EPERM, 1,
		  "option 'check-at-most-once'"),
	APPLY_ERR("options: signature", "systemd.verity_usr_options=root-hash-signature=/tmp/mine.p7s", NULL, -EPERM, 1,
		  "usr.signature=partition"),
	APPLY_ERR("options: hash algorithm", "systemd.verity_usr_options=hash=sha1", NULL, -EPERM, 1,
		  "option 'hash=sha1'"),
	APPLY_ERR("options: both modes", "systemd.verity_usr_options=panic-on-corruption,restart-on-corruption", NULL,
		  -EINVAL, 1, "both panic and restart"),
	APPLY_ERR("options against verinit word",
		  "verinit.verity.on_corruption=restart systemd.verity_usr_options=panic-on-corruption", NULL, -EINVAL,
		  2, "contradicts word 1"),

	/* The root. */
	OK("root=tmpfs as configured", "root=tmpfs rootfstype=tmpfs", NULL, NULL),
	APPLY_ERR("root device over tmpfs", "root=/dev/sda1", NULL, -EPERM, 1, "(config: root=tmpfs)"),
	APPLY_ERR("rootfstype over tmpfs", "rootfstype=ext4", NULL, -EPERM, 1, "(config: root=tmpfs)"),
	OK("root device as configured", "root=PARTUUID=" UUID_UPPER " rootfstype=xfs rootflags=noatime", ROOTDEV, NULL),
	APPLY_ERR("another root device", "root=/dev/vda4", ROOTDEV, -EPERM, 1, "(config: root=PARTUUID=" UUID_LOWER),
	APPLY_ERR("tmpfs over a root device", "root=tmpfs", ROOTDEV, -EPERM, 1, "(config: root=PARTUUID="),
	APPLY_ERR("another rootfstype", "rootfstype=ext4", ROOTDEV, -EPERM, 1, "(config: root.fstype=xfs)"),
	APPLY_ERR("other rootflags", "rootflags=noatime,exec", ROOTDEV, -EPERM, 1, "(config: root.flags=noatime)"),
	APPLY_ERR("rootflags without config flags", "rootflags=rw", NULL, -EPERM, 1, "(config: root.flags=(none))"),

	/* OS Guard's line, unedited: with its config it applies (the devices taken as named); with a
	 * config that does not name the root, root= is refused; with enforce, ipe.enforce=0 is. */
	OK("OS Guard's command line", OSGUARD_CMDLINE, OSGUARD_CONF, "usrhash=" HASH,
	   "usr_data_hint=PARTUUID=" OSGUARD_UUID_USR, "usr_hash_hint=PARTUUID=" OSGUARD_UUID_HASH),
	APPLY_ERR("OS Guard's line, root not configured", OSGUARD_CMDLINE, "usr.fstype=ext4\n", -EPERM, 5,
		  "(config: root=tmpfs)"),
	APPLY_ERR("OS Guard's line, IPE enforced", OSGUARD_CMDLINE,
		  "usr.fstype=ext4\nroot=PARTUUID=" OSGUARD_UUID_ROOT "\nroot.flags=nodev,nosuid\nroot.exec=unverified\n"
		  "ipe.policy=/etc/verinit/ipe/default.p7s\n",
		  -EPERM, 12, "(config: ipe.mode=enforce)"),

	/* init=. */
	OK("init restating the config", "init=/usr/lib/systemd/systemd", NULL, "init=/usr/lib/systemd/systemd"),
	APPLY_ERR("init with deny", "init=/usr/sbin/init", NULL, -EPERM, 1, "(config: cmdline.init=deny)"),
	APPLY_ERR("init=/bin/sh with deny", "quiet init=/bin/sh", NULL, -EPERM, 2, "'init=/bin/sh' " WEAKENS),
	OK("init with allow", "init=/usr/sbin/init", LOOSE, "init=/usr/sbin/init"),
	APPLY_ERR("init=/bin/sh with allow", "init=/bin/sh", LOOSE, -EPERM, 1, "under /usr/"),
	APPLY_ERR("init in /usrx", "init=/usrx/sbin/init", LOOSE, -EPERM, 1, "under /usr/"),
	APPLY_ERR("init climbing out of /usr", "init=/usr/../bin/sh", LOOSE, -EPERM, 1, "under /usr/"),
	APPLY_ERR("init relative", "init=usr/sbin/init", LOOSE, -EPERM, 1, "under /usr/"),

	/* verinit.* words. */
	OK("debug", "verinit.debug", NULL, "debug=yes"),
	APPLY_ERR("debug with a value", "verinit.debug=0", NULL, -EINVAL, 1, "takes no value"),
	OK("failure_delay", "verinit.failure_delay=600", NULL, "failure_delay=600"),
	OK("failure_delay lowered", "verinit.failure-delay=0", "failure_delay=100\n", "failure_delay=0"),
	APPLY_ERR("failure_delay out of range", "verinit.failure_delay=3601", NULL, -EINVAL, 1, "0 to 3600"),
	APPLY_ERR("failure_delay as a flag", "verinit.failure_delay", NULL, -EINVAL, 1, "for verinit.failure_delay"),
	OK("kernel_verify tightened", "verinit.kernel_verify=required", LOOSE, "kernel_verify=required"),
	APPLY_ERR("kernel_verify loosened", "ro verinit.kernel_verify=optional", NULL, -EPERM, 2,
		  "'verinit.kernel_verify=optional' " WEAKENS " (config: kernel_verify=required)"),
	OK("kernel_verify restated", "verinit.kernel_verify=optional", LOOSE, "kernel_verify=optional"),
	APPLY_ERR("kernel_verify spelled with a dash", "verinit.kernel-verify=optional", NULL, -EPERM, 1, WEAKENS),
	APPLY_ERR("kernel_verify bad", "verinit.kernel_verify=maybe", NULL, -EINVAL, 1, "want required or optional"),
	OK("tpm tightened", "verinit.tpm=required", LOOSE, "tpm=required"),
	APPLY_ERR("tpm loosened", "quiet ro verinit.tpm=optional", NULL, -EPERM, 3,
		  "'verinit.tpm=optional' would weaken enforcement (config: tpm=required)"),
	OK("corruption: panic", "verinit.verity.on_corruption=panic", NULL, "verity.on_corruption=panic"),
	OK("corruption: eio tightened", "verinit.verity.on_corruption=restart", LOOSE, "verity.on_corruption=restart"),
	APPLY_ERR("corruption: eio", "verinit.verity.on_corruption=eio", NULL, -EPERM, 1,
		  "(config: verity.on_corruption=restart)"),
	APPLY_ERR("corruption: eio under panic", "verinit.verity.on_corruption=eio", "verity.on_corruption=panic\n",
		  -EPERM, 1, "(config: verity.on_corruption=panic)"),
	OK("corruption: eio restated", "verinit.verity.on_corruption=eio", LOOSE, "verity.on_corruption=eio"),
	APPLY_ERR("corruption: unknown mode", "verinit.verity.on_corruption=ignore", NULL, -EINVAL, 1,
		  "want panic or restart"),
	APPLY_ERR("failure action", "verinit.failure=poweroff", NULL, -EPERM, 1, "(config: failure=halt)"),
	APPLY_ERR("unknown verinit word", "verinit.allow_unsigned=1", NULL, -EPERM, 1, "not a word this verinit knows"),
	APPLY_ERR("bare verinit.", "verinit.", NULL, -EPERM, 1, WEAKENS),

	/* The policies' own kernel words. */
	OK("enforcing=0 without a policy", "enforcing=0 selinux=0 ipe.enforce=0", "cmdline.allow=ipe.enforce\n",
	   "verity.on_corruption=restart"),
	APPLY_ERR("ipe.enforce=0 without a policy or leave", "ipe.enforce=0", NULL, -EPERM, 1,
		  "no ipe.policy; cmdline.allow=ipe.enforce admits it"),
	OK("ipe.enforce=1 without a policy", "ipe.enforce=1", NULL, "usrhash="),
	/* LSMs the config's policies need stay. */
	OK("lsm= keeping ipe", "lsm=lockdown,capability,ipe", "ipe.policy=/etc/p\n", "usrhash="),
	APPLY_ERR("lsm= dropping ipe", "lsm=lockdown,capability,selinux", "ipe.policy=/etc/p\n", -EPERM, 1,
		  "it drops ipe"),
	APPLY_ERR("lsm= dropping selinux", "lsm=lockdown,ipe", "selinux.policy=/etc/p\n", -EPERM, 1, "it drops selinux"),
	APPLY_ERR("lsm= with a look-alike", "lsm=selinuxx", "selinux.policy=/etc/p\n", -EPERM, 1, "it drops selinux"),
	OK("lsm= without policies", "lsm=lockdown", NULL, "usrhash="),
	APPLY_ERR("security= another major LSM", "security=apparmor", "selinux.policy=/etc/p\n", -EPERM, 1,
		  "(config: selinux.policy="),
	/* libselinux reads enforcing= by substring after the hand-over: only the word itself counts. */
	APPLY_ERR("enforcing= inside a word", "x_enforcing=1 enforcing=1", "selinux.policy=/etc/p\ncmdline.allow=x_enforcing\n",
		  -EPERM, 0, "inside another word or quotes"),
	APPLY_ERR("enforcing= in quotes", "console=\"a enforcing=0\"", "selinux.policy=/etc/p\n", -EPERM, 0,
		  "inside another word or quotes"),
	OK("enforcing= inside a word, SELinux permissive", "console=\"a enforcing=0\"",
	   "selinux.policy=/etc/p\nselinux.mode=permissive\n", "usrhash="),
	APPLY_ERR("enforcing=0 under an enforcing policy", "quiet enforcing=0", "selinux.policy=/etc/p\n", -EPERM, 2,
		  "(config: selinux.mode=enforcing)"),
	OK("enforcing=1 restated", "enforcing=1", "selinux.policy=/etc/p\n", "selinux.mode=enforcing"),
	OK("enforcing=0 with a permissive policy", "enforcing=0", "selinux.policy=/etc/p\nselinux.mode=permissive\n",
	   "selinux.mode=permissive"),
	APPLY_ERR("selinux=0 with a policy", "selinux=0", "selinux.policy=/etc/p\nselinux.mode=permissive\n", -EPERM,
		  1, "(config: selinux.policy=/etc/p)"),
	APPLY_ERR("ipe.enforce=0 under enforce", "ipe.enforce=0", "ipe.policy=/etc/i\n", -EPERM, 1,
		  "(config: ipe.mode=enforce)"),
	OK("ipe.enforce=0 in audit mode", "ipe.enforce=0", "ipe.policy=/etc/i\nipe.mode=audit\n", "ipe.mode=audit"),

	/* Shells. */
	APPLY_ERR("rd.break", "quiet rd.break", NULL, -EPERM, 2, "'rd.break' asks for a shell"),
	APPLY_ERR("rd.break=pre-mount", "rd.break=pre-mount", NULL, -EPERM, 1, "asks for a shell"),
	APPLY_ERR("rd.shell", "rd.shell", NULL, -EPERM, 1, "asks for a shell"),
	APPLY_ERR("rd.emergency", "rd.emergency", NULL, -EPERM, 1, "asks for a shell"),
	APPLY_ERR("rd.emergency=shell", "rd.emergency=shell", NULL, -EPERM, 1, "asks for a shell"),
	OK("rd.emergency=reboot turns the shell off", "rd.emergency=reboot", NULL, "verity.on_corruption=restart"),
	OK("rd.emergency=poweroff", "rd.emergency=poweroff", NULL, "verity.on_corruption=restart"),
	OK("rd.shell=0 turns it off", "rd.shell=0 rd.shell=no systemd.debug_shell=false rd.systemd.debug-shell=off", NULL,
	   "verity.on_corruption=restart"),
	APPLY_ERR("rd.shell=1", "rd.shell=1", NULL, -EPERM, 1, "asks for a shell"),
	APPLY_ERR("rd.shell=0 then rd.shell", "rd.shell=0 rd.shell", NULL, -EPERM, 2, "asks for a shell"),
	APPLY_ERR("rd.shell=\"0 \"", "\"rd.shell=0 \"", NULL, -EPERM, 1, "asks for a shell"),
	APPLY_ERR("rd.break=0 still breaks", "rd.break=0", NULL, -EPERM, 1, "asks for a shell"),
	APPLY_ERR("systemd.debug_shell", "systemd.debug_shell", NULL, -EPERM, 1, "asks for a shell"),
	APPLY_ERR("systemd.debug-shell=tty9", "systemd.debug-shell=tty9", NULL, -EPERM, 1, "asks for a shell"),
	APPLY_ERR("rd.systemd.debug_shell", "ro rd.systemd.debug_shell=1", NULL, -EPERM, 2, "asks for a shell"),

	/* All the narrowing at once, as a node's boot entry might carry it. */
	OK("everything allowed at once",
	   "BOOT_IMAGE=/vmlinuz root=tmpfs usrhash=" HASH " systemd.verity_usr_data=PARTLABEL=usr "
	   "systemd.verity_usr_hash=PARTLABEL=usr-verity systemd.verity_usr_options=panic-on-corruption "
	   "mount.usr=/dev/mapper/usr mount.usrfstype=erofs mount.usrflags=ro init=/usr/lib/systemd/systemd "
	   "verinit.debug verinit.tpm=required console=ttyS0\n",
	   NULL, "usrhash=" HASH, "usr_data_hint=PARTLABEL=usr", "verity.on_corruption=panic", "usr_flags=ro"),
};

static void test_table(void **state) {
	(void) state;
	size_t failed = 0;
	for (size_t i = 0; i < ELEMENTSOF(cases); i++)
		failed += !check_case(&cases[i]);
	assert_int_equal(failed, 0);
}

/* Inputs too long to write out: built here, checked by the same function. */
static void test_limits(void **state) {
	(void) state;
	static char buf[CMDLINE_MAX + 64];
	int n;

	/* 4096 bytes of the kernel's words pass; one more byte does not. */
	memset(buf, 'x', sizeof buf);
	for (size_t i = 0; i < sizeof buf; i += 64) {
		memcpy(buf + i, "console=", 8);
		if (i + 63 < sizeof buf)
			buf[i + 63] = ' ';
	}
	assert_true(check_case(
		&(struct cmdline_case){ "cmdline of 4096", buf, CMDLINE_MAX, NULL, false, 0, 0, NULL, { NULL } }));
	assert_true(check_case(&(struct cmdline_case){
		"cmdline of 4097", buf, CMDLINE_MAX + 1, NULL, true, -E2BIG, 0, "4097 bytes", { NULL } }));

	/* A value of 255 fits its field; 256 is refused, not cut. */
	n = snprintf(buf, sizeof buf, "quiet systemd.verity_usr_data=/dev/%0250d", 1);
	assert_true(check_case(
		&(struct cmdline_case){ "value of 255", buf, (size_t) n, NULL, false, 0, 0, NULL, { NULL } }));
	n = snprintf(buf, sizeof buf, "quiet systemd.verity_usr_data=/dev/%0251d", 1);
	assert_true(check_case(&(struct cmdline_case){
		"value of 256", buf, (size_t) n, NULL, true, -E2BIG, 2, "longer than 255 bytes", { NULL } }));

	/* A long key of ours is refused rather than cut to a shorter (maybe known) one. */
	n = snprintf(buf, sizeof buf, "verinit.%056d=1", 0);
	assert_true(check_case(&(struct cmdline_case){
		"verinit key of 64", buf, (size_t) n, NULL, true, -E2BIG, 1, "longer than 63 bytes", { NULL } }));

	/* More verinit.* words than there is room for. */
	n = 0;
	for (int i = 0; i <= CMDLINE_VERINIT_MAX; i++)
		n += snprintf(buf + n, sizeof buf - (size_t) n, "verinit.w%d ", i);
	assert_true(check_case(&(struct cmdline_case){ "17 verinit words",
						       buf,
						       (size_t) n,
						       NULL,
						       true,
						       -E2BIG,
						       17,
						       "more than 16 verinit.* words",
						       { NULL } }));
}

/* What the parser records, beyond what apply makes of it. */
static void test_recorded_words(void **state) {
	(void) state;
	static const char line[] = "quiet \"verinit.debug\" usrhash=" HASH " verinit.tpm=\"required\" init=/usr/x\n";
	struct cmdline cl;
	struct parse_error err = { 0 };

	assert_int_equal(cmdline_parse(line, sizeof line - 1, &cl, &err), 0);
	assert_int_equal(cl.known[CMDLINE_USRHASH].word, 3);
	assert_string_equal(cl.known[CMDLINE_USRHASH].value, HASH);
	assert_int_equal(cl.known[CMDLINE_INIT].word, 5);
	assert_true(cl.known[CMDLINE_INIT].has_value);
	assert_int_equal(cl.known[CMDLINE_ROOT].word, 0);
	assert_int_equal(cl.n_verinit, 2);
	assert_string_equal(cl.verinit[0].key, "verinit.debug");
	assert_false(cl.verinit[0].has_value);
	assert_int_equal(cl.verinit[1].word, 4);
	assert_string_equal(cl.verinit[1].value, "required");
	assert_int_equal(cl.shell.word, 0);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_recorded_words),
	};
	print_message("cmdline: %zu table cases\n", ELEMENTSOF(cases));
	return cmocka_run_group_tests_name("cmdline", tests, NULL, NULL);
}
