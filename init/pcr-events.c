/* SPDX-License-Identifier: MIT */
/* Measured boot's events: extended into the TPM, then appended to the event log; the failure
 * record from the fail-closed exit. The stages that measure are init/tpm.c and init/facts.c. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "eventlog.h"
#include "hexb64.h"
#include "log.h"
#include "pcr-events.h"
#include "measurements.h"
#include "sysops.h"
#include "tpm2.h"

void measure_read_boot_id(struct pcr_state *p) {
	char buf[64] = "";
	size_t j = 0;
	ssize_t n = sys_read_small_file("/proc/sys/kernel/random/boot_id", buf, sizeof buf);
	/* "8-4-4-4-12\n" to the 32 hex digits systemd writes. Without it the records just lack bootId. */
	for (ssize_t i = 0; i < n && j < 32; i++)
		if ((buf[i] >= '0' && buf[i] <= '9') || (buf[i] >= 'a' && buf[i] <= 'f'))
			p->boot_id[j++] = buf[i];
	p->boot_id[j == 32 ? 32 : 0] = '\0';
}

static int log_append(const struct pcr_state *p, const struct eventlog_record *r) {
	static char buf[EVENTLOG_RECORD_MAX];
	ssize_t len = eventlog_format(r, p->boot_id[0] ? p->boot_id : NULL, sys->now_us(), buf, sizeof buf);
	if (len < 0)
		return log_error_errno((int) len, "Cannot format the event log record for '%s': %m", r->string);
	int ret = sys->mkdir("/run/log", 0755);
	if (ret >= 0 || ret == -EEXIST)
		ret = sys->mkdir("/run/log/systemd", 0755);
	if (ret < 0 && ret != -EEXIST)
		return log_error_errno(ret, "Cannot create /run/log/systemd: %m");
	_cleanup_close_ int fd = sys->open(EVENTLOG_PATH, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW, 0600);
	if (fd < 0)
		return log_error_errno(fd, "Cannot open %s: %m", EVENTLOG_PATH);
	/* Writers take turns, as systemd's do: a record is never interleaved with another. */
	ret = sys->flock(fd, LOCK_EX);
	if (ret < 0)
		return log_error_errno(ret, "Cannot lock %s: %m", EVENTLOG_PATH);
	/* Dirty while a record is written, as systemd marks it (the sticky bit): a write cut short
	 * leaves the mark, so a reader can tell a torn record from a whole one. */
	ret = sys->fchmod(fd, 0600 | S_ISVTX);
	if (ret < 0)
		return log_error_errno(ret, "Cannot mark %s as being written: %m", EVENTLOG_PATH);
	ssize_t w = sys->write(fd, buf, (size_t) len);
	if (w != len)
		return log_error_errno(w < 0 ? (int) w : -EIO, "Cannot append to %s: %m", EVENTLOG_PATH);
	ret = sys->fchmod(fd, 0600);
	if (ret < 0)
		return log_error_errno(ret, "Cannot mark %s as whole: %m", EVENTLOG_PATH);
	return 0;
}

static int extend_once(struct pcr_state *p, const struct eventlog_record *r) {
	(void) p;
	return tpm->extend(r->pcr, &r->digests);
}

/* Extend first, then log: a log entry always stands for an extend that happened. A stage's record
 * is counted in ctx->measured (measure_event); the failure's (extend_reopening) is not. */
static int measure_record(struct context *ctx, const struct eventlog_record *r,
			  int (*extend)(struct pcr_state *p, const struct eventlog_record *r)) {
	int ret = extend(&ctx->pcr, r);
	if (ret < 0)
		return log_error_errno(ret, "Cannot extend PCR %u with '%s': %m", r->pcr, r->string);
	ret = log_append(&ctx->pcr, r);
	if (ret < 0)
		return ret;
	log_info("Measured '%s' into PCR %u", r->string, r->pcr);
	return 0;
}

/* A bank left unextended would read the same after a failed boot as after a good one, so a
 * verifier that trusts it would pass either: such a TPM is refused, never half-measured. */
