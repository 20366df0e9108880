/* SPDX-License-Identifier: MIT */
/* config_parse() from tables: input → return value, line and message, or → a few fields. */
#include <errno.h>
#include <setjmp.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "config.h"
#include "macro.h"

/* One field in the file's own syntax ("failure=halt"), so expectations read like the file. */
static const char *render(const struct config *c, const char *key, char *buf, size_t size) {
	if (strcmp(key, "usr.discovery") == 0)
		return usr_discovery_to_string(c->usr_discovery);
	if (strcmp(key, "usr.data") == 0)
		return c->usr_data;
	if (strcmp(key, "usr.hash") == 0)
		return c->usr_hash;
	if (strcmp(key, "usr.signature") == 0)
		return c->usr_signature;
	if (strcmp(key, "usr.fstype") == 0)
		return c->usr_fstype;
	if (strcmp(key, "usr.slots") == 0)
		return usr_slots_to_string(c->usr_slots);
	if (strcmp(key, "root") == 0)
		return c->root_tmpfs ? "tmpfs" : c->root_device;
	if (strcmp(key, "root.fstype") == 0)
		return c->root_fstype;
	if (strcmp(key, "root.flags") == 0)
		return c->root_flags;
	if (strcmp(key, "root.exec") == 0)
		return root_exec_to_string(c->root_exec);
	if (strcmp(key, "certificates") == 0)
		return c->certificates;
	if (strcmp(key, "failure") == 0)
		return failure_action_to_string(c->failure);
	if (strcmp(key, "kernel_verify") == 0)
		return requirement_to_string(c->kernel_verify);
	if (strcmp(key, "verity.on_corruption") == 0)
		return verity_mode_to_string(c->verity_on_corruption);
	if (strcmp(key, "init") == 0)
		return c->init;
	if (strcmp(key, "cmdline.init") == 0)
		return cmdline_init_to_string(c->cmdline_init);
	if (strcmp(key, "tpm") == 0)
		return requirement_to_string(c->tpm);
	if (strcmp(key, "ipe.policy") == 0)
		return c->ipe_policy;
	if (strcmp(key, "ipe.mode") == 0)
		return ipe_mode_to_string(c->ipe_mode);
	if (strcmp(key, "ipe") == 0)
		return requirement_to_string(c->ipe);
	if (strcmp(key, "selinux.policy") == 0)
		return c->selinux_policy;
	if (strcmp(key, "selinux.mode") == 0)
		return selinux_mode_to_string(c->selinux_mode);
	if (strcmp(key, "selinux") == 0)
		return requirement_to_string(c->selinux);
	if (strcmp(key, "selinux.lock") == 0)
		return selinux_lock_to_string(c->selinux_lock);
	if (strcmp(key, "selinux.store") == 0)
		return c->selinux_store;
	if (strcmp(key, "device_timeout") == 0) {
		(void) snprintf(buf, size, "%u", c->device_timeout);
		return buf;
	}
	if (strcmp(key, "tpm_timeout") == 0 || strcmp(key, "pcr.phase") == 0 || strcmp(key, "pcr.facts") == 0) {
		(void) snprintf(buf, size, "%u",
				key[0] == 't'   ? c->tpm_timeout
				: key[4] == 'p' ? c->pcr_phase
						: c->pcr_facts);
		return buf;
	}
	if (strcmp(key, "failure_delay") == 0) {
		(void) snprintf(buf, size, "%u", c->failure_delay);
		return buf;
	}
	if (strcmp(key, "n_modules") == 0) {
		(void) snprintf(buf, size, "%zu", c->n_modules);
		return buf;
	}
	if (strcmp(key, "modules") == 0) {
		buf[0] = '\0';
		for (size_t i = 0; i < c->n_modules; i++) {
			size_t used = strlen(buf);
			(void) snprintf(buf + used, size - used, "%s%s", i ? " " : "", c->modules[i]);
		}
		return buf;
	}
	/* Only the command line sets these; the file must leave them empty. */
	if (strcmp(key, "usrhash") == 0)
		return c->usrhash;
	if (strcmp(key, "usr_data_hint") == 0)
		return c->usr_data_hint;
	if (strcmp(key, "usr_flags") == 0)
		return c->usr_flags;
	fail_msg("test bug: no renderer for '%s'", key);
	return "(no renderer)";
}

/* "key=value": the first '=' ends the key; the value may hold more. */
static bool expect_field(const char *name, const struct config *c, const char *want) {
	char key[64], buf[4096];
	const char *eq = strchr(want, '=');
	assert_non_null(eq);
	(void) snprintf(key, sizeof key, "%.*s", (int) (eq - want), want);
	const char *got = render(c, key, buf, sizeof buf);
	if (strcmp(got, eq + 1) != 0) {
		print_error("%s: %s is '%s', want '%s'\n", name, key, got, eq + 1);
		return false;
	}
	return true;
}

