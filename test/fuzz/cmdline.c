/* SPDX-License-Identifier: MIT */
/* cmdline_parse() and cmdline_apply() as stage_config() uses them: the input is /proc/cmdline, applied
 * to a few fixed configurations (defaults, the lab's, a loose explicit one, a strict one with
 * policies). Checked: what a parsed word records is terminated and within bounds; a refusal says why
 * in one line and leaves the config untouched byte for byte; an accepted command line only narrows:
 * every field the command line may not touch is as the file set it, nothing required became
 * optional, and what it may set (usrhash, hints, usr flags, init) is well formed. */
#include <sys/mount.h>

#include "cmdline.h"
#include "config.h"
#include "fuzz.h"
#include "mountopts.h"

static const char *const config_texts[] = {
	"",
	/* qemu/verinit.conf */
	"usr.discovery=auto\n"
	"device_timeout=10\ninit=/usr/lib/verinit-test/init\ntpm_timeout=5\n",
	/* Everything the file can loosen, explicit devices, a root partition, an audit-mode policy. */
	"usr.discovery=explicit\nusr.data=/dev/vda2\nusr.hash=PARTLABEL=usr-verity\n"
	"root=PARTUUID=4f68bce3-e8cd-4db1-96e7-fbcaf984b709\nroot.fstype=xfs\nroot.flags=noatime\nroot.exec=unverified\n"
	"kernel_verify=optional\ntpm=optional\nverity.on_corruption=eio\ncmdline.init=allow\n"
	"ipe.policy=/etc/verinit/ipe/default.p7s\nipe.mode=audit\nselinux.policy=/etc/p\n",
	/* partuuid discovery, enforcing policies, panic, a failure action and delay. */
	"usr.discovery=partuuid\nusr.signature=/etc/verinit/usr.p7s\nipe.policy=/etc/verinit/ipe/default.p7s\n"
	"selinux.policy=/etc/verinit/selinux/policy.bin\nselinux.mode=permissive\nverity.on_corruption=panic\n"
	"failure=reboot\nfailure_delay=100\nroot=/dev/vda4\nroot.flags=nodev,data=ordered\n",
};
#define N_CONFIGS (sizeof config_texts / sizeof config_texts[0])

static struct config configs[N_CONFIGS];

int LLVMFuzzerInitialize(int *argc, char ***argv) {
	(void) argc;
	(void) argv;
	for (size_t i = 0; i < N_CONFIGS; i++) {
		struct parse_error err = {};
		if (config_parse(config_texts[i], strlen(config_texts[i]), &configs[i], &err) < 0) {
			fprintf(stderr, "harness bug: config %zu does not parse: line %u: %s\n", i, err.line, err.msg);
			abort();
		}
	}
	return 0;
}

static bool key_like(const char *k, const char *name) {
	size_t n = strlen(name);
	if (strlen(k) != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char a = k[i] == '-' ? '_' : k[i], b = name[i] == '-' ? '_' : name[i];
		if (a != b)
			return false;
	}
	return true;
}

static void check_word(const struct cmdline_word *w) {
	FUZZ_CHECK_STR(w->key);
	FUZZ_CHECK_STR(w->value);
	if (!w->word)
		return;
	FUZZ_CHECK(w->key[0] != '\0');
	FUZZ_CHECK(!strchr(w->key, '"') && !strchr(w->value, '"'));
	FUZZ_CHECK(!strpbrk(w->key, "\t\n") && !strpbrk(w->value, "\t\n"));
	if (!w->has_value)
		FUZZ_CHECK(w->value[0] == '\0');
}

static void check_parsed(const struct cmdline *cl) {
	static const char *const names[_CMDLINE_KEY_MAX] = {
		/* clang-format off */
		"usrhash", "mount.usr", "mount.usrfstype", "mount.usrflags", "systemd.verity_usr_data",
		"systemd.verity_usr_hash", "systemd.verity_usr_options", "root", "rootfstype", "rootflags", "init",
		"enforcing", "selinux", "ipe.enforce", "lsm", "security",
		/* clang-format on */
	};
	for (size_t k = 0; k < _CMDLINE_KEY_MAX; k++) {
		const struct cmdline_word *w = &cl->known[k];
		check_word(w);
		if (!w->word)
			continue;
		FUZZ_CHECK(key_like(w->key, names[k]));
		FUZZ_CHECK(w->has_value && w->value[0] != '\0');
	}
	const struct cmdline_word *h = &cl->known[CMDLINE_USRHASH];
	if (h->word)
		FUZZ_CHECK(strlen(h->value) == 64 && fuzz_is_lower_hex(h->value, 64));
	FUZZ_CHECK(cl->n_verinit <= CMDLINE_VERINIT_MAX);
	for (size_t i = 0; i < cl->n_verinit; i++) {
		check_word(&cl->verinit[i]);
		FUZZ_CHECK(cl->verinit[i].word != 0);
		FUZZ_CHECK(strncmp(cl->verinit[i].key, "verinit.", 8) == 0);
		for (size_t j = 0; j < i; j++)
			FUZZ_CHECK(!key_like(cl->verinit[i].key, cl->verinit[j].key));
	}
	check_word(&cl->shell);
	FUZZ_CHECK(cl->n_unlisted <= CMDLINE_UNLISTED_MAX);
	for (size_t i = 0; i < cl->n_unlisted; i++) {
		check_word(&cl->unlisted[i]);
		FUZZ_CHECK(cl->unlisted[i].word != 0);
		FUZZ_CHECK(strncmp(cl->unlisted[i].key, "verinit.", 8) != 0);
		for (size_t k = 0; k < _CMDLINE_KEY_MAX; k++)
			FUZZ_CHECK(!key_like(cl->unlisted[i].key, names[k]));
	}
}

