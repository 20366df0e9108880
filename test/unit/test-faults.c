/* SPDX-License-Identifier: MIT */
/* Fault injection: the boot is run through the real stage runner and the real stages, over a fake
 * machine behind the ops tables (sys_ops, tpm_ops, module_ops). The new root and the initramfs are
 * one real directory tree (the enrolled certificate, the signed IPE policy, an init on /usr), so
 * that the checks that resolve paths inside it (openat2) run as on a node; the signature partition
 * holds a /usr root hash signed here by a throwaway key.
 *
 * Two kinds of test:
 *  - the table (faults[]): one named call failing where a stage makes it, and the verdict it must
 *    give: no hand-over (the execve op never reached), the exact reason and stage, and the
 *    failure extended into both PCR 11 and PCR 15; also a PCR read and reboot() failing on the
 *    way out;
 *  - the sweep: a first run counts every call on the way to the hand-over; then each of them in
 *    turn fails, with its typical errno and again with ENOMEM. Each such boot must fail closed in
 *    the stage that made the call, with a reason that stage gives, and both PCRs extended, unless
 *    the call only served the logs (tolerated()).
 *
 * Still stand-ins: the devices stage (libblkid, the uevents) and dm-verity (libcryptsetup); their
 * failures are the QEMU matrix's cases (test/integration/cases). */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "eventlog.h"
#include "fakesys.h"
#include "failclosed.h"
#include "log.h"
#include "pcr-events.h"
#include "modload.h"
#include "reason.h"
#include "report.h"
#include "stage.h"
#include "stages.h"
#include "sysops.h"
#include "tpm2.h"