int measure_tpm_open(struct pcr_state *p) {
	unsigned unknown = 0;
	int r = tpm->open(TPM_DEVICE);
	if (r < 0)
		return r;
	r = tpm->banks(&p->banks, &unknown);
	if (r < 0) {
		tpm->close();
		return r;
	}
	if (p->banks == 0) {
		tpm->close();
		return log_error_errno(-ENODATA, "The TPM has %u active PCR bank(s), none of sha1, sha256, sha384, sha512",
				       unknown);
	}
	if (unknown > 0) {
		tpm->close();
		return log_error_errno(-EPROTONOSUPPORT, "The TPM has %u active PCR bank(s) other than sha1, sha256, sha384 "
							 "and sha512, which verinit cannot extend: a failed boot would read as a good one "
							 "there (deactivate them, e.g. tpm2_pcrallocate)",
				       unknown);
	}
	p->open = true;
	return 0;
}

int measure_event(struct context *ctx, const struct eventlog_record *r) {
	int ret = measure_record(ctx, r, extend_once);
	if (ret >= 0)
		ctx->measured++;
	return ret;
}

void measure_configure(struct context *ctx) {
	ctx->pcr.phase = ctx->cfg.pcr_phase;
	ctx->pcr.facts = ctx->cfg.pcr_facts;
}

int measure_leave(struct context *ctx) {
	struct eventlog_record rec;
	if (!ctx->tpm_present)
		return 0;
	int r = measure_phase_record(ctx->pcr.phase, MEASURE_LEAVE, ctx->pcr.banks, &rec);
	return r < 0 ? r : measure_event(ctx, &rec);
}

void measure_forget(struct context *ctx) {
	if (ctx->pcr.open)
		tpm->close();
	ctx->pcr.open = false;
}

/* tpm2-tss leaves its ESAPI context unusable after a command failed mid-way ("Function called in
 * the wrong order"), so a TPM that has recovered would still refuse every later command through
 * it. The failure is worth one fresh context (once per failure) before it is given up as
 * unmeasured. */
static int extend_reopening(struct pcr_state *p, const struct eventlog_record *rec) {
	int r = p->open ? extend_once(p, rec) : -ENODEV;
	if (r >= 0 || p->reopened)
		return r;
	p->reopened = true;
	if (p->open)
		tpm->close();
	p->open = false;
	if (measure_tpm_open(p) < 0)
		return r;
	r = extend_once(p, rec);
	if (r >= 0)
		log_notice("Extended PCR %u after reopening the TPM", rec->pcr);
	return r;
}

void measure_failure(struct context *ctx, const char *stage, enum reason reason) {
	struct pcr_state *p = &ctx->pcr;
	const unsigned pcrs[2] = { p->phase, p->facts };
	struct eventlog_record rec;

	p->reopened = false;
	if (!p->open) {
		if (!p->boot_id[0])
			measure_read_boot_id(p);
		if (measure_tpm_open(p) < 0) {
			log_error("The failure is not measured: no usable TPM");
			return;
		}
	}
	for (size_t i = 0; i < 2; i++) {
		if (i == 1 && pcrs[1] == pcrs[0])
			break;
		if (measure_failure_record(pcrs[i], stage, reason_to_string(reason), p->banks, &rec) < 0 ||
		    measure_record(ctx, &rec, extend_reopening) < 0)
			log_error("The failure could not be measured into PCR %u", pcrs[i]);
	}
	/* What a verifier will now see, on the console for the operator (and the lab's checks). */
	for (size_t i = 0; i < 2; i++)
		for (int b = 0; b < _PCR_BANK_MAX; b++) {
			uint8_t v[PCR_DIGEST_MAX];
			char hex[2 * PCR_DIGEST_MAX + 1];
			if (!p->open || !(p->banks & (1U << b)) || tpm->read(pcrs[i], (enum pcr_bank) b, v) < 0)
				continue;
			(void) hex_encode(v, pcr_bank_size((enum pcr_bank) b), hex, sizeof hex);
			log_error("PCR %u %s %s", pcrs[i], pcr_bank_name((enum pcr_bank) b), hex);
		}
}
