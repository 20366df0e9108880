/* SPDX-License-Identifier: MIT */
/* The modules stage over a fake module tree and fake devices (module_ops): a module set for every
 * machine and filesystem on a QEMU machine and on a Hyper-V one, whose disks appear only after their
 * drivers load; the default set; what a failing driver, a missing module, a bad modules.alias and a
 * lost event source do. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "config.h"
#include "fakesys.h"
#include "macro.h"
#include "modload.h"
#include "stages.h"

/* The modules.alias of an initramfs for ALL_MODULES (tpm_crb and tpm_tis are built in). */
static const char aliases[] = "# Aliases extracted from modules themselves.\n"
			      "alias cpu:type:x86,ven*fam*mod*:feature:*0094* crc32c_intel\n"
			      "alias fs-ext4 ext4\nalias fs-ext3 ext4\nalias fs-squashfs squashfs\nalias fs-erofs erofs\nalias fs-efivarfs efivarfs\n"
			      "alias crypto-crc32c crc32c_generic\n"
			      "alias virtio:d00000002v* virtio_blk\nalias virtio:d00000008v* virtio_scsi\n"
			      "alias vmbus:d96361baa104294db60572e2ffb1dc7f hv_storvsc\n"
			      "alias scsi:t-0x00* sd_mod\nalias block-major-8-* sd_mod\n"
			      "alias devname:mapper/control dm_mod\nalias acpi*:VMBUS:* hv_vmbus\n"
			      "alias pci:v*d*sv*sd*bc01sc08i02* nvme\n";

/* What loading a module inserts before it, as the lab's tree says (modules.dep; libcrc32c's softdep
 * "pre: crc32c" names both crc32c modules). */
static const struct {
	const char *module, *with;
} pulls[] = {
	{ "erofs", "crc32c_intel crc32c_generic libcrc32c" },
	{ "ext4", "crc32c_intel crc32c_generic crc16 mbcache jbd2" },
};

/* QEMU's qemu64 CPU (no SSE4.2, feature 0x94) and a host CPU with it. */
static const char qemu64[] = "cpu:type:x86,ven0000fam0006mod0006:feature:,0000,0001,0080";
static const char sse42[] = "cpu:type:x86,ven0000fam0006mod003F:feature:,0000,0094,00E5";

static struct {
	const char *aliases;
	const char *cpu;
	const char *const *present; /* modaliases in sysfs at the modules stage */
	const char *const *appear;  /* one per wait() call, in order: announced by the kernel later */
	const char *fail_module;    /* its load returns fail_errno */
	int fail_errno;
	int listen_errno, wait_errno;
	char loaded[512]; /* "name name ...", each module inserted, in order */
	unsigned waits, closes;
} m;

static int f_open(void) {
	return 0;
}