enum op {
	OP_MOUNT,
	OP_MKDIR,
	OP_OPEN,
	OP_OPENAT,
	OP_STAT,
	OP_LSTAT,
	OP_FSTAT,
	OP_ACCESS,
	OP_FCHMOD,
	OP_FLOCK,
	OP_DUP2,
	OP_BLKGETSIZE64,
	OP_WRITE,
	OP_READ,
	OP_SWITCH_ROOT,
	OP_EXECVE,
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
static const char *const op_name[_OP_MAX] = {
	/* clang-format off */
	"mount",       "mkdir",	      "open",	      "openat",	     "stat",	     "lstat",
	"fstat",       "access",      "fchmod",	      "flock",	     "dup2",	     "blkgetsize64",
	"write",       "read",	      "switch_root",  "execve",	     "tpm.open",     "tpm.banks",
	"tpm.extend",  "module.open", "module.load",  "module.aliases", "module.listen", "module.coldplug",
	/* clang-format on */
};
/* What each call fails with in the sweep's first pass: what the kernel or the TPM most plausibly
 * returns (a module the kernel's lockdown refuses to load: its signature rejected; a socket
 * refused). */
static const int op_errno[_OP_MAX] = {
	/* clang-format off */
	ENODEV, EROFS,	EACCES, EACCES, EIO, EIO, EIO,	  ENOENT, EROFS,	EIO,	     EBADF,	     ENOTTY,
	EIO,	EIO,	EINVAL, ENOEXEC, EIO, EIO, EIO,	  ENOENT, EKEYREJECTED, ENOENT, EPROTONOSUPPORT, EIO,
	/* clang-format on */
};

#define IPE "/sys/kernel/security/ipe"
#define SIG_PARTITION "/dev/disk/by-partlabel/usr-verity-sig"
#define INIT "/usr/lib/systemd/systemd"
#define ROOT_HASH "2b0b1b1e7f5c6d4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f00"

/* The fake machine's files outside the tree: each a memfd, opened by path. */
static struct file {
	const char *path;
	char *content;
	int fd;
} files[] = {
	{ "/dev/kmsg", "", -EBADF },
	{ "/dev/console", "", -EBADF },
	{ "/proc/sys/kernel/printk_devkmsg", "", -EBADF },
	/* Console log level 1: the fake kernel echoes nothing, the console memfd gets every line. */
	{ "/proc/sys/kernel/printk", "1\t4\t1\t7\n", -EBADF },
	{ "/etc/verinit.conf", "usr.discovery=auto\ntpm=required\nipe.policy=/etc/verinit/ipe/default.p7s\nipe=required\n"
			       "failure=reboot\nmodules=virtio_scsi hv_storvsc dm_verity\n",
	  -EBADF },
	{ "/proc/cmdline", "console=ttyS0 quiet mount.usrflags=noexec\n", -EBADF },
	{ "/proc/sys/kernel/random/boot_id", "0123abcd-4567-89ab-cdef-0123456789ab\n", -EBADF },
	{ EVENTLOG_PATH, "", -EBADF },
	{ REPORT_PATH, "", -EBADF },
	{ SIG_PARTITION, NULL, -EBADF }, /* the signed root hash, made in setup() */
	{ IPE "/new_policy", "", -EBADF },
	{ IPE "/policies/verinit_default/active", "", -EBADF },
	{ IPE "/enforce", "", -EBADF },
};
enum {
	FILE_CONSOLE = 1,
	FILE_SIG = 9
};

/* The initramfs and the new root at once: a real tree, whose device stands for the dm-verity /usr. */
static char tree[] = "/tmp/verinit-faults-XXXXXX";
static struct stat tree_st;

/* One targeted fault: the nth call of op naming what, made while stage runs. */
struct target {
	enum op op;
	const char *what, *stage;
	unsigned nth;
};

static struct context ctx;
static struct {
	unsigned calls, fail_at;     /* the sweep: fail the fail_at-th call (1-based); 0: none */
	const struct target *target; /* the table: fail this call */
	unsigned seen;               /* calls matching target so far */
	int fail_errno;              /* 0: the op's own errno */
	bool fail_pcr_read;          /* every TPM PCR read fails */
	bool failed;                 /* the fault was injected */
	enum op failed_op;
	char failed_what[96], failed_stage[32];
	bool securityfs, securityfs_at_fault;
	/* The verdict, as the fail-closed exit gave it to its measure hook. */
	char stage[32];
	enum reason reason;
	bool failing;
	unsigned failure_extends[24]; /* per PCR, the successful extends after the verdict */
	unsigned pcr_reads;
	int log_fds[8];
	size_t n_log_fds;
} w;

static const char *current_stage(void) {
	return ctx.n_timing > 0 ? ctx.timing[ctx.n_timing - 1].name : "";
}

/* A path of the machine, in the tree. */
static void in_tree(const char *path, char *buf, size_t size) {
	if (strncmp(path, "/sysroot", 8) == 0 && (path[8] == '/' || path[8] == '\0'))
		path += 8;
	(void) snprintf(buf, size, "%s%s", tree, path);
}

/* What an fd is: a file's path, or a path in the tree as the machine names it. */
static const char *fd_what(int fd) {
	static char buf[256];
	char link[32];
	struct stat a, b;
	if (fstat(fd, &a) < 0)
		return "?";
	for (size_t i = 0; i < ELEMENTSOF(files); i++)
		if (fstat(files[i].fd, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev)
			return files[i].path;
	(void) snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, buf, sizeof buf - 1);
	if (n < 0)
		return "?";
	buf[n] = '\0';
	size_t len = strlen(tree);
	return strncmp(buf, tree, len) == 0 ? (buf[len] ? buf + len : "/") : buf;
}

/* Counts the call; returns the errno to fail it with, or 0. */
static int fault(enum op op, const char *what) {
	bool hit;
	what = what ? what : "";
	w.calls++;
	if (w.target)
		hit = !w.failed && op == w.target->op && strcmp(what, w.target->what) == 0 &&
		      strcmp(current_stage(), w.target->stage) == 0 && ++w.seen == w.target->nth;
	else
		hit = w.calls == w.fail_at;
	if (!hit)
		return 0;
	w.failed = true;
	w.failed_op = op;
	w.securityfs_at_fault = w.securityfs;
	(void) snprintf(w.failed_what, sizeof w.failed_what, "%s", what);
	(void) snprintf(w.failed_stage, sizeof w.failed_stage, "%s", current_stage());
	return w.fail_errno ? w.fail_errno : op_errno[op];
}

static int f_mount(const char *source, const char *target, const char *fstype, unsigned long flags, const char *data) {
	(void) source, (void) fstype, (void) flags, (void) data;
	int e = fault(OP_MOUNT, target);
	if (!e && strcmp(target, "/sys/kernel/security") == 0)
		w.securityfs = true;
	return e ? -e : 0;
}

static int f_mkdir(const char *path, mode_t mode) {
	(void) mode;
	int e = fault(OP_MKDIR, path);
	return e ? -e : -EEXIST;
}

static int f_open(const char *path, int flags, mode_t mode) {
	char p[256];
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
	if (strncmp(path, "/sys/", 5) == 0 || strncmp(path, "/proc/", 6) == 0 || strncmp(path, "/dev/", 5) == 0)
		return -ENOENT;
	in_tree(path, p, sizeof p);
	int fd = open(p, (flags & ~O_CREAT) | O_CLOEXEC, mode);
	return fd < 0 ? -errno : fd;
}

static int f_openat(int dirfd, const char *path, int flags, mode_t mode) {
	int e = fault(OP_OPENAT, path);
	return e ? -e : fake_openat(dirfd, path, flags, mode);
}

/* The verified /usr is the tree's device; /dev/mapper/usr is the block device it is on. */
static int tree_stat(enum op op, const char *path, struct stat *st) {
	char p[256];
	int e = fault(op, path);
	if (e)
		return -e;
	if (strcmp(path, "/dev/mapper/usr") == 0) {
		memset(st, 0, sizeof *st);
		st->st_mode = S_IFBLK | 0600;
		st->st_rdev = tree_st.st_dev;
		return 0;
	}
	in_tree(path, p, sizeof p);
	return op == OP_LSTAT ? fake_lstat(p, st) : fake_stat(p, st);
}

static int f_stat(const char *path, struct stat *st) {
	return tree_stat(OP_STAT, path, st);
}

static int f_lstat(const char *path, struct stat *st) {
	return tree_stat(OP_LSTAT, path, st);
}

static int f_fstat(int fd, struct stat *st) {
	int e = fault(OP_FSTAT, fd_what(fd));
	return e ? -e : fake_fstat(fd, st);
}

static int f_access(const char *path, int mode) {
	(void) mode;
	int e = fault(OP_ACCESS, path);
	if (e)
		return -e;
	return strcmp(path, IPE) == 0 && w.securityfs ? 0 : -ENOENT;
}

static int f_fchmod(int fd, mode_t mode) {
	int e = fault(OP_FCHMOD, fd_what(fd));
	return e ? -e : fake_fchmod(fd, mode);
}

static int f_flock(int fd, int op) {
	int e = fault(OP_FLOCK, fd_what(fd));
	return e ? -e : fake_flock(fd, op);
}

static int f_dup2(int fd, int to) {
	int e = fault(OP_DUP2, fd_what(fd));
	return e ? -e : fake_dup2(fd, to);
}

static int f_blkgetsize64(int fd, uint64_t *size) {
	int e = fault(OP_BLKGETSIZE64, fd_what(fd));
	return e ? -e : fake_blkgetsize64(fd, size);
}

static ssize_t f_write(int fd, const void *buf, size_t len) {
	int e = fault(OP_WRITE, fd_what(fd));
	return e ? -e : fake_write(fd, buf, len);
}

static ssize_t f_read(int fd, void *buf, size_t len) {
	int e = fault(OP_READ, fd_what(fd));
	return e ? -e : fake_readop(fd, buf, len);
}

static int f_switch_root(const char *newroot) {
	int e = fault(OP_SWITCH_ROOT, newroot);
	return e ? -e : fake_switch_root(newroot);
}

static int f_execve(const char *path, char *const argv[], char *const envp[]) {
	int e = fault(OP_EXECVE, path);
	return e ? -e : fake_execve(path, argv, envp);
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
	if (e)
		return -e;
	if (w.failing && pcr < ELEMENTSOF(w.failure_extends))
		w.failure_extends[pcr]++;
	return 0;
}

/* Read only on the way out, for the console: not counted, failed on demand. */
static int t_read(unsigned pcr, enum pcr_bank b, uint8_t out[static PCR_DIGEST_MAX]) {
	(void) pcr, (void) b;
	w.pcr_reads++;
	if (w.fail_pcr_read)
		return -EIO;
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
static int m_load(const char *name, module_skip_fn leave_out, void *data) {
	(void) leave_out, (void) data;
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

/* Each module inserts only itself; the CPU has no modalias. */
static int m_probe_list(const char *name, module_name_fn fn, void *data) {
	return fn(name, data);
}

static int m_cpu_modalias(char *buf, size_t size) {
	(void) buf, (void) size;
	return -ENOENT;
}

static const struct module_ops modload_fake = {
	.open = m_open,
	.load = m_load,
	.probe_list = m_probe_list,
	.cpu_modalias = m_cpu_modalias,
	.aliases = m_aliases,
	.listen = m_listen,
	.coldplug = m_coldplug,
	.wait = m_wait,
	.close = m_close,
};

/* Stand-ins for the stages whose work is outside the ops tables (libblkid, libcryptsetup): they
 * leave in ctx what the real ones would. */
static int stage_devices_found(struct context *c) {
	(void) snprintf(c->dev_sig, sizeof c->dev_sig, "%s", SIG_PARTITION);
	(void) snprintf(c->dev_data, sizeof c->dev_data, "/dev/vda3");
	(void) snprintf(c->dev_hash, sizeof c->dev_hash, "/dev/vda4");
	return 0;
}

static int stage_verity_active(struct context *c) {
	c->kernel_verified = true;
	return 0;
}

/* The agent's stages (init/main.c), with those two replaced. */
static stage_fn boot[_STAGE_MAX];

static void boot_bind(void) {
	memcpy(boot, stage_functions, sizeof boot);
	boot[STAGE_DEVICES] = stage_devices_found;
	boot[STAGE_VERITY] = stage_verity_active;
}

/* The fail-closed exit's measure hook: records the verdict, then measures it as the agent does. */
static void measure_verdict(struct context *c, const char *stage, enum reason reason) {
	(void) snprintf(w.stage, sizeof w.stage, "%s", stage);
	w.reason = reason;
	w.failing = true;
	measure_failure(c, stage, reason);
}

/* Boots once with call fail_at, or target, failing (neither: none). Returns how it ended:
 * FAKE_REBOOTED, FAKE_HUNG or FAKE_EXECED. */
static int boot_once(unsigned fail_at, const struct target *target, int fail_errno) {
	/* What the last boot left open: a real boot ends in its exec or its fail-closed exit. */
	measure_forget(&ctx);
	modules_stop(&ctx);
	context_init(&ctx);
	const int log_fd = dup(files[FILE_CONSOLE].fd);
	const bool fail_pcr_read = w.fail_pcr_read;
	memset(&w, 0, sizeof w);
	w.fail_at = fail_at;
	w.target = target;
	w.fail_errno = fail_errno;
	w.fail_pcr_read = fail_pcr_read;
	fake.reboot_calls = 0;
	fake.hang_calls = 0;
	fake.switch_root_calls = 0;
	fake.execve_calls = 0;
	for (size_t i = 0; i < ELEMENTSOF(files); i++) {
		assert_int_equal(ftruncate(files[i].fd, 0), 0);
		size_t n = strlen(files[i].content);
		assert_int_equal(pwrite(files[i].fd, files[i].content, n, 0), (ssize_t) n);
	}
	/* Rebooting before the config stage has read failure=reboot too: every refused boot ends alike. */
	ctx.fail = (struct fail_policy){ FAILURE_REBOOT, 0 };
	ctx.measure_failure = measure_verdict;
	w.log_fds[w.n_log_fds++] = log_fd;
	log_set_fds(-EBADF, log_fd);

	/* The console is stderr too, as after the hand-over's dup2s: where a failed execve is logged. */
	const int saved_stderr = dup(STDERR_FILENO);
	assert_true(saved_stderr >= 0);
	assert_int_equal(dup2(files[FILE_CONSOLE].fd, STDERR_FILENO), STDERR_FILENO);

	int how = setjmp(fake.exit);
	if (how == FAKE_RUNNING)
		boot_run(boot, &ctx);
	log_set_fds(-EBADF, -EBADF);
	(void) dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	for (size_t i = 0; i < w.n_log_fds; i++)
		close(w.log_fds[i]);
	return how;
}

/* Calls whose failure only costs log lines, or that the stage makes again: the boot is as safe
 * without them. */
static bool tolerated(enum op op, const char *what) {
	static const char *const logs[] = { "/dev/kmsg", "/dev/console", "/proc/sys/kernel/printk_devkmsg",
					    "/proc/sys/kernel/printk",
					    "/proc/sys/kernel/random/boot_id" };
	/* Asked before securityfs is mounted, IPE's directory is missing either way: the stage
	 * mounts securityfs and asks again. */
	if (op == OP_ACCESS && strcmp(what, IPE) == 0 && !w.securityfs_at_fault)
		return true;
	if (op != OP_OPEN && op != OP_WRITE && op != OP_READ)
		return false;
	for (size_t i = 0; i < ELEMENTSOF(logs); i++)
		if (strcmp(what, logs[i]) == 0)
			return true;
	return false;
}

/* The reasons each stage may give: a stage's failure never names another stage's cause. */
static bool reason_of_stage(const char *stage, enum reason r) {
	static const enum reason allowed[_STAGE_MAX][4] = {
		[STAGE_EARLY_MOUNTS] = { REASON_EARLY_MOUNT },
		[STAGE_CONFIG] = { REASON_CONFIG, REASON_CMDLINE },
		[STAGE_MODULES] = { REASON_MODULE },
		[STAGE_TPM] = { REASON_MEASURE },
		[STAGE_SIGNATURE] = { REASON_SIG_INVALID, REASON_SIG_MALFORMED, REASON_CERTS },
		[STAGE_MOUNTS] = { REASON_MOUNT },
		[STAGE_IPE] = { REASON_POLICY_UNVERIFIED, REASON_IPE_UNAVAILABLE, REASON_IPE },
		[STAGE_MEASURE] = { REASON_MEASURE },
		[STAGE_HANDOVER] = { REASON_SWITCH_ROOT, REASON_INIT_UNVERIFIED, REASON_MEASURE, REASON_INTERNAL },
	};
	enum stage_id id = stage_from_name(stage, strlen(stage));
	if (id == _STAGE_INVALID)
		return false;
	for (size_t j = 0; j < ELEMENTSOF(allowed[id]); j++)
		if (allowed[id][j] != REASON_NONE && allowed[id][j] == r)
			return true;
	return false;
}

/* What every refused boot must show, however it ended: the execve op never reached, the verdict
 * on the console as the hook got it, and the failure extended into both PCR 11 and 15. */
static void assert_failed_closed(const char *name, int how, int want_how) {
	char line[128];
	if (how != want_how || fake.execve_calls != 0)
		fail_msg("%s: ended as %d (want %d), execve reached %d times", name, how, want_how, fake.execve_calls);
	(void) snprintf(line, sizeof line, "FAIL reason=%s stage=%s:", reason_to_string(w.reason), w.stage);
	if (!w.failing || !strstr(fake_read(files[FILE_CONSOLE].fd), line))
		fail_msg("%s: no '%s' on the console:\n%s", name, line, fake_read(files[FILE_CONSOLE].fd));
	if (w.failure_extends[11] == 0 || w.failure_extends[15] == 0)
		fail_msg("%s: the failure was extended %u times into PCR 11 and %u times into PCR 15", name,
			 w.failure_extends[11], w.failure_extends[15]);
}

/* ---- the machine ------------------------------------------------------------------------------ */

static void tree_file(const char *rel, const void *data, size_t len, mode_t mode) {
	char p[256];
	(void) snprintf(p, sizeof p, "%s/%s", tree, rel);
	int fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	assert_true(fd >= 0);
	assert_int_equal(fchmod(fd, mode), 0); /* whatever the umask */
	assert_int_equal(write(fd, data, len), (ssize_t) len);
	close(fd);
}

static void tree_dirs(const char *rel) {
	char p[256], *slash = p + strlen(tree);
	(void) snprintf(p, sizeof p, "%s/%s", tree, rel);
	while ((slash = strchr(slash + 1, '/'))) {
		*slash = '\0';
		assert_true(mkdir(p, 0755) == 0 || errno == EEXIST);
		*slash = '/';
	}
	assert_true(mkdir(p, 0755) == 0 || errno == EEXIST);
}

/* The lab's way: `openssl cms -sign -binary -noattr -nosmimecap -md sha256 -outform DER`,
 * detached (a root hash) or with the content (an IPE policy). */
static size_t cms_sign(X509 *cert, EVP_PKEY *key, const char *content, bool detached, unsigned char **der) {
	const unsigned flags = CMS_BINARY | CMS_NOATTR | CMS_NOSMIMECAP | (detached ? CMS_DETACHED : 0);
	BIO *in = BIO_new_mem_buf(content, -1);
	CMS_ContentInfo *cms = CMS_sign(NULL, NULL, NULL, NULL, flags | CMS_PARTIAL);
	assert_non_null(in);
	assert_non_null(cms);
	assert_non_null(CMS_add1_signer(cms, cert, key, EVP_sha256(), flags));
	assert_int_equal(CMS_final(cms, in, NULL, flags), 1);
	*der = NULL;
	int len = i2d_CMS_ContentInfo(cms, der);
	assert_true(len > 0);
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	return (size_t) len;
}

/* A throwaway key, its enrolled certificate, the signature partition over ROOT_HASH, the IPE
 * policy signed by it, and an init on /usr (a static ELF: nothing else to load). */
static void make_machine(void) {
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *cert = X509_new();
	assert_non_null(key);
	assert_non_null(cert);
	X509_NAME *name = X509_get_subject_name(cert);
	assert_int_equal(X509_set_version(cert, X509_VERSION_3), 1);
	assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(cert), 1), 1);
	assert_int_equal(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *) "verinit faults db",
						    -1, -1, 0),
			 1);
	assert_int_equal(X509_set_issuer_name(cert, name), 1);
	assert_non_null(X509_time_adj_ex(X509_getm_notBefore(cert), -1, 0, NULL));
	assert_non_null(X509_time_adj_ex(X509_getm_notAfter(cert), 3650, 0, NULL));
	assert_int_equal(X509_set_pubkey(cert, key), 1);
	assert_true(X509_sign(cert, key, EVP_sha256()) > 0);

	unsigned char *der = NULL;
	int len = i2d_X509(cert, &der);
	assert_true(len > 0);
	tree_dirs("etc/verinit/certs");
	tree_file("etc/verinit/certs/db.der", der, (size_t) len, 0644);
	OPENSSL_free(der);

	size_t n = cms_sign(cert, key, ROOT_HASH, true, &der);
	char *b64 = malloc(4 * ((n + 2) / 3) + 1), *json = malloc(4 * ((n + 2) / 3) + 128);
	assert_non_null(b64);
	assert_non_null(json);
	(void) EVP_EncodeBlock((unsigned char *) b64, der, (int) n);
	(void) sprintf(json, "{\"rootHash\":\"%s\",\"signature\":\"%s\"}", ROOT_HASH, b64);
	files[FILE_SIG].content = json;
	free(b64);
	OPENSSL_free(der);

	n = cms_sign(cert, key, "policy_name=verinit_default policy_version=1.0.0\nDEFAULT action=ALLOW\n", false, &der);
	tree_dirs("etc/verinit/ipe");
	tree_file("etc/verinit/ipe/default.p7s", der, n, 0644);
	OPENSSL_free(der);
	X509_free(cert);
	EVP_PKEY_free(key);

	/* clang-format off */
	Elf64_Ehdr eh = { .e_ident = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS64, ELFDATA2LSB, EV_CURRENT },
			  .e_type = ET_EXEC, .e_machine = EM_X86_64, .e_version = EV_CURRENT,
			  .e_phoff = sizeof eh, .e_ehsize = sizeof eh, .e_phentsize = sizeof(Elf64_Phdr) };
	/* clang-format on */
	tree_dirs("usr/lib/systemd");
	tree_file(INIT + 1, &eh, sizeof eh, 0755);
	assert_int_equal(stat(tree, &tree_st), 0);
}

