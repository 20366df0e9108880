/* SPDX-License-Identifier: MIT */
/* The measurement stages through a fake TPM and the fake ops table: what is extended where, in
 * which banks, what reaches the event log, and what a missing or failing TPM does. */
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <sys/stat.h>

#include "eventlog.h"
#include "fakesys.h"
#include "hexb64.h"
#include "pcr-events.h"
#include "measurements.h"
#include "stage.h"
#include "stages.h"
#include "tpm2.h"

#define HASH "431b48347a24303ad7d257afc2779032742a7589eb64275573a16de8766a56ea"
#define FPR "14897d73c684eddf9a328ee3d8526426aa7c652f9bb21d54f58f4815fe151ab3"

static struct {
	int open_result; /* what open returns: 0, -ENOENT, ... */
	unsigned banks, unknown;
	int extend_result;
	bool reopen_heals; /* the next open clears extend_result, as a fresh ESAPI context would */
	int opens, closes, n_ext;
	unsigned ext_pcr[16];
	struct pcr_digests ext[16];
	uint8_t pcr[PCR_COUNT][_PCR_BANK_MAX][PCR_DIGEST_MAX]; /* the fake TPM's PCRs */
} t;

static int t_open(const char *device) {
	assert_string_equal(device, TPM_DEVICE);
	t.opens++;
	if (t.reopen_heals)
		t.extend_result = 0;
	return t.open_result;
}
static int t_banks(unsigned *banks, unsigned *unknown) {
	*banks = t.banks;
	*unknown = t.unknown;
	return 0;
}
static int t_extend(unsigned pcr, const struct pcr_digests *d) {
	if (t.extend_result < 0)
		return t.extend_result;
	assert_true(t.n_ext < 16);
	t.ext_pcr[t.n_ext] = pcr;
	t.ext[t.n_ext++] = *d;
	for (int b = 0; b < _PCR_BANK_MAX; b++)
		if (d->banks & (1U << b))
			assert_int_equal(pcr_extend((enum pcr_bank) b, t.pcr[pcr][b], d->d[b]), 0);
	return 0;
}
static int t_read(unsigned pcr, enum pcr_bank b, uint8_t out[static PCR_DIGEST_MAX]) {
	memcpy(out, t.pcr[pcr][b], PCR_DIGEST_MAX);
	return 0;
}
static void t_close(void) {
	t.closes++;
}
static const struct tpm_ops fake_tpm = { t_open, t_banks, t_extend, t_read, t_close };

static struct context ctx;

static int setup(void **state) {
	memset(&t, 0, sizeof t);
	t.banks = (1U << PCR_BANK_SHA1) | (1U << PCR_BANK_SHA256);
	context_init(&ctx);
	ctx.cfg.tpm_timeout = 1;
	strcpy(ctx.sig.root_hash_hex, HASH);
	strcpy(ctx.signer_fpr, FPR);
	ctx.kernel_verified = true;
	/* A label the disk's writer chose, with a byte a log line must not carry as it is. */
	ctx.chosen[0].role = "usr";
	strcpy(ctx.chosen[0].part.name, "usr_2\n");
	ctx.n_chosen = 1;
	strcpy(ctx.cfg.usrhash, HASH);
	tpm_set_ops(&fake_tpm);
	int r = fake_setup(state);
	fake.capture_path = EVENTLOG_PATH;
	return r;
}

static int teardown(void **state) {
	measure_forget(&ctx);
	tpm_set_ops(NULL);
	return fake_teardown(state);
}

/* The log as written so far, parsed back. */
static size_t parsed_log(struct eventlog_record *recs, size_t max) {
	struct parse_error err = {};
	size_t n = 0;
	const char *log = fake_read(fake.capture);
	if (eventlog_parse(log, strlen(log), recs, max, &n, &err) < 0)
		fail_msg("the event log does not parse: record %u: %s", err.line, err.msg);
	return n;
}

static void assert_digest_of(const struct pcr_digests *d, unsigned banks, const char *s) {
	struct pcr_digests want;
	assert_int_equal(pcr_digests_of(banks, s, strlen(s), &want), 0);
	assert_int_equal(d->banks, banks);
	assert_memory_equal(d->d, want.d, sizeof want.d);
}