static bool inserted(const char *name) {
	size_t n = strlen(name);
	for (const char *p = m.loaded; (p = strstr(p, name)); p += n)
		if ((p == m.loaded || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return true;
	return false;
}

/* Calls fn with what loading name inserts: what it pulls, then itself; nothing once it is in. */
static int each_inserted(const char *name, int (*fn)(const char *module, bool itself, void *data), void *data) {
	char with[128] = "";
	if (inserted(name))
		return 0;
	for (size_t i = 0; i < ELEMENTSOF(pulls); i++)
		if (strcmp(pulls[i].module, name) == 0)
			(void) snprintf(with, sizeof with, "%s", pulls[i].with);
	for (char *save = NULL, *w = strtok_r(with, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		int r = inserted(w) ? 0 : fn(w, false, data);
		if (r < 0)
			return r;
	}
	return fn(name, true, data);
}

struct load_args {
	module_skip_fn leave_out;
	void *data;
};

static int insert(const char *module, bool itself, void *data) {
	struct load_args *a = data;
	if (a->leave_out && a->leave_out(module, a->data))
		return itself ? -ENODEV : 0;
	size_t used = strlen(m.loaded);
	(void) snprintf(m.loaded + used, sizeof m.loaded - used, "%s%s", used ? " " : "", module);
	return 0;
}

static int f_load(const char *name, module_skip_fn leave_out, void *data) {
	struct load_args a = { leave_out, data };
	if (m.fail_module && strcmp(name, m.fail_module) == 0)
		return -m.fail_errno;
	return each_inserted(name, insert, &a);
}

struct list_args {
	module_name_fn fn;
	void *data;
};

static int list_one(const char *module, bool itself, void *data) {
	struct list_args *a = data;
	(void) itself;
	return a->fn(module, a->data);
}

static int f_probe_list(const char *name, module_name_fn fn, void *data) {
	struct list_args a = { fn, data };
	if (m.fail_module && strcmp(name, m.fail_module) == 0 && m.fail_errno == ENOENT)
		return -ENOENT;
	return each_inserted(name, list_one, &a);
}

static int f_cpu_modalias(char *buf, size_t size) {
	if (!m.cpu)
		return -ENOENT;
	(void) snprintf(buf, size, "%s", m.cpu);
	return 0;
}

static int f_aliases(char **text, size_t *len) {
	*text = strdup(m.aliases);
	*len = strlen(m.aliases);
	return *text ? 0 : -ENOMEM;
}

static int f_listen(void) {
	return -m.listen_errno;
}

static int f_coldplug(modalias_fn fn, void *data) {
	for (size_t i = 0; m.present && m.present[i]; i++) {
		int r = fn(m.present[i], data);
		if (r < 0)
			return r;
	}
	return 0;
}

static int f_wait(uint64_t usec, modalias_fn fn, void *data) {
	(void) usec;
	if (m.wait_errno)
		return -m.wait_errno;
	const char *dev = m.appear ? m.appear[m.waits] : NULL;
	if (dev)
		m.waits++;
	return dev ? fn(dev, data) : 0;
}

static void f_close(void) {
	m.closes++;
}

static const struct module_ops fake_modules = {
	.open = f_open,
	.load = f_load,
	.probe_list = f_probe_list,
	.cpu_modalias = f_cpu_modalias,
	.aliases = f_aliases,
	.listen = f_listen,
	.coldplug = f_coldplug,
	.wait = f_wait,
	.close = f_close,
};

static struct context ctx;

static int setup(void **state) {
	if (fake_setup(state) < 0)
		return -1;
	memset(&m, 0, sizeof m);
	memset(&ctx, 0, sizeof ctx);
	/* Every filesystem verinit can mount, so that the ones this config does not mount are left out. */
	static const char all_modules[] = "modules=virtio_blk virtio_scsi sd_mod hv_vmbus hv_storvsc nvme dm-verity "
					  "erofs squashfs ext4 crc32c_generic tpm_crb tpm_tis\n";
	if (config_parse(all_modules, sizeof all_modules - 1, &ctx.cfg, NULL) < 0)
		return -1;
	m.aliases = aliases;
	m.cpu = qemu64;
	module_set_ops(&fake_modules);
	return 0;
}

static int teardown(void **state) {
	modules_stop(&ctx);
	module_set_ops(NULL);
	return fake_teardown(state);
}

static const char *const qemu[] = { qemu64,
				    "acpi:PNP0A08:PNP0A03:", "pci:v00001AF4d00001001sv00001AF4sd00000002bc01sc00i00",
				    "virtio:d00000002v00001AF4", NULL };

/* QEMU: the virtio disk's driver, the modules every boot needs, and /usr's filesystem; nothing for
 * Hyper-V, NVMe or SCSI, no other filesystem. Drivers come first. */
static void test_qemu(void **state) {
	(void) state;
	m.present = qemu;
	assert_int_equal(stage_modules(&ctx), 0);
	assert_string_equal(m.loaded, "virtio_blk dm-verity crc32c_generic libcrc32c erofs tpm_crb tpm_tis");
	assert_string_equal(ctx.status, "6 of 13 configured");
	assert_non_null(strstr(fake_read(fake.console),
			       "drivers awaiting their devices: virtio_scsi sd_mod hv_vmbus hv_storvsc nvme; "
			       "not needed on this boot: squashfs ext4; left out for this CPU: crc32c_intel"));
	/* No device comes: the wait loads nothing more. */
	assert_int_equal(modules_hotplug(&ctx, 50000), 0);
	assert_string_equal(m.loaded, "virtio_blk dm-verity crc32c_generic libcrc32c erofs tpm_crb tpm_tis");
}

/* The default set on QEMU: /usr's filesystem and efivarfs are the only ones it carries. */
static void test_qemu_defaults(void **state) {
	(void) state;
	config_defaults(&ctx.cfg);
	m.present = qemu;
	assert_int_equal(stage_modules(&ctx), 0);
	/* efivarfs: auto discovery reads which disk the loader booted from. */
	assert_string_equal(m.loaded, "virtio_blk dm-verity crc32c_generic libcrc32c erofs efivarfs tpm_crb tpm_tis");
	assert_string_equal(ctx.status, "6 of 11 configured");
	assert_non_null(strstr(fake_read(fake.console), "Modules loaded: virtio_blk dm-verity erofs efivarfs tpm_crb tpm_tis; "));
	assert_non_null(strstr(fake_read(fake.console), "not needed on this boot: none; left out for this CPU: crc32c_intel"));

	/* The default set for a squashfs /usr: no crc32c at all. */
	static const char squashfs[] = "usr.fstype=squashfs\n";
	m.loaded[0] = '\0';
	assert_int_equal(config_parse(squashfs, sizeof squashfs - 1, &ctx.cfg, NULL), 0);
	assert_int_equal(stage_modules(&ctx), 0);
	assert_string_equal(m.loaded, "virtio_blk dm-verity squashfs efivarfs tpm_crb tpm_tis");
	assert_non_null(strstr(fake_read(fake.console), "not needed on this boot: none; left out for this CPU: none"));
}

/* A squashfs /usr: erofs is not loaded, so neither is the crc32c it would have pulled in; nothing
 * was left out for the CPU, as nothing asked for crc32c. */
static void test_squashfs_needs_no_crc32c(void **state) {
	(void) state;
	(void) snprintf(ctx.cfg.usr_fstype, sizeof ctx.cfg.usr_fstype, "squashfs");
	m.present = qemu;
	assert_int_equal(stage_modules(&ctx), 0);
	assert_string_equal(m.loaded, "virtio_blk dm-verity squashfs tpm_crb tpm_tis");
	assert_string_equal(ctx.status, "5 of 13 configured");
	assert_non_null(strstr(fake_read(fake.console),
			       "not needed on this boot: erofs ext4 crc32c_generic; left out for this CPU: none"));
}

/* A CPU with SSE4.2: crc32c_intel loads with libcrc32c's softdep, as modprobe would load it; a CPU
 * without a modalias leaves nothing out. */
static void test_cpu_with_sse42(void **state) {
	static const char *const present[] = { sse42, "virtio:d00000002v00001AF4", NULL };
	(void) state;
	m.present = present;
	m.cpu = sse42;
	assert_int_equal(stage_modules(&ctx), 0);
	assert_string_equal(m.loaded, "virtio_blk dm-verity crc32c_intel crc32c_generic libcrc32c erofs tpm_crb tpm_tis");
	assert_non_null(strstr(fake_read(fake.console), "left out for this CPU: none"));

	m.loaded[0] = '\0';
	m.cpu = NULL;
	assert_int_equal(stage_modules(&ctx), 0);
	assert_string_equal(m.loaded, "virtio_blk dm-verity crc32c_intel crc32c_generic libcrc32c erofs tpm_crb tpm_tis");
}

/* Hyper-V: the vmbus appears in ACPI; its storage channel, then the SCSI disk behind it, come as
 * events while the devices stage waits. The root is on ext4, so ext4 loads too. */
static void test_hyperv_hotplug(void **state) {
	static const char *const present[] = { "acpi:VMBUS:", "acpi:ACPI0004:", NULL };
	static const char *const appear[] = { "vmbus:d96361baa104294db60572e2ffb1dc7f", "vmbus:d96361baa104294db60572e2ffb1dc7f",
					      "scsi:t-0x00", NULL };
	(void) state;
	ctx.cfg.root_tmpfs = false;
	(void) snprintf(ctx.cfg.root_fstype, sizeof ctx.cfg.root_fstype, "ext4");
	m.present = present;
	m.appear = appear;
	assert_int_equal(stage_modules(&ctx), 0);
	assert_string_equal(m.loaded, "hv_vmbus dm-verity crc32c_generic libcrc32c erofs crc16 mbcache jbd2 ext4 tpm_crb tpm_tis");
	for (int i = 0; i < 4; i++)
		assert_int_equal(modules_hotplug(&ctx, 50000), 0);
	/* A second channel of the same kind loads nothing twice. */
	assert_string_equal(m.loaded,
			    "hv_vmbus dm-verity crc32c_generic libcrc32c erofs crc16 mbcache jbd2 ext4 tpm_crb tpm_tis hv_storvsc sd_mod");
	assert_non_null(strstr(fake_read(fake.console), "Module sd_mod loaded for a new device (scsi:t-0x00)"));
	modules_stop(&ctx);
	assert_int_equal(m.closes, 1);
}

/* A driver its device needs cannot load (lockdown rejects its signature): the wait fails with
 * MODULE, naming the module and the device. */
static void test_hotplug_load_fails(void **state) {
	static const char *const appear[] = { "virtio:d00000008v00001AF4", NULL };
	(void) state;
	m.present = qemu;
	m.appear = appear;
	m.fail_module = "virtio_scsi";
	m.fail_errno = EKEYREJECTED;
	assert_int_equal(stage_modules(&ctx), 0);
	assert_int_equal(modules_hotplug(&ctx, 50000), -EKEYREJECTED);
	assert_int_equal(ctx.reason, REASON_MODULE);
	assert_non_null(strstr(fake_read(fake.console), "Cannot load module virtio_scsi (for virtio:d00000008v00001AF4)"));
}

/* A driver whose probe finds nothing is noted, not fatal; one that fails otherwise stops the stage. */
static void test_coldplug_results(void **state) {
	(void) state;
	m.present = qemu;
	m.fail_module = "virtio_blk";
	m.fail_errno = ENODEV;
	assert_int_equal(stage_modules(&ctx), 0);
	assert_non_null(strstr(fake_read(fake.console), "Module virtio_blk (for virtio:d00000002v00001AF4): no such hardware"));
	assert_string_equal(ctx.status, "5 of 13 configured");

	m.loaded[0] = '\0';
	m.fail_errno = ENOEXEC;
	assert_int_equal(stage_modules(&ctx), -ENOEXEC);
	assert_string_equal(m.loaded, "");
}

/* Every other failure stops the stage with a line saying what. */
static void test_failures(void **state) {
	static const struct {
		const char *what, *aliases, *module;
		int module_errno, listen_errno, expect;
		const char *message;
	} cases[] = {
		{ "a configured module that is nowhere", aliases, "dm-verity", ENOENT, 0, -ENOENT,
		  "Module dm-verity is neither in the initramfs nor built in" },
		{ "a filesystem that cannot load", aliases, "erofs", ENOMEM, 0, -ENOMEM, "Cannot load module erofs (for the filesystem)" },
		{ "a bad modules.alias", "alias fs-ext4 ext4\nalias broken\n", NULL, 0, 0, -EBADMSG,
		  "modules.alias, line 2: not \"alias PATTERN MODULE\"" },
		{ "no event socket", aliases, NULL, 0, EPROTONOSUPPORT, -EPROTONOSUPPORT,
		  "Cannot listen for the kernel's device events" },
	};
	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		m.present = qemu;
		m.aliases = cases[i].aliases;
		m.fail_module = cases[i].module;
		m.fail_errno = cases[i].module_errno;
		m.listen_errno = cases[i].listen_errno;
		int r = stage_modules(&ctx);
		if (r != cases[i].expect)
			fail_msg("%s: got %d, want %d", cases[i].what, r, cases[i].expect);
		if (!strstr(fake_read(fake.console), cases[i].message))
			fail_msg("%s: no '%s' in:\n%s", cases[i].what, cases[i].message, fake_read(fake.console));
	}
}

/* The event source failing while the devices stage waits is a MODULE failure; without a listening
 * modules stage (the devices stage alone), the wait is a plain sleep. */
static void test_wait(void **state) {
	(void) state;
	uint64_t slept = fake.slept_us;
	assert_int_equal(modules_hotplug(&ctx, 50000), 0);
	assert_int_equal(fake.slept_us - slept, 50000);

	m.present = qemu;
	assert_int_equal(stage_modules(&ctx), 0);
	m.wait_errno = ENOBUFS;
	assert_int_equal(modules_hotplug(&ctx, 50000), -ENOBUFS);
	assert_int_equal(ctx.reason, REASON_MODULE);
	assert_non_null(strstr(fake_read(fake.console), "Cannot read the kernel's device events"));
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_qemu, setup, teardown),
		cmocka_unit_test_setup_teardown(test_qemu_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_squashfs_needs_no_crc32c, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cpu_with_sse42, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hyperv_hotplug, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hotplug_load_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_coldplug_results, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wait, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