static int setup(void **state) {
	if (fake_setup(state) < 0 || !mkdtemp(tree))
		return -1;
	make_machine();
	boot_bind();
	ops = fake_ops;
	ops.mount = f_mount;
	ops.mkdir = f_mkdir;
	ops.open = f_open;
	ops.openat = f_openat;
	ops.stat = f_stat;
	ops.lstat = f_lstat;
	ops.fstat = f_fstat;
	ops.access = f_access;
	ops.fchmod = f_fchmod;
	ops.flock = f_flock;
	ops.dup2 = f_dup2;
	ops.blkgetsize64 = f_blkgetsize64;
	ops.write = f_write;
	ops.read = f_read;
	ops.switch_root = f_switch_root;
	ops.execve = f_execve;
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
	char cmd[128];
	fake_teardown(state);
	tpm_set_ops(NULL);
	module_set_ops(NULL);
	for (size_t i = 0; i < ELEMENTSOF(files); i++)
		close(files[i].fd);
	free(files[FILE_SIG].content);
	files[FILE_SIG].content = NULL;
	(void) snprintf(cmd, sizeof cmd, "rm -rf '%s'", tree);
	(void) system(cmd);
	memcpy(tree + strlen(tree) - 6, "XXXXXX", 6);
	return 0;
}