static void test_good_boot(void **state) {
	static struct eventlog_record recs[12];
	(void) state;
	assert_int_equal(stage_tpm(&ctx), 0);
	assert_true(ctx.tpm_present);
	assert_int_equal(ctx.tpm_banks, t.banks);
	assert_string_equal(ctx.status, "enter-initrd into PCR 11, banks sha1 sha256");
	assert_int_equal(stage_measure(&ctx), 0);
	assert_int_equal(measure_leave(&ctx), 0);
	assert_int_equal(ctx.measured, 9);

	/* One extend per event, every active bank in it, in the order of lib/measurements.h. */
	static const struct {
		unsigned pcr;
		const char *s;
	} want[] = {
		{ 11, "enter-initrd" },
		{ 15, "verinit.usr.roothash=" HASH },
		{ 15, "verinit.usr.signer.sha256=" FPR },
		{ 15, "verinit.usr.kernel_verified=yes" },
		{ 15, "verinit.usr.slot=usr_2\\x0a pinned=yes" },
		{ 15, "verinit.usr.mount=erofs flags=ro,nodev" },
		{ 15, "verinit.root=tmpfs flags=" },
		{ 15, "verinit.init=/usr/lib/systemd/systemd" },
		{ 11, "leave-initrd" },
	};
	assert_int_equal(t.n_ext, 9);
	assert_int_equal(parsed_log(recs, 12), 9);
	for (size_t i = 0; i < ELEMENTSOF(want); i++) {
		assert_int_equal(t.ext_pcr[i], want[i].pcr);
		assert_digest_of(&t.ext[i], t.banks, want[i].s);
		/* The log says the same as the TPM was told. */
		assert_int_equal(recs[i].pcr, want[i].pcr);
		assert_string_equal(recs[i].string, want[i].s);
		assert_memory_equal(&recs[i].digests, &t.ext[i], sizeof t.ext[i]);
	}
	assert_string_equal(recs[0].content_type, "systemd");
	assert_string_equal(recs[0].event_type, "phase");
	assert_string_equal(recs[1].content_type, "verinit");
	assert_true(fake.capture_flags & O_APPEND);
	assert_true(fake.capture_flags & O_NOFOLLOW);
}

static void test_configured_pcrs(void **state) {
	(void) state;
	ctx.cfg.pcr_phase = 12;
	ctx.cfg.pcr_facts = 23;
	ctx.kernel_verified = false;
	ctx.n_chosen = 0; /* usr named as a whole disk: no label */
	ctx.cfg.usrhash[0] = '\0';
	assert_int_equal(stage_tpm(&ctx), 0);
	assert_int_equal(stage_measure(&ctx), 0);
	assert_int_equal(t.ext_pcr[0], 12);
	assert_int_equal(t.ext_pcr[3], 23);
	assert_digest_of(&t.ext[3], t.banks, "verinit.usr.kernel_verified=no");
	assert_int_equal(t.ext_pcr[4], 23);
	assert_digest_of(&t.ext[4], t.banks, "verinit.usr.slot= pinned=no");
}

/* The settings facts follow the config after the command line: a device root with its flags
 * and root.exec in both spellings, mount.usrflags= after verinit's own, a replaced init, and the
 * policies' modes with the SELinux lock. */
static void test_settings_facts(void **state) {
	static const struct {
		enum root_exec exec;
		const char *root, *init;
	} cases[] = {
		{ ROOT_EXEC_UNVERIFIED, "verinit.root=device fstype=ext4 flags=nodev,nosuid exec=unverified",
		  "verinit.init=/usr/lib/systemd/systemd" },
		{ ROOT_EXEC_VERIFIED, "verinit.root=device fstype=ext4 flags=nodev,nosuid exec=verified",
		  "verinit.init=/usr/bin/other-init" },
	};
	(void) state;
	ctx.cfg.root_tmpfs = false;
	strcpy(ctx.cfg.root_flags, "nodev,nosuid");
	strcpy(ctx.cfg.usr_flags, "noatime");
	strcpy(ctx.ipe_sha256, HASH);
	ctx.cfg.ipe_mode = IPE_AUDIT;
	strcpy(ctx.selinux_sha256, FPR);
	ctx.selinux_locked = true;
	strcpy(ctx.cfg.selinux_store, "/usr/share/selinux/store");
	assert_int_equal(stage_tpm(&ctx), 0);
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		t.n_ext = 1;
		ctx.cfg.root_exec = cases[i].exec;
		strcpy(ctx.cfg.init, cases[i].init + strlen("verinit.init="));
		assert_int_equal(stage_measure(&ctx), 0);
		assert_int_equal(t.n_ext, 10);
		assert_digest_of(&t.ext[5], t.banks, "verinit.usr.mount=erofs flags=ro,nodev,noatime");
		assert_digest_of(&t.ext[6], t.banks, cases[i].root);
		assert_digest_of(&t.ext[7], t.banks, cases[i].init);
		assert_digest_of(&t.ext[8], t.banks, "verinit.ipe.policy.sha256=" HASH " mode=audit");
		assert_digest_of(&t.ext[9], t.banks, "verinit.selinux.policy.sha256=" FPR " mode=enforcing locked=yes store=/usr/share/selinux/store");
	}
}