struct config_case {
	const char *name;
	const char *in;
	size_t len;
	int ret;
	unsigned line;       /* for errors */
	const char *msg;     /* a substring of the message, for errors; NULL: any non-empty message */
	const char *want[6]; /* "key=value" checks, for successes */
};

/* A file that parses, with fields to check; a file that is refused, with where and why. The
 * length is the literal's, so a NUL inside one is part of the input. */
/* Device roots in the cases below accept unverified code on them; the rule itself has its own cases. */
#define UNVERIFIED "root.exec=unverified\n"
#define OK(name, in, ...)                               \
	{                                               \
		name, in, sizeof(in) - 1, 0, 0, NULL, { \
			__VA_ARGS__                     \
		}                                       \
	}
#define FAIL(name, in, ret, line, msg)                      \
	{                                                   \
		name, in, sizeof(in) - 1, ret, line, msg, { \
			NULL                                \
		}                                           \
	}

/* One literal, not a concatenation, inside the tables (a concatenation there looks like a lost comma). */
#define WANT_DEFAULT_MODULES \
	"modules=virtio_blk virtio_scsi sd_mod hv_vmbus hv_storvsc nvme dm-verity erofs efivarfs tpm_crb tpm_tis"
#define UUID_LOWER "4f68bce3-e8cd-4db1-96e7-fbcaf984b709"
#define UUID_UPPER "4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709"

/* Prints why a case failed and lets the table go on, so one run lists every failing case. */
_printf_(1, 2) static bool bad(const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	vprint_error(fmt, ap);
	va_end(ap);
	print_error("\n");
	return false;
}

static bool check_case(const struct config_case *t) {
	struct config c;
	struct parse_error err = { .line = 4242, .msg = "untouched" };
	int r = config_parse(t->in, t->len, &c, &err);

	if (r != t->ret)
		return bad("%s: returned %d, want %d (line %u: %s)", t->name, r, t->ret, err.line, err.msg);
	if (t->ret < 0) {
		if (err.line != t->line)
			return bad("%s: error on line %u, want %u (%s)", t->name, err.line, t->line, err.msg);
		if (strcmp(err.msg, "untouched") == 0 || err.msg[0] == '\0')
			return bad("%s: no message", t->name);
		if (t->msg && !strstr(err.msg, t->msg))
			return bad("%s: message '%s' lacks '%s'", t->name, err.msg, t->msg);
		return true;
	}
	if (err.line != 4242 || strcmp(err.msg, "untouched") != 0)
		return bad("%s: success wrote an error (%u: %s)", t->name, err.line, err.msg);
	for (size_t i = 0; i < ELEMENTSOF(t->want) && t->want[i]; i++)
		if (!expect_field(t->name, &c, t->want[i]))
			return false;
	return true;
}

