/* SPDX-License-Identifier: MIT */
/* Fault injection: the boot is run through the real stage runner and the real stages, over a fake
 * machine behind the ops tables (sys_ops, tpm_ops, module_ops). A first run counts every system call,
 * TPM command and module load on the way to the hand-over; then, for each of them in turn, the boot is run again with
 * that one call failing, once with the call's typical errno and once with ENOMEM. Every such boot
 * must end in the fail-closed exit (reboot, failure measured into the TPM), never at the hand-over,
 * unless the failed call only served the logs (the list in tolerated()).
 *
 * Out of the ops tables, and so out of this test: the device scan (libblkid), the signature files
 * and dm-verity (libcryptsetup), and the checks on the real /sysroot before exec. Their failures are the QEMU matrix's cases (test/integration/cases). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <sys/mman.h>
#include <sys/reboot.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eventlog.h"
#include "fakesys.h"
#include "failclosed.h"
#include "ipe-install.h"
#include "log.h"
#include "measure.h"
#include "modload.h"
#include "report.h"
#include "stage.h"
#include "stages.h"
#include "sysops.h"
#include "tpm2.h"

/* How a boot ended, beyond fakesys.h's FAKE_REBOOTED and FAKE_HUNG. */
enum { HANDED_OVER = FAKE_HUNG + 1 };
enum op {
	OP_MOUNT,
	OP_MKDIR,
	OP_OPEN,
	OP_WRITE,
	OP_READ,
	OP_TPM_OPEN,
	OP_TPM_BANKS,
	OP_TPM_EXTEND,
	OP_MOD_OPEN,
	OP_MOD_LOAD,
	OP_MOD_ALIASES,
	OP_MOD_LISTEN,
	OP_MOD_COLDPLUG,
	_OP_MAX
};
static const char *const op_name[_OP_MAX] = { "mount",	     "mkdir",	       "open",	      "write",
					      "read",	     "tpm.open",       "tpm.banks",   "tpm.extend",
					      "module.open", "module.load",    "module.aliases", "module.listen",
					      "module.coldplug" };
/* What each call fails with in the first pass: what the kernel or the TPM most plausibly returns
 * (a module the kernel's lockdown refuses to load: its signature rejected; a socket refused). */
static const int op_errno[_OP_MAX] = { ENODEV, EROFS, EACCES,	    EIO,    EIO,	 EIO, EIO,
				       EIO,    ENOENT, EKEYREJECTED, ENOENT, EPROTONOSUPPORT, EIO };

#define IPE "/sys/kernel/security/ipe/"

/* The fake machine's files: each a memfd, opened by path. */
static struct file {
	const char *path, *content;
	int fd;
} files[] = {
	{ "/dev/kmsg", "", -EBADF },
	{ "/dev/console", "", -EBADF },
	{ "/proc/sys/kernel/printk_devkmsg", "", -EBADF },
	/* Console log level 1: the fake kernel echoes nothing, the console memfd gets every line. */
	{ "/proc/sys/kernel/printk", "1\t4\t1\t7\n", -EBADF },
	{ "/etc/verinit.conf", "usr.discovery=auto\ntpm=required\nipe.policy=/etc/verinit/ipe/default.p7s\nipe=required\n"
	  "failure=reboot\nmodules=virtio_scsi hv_storvsc dm_verity\n", -EBADF },
	{ "/proc/cmdline", "console=ttyS0 quiet mount.usrflags=noexec\n", -EBADF },
	{ "/proc/sys/kernel/random/boot_id", "0123abcd-4567-89ab-cdef-0123456789ab\n", -EBADF },
	{ EVENTLOG_PATH, "", -EBADF },
	{ REPORT_PATH, "", -EBADF },
	{ "/sysroot/usr", "", -EBADF }, /* a directory of the new root, looked at with O_PATH */
	{ IPE "new_policy", "", -EBADF },
	{ IPE "policies/verinit_default/active", "", -EBADF },
	{ IPE "enforce", "", -EBADF },
};

static struct {
	unsigned calls, fail_at; /* fail the fail_at-th call (1-based); 0: none */
	int fail_errno;          /* 0: the op's own errno */
	enum op failed_op;
	char failed_path[96];
	unsigned extends_after_fault;
	int log_fds[8];
	size_t n_log_fds;
} w;