static void test_missing_required(void **state) {
	(void) state;
	t.open_result = -ENOENT;
	assert_int_equal(stage_tpm(&ctx), -ENOENT);
	assert_int_equal(ctx.reason, REASON_TPM_MISSING);
	assert_true(t.opens > 1); /* it waited */
	assert_true(fake.slept_us > 0);
	assert_non_null(strstr(fake_read(fake.kmsg), "No TPM: /dev/tpmrm0 did not appear within 1 s (tpm=required)"));
}

static void test_missing_optional(void **state) {
	(void) state;
	t.open_result = -ENOENT;
	ctx.cfg.tpm = REQUIREMENT_OPTIONAL;
	assert_int_equal(stage_tpm(&ctx), 0);
	assert_false(ctx.tpm_present);
	assert_int_equal(stage_measure(&ctx), 0);
	assert_int_equal(measure_leave(&ctx), 0);
	assert_int_equal(t.n_ext, 0);
	assert_string_equal(fake_read(fake.capture), "");
}

static void test_no_known_bank(void **state) {
	(void) state;
	t.banks = 0;
	t.unknown = 1;
	assert_int_equal(stage_tpm(&ctx), -ENODATA);
	assert_int_equal(ctx.reason, REASON_MEASURE);
	assert_int_equal(t.closes, 1);
}

/* A bank verinit cannot hash for (SM3) beside known ones: refused before anything is extended. */
static void test_unknown_bank(void **state) {
	(void) state;
	t.unknown = 1;
	assert_int_equal(stage_tpm(&ctx), -EPROTONOSUPPORT);
	assert_int_equal(ctx.reason, REASON_MEASURE);
	assert_int_equal(t.n_ext, 0);
	assert_int_equal(t.closes, 1);
	assert_non_null(strstr(fake_read(fake.kmsg), "1 active PCR bank(s) other than sha1, sha256, sha384 and sha512"));
}

static void test_extend_failure(void **state) {
	(void) state;
	assert_int_equal(stage_tpm(&ctx), 0);
	t.extend_result = -EIO;
	assert_int_equal(stage_measure(&ctx), -EIO);
	assert_int_equal(ctx.reason, REASON_MEASURE);
	/* Nothing is logged for an extend that did not happen. */
	struct eventlog_record recs[4];
	assert_int_equal(parsed_log(recs, 4), 1);
}

static ssize_t write_nospc(int fd, const void *buf, size_t len) {
	(void) fd, (void) buf, (void) len;
	return -ENOSPC;
}

/* The event log is marked dirty (the sticky bit) only while a record is written: whole after a
 * good boot, still marked after a write that failed. */