static const struct config_case cases[] = {
	/* Successes: the defaults, the format's tolerances, then every key. */
	OK("empty file: defaults", "", "usr.discovery=auto", "usr.signature=partition", "usr.fstype=erofs",
	   "root=tmpfs", "root.fstype=ext4"),
	OK("defaults 2", "", "certificates=/etc/verinit/certs", WANT_DEFAULT_MODULES, "device_timeout=30",
	   "failure=halt", "failure_delay=0"),
	OK("defaults 3", "", "kernel_verify=required", "verity.on_corruption=restart", "init=/usr/lib/systemd/systemd",
	   "cmdline.init=deny", "tpm=required"),
	OK("defaults 4: nothing the command line sets", "",
	   "root.flags=", "usrhash=", "usr_data_hint=", "usr_flags=", "n_modules=11"),
	OK("comments and blank lines", "# verinit\n\n#\tindented by a tab after '#'\n\nfailure=reboot\n\n",
	   "failure=reboot"),
	OK("no final newline", "failure=poweroff", "failure=poweroff"),
	OK("non-UTF-8 bytes in a comment", "# caf\xe9 \xff\nfailure=reboot\n", "failure=reboot"),
	OK("explicit devices", "usr.discovery=explicit\nusr.data=/dev/vda2\nusr.hash=PARTUUID=" UUID_UPPER "\n",
	   "usr.discovery=explicit", "usr.data=/dev/vda2", "usr.hash=PARTUUID=" UUID_LOWER),
	OK("explicit by label", "usr.hash=PARTLABEL=usr verity\nusr.data=PARTLABEL=usr\nusr.discovery=explicit",
	   "usr.data=PARTLABEL=usr", "usr.hash=PARTLABEL=usr verity"),
	OK("partuuid discovery: no efivarfs", "usr.discovery=partuuid\n", "usr.discovery=partuuid", "n_modules=10"),
	OK("slots: one by default", "", "usr.slots=single"),
	OK("slots: the newest, opted in", "usr.slots=newest\n", "usr.slots=newest", "usr.discovery=auto"),
	OK("signature file", "usr.signature=/etc/verity/usr.p7s\n", "usr.signature=/etc/verity/usr.p7s"),
	/* The default modules= carry the filesystems the file chose, and only those. */
	OK("usr squashfs", "usr.fstype=squashfs\n", "usr.fstype=squashfs",
	   "modules=virtio_blk virtio_scsi sd_mod hv_vmbus hv_storvsc nvme dm-verity squashfs efivarfs tpm_crb tpm_tis"),
	OK("usr ext4", "usr.fstype=ext4\n", "usr.fstype=ext4", "n_modules=11"),
	OK("root device", "root=PARTUUID=" UUID_UPPER "\nroot.fstype=btrfs\nroot.flags=noatime,compress=zstd\n" UNVERIFIED,
	   "root=PARTUUID=" UUID_LOWER, "root.fstype=btrfs", "root.flags=noatime,compress=zstd",
	   "modules=virtio_blk virtio_scsi sd_mod hv_vmbus hv_storvsc nvme dm-verity erofs btrfs efivarfs tpm_crb tpm_tis"),
	OK("root xfs on /dev", "root=/dev/nvme0n1p3\nroot.fstype=xfs\n" UNVERIFIED, "root=/dev/nvme0n1p3", "root.fstype=xfs",
	   "n_modules=12"),
	OK("root device with the default root.fstype", "root=/dev/vda5\n" UNVERIFIED, "root.fstype=ext4",
	   "modules=virtio_blk virtio_scsi sd_mod hv_vmbus hv_storvsc nvme dm-verity erofs ext4 efivarfs tpm_crb tpm_tis"),
	OK("usr and root on ext4: ext4 once", "usr.fstype=ext4\nroot=/dev/vda5\nroot.fstype=ext4\n" UNVERIFIED,
	   "modules=virtio_blk virtio_scsi sd_mod hv_vmbus hv_storvsc nvme dm-verity ext4 efivarfs tpm_crb tpm_tis"),
	OK("modules= as written, whatever the filesystems", "usr.fstype=squashfs\nmodules=virtio_blk erofs\n",
	   "modules=virtio_blk erofs", "n_modules=2"),
	/* A device root: what stops its code from running, or the configuration accepting it. */
	OK("root device, noexec", "root=/dev/vda5\nroot.flags=nodev,noexec\n", "root.exec=verified"),
	OK("root device, IPE enforced and required", "root=/dev/vda5\nipe.policy=/etc/verinit/ipe/p.p7s\n",
	   "root.exec=verified"),
	OK("root device, accepted unverified", "root=/dev/vda5\nroot.exec=unverified\n", "root.exec=unverified"),
	FAIL("root device, nothing stops its code", "\nroot=/dev/vda5\n", -EINVAL, 2, "a writable root runs unverified code"),
	FAIL("root device, IPE only audited", "root=/dev/vda5\nipe.policy=/etc/verinit/ipe/p.p7s\nipe.mode=audit\n",
	     -EINVAL, 1, "root.exec=unverified"),
	FAIL("root device, IPE optional", "root=/dev/vda5\nipe.policy=/etc/verinit/ipe/p.p7s\nipe=optional\n", -EINVAL,
	     1, "root.exec=unverified"),
	FAIL("root device, exec said verified", "root=/dev/vda5\nroot.exec=verified\n", -EINVAL, 1,
	     "set noexec in root.flags"),
	FAIL("root.exec with tmpfs", "root.exec=unverified\n", -EINVAL, 1, "only allowed when root is a device"),
	FAIL("root.exec of another value", "root=/dev/vda5\nroot.exec=yes\n", -EINVAL, 2, "want verified or unverified"),
	OK("tmpfs root with flags", "root.flags=size=50,mode=0755\n", "root=tmpfs", "root.flags=size=50,mode=0755"),
	OK("certificates", "certificates=/etc/keys\n", "certificates=/etc/keys"),
	OK("modules", "modules=virtio_blk dm-verity\n", "modules=virtio_blk dm-verity", "n_modules=2"),
	OK("timeouts at their bounds", "device_timeout=1\nfailure_delay=3600\n", "device_timeout=1",
	   "failure_delay=3600"),
	OK("timeouts at the other bounds", "device_timeout=600\nfailure_delay=0\n", "device_timeout=600",
	   "failure_delay=0"),
	OK("every loosening value",
	   "kernel_verify=optional\ntpm=optional\nverity.on_corruption=eio\ncmdline.init=allow\n",
	   "kernel_verify=optional", "tpm=optional", "verity.on_corruption=eio", "cmdline.init=allow"),
	OK("panic", "verity.on_corruption=panic\n", "verity.on_corruption=panic"),
	OK("init", "init=/usr/lib/verinit-test/init\n", "init=/usr/lib/verinit-test/init"),

	/* The line format. */
	FAIL("unknown key", "failure=halt\nfrobnicate=1\n", -EINVAL, 2, "unknown key 'frobnicate'"),
	FAIL("keys are case-sensitive", "Failure=halt\n", -EINVAL, 1, "unknown key 'Failure'"),
	FAIL("duplicate names the first line", "tpm=required\n# x\ntpm=required\n", -EINVAL, 3,
	     "duplicate key 'tpm' (first on line 1)"),
	FAIL("no '='", "\nfailure\n", -EINVAL, 2, "no '='"),
	FAIL("empty key", "=halt\n", -EINVAL, 1, "empty key"),
	FAIL("empty value", "failure=\n", -EINVAL, 1, "empty value for failure"),
	FAIL("space before '='", "failure =halt\n", -EINVAL, 1, "whitespace around '='"),
	FAIL("space after '='", "failure= halt\n", -EINVAL, 1, "whitespace around '='"),
	FAIL("leading space", " failure=halt\n", -EINVAL, 1, "leading or trailing whitespace"),
	FAIL("trailing space", "failure=halt \n", -EINVAL, 1, "leading or trailing whitespace"),
	FAIL("leading tab", "\tfailure=halt\n", -EINVAL, 1, "leading or trailing whitespace"),
	FAIL("whitespace-only line", "failure=halt\n  \n", -EINVAL, 2, "whitespace"),
	FAIL("indented comment", "  # note\n", -EINVAL, 1, "whitespace"),
	FAIL("no inline comments", "failure=halt # forever\n", -EINVAL, 1, "bad value 'halt # forever' for failure"),
	FAIL("CRLF", "failure=halt\r\n", -EBADMSG, 1, "carriage return"),
	FAIL("CRLF on a comment line", "failure=halt\n# x\r\n", -EBADMSG, 2, "carriage return"),
	FAIL("NUL inside a value", "failure=ha\0lt\n", -EBADMSG, 1, "NUL byte at column 11"),
	FAIL("NUL on a later line", "failure=halt\n\ntpm=req\0uired\n", -EBADMSG, 3, "NUL"),
	FAIL("NUL in a comment", "# a\0b\n", -EBADMSG, 1, "NUL"),
	FAIL("NUL as the last byte", "failure=halt\n\0", -EBADMSG, 2, "NUL"),
	FAIL("control character", "init=/usr/bin/\x1b[0m\n", -EBADMSG, 1, "control character 0x1b"),
	FAIL("DEL", "failure=halt\x7f\n", -EBADMSG, 1, "control character 0x7f"),
	FAIL("tab inside a value", "failure=halt\treboot\n", -EINVAL, 1, "bad value"),
	FAIL("line numbers count comments and blanks", "# 1\n\nfailure=halt\n\ntpm=maybe\n", -EINVAL, 5,
	     "bad value 'maybe' for tpm: want required or optional"),

	/* Values, key by key. */
	FAIL("the documented message", "failure=sometimes\n", -EINVAL, 1,
	     "bad value 'sometimes' for failure: want halt, reboot or poweroff"),
	FAIL("discovery", "usr.discovery=magic\n", -EINVAL, 1, "want auto, partuuid or explicit"),
	FAIL("usr.data needs explicit", "usr.data=/dev/vda2\n", -EINVAL, 1,
	     "usr.data is only allowed with usr.discovery=explicit (it is auto)"),
	FAIL("slots are auto discovery's", "usr.slots=newest\nusr.discovery=partuuid\n", -EINVAL, 1,
	     "usr.slots is only allowed with usr.discovery=auto (it is partuuid)"),
	FAIL("slots: an unknown rule", "usr.slots=oldest\n", -EINVAL, 1, "bad value 'oldest' for usr.slots: want single or newest"),
	FAIL("usr.hash needs explicit", "usr.discovery=partuuid\n\nusr.hash=/dev/vda3\n", -EINVAL, 3,
	     "usr.hash is only allowed with usr.discovery=explicit (it is partuuid)"),
	FAIL("explicit needs usr.hash", "usr.data=/dev/vda2\nusr.discovery=explicit\n", -EINVAL, 2,
	     "needs both usr.data and usr.hash"),
	FAIL("explicit needs usr.data", "usr.discovery=explicit\nusr.hash=/dev/vda3", -EINVAL, 1,
	     "needs both usr.data and usr.hash"),
	FAIL("data and hash the same", "usr.discovery=explicit\nusr.data=/dev/vda2\nusr.hash=/dev/vda2\n", -EINVAL, 3,
	     "same device"),
	FAIL("root on a /usr device",
	     "usr.discovery=explicit\nusr.data=/dev/vda2\nusr.hash=/dev/vda3\nroot=/dev/vda3\n", -EINVAL, 4,
	     "root names a /usr device"),
	FAIL("device without /dev/", "usr.discovery=explicit\nusr.data=vda2\nusr.hash=/dev/vda3\n", -EINVAL, 2,
	     "bad value 'vda2' for usr.data"),
	FAIL("device /dev/ alone", "root=/dev/\n", -EINVAL, 1, "for root"),
	FAIL("device climbing out of /dev", "root=/dev/../etc/shadow\n", -EINVAL, 1, "for root"),
	FAIL("PARTUUID too short", "root=PARTUUID=4f68bce3-e8cd-4db1-96e7-fbcaf984b70\n", -EINVAL, 1, "for root"),
	FAIL("PARTUUID not hex", "root=PARTUUID=4f68bce3-e8cd-4db1-96e7-fbcaf984b70g\n", -EINVAL, 1, "for root"),
	FAIL("PARTUUID dashes misplaced", "root=PARTUUID=4f68bce3e-8cd-4db1-96e7-fbcaf984b709\n", -EINVAL, 1,
	     "for root"),
	FAIL("MBR PARTUUID", "root=PARTUUID=1234abcd-01\n", -EINVAL, 1, "for root"),
	FAIL("empty PARTLABEL", "root=PARTLABEL=\n", -EINVAL, 1, "for root"),
	FAIL("PARTLABEL with a leading space", "root=PARTLABEL= root\n", -EINVAL, 1, "for root"),
	FAIL("PARTLABEL of 37", "root=PARTLABEL=0123456789012345678901234567890123456\n", -E2BIG, 1,
	     "value for root is too long"),
	FAIL("signature relative", "usr.signature=usr.p7s\n", -EINVAL, 1, "for usr.signature"),
	FAIL("signature with //", "usr.signature=/etc//usr.p7s\n", -EINVAL, 1, "for usr.signature"),
	FAIL("signature with ..", "usr.signature=/etc/../usr.p7s\n", -EINVAL, 1, "for usr.signature"),
	FAIL("signature with .", "usr.signature=/etc/./usr.p7s\n", -EINVAL, 1, "for usr.signature"),
	FAIL("signature with a trailing /", "usr.signature=/etc/verity/\n", -EINVAL, 1, "for usr.signature"),
	FAIL("usr fstype of the root's", "usr.fstype=xfs\n", -EINVAL, 1, "want erofs, squashfs or ext4"),
	FAIL("root fstype of the usr's", "root=/dev/vda4\nroot.fstype=erofs\n", -EINVAL, 2, "want ext4, xfs or btrfs"),
	FAIL("root.fstype with tmpfs", "root.fstype=ext4\n", -EINVAL, 1, "only allowed when root is a device"),
	FAIL("root.flags with a space", "root.flags=noatime, discard\n", -EINVAL, 1, "for root.flags"),
	FAIL("root.flags with a quote", "root.flags=context=\"x\"\n", -EINVAL, 1, "for root.flags"),
	FAIL("root.flags undoing nodev", "root.flags=noatime,dev\n", -EINVAL, 1, "not dev or suid"),
	FAIL("root.flags undoing nosuid", "\nroot.flags=suid\n", -EINVAL, 2, "for root.flags"),
	FAIL("root.flags with an empty option", "root.flags=noatime,,discard\n", -EINVAL, 1, "for root.flags"),
	FAIL("certificates relative", "certificates=etc/certs\n", -EINVAL, 1, "for certificates"),
	FAIL("modules two spaces", "modules=a  b\n", -EINVAL, 1, "for modules"),
	FAIL("modules bad character", "modules=virtio.blk\n", -EINVAL, 1, "bad value 'virtio.blk' for modules"),
	FAIL("module name of 56", "modules=a 01234567890123456789012345678901234567890123456789012345\n", -E2BIG, 1,
	     "value for modules is too long"),
	FAIL("timeout 0", "device_timeout=0\n", -EINVAL, 1, "want seconds, 1 to 600"),
	OK("measured boot defaults", "", "tpm=required", "tpm_timeout=10", "pcr.phase=11", "pcr.facts=15"),
	OK("measured boot set", "tpm=optional\ntpm_timeout=600\npcr.phase=8\npcr.facts=23\n", "tpm=optional",
	   "tpm_timeout=600", "pcr.phase=8", "pcr.facts=23"),
	FAIL("pcr.phase in the firmware's range", "pcr.phase=7\n", -EINVAL, 1, "want a PCR, 8 to 23"),
	FAIL("pcr.facts 24", "\npcr.facts=24\n", -EINVAL, 2, "for pcr.facts"),
	FAIL("tpm_timeout 0", "tpm_timeout=0\n", -EINVAL, 1, "for tpm_timeout"),
	OK("policies", "ipe.policy=/usr/share/verinit/ipe.p7s\nipe.mode=audit\nipe=optional\n"
		       "selinux.policy=/etc/selinux/policy.33\nselinux.mode=permissive\n",
	   "ipe.policy=/usr/share/verinit/ipe.p7s", "ipe.mode=audit", "ipe=optional",
	   "selinux.policy=/etc/selinux/policy.33", "selinux.mode=permissive", "selinux=required"),
	OK("policy defaults", "", "ipe.policy=", "ipe.mode=enforce", "ipe=required", "selinux.policy=",
	   "selinux.mode=enforcing"),
	FAIL("ipe.mode without a policy", "\nipe.mode=audit\n", -EINVAL, 2, "ipe.mode without ipe.policy"),
	FAIL("selinux without a policy", "selinux=optional\n", -EINVAL, 1, "selinux without selinux.policy"),
	/* The lock follows the mode unless the file says otherwise; a permissive kernel locks nothing. */
	OK("selinux.lock follows enforcing", "selinux.policy=/etc/p\n", "selinux.lock=yes"),
	OK("selinux.lock follows permissive", "selinux.policy=/etc/p\nselinux.mode=permissive\n", "selinux.lock=no"),
	OK("selinux.lock=no while enforcing", "selinux.policy=/etc/p\nselinux.lock=no\n", "selinux.lock=no",
	   "selinux.mode=enforcing"),
	FAIL("selinux.lock=yes while permissive", "selinux.policy=/etc/p\nselinux.mode=permissive\nselinux.lock=yes\n",
	     -EINVAL, 3, "selinux.lock=yes needs selinux.mode=enforcing"),
	FAIL("selinux.lock without a policy", "selinux.lock=no\n", -EINVAL, 1, "selinux.lock without selinux.policy"),
	FAIL("selinux.lock bad", "selinux.policy=/etc/p\nselinux.lock=1\n", -EINVAL, 2, "want yes or no"),
	OK("selinux.store on /usr", "selinux.policy=/etc/p\nselinux.store=/usr/share/selinux/store\n",
	   "selinux.store=/usr/share/selinux/store"),
	OK("selinux.store default", "selinux.policy=/etc/p\n", "selinux.store="),
	FAIL("selinux.store on the initramfs", "selinux.policy=/etc/p\nselinux.store=/etc/selinux\n", -EINVAL, 2,
	     "want a directory under /usr/"),
	FAIL("selinux.store without a policy", "selinux.store=/usr/x\n", -EINVAL, 1, "selinux.store without selinux.policy"),
	FAIL("ipe.mode bad", "ipe.policy=/x\nipe.mode=permissive\n", -EINVAL, 2, "want enforce or audit"),
	FAIL("ipe.policy relative", "ipe.policy=x.p7s\n", -EINVAL, 1, "want an absolute path"),
	FAIL("timeout 601", "device_timeout=601\n", -EINVAL, 1, "for device_timeout"),
	FAIL("timeout with a leading zero", "device_timeout=030\n", -EINVAL, 1, "for device_timeout"),
	FAIL("timeout negative", "device_timeout=-5\n", -EINVAL, 1, "for device_timeout"),
	FAIL("timeout with a plus", "device_timeout=+5\n", -EINVAL, 1, "for device_timeout"),
	FAIL("timeout with a unit", "device_timeout=30s\n", -EINVAL, 1, "for device_timeout"),
	FAIL("timeout that wraps 32 bits", "device_timeout=4294967326\n", -EINVAL, 1, "for device_timeout"),
	FAIL("timeout of 11 digits", "device_timeout=10000000000\n", -EINVAL, 1, "for device_timeout"),
	FAIL("delay 3601", "failure_delay=3601\n", -EINVAL, 1, "want seconds, 0 to 3600"),
	FAIL("kernel_verify", "kernel_verify=maybe\n", -EINVAL, 1, "for kernel_verify"),
	FAIL("verity mode", "verity.on_corruption=ignore\n", -EINVAL, 1, "want restart, panic or eio"),
	FAIL("cmdline.init", "cmdline.init=yes\n", -EINVAL, 1, "want deny or allow"),
	FAIL("init outside /usr", "init=/bin/sh\n", -EINVAL, 1, "bad value '/bin/sh' for init"),
	FAIL("init in /usrx", "init=/usrx/sbin/init\n", -EINVAL, 1, "for init"),
	FAIL("init climbing out of /usr", "init=/usr/../bin/sh\n", -EINVAL, 1, "for init"),
	FAIL("init /usr itself", "init=/usr\n", -EINVAL, 1, "for init"),
	FAIL("init /usr/", "init=/usr/\n", -EINVAL, 1, "for init"),
	FAIL("init relative", "init=usr/sbin/init\n", -EINVAL, 1, "for init"),
	FAIL("init with a space", "init=/usr/bin/my init\n", -EINVAL, 1, "for init"),
	FAIL("init not ASCII", "init=/usr/bin/caf\xc3\xa9\n", -EINVAL, 1, "for init"),
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
	static char buf[CONFIG_FILE_MAX + 64];
	size_t n;

	/* A 1024-byte line is fine, 1025 is not: a comment pads it to length. */
	memset(buf, 'x', CONFIG_LINE_MAX);
	buf[0] = '#';
	buf[CONFIG_LINE_MAX] = '\n';
	assert_true(
		check_case(&(struct config_case){ "line of 1024", buf, CONFIG_LINE_MAX + 1, 0, 0, NULL, { NULL } }));
	memmove(buf + 1, buf, CONFIG_LINE_MAX + 1);
	buf[0] = '\n';
	buf[CONFIG_LINE_MAX + 1] = 'x';
	buf[CONFIG_LINE_MAX + 2] = '\n';
	assert_true(check_case(&(struct config_case){
		"line of 1025", buf, CONFIG_LINE_MAX + 3, -E2BIG, 2, "longer than 1024 bytes", { NULL } }));

	/* 64 KiB of comment lines is fine; one byte more is not. */
	memset(buf, '#', CONFIG_FILE_MAX + 1);
	for (size_t i = 999; i < CONFIG_FILE_MAX; i += 1000)
		buf[i] = '\n';
	assert_true(check_case(&(struct config_case){ "file of 64 KiB", buf, CONFIG_FILE_MAX, 0, 0, NULL, { NULL } }));
	assert_true(check_case(&(struct config_case){
		"file of 64 KiB + 1", buf, CONFIG_FILE_MAX + 1, -E2BIG, 0, "65537 bytes", { NULL } }));

	/* 64 modules, the last one 55 long, fit; a 65th does not. */
	n = (size_t) snprintf(buf, sizeof buf, "modules=");
	for (int i = 0; i < 63; i++)
		n += (size_t) snprintf(buf + n, sizeof buf - n, "m%d ", i);
	n += (size_t) snprintf(buf + n, sizeof buf - n, "%055d", 7);
	assert_true(check_case(&(struct config_case){ "64 modules", buf, n, 0, 0, NULL, { "n_modules=64" } }));
	n += (size_t) snprintf(buf + n, sizeof buf - n, " m64");
	assert_true(check_case(
		&(struct config_case){ "65 modules", buf, n, -E2BIG, 1, "value for modules is too long", { NULL } }));

	/* A path of 255 fits its 256-byte field; 256 is refused, not cut. */
	n = (size_t) snprintf(buf, sizeof buf, "init=/usr/%0250d", 1);
	assert_true(check_case(&(struct config_case){ "init of 255", buf, n, 0, 0, NULL, { NULL } }));
	n = (size_t) snprintf(buf, sizeof buf, "init=/usr/%0251d", 1);
	assert_true(check_case(
		&(struct config_case){ "init of 256", buf, n, -E2BIG, 1, "value for init is too long", { NULL } }));
}