/* ---- the tests -------------------------------------------------------------------------------- */

/* Without faults the fake machine boots to the hand-over, through the real signature check, IPE
 * policy and init checks: the baseline the faults are measured from. */
static void test_baseline_hands_over(void **state) {
	(void) state;
	int how = boot_once(0, NULL, 0);
	if (how != FAKE_EXECED)
		fail_msg("the boot without faults ended as %d:\n%s", how, fake_read(files[FILE_CONSOLE].fd));
	assert_string_equal(fake.execed, INIT);
	assert_int_equal(fake.switch_root_calls, 1);
	assert_true(w.calls >= 60); /* every stage did real work through the tables */
	assert_int_equal(fake.reboot_calls, 0);
	assert_null(strstr(fake_read(files[FILE_CONSOLE].fd), "FAIL"));
}

/* One call failing where a stage makes it, and the verdict it must give. */
static const struct fault_case {
	struct target t;
	int err;
	const char *stage; /* the verdict */
	enum reason reason;
	bool pcr_read_fails, reboot_fails; /* on the way out, too */
} faults[] = {
	{ { OP_OPEN, "/etc/verinit.conf", "config", 1 }, EACCES, "config", REASON_CONFIG, false, false },
	{ { OP_MOD_LOAD, "dm_verity", "modules", 1 }, EKEYREJECTED, "modules", REASON_MODULE, false, false },
	{ { OP_TPM_OPEN, "/dev/tpmrm0", "tpm", 1 }, EIO, "tpm", REASON_MEASURE, false, false },
	{ { OP_FLOCK, EVENTLOG_PATH, "tpm", 1 }, ENOLCK, "tpm", REASON_MEASURE, false, false },
	{ { OP_FCHMOD, EVENTLOG_PATH, "tpm", 1 }, EROFS, "tpm", REASON_MEASURE, false, false },
	{ { OP_BLKGETSIZE64, SIG_PARTITION, "signature", 1 }, ENOTTY, "signature", REASON_SIG_INVALID, false, false },
	{ { OP_READ, SIG_PARTITION, "signature", 1 }, EIO, "signature", REASON_SIG_INVALID, false, false },
	{ { OP_OPEN, "/etc/verinit/certs", "signature", 1 }, ENOENT, "signature", REASON_CERTS, false, false },
	{ { OP_OPENAT, ".", "signature", 1 }, EACCES, "signature", REASON_CERTS, false, false },
	{ { OP_OPENAT, "db.der", "signature", 1 }, EACCES, "signature", REASON_CERTS, false, false },
	{ { OP_FSTAT, "/etc/verinit/certs/db.der", "signature", 1 }, EIO, "signature", REASON_CERTS, false, false },
	{ { OP_READ, "/etc/verinit/certs/db.der", "signature", 1 }, EIO, "signature", REASON_CERTS, false, false },
	{ { OP_MOUNT, "/sysroot/usr", "mounts", 1 }, EINVAL, "mounts", REASON_MOUNT, false, false },
	{ { OP_STAT, "/", "ipe", 1 }, EIO, "ipe", REASON_POLICY_UNVERIFIED, false, false },
	{ { OP_OPEN, "/", "ipe", 1 }, EACCES, "ipe", REASON_POLICY_UNVERIFIED, false, false },
	{ { OP_READ, "/etc/verinit/ipe/default.p7s", "ipe", 1 }, EIO, "ipe", REASON_POLICY_UNVERIFIED, false, false },
	{ { OP_ACCESS, IPE, "ipe", 2 }, ENOENT, "ipe", REASON_IPE_UNAVAILABLE, false, false },
	{ { OP_WRITE, IPE "/new_policy", "ipe", 1 }, EKEYREJECTED, "ipe", REASON_IPE_UNTRUSTED, false, false },
	{ { OP_TPM_EXTEND, "PCR 15", "measure", 1 }, EIO, "measure", REASON_MEASURE, false, false },
	{ { OP_FLOCK, EVENTLOG_PATH, "measure", 1 }, ENOLCK, "measure", REASON_MEASURE, false, false },
	{ { OP_STAT, "/dev/mapper/usr", "mounts", 1 }, ENOENT, "mounts", REASON_MOUNT, false, false },
	{ { OP_LSTAT, "/sysroot/usr", "handover", 1 }, EIO, "handover", REASON_SWITCH_ROOT, false, false },
	{ { OP_OPEN, "/sysroot", "handover", 1 }, EACCES, "handover", REASON_SWITCH_ROOT, false, false },
	{ { OP_FSTAT, INIT, "handover", 1 }, EIO, "handover", REASON_SWITCH_ROOT, false, false },
	{ { OP_WRITE, REPORT_PATH, "handover", 1 }, ENOSPC, "handover", REASON_INTERNAL, false, false },
	{ { OP_SWITCH_ROOT, "/sysroot", "handover", 1 }, EINVAL, "handover", REASON_SWITCH_ROOT, false, false },
	{ { OP_STAT, INIT, "handover", 1 }, ENOENT, "handover", REASON_INIT_UNVERIFIED, false, false },
	{ { OP_OPEN, "/dev/console", "handover", 1 }, ENXIO, "handover", REASON_SWITCH_ROOT, false, false },
	{ { OP_DUP2, "/dev/console", "handover", 1 }, EBADF, "handover", REASON_SWITCH_ROOT, false, false },
	{ { OP_EXECVE, INIT, "handover", 1 }, ENOEXEC, "handover", REASON_INIT_UNVERIFIED, false, false },
	/* On the way out: a PCR read for the console, or reboot() itself, failing too. */
	{ { OP_OPENAT, ".", "signature", 1 }, EACCES, "signature", REASON_CERTS, true, false },
	{ { OP_SWITCH_ROOT, "/sysroot", "handover", 1 }, EINVAL, "handover", REASON_SWITCH_ROOT, false, true },
};