static void test_log_dirty_mark(void **state) {
	struct stat st;
	(void) state;
	assert_int_equal(stage_tpm(&ctx), 0);
	assert_int_equal(fstat(fake.capture, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);

	struct sys_ops torn = fake_ops;
	torn.write = write_nospc;
	sys_set_ops(&torn);
	assert_int_equal(stage_measure(&ctx), -ENOSPC);
	sys_set_ops(&fake_ops);
	assert_int_equal(fstat(fake.capture, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600 | S_ISVTX);
}

static void test_log_failure(void **state) {
	(void) state;
	fake.fail_open_path = EVENTLOG_PATH;
	fake.fail_errno = EROFS;
	assert_int_equal(stage_tpm(&ctx), -EROFS);
	assert_int_equal(ctx.reason, REASON_MEASURE);
}

/* A failure before the TPM stage: the hook opens the TPM itself and measures into 11 and 15. */
static void test_failure_before_tpm_stage(void **state) {
	struct eventlog_record recs[4];
	char line[160], hex[65];
	(void) state;
	measure_failure(&ctx, "signature", REASON_SIG_UNTRUSTED);
	assert_int_equal(t.opens, 1);
	assert_int_equal(t.n_ext, 2);
	assert_int_equal(t.ext_pcr[0], 11);
	assert_int_equal(t.ext_pcr[1], 15);
	assert_digest_of(&t.ext[1], t.banks, "verinit.failure stage=signature reason=SIG_UNTRUSTED");
	assert_int_equal(parsed_log(recs, 4), 2);
	assert_string_equal(recs[0].event_type, "verinit-failure");
	/* The resulting values are on the console. */
	hex_encode(t.pcr[15][PCR_BANK_SHA256], 32, hex, sizeof hex);
	snprintf(line, sizeof line, "PCR 15 sha256 %s", hex);
	assert_non_null(strstr(fake_read(fake.console), line));
}

/* The TPM stage's extend failed; the failure gets one fresh TPM context, and is measured through it
 * when that works, or reported as unmeasured when the TPM stays gone. */
static void test_failure_after_extend_error(void **state) {
	struct eventlog_record recs[4];
	(void) state;
	assert_int_equal(stage_tpm(&ctx), 0);
	t.extend_result = -EIO;
	assert_int_equal(stage_measure(&ctx), -EIO);
	t.reopen_heals = true;
	measure_failure(&ctx, "measure", REASON_MEASURE);
	assert_int_equal(t.opens, 2);
	assert_int_equal(t.n_ext, 3); /* enter-initrd, then the failure into 11 and 15 */
	assert_digest_of(&t.ext[2], t.banks, "verinit.failure stage=measure reason=MEASURE");
	assert_int_equal(parsed_log(recs, 4), 3);
	assert_null(strstr(fake_read(fake.kmsg), "could not be measured"));
}

static void test_failure_tpm_stays_broken(void **state) {
	(void) state;
	assert_int_equal(stage_tpm(&ctx), 0);
	t.extend_result = -EIO;
	measure_failure(&ctx, "measure", REASON_MEASURE);
	assert_int_equal(t.n_ext, 1);
	assert_true(t.opens >= 2);
	assert_non_null(strstr(fake_read(fake.kmsg), "The failure could not be measured into PCR 11"));
	assert_non_null(strstr(fake_read(fake.kmsg), "The failure could not be measured into PCR 15"));
}

/* Once the config is read, a failure before the TPM stage (in modules, say) goes where the config
 * says, without enter-initrd. */
static void test_failure_after_config(void **state) {
	(void) state;
	ctx.cfg.pcr_phase = 12;
	ctx.cfg.pcr_facts = 23;
	measure_configure(&ctx);
	measure_failure(&ctx, "modules", REASON_MODULE);
	assert_int_equal(t.n_ext, 2);
	assert_int_equal(t.ext_pcr[0], 12);
	assert_int_equal(t.ext_pcr[1], 23);
	assert_digest_of(&t.ext[0], t.banks, "verinit.failure stage=modules reason=MODULE");
}

static void test_failure_without_tpm(void **state) {
	(void) state;
	t.open_result = -ENOENT;
	measure_failure(&ctx, "tpm", REASON_TPM_MISSING);
	assert_int_equal(t.n_ext, 0);
	assert_non_null(strstr(fake_read(fake.kmsg), "The failure is not measured: no usable TPM"));
}

int main(void) {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		/* clang-format off */
		T(test_good_boot),	 T(test_configured_pcrs), T(test_settings_facts), T(test_missing_required),
		T(test_missing_optional), T(test_no_known_bank), T(test_unknown_bank), T(test_extend_failure),
		T(test_log_failure), T(test_log_dirty_mark),	 T(test_failure_before_tpm_stage), T(test_failure_without_tpm),
		T(test_failure_after_extend_error), T(test_failure_tpm_stays_broken), T(test_failure_after_config),
		/* clang-format on */
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