static void test_every_key_once(void **state) {
	(void) state;
	static const char file[] = "usr.discovery=explicit\n"
				   "usr.data=PARTLABEL=usr\n"
				   "usr.hash=PARTLABEL=usr-verity\n"
				   "usr.signature=/etc/verity/usr.p7s\n"
				   "usr.fstype=squashfs\n"
				   "root=/dev/vda4\n"
				   "root.fstype=xfs\n"
				   "root.flags=noatime\n"
				   "root.exec=unverified\n"
				   "certificates=/etc/keys\n"
				   "modules=nvme\n"
				   "device_timeout=90\n"
				   "failure=reboot\n"
				   "failure_delay=15\n"
				   "kernel_verify=optional\n"
				   "verity.on_corruption=panic\n"
				   "init=/usr/sbin/init\n"
				   "cmdline.init=allow\n"
				   "tpm=optional\n";
	struct config c;
	struct parse_error err = { 0 };
	assert_int_equal(config_parse(file, sizeof file - 1, &c, &err), 0);
	assert_int_equal(c.usr_discovery, USR_DISCOVERY_EXPLICIT);
	assert_string_equal(c.usr_data, "PARTLABEL=usr");
	assert_string_equal(c.usr_hash, "PARTLABEL=usr-verity");
	assert_string_equal(c.usr_signature, "/etc/verity/usr.p7s");
	assert_string_equal(c.usr_fstype, "squashfs");
	assert_false(c.root_tmpfs);
	assert_string_equal(c.root_device, "/dev/vda4");
	assert_string_equal(c.root_fstype, "xfs");
	assert_string_equal(c.root_flags, "noatime");
	assert_int_equal(c.root_exec, ROOT_EXEC_UNVERIFIED);
	assert_string_equal(c.certificates, "/etc/keys");
	assert_int_equal(c.n_modules, 1);
	assert_string_equal(c.modules[0], "nvme");
	assert_int_equal(c.device_timeout, 90);
	assert_int_equal(c.failure, FAILURE_REBOOT);
	assert_int_equal(c.failure_delay, 15);
	assert_int_equal(c.kernel_verify, REQUIREMENT_OPTIONAL);
	assert_int_equal(c.verity_on_corruption, VERITY_PANIC);
	assert_string_equal(c.init, "/usr/sbin/init");
	assert_int_equal(c.cmdline_init, CMDLINE_INIT_ALLOW);
	assert_int_equal(c.tpm, REQUIREMENT_OPTIONAL);
}