static void test_each_fault_its_verdict(void **state) {
	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(faults); i++) {
		const struct fault_case *f = &faults[i];
		char name[160];
		(void) snprintf(name, sizeof name, "%s %s (call %u in %s)%s%s", op_name[f->t.op], f->t.what, f->t.nth,
				f->t.stage, f->pcr_read_fails ? ", then a PCR read" : "",
				f->reboot_fails ? ", then reboot()" : "");
		w.fail_pcr_read = f->pcr_read_fails;
		fake.reboot_result = f->reboot_fails ? -EIO : 0;
		int how = boot_once(0, &f->t, f->err);
		fake.reboot_result = 0;
		if (!w.failed)
			fail_msg("%s: never made", name);
		assert_failed_closed(name, how, f->reboot_fails ? FAKE_HUNG : FAKE_REBOOTED);
		if (strcmp(w.stage, f->stage) != 0 || w.reason != f->reason)
			fail_msg("%s: FAIL reason=%s stage=%s, want reason=%s stage=%s", name, reason_to_string(w.reason),
				 w.stage, reason_to_string(f->reason), f->stage);
		assert_int_equal(fake.reboot_calls, 1);
		assert_int_equal(fake.hang_calls, f->reboot_fails ? 1 : 0);
		if (f->pcr_read_fails && w.pcr_reads == 0)
			fail_msg("%s: no PCR was read", name);
	}
	w.fail_pcr_read = false;
	print_message("%zu faults, each with its verdict\n", ELEMENTSOF(faults));
}