static const char *fd_path(int fd) {
	struct stat a, b;
	if (fstat(fd, &a) < 0)
		return "?";
	for (size_t i = 0; i < ELEMENTSOF(files); i++)
		if (fstat(files[i].fd, &b) == 0 && a.st_ino == b.st_ino)
			return files[i].path;
	return "?";
}

/* Counts the call; returns the errno to fail it with, or 0. */
static int fault(enum op op, const char *path) {
	if (w.fail_at && w.calls >= w.fail_at && op == OP_TPM_EXTEND)
		w.extends_after_fault++;
	if (++w.calls != w.fail_at)
		return 0;
	w.failed_op = op;
	(void) snprintf(w.failed_path, sizeof w.failed_path, "%s", path ? path : "");
	return w.fail_errno ? w.fail_errno : op_errno[op];
}

static int f_mount(const char *source, const char *target, const char *fstype, unsigned long flags, const char *data) {
	(void) source, (void) fstype, (void) flags, (void) data;
	int e = fault(OP_MOUNT, target);
	return e ? -e : 0;
}

static int f_mkdir(const char *path, mode_t mode) {
	(void) mode;
	int e = fault(OP_MKDIR, path);
	return e ? -e : -EEXIST;
}

static int f_open(const char *path, int flags, mode_t mode) {
	(void) mode;
	int e = fault(OP_OPEN, path);
	if (e)
		return -e;
	for (size_t i = 0; i < ELEMENTSOF(files); i++)
		if (strcmp(path, files[i].path) == 0) {
			int fd = dup(files[i].fd);
			if (i < 2 && fd >= 0 && w.n_log_fds < ELEMENTSOF(w.log_fds))
				w.log_fds[w.n_log_fds++] = fd; /* the logger's, never closed by the agent */
			(void) lseek(fd, 0, (flags & O_APPEND) ? SEEK_END : SEEK_SET);
			return fd;
		}
	/* securityfs is reached by mount; the IPE directory is there once it is mounted. */
	return -ENOENT;
}

static ssize_t f_write(int fd, const void *buf, size_t len) {
	int e = fault(OP_WRITE, fd_path(fd));
	if (e)
		return -e;
	return fake_write(fd, buf, len);
}

static ssize_t f_read(int fd, void *buf, size_t len) {
	int e = fault(OP_READ, fd_path(fd));
	if (e)
		return -e;
	return fake_readop(fd, buf, len);
}

/* fakesys.h's table, with every call that can fail counted and failed on demand. */
static struct sys_ops ops;

static int t_open(const char *device) {
	int e = fault(OP_TPM_OPEN, device);
	return e ? -e : 0;
}

static int t_banks(unsigned *banks, unsigned *unknown) {
	int e = fault(OP_TPM_BANKS, NULL);
	*banks = 1U << PCR_BANK_SHA256;
	*unknown = 0;
	return e ? -e : 0;
}

static int t_extend(unsigned pcr, const struct pcr_digests *d) {
	(void) d;
	char what[16];
	(void) snprintf(what, sizeof what, "PCR %u", pcr);
	int e = fault(OP_TPM_EXTEND, what);
	return e ? -e : 0;
}

static int t_read(unsigned pcr, enum pcr_bank b, uint8_t out[static PCR_DIGEST_MAX]) {
	(void) pcr, (void) b;
	memset(out, 0, PCR_DIGEST_MAX);
	return 0;
}

static void t_close(void) {
}

static const struct tpm_ops tpm_fake = { t_open, t_banks, t_extend, t_read, t_close };

static int m_open(void) {
	int e = fault(OP_MOD_OPEN, NULL);
	return e ? -e : 0;
}

/* hv_storvsc finds no Hyper-V here: as on a QEMU node, that alone must not stop the boot. */
static int m_load(const char *name) {
	int e = fault(OP_MOD_LOAD, name);
	if (e)
		return -e;
	return strcmp(name, "hv_storvsc") == 0 ? -ENODEV : 0;
}

/* The initramfs's modules.alias for those modules: dm_verity has no alias, so it loads every boot. */
static int m_aliases(char **text, size_t *len) {
	static const char aliases[] = "# Aliases extracted from modules themselves.\n"
				      "alias virtio:d00000008v* virtio_scsi\n"
				      "alias vmbus:d96361baa104294db60572e2ffb1dc7f hv_storvsc\n";
	int e = fault(OP_MOD_ALIASES, NULL);
	if (e)
		return -e;
	*text = strdup(aliases);
	*len = strlen(aliases);
	return *text ? 0 : -ENOMEM;
}