static void test_lab_config_parses(void **state) {
	(void) state;
	/* What qemu/verinit.conf says today: the lab must keep booting with this parser. */
	static const char file[] = "# The lab's /etc/verinit.conf\n"
				   "usr.discovery=auto\n"
				   "device_timeout=10\n"
				   "init=/usr/lib/verinit-test/init\n"
				   "tpm_timeout=5\n";
	struct config c;
	assert_int_equal(config_parse(file, sizeof file - 1, &c, NULL), 0);
	assert_int_equal(c.n_modules, 11);
	assert_string_equal(c.modules[7], "erofs");
	assert_string_equal(c.modules[8], "efivarfs");
	assert_string_equal(c.modules[9], "tpm_crb");
}

/* docs/examples/verinit.conf (installed as the example) says every default it shows as "#key=value":
 * uncommented, those lines parse to exactly what an empty file does. Run from the source tree. */
static void test_example_is_the_defaults(void **state) {
	static char text[CONFIG_FILE_MAX], settings[CONFIG_FILE_MAX];
	static struct config example, empty;
	size_t used = 0, keys = 0;
	(void) state;
	FILE *f = fopen("docs/examples/verinit.conf", "r");
	assert_non_null(f);
	while (fgets(text, sizeof text, f)) {
		size_t k = 1;
		while (text[k] && (islower((unsigned char) text[k]) || text[k] == '.' || text[k] == '_'))
			k++;
		if (text[0] != '#' || k == 1 || text[k] != '=')
			continue;
		size_t len = strlen(text + 1);
		assert_true(used + len < sizeof settings);
		memcpy(settings + used, text + 1, len);
		used += len;
		keys++;
	}
	(void) fclose(f);
	assert_true(keys >= 15);
	struct parse_error err = {};
	if (config_parse(settings, used, &example, &err) < 0)
		fail_msg("the example's line %u: %s", err.line, err.msg);
	assert_int_equal(config_parse("", 0, &empty, NULL), 0);
	assert_memory_equal(&example, &empty, sizeof example);
}