#define SAME(field) FUZZ_CHECK(memcmp(&before->field, &after->field, sizeof before->field) == 0)

static void check_device_hint(const char *hint) {
	char dev[CONFIG_PATH_MAX];
	FUZZ_CHECK(memchr(hint, '\0', CONFIG_PATH_MAX) != NULL);
	if (!hint[0])
		return;
	FUZZ_CHECK(config_parse_device(hint, strlen(hint), dev) == 0);
	FUZZ_CHECK(strcmp(dev, hint) == 0); /* already in its one spelling */
}

/* What an accepted command line may have done to the config. */
static void check_narrowed(const struct config *before, const struct config *after) {
	SAME(usr_discovery);
	SAME(usr_data);
	SAME(usr_hash);
	SAME(usr_signature);
	SAME(usr_fstype);
	SAME(root_tmpfs);
	SAME(root_device);
	SAME(root_fstype);
	SAME(root_flags);
	SAME(certificates);
	SAME(modules);
	SAME(n_modules);
	SAME(device_timeout);
	SAME(failure);
	SAME(tpm_timeout);
	SAME(pcr_phase);
	SAME(pcr_facts);
	SAME(ipe_policy);
	SAME(ipe_mode);
	SAME(ipe);
	SAME(selinux_policy);
	SAME(selinux_mode);
	SAME(selinux);
	SAME(cmdline_init);

	if (before->kernel_verify == REQUIREMENT_REQUIRED)
		FUZZ_CHECK(after->kernel_verify == REQUIREMENT_REQUIRED);
	FUZZ_CHECK(after->kernel_verify < _REQUIREMENT_MAX);
	if (before->tpm == REQUIREMENT_REQUIRED)
		FUZZ_CHECK(after->tpm == REQUIREMENT_REQUIRED);
	FUZZ_CHECK(after->tpm < _REQUIREMENT_MAX);
	if (before->verity_on_corruption != VERITY_EIO)
		FUZZ_CHECK(after->verity_on_corruption != VERITY_EIO);
	FUZZ_CHECK(after->verity_on_corruption < _VERITY_MODE_MAX);
	FUZZ_CHECK(after->failure_delay <= 3600);

	char init[CONFIG_PATH_MAX];
	FUZZ_CHECK_STR(after->init);
	if (before->cmdline_init != CMDLINE_INIT_ALLOW)
		SAME(init);
	FUZZ_CHECK(config_parse_init(after->init, strlen(after->init), init) == 0);

	FUZZ_CHECK_STR(after->usrhash);
	FUZZ_CHECK(after->usrhash[0] == '\0' ||
		   (strlen(after->usrhash) == 64 && fuzz_is_lower_hex(after->usrhash, 64)));
	check_device_hint(after->usr_data_hint);
	check_device_hint(after->usr_hash_hint);
	if (after->usr_discovery == USR_DISCOVERY_EXPLICIT)
		FUZZ_CHECK(!after->usr_data_hint[0] && !after->usr_hash_hint[0]);

	/* mount_usr() refuses anything but VFS flags: an accepted mount.usrflags= must pass it. */
	FUZZ_CHECK_STR(after->usr_flags);
	char data[CONFIG_FLAGS_MAX];
	unsigned long flags = 0;
	FUZZ_CHECK(mountopts_parse(after->usr_flags, &flags, data, sizeof data) == 0);
	FUZZ_CHECK(data[0] == '\0');
	FUZZ_CHECK((flags & ~(unsigned long) (MS_RDONLY | MS_NODEV | MS_NOSUID | MS_NOEXEC | MS_NOATIME |
					      MS_RELATIME)) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	static struct cmdline cl;
	struct parse_error err = {};

	int r = cmdline_parse((const char *) data, size, &cl, &err);
	fuzz_trace("cmdline_parse: %d word %u %s", r, err.line, r < 0 ? err.msg : "");
	if (r < 0) {
		FUZZ_CHECK(r == -EINVAL || r == -EBADMSG || r == -E2BIG);
		fuzz_check_error(&err, true);
		return 0;
	}
	FUZZ_CHECK(r == 0);
	FUZZ_CHECK(size <= CMDLINE_MAX);
	check_parsed(&cl);

	for (size_t i = 0; i < N_CONFIGS; i++) {
		static struct config c, before;
		struct parse_error aerr = {};
		memcpy(&c, &configs[i], sizeof c);
		memcpy(&before, &c, sizeof c);
		r = cmdline_apply(&cl, &c, &aerr);
		fuzz_trace("  cmdline_apply(config %zu): %d word %u %s", i, r, aerr.line, r < 0 ? aerr.msg : "");
		if (r < 0) {
			FUZZ_CHECK(r == -EPERM || r == -EINVAL || r == -E2BIG);
			fuzz_check_error(&aerr, true);
			FUZZ_CHECK(memcmp(&c, &before, sizeof c) == 0);
			/* A shell word is refused whatever the config. */
			if (cl.shell.word)
				FUZZ_CHECK(r == -EPERM && aerr.line == cl.shell.word);
			continue;
		}
		FUZZ_CHECK(r == 0);
		FUZZ_CHECK(!cl.shell.word);
		check_narrowed(&before, &c);
	}
	return 0;
}