static int m_listen(void) {
	int e = fault(OP_MOD_LISTEN, NULL);
	return e ? -e : 0;
}

/* A virtio-scsi host adapter, a vmbus storage channel, and a device no configured module drives. */
static int m_coldplug(modalias_fn fn, void *data) {
	static const char *const devices[] = { "pci:v00001AF4d00001048sv00001AF4sd00001100bc01sc00i00",
					       "virtio:d00000008v00001AF4",
					       "vmbus:d96361baa104294db60572e2ffb1dc7f" };
	int e = fault(OP_MOD_COLDPLUG, NULL);
	if (e)
		return -e;
	for (size_t i = 0; i < ELEMENTSOF(devices); i++) {
		int r = fn(devices[i], data);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Never reached: the devices stage, which waits for events, is replaced here. */
static int m_wait(uint64_t usec, modalias_fn fn, void *data) {
	(void) usec, (void) fn, (void) data;
	return -ENOSYS;
}

static void m_close(void) {
}

static const struct module_ops modload_fake = { m_open, m_load, m_aliases, m_listen, m_coldplug, m_wait, m_close };

/* Stand-ins for the stages whose work is outside the ops tables: they leave in ctx what the real
 * ones would (a verified root hash and signer), so that the later stages have something to do. */
static int stage_verified(struct context *ctx) {
	(void) snprintf(ctx->sig.root_hash_hex, sizeof ctx->sig.root_hash_hex, "%064d", 7);
	(void) snprintf(ctx->signer_fpr, sizeof ctx->signer_fpr, "%064d", 9);
	return 0;
}

/* stage_ipe() after reading the policy file (a real file on the verified /usr). */
static int stage_ipe_load(struct context *ctx) {
	static const uint8_t blob[] = "signed policy bytes";
	static const struct ipe_version v = { 1, 0, 0 };
	int r = sys->mount("securityfs", "/sys/kernel/security", "securityfs", 0, NULL);
	if (r < 0)
		return r;
	return ipe_install(ctx, "verinit_default", &v, blob, sizeof blob - 1);
}

/* stage_handover() up to switch_root(): the last measurement and the boot report. */
static int stage_handover_fake(struct context *ctx) {
	int r = handover_record(ctx);
	if (r < 0)
		return r;
	longjmp(fake.exit, HANDED_OVER);
}

static const struct stage boot[] = {
	{ "early-mounts", "early-mounts", stage_early_mounts, REASON_EARLY_MOUNT },
	{ "config", "config", stage_config, REASON_CONFIG },
	{ "modules", "modules", stage_modules, REASON_MODULE },
	{ "tpm", "tpm", stage_tpm, REASON_MEASURE },
	{ "verified", "verified", stage_verified, REASON_SIG_INVALID },
	{ "mounts", "mounts", stage_mounts, REASON_MOUNT },
	{ "ipe", "ipe", stage_ipe_load, REASON_IPE },
	{ "selinux", "selinux", stage_selinux, REASON_SELINUX_LOAD },
	{ "measure", "measure", stage_measure, REASON_MEASURE },
	{ "handover", "handover", stage_handover_fake, REASON_SWITCH_ROOT },
};

/* Boots once with call fail_at failing (0: none). Returns how it ended: FAKE_REBOOTED, FAKE_HUNG
 * or HANDED_OVER. */
static int boot_once(unsigned fail_at, int fail_errno) {
	static struct context ctx;

	memset(&ctx, 0, sizeof ctx);
	w.calls = 0;
	w.fail_at = fail_at;
	w.fail_errno = fail_errno;
	w.failed_path[0] = '\0';
	w.extends_after_fault = 0;
	fake.reboot_calls = 0;
	for (size_t i = 0; i < ELEMENTSOF(files); i++) {
		assert_int_equal(ftruncate(files[i].fd, 0), 0);
		size_t n = strlen(files[i].content);
		assert_int_equal(pwrite(files[i].fd, files[i].content, n, 0), (ssize_t) n);
	}
	measure_forget();
	const struct fail_policy reboot_now = { FAILURE_REBOOT, 0 };
	fail_closed_set_policy(&reboot_now);
	fail_closed_set_measure(measure_failure);
	w.n_log_fds = 0;
	w.log_fds[w.n_log_fds++] = dup(files[1].fd);
	log_set_fds(-EBADF, w.log_fds[0]);

	int how = setjmp(fake.exit);
	if (how == FAKE_RUNNING)
		stages_run(boot, ELEMENTSOF(boot), &ctx);
	log_set_fds(-EBADF, -EBADF);
	for (size_t i = 0; i < w.n_log_fds; i++)
		close(w.log_fds[i]);
	return how;
}

/* Calls whose failure only costs log lines: the boot is as safe without them. */
static bool tolerated(enum op op, const char *path) {
	static const char *const logs[] = { "/dev/kmsg", "/dev/console", "/proc/sys/kernel/printk_devkmsg",
					    "/proc/sys/kernel/printk",
					    "/proc/sys/kernel/random/boot_id" };
	if (op != OP_OPEN && op != OP_WRITE && op != OP_READ)
		return false;
	for (size_t i = 0; i < ELEMENTSOF(logs); i++)
		if (strcmp(path, logs[i]) == 0)
			return true;
	return false;
}

static int setup(void **state) {
	if (fake_setup(state) < 0)
		return -1;
	ops = fake_ops;
	ops.mount = f_mount;
	ops.mkdir = f_mkdir;
	ops.open = f_open;
	ops.write = f_write;
	ops.read = f_read;
	memset(&w, 0, sizeof w);
	for (size_t i = 0; i < ELEMENTSOF(files); i++)
		/* Appending: a stage's fd and the logger's still point past the end of the last boot's. */
		if ((files[i].fd = memfd_create(files[i].path, MFD_CLOEXEC)) < 0 ||
		    fcntl(files[i].fd, F_SETFL, O_APPEND) < 0)
			return -1;
	sys_set_ops(&ops);
	tpm_set_ops(&tpm_fake);
	module_set_ops(&modload_fake);
	return 0;
}

static int teardown(void **state) {
	fake_teardown(state);
	tpm_set_ops(NULL);
	module_set_ops(NULL);
	fail_closed_set_measure(NULL);
	for (size_t i = 0; i < ELEMENTSOF(files); i++)
		close(files[i].fd);
	return 0;
}

/* Without faults the fake machine boots to the hand-over: the baseline the faults are measured from. */
static void test_baseline_hands_over(void **state) {
	(void) state;
	int how = boot_once(0, 0);
	if (how != HANDED_OVER)
		fail_msg("the boot without faults ended as %d:\n%s", how, fake_read(files[1].fd));
	assert_true(w.calls >= 30); /* every stage did real work through the tables */
	assert_int_equal(fake.reboot_calls, 0);
}

static void fail_each_call(int fail_errno) {
	assert_int_equal(boot_once(0, 0), HANDED_OVER);
	const unsigned total = w.calls;
	unsigned failed_closed = 0, logs_only = 0;

	for (unsigned k = 1; k <= total; k++) {
		int how = boot_once(k, fail_errno);
		const char *path = w.failed_path;
		if (how == HANDED_OVER) {
			if (!tolerated(w.failed_op, path))
				fail_msg("call %u (%s %s) failed with %s, yet the boot handed over", k, op_name[w.failed_op],
					 path, strerror(fail_errno ? fail_errno : op_errno[w.failed_op]));
			logs_only++;
			continue;
		}
		if (how != FAKE_REBOOTED || fake.reboot_calls != 1)
			fail_msg("call %u (%s %s): ended as %d, not in one reboot", k, op_name[w.failed_op], path, how);
		/* The failure itself was extended into the PCRs, even when the TPM was what failed. */
		if (!strstr(fake_read(files[1].fd), "FAIL reason="))
			fail_msg("call %u (%s %s): no FAIL line on the console", k, op_name[w.failed_op], path);
		if (w.extends_after_fault == 0)
			fail_msg("call %u (%s %s): the failure was not measured", k, op_name[w.failed_op], path);
		failed_closed++;
	}
	print_message("%u calls: %u failed closed, %u cost only log lines\n", total, failed_closed, logs_only);
	assert_true(failed_closed > logs_only);
}

static void test_each_call_failing_fails_closed(void **state) {
	(void) state;
	fail_each_call(0);
}

static void test_each_call_out_of_memory_fails_closed(void **state) {
	(void) state;
	fail_each_call(ENOMEM);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_baseline_hands_over, setup, teardown),
		cmocka_unit_test_setup_teardown(test_each_call_failing_fails_closed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_each_call_out_of_memory_fails_closed, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