static void test_strings(void **state) {
	(void) state;
	assert_string_equal(failure_action_to_string(FAILURE_POWEROFF), "poweroff");
	assert_string_equal(failure_action_to_string((enum failure_action) 99), "invalid");
	assert_string_equal(usr_discovery_to_string(USR_DISCOVERY_PARTUUID), "partuuid");
	assert_string_equal(verity_mode_to_string(VERITY_EIO), "eio");
	assert_string_equal(requirement_to_string((enum requirement) - 1), "invalid");
	assert_string_equal(requirement_to_string(REQUIREMENT_REQUIRED), "required");
	assert_string_equal(requirement_to_string(REQUIREMENT_OPTIONAL), "optional");
	assert_int_equal(REQUIREMENT_REQUIRED, 0); /* a zeroed config stays strict */
	assert_string_equal(cmdline_init_to_string(CMDLINE_INIT_ALLOW), "allow");
}

int main(void) {
	const struct CMUnitTest tests[] = {
		/* clang-format off */
		cmocka_unit_test(test_table),          cmocka_unit_test(test_limits),
		cmocka_unit_test(test_every_key_once), cmocka_unit_test(test_lab_config_parses),
		cmocka_unit_test(test_strings),        cmocka_unit_test(test_example_is_the_defaults),
		/* clang-format on */
	};
	print_message("config: %zu table cases\n", ELEMENTSOF(cases));
	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