static void fail_each_call(int fail_errno) {
	assert_int_equal(boot_once(0, NULL, 0), FAKE_EXECED);
	const unsigned total = w.calls;
	unsigned failed_closed = 0, tolerated_calls = 0;

	for (unsigned k = 1; k <= total; k++) {
		char name[160];
		int how = boot_once(k, NULL, fail_errno);
		(void) snprintf(name, sizeof name, "call %u (%s %s in %s) failing with %s", k, op_name[w.failed_op],
				w.failed_what, w.failed_stage, strerror(fail_errno ? fail_errno : op_errno[w.failed_op]));
		if (how == FAKE_EXECED) {
			if (!tolerated(w.failed_op, w.failed_what))
				fail_msg("%s: the boot handed over", name);
			tolerated_calls++;
			continue;
		}
		assert_failed_closed(name, how, FAKE_REBOOTED);
		assert_int_equal(fake.reboot_calls, 1);
		if (strcmp(w.stage, w.failed_stage) != 0 || !reason_of_stage(w.stage, w.reason))
			fail_msg("%s: FAIL reason=%s stage=%s", name, reason_to_string(w.reason), w.stage);
		failed_closed++;
	}
	print_message("%u calls: %u failed closed, %u cost only log lines or were made again\n", total, failed_closed,
		      tolerated_calls);
	assert_true(failed_closed > tolerated_calls);
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
		cmocka_unit_test_setup_teardown(test_each_fault_its_verdict, setup, teardown),
		cmocka_unit_test_setup_teardown(test_each_call_failing_fails_closed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_each_call_out_of_memory_fails_closed, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
