/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "discover.h"
#include "hexb64.h"
#include "macro.h"
#include "measurements.h"

/* The records' eventType: a phase as systemd-pcrphase names it, verinit's facts and failures. */
#define EVENT_PHASE "phase"
#define EVENT_FACT "verinit"
#define EVENT_FAILURE "verinit-failure"

/* The event's string is formatted straight into the record: one that does not fit is -EINVAL,
 * never a cut string (two settings that differ only past the cut would measure the same). */
_printf_(6, 7) static int record(unsigned pcr, const char *type, const char *event_type, unsigned banks,
				 struct eventlog_record *r, const char *fmt, ...) {
	va_list ap;
	memset(r, 0, sizeof *r);
	r->pcr = pcr;
	(void) snprintf(r->content_type, sizeof r->content_type, "%s", type);
	(void) snprintf(r->event_type, sizeof r->event_type, "%s", event_type);
	va_start(ap, fmt);
	int w = vsnprintf(r->string, sizeof r->string, fmt, ap);
	va_end(ap);
	if (w < 0 || (size_t) w >= sizeof r->string)
		return -EINVAL;
	return pcr_digests_of(banks, r->string, strlen(r->string), &r->digests);
}

int measure_phase_record(unsigned pcr, const char *phase, unsigned banks, struct eventlog_record *r) {
	return record(pcr, "systemd", EVENT_PHASE, banks, r, "%s", phase);
}

/* A setting that goes into a fact as one word: present, short, no space (the separator). */
static bool word_ok(const char *v) {
	return v && strlen(v) <= 256 && !strchr(v, ' ');
}

void measure_usr_flags(const struct config *c, char out[static MEASURE_FLAGS_MAX]) {
	(void) snprintf(out, MEASURE_FLAGS_MAX, "ro,nodev%s%s", c->usr_flags[0] ? "," : "", c->usr_flags);
}

void measure_facts_settings(struct measure_facts *f, const struct config *c, char usr_flags[static MEASURE_FLAGS_MAX]) {
	measure_usr_flags(c, usr_flags);
	f->usr_fstype = c->usr_fstype;
	f->usr_flags = usr_flags;
	f->root_tmpfs = c->root_tmpfs;
	f->root_fstype = c->root_tmpfs ? "" : c->root_fstype;
	f->root_flags = c->root_flags;
	f->root_exec = c->root_tmpfs ? "" : root_exec_to_string(c->root_exec);
	f->init = c->init;
	f->ipe_mode = ipe_mode_to_string(c->ipe_mode);
	f->selinux_mode = selinux_mode_to_string(c->selinux_mode);
	f->selinux_locked = c->selinux_lock == SELINUX_LOCK_YES;
	f->selinux_store = c->selinux_store[0] ? c->selinux_store : "generated";
}

int measure_fact_records(unsigned pcr, const struct measure_facts *f, unsigned banks, struct eventlog_record *out) {
	int n = 0, r;

	if (!hex_is_sha256(f->root_hash_hex) || !hex_is_sha256(f->signer_sha256) || !f->usr_label)
		return -EINVAL;
	r = record(pcr, "verinit", EVENT_FACT, banks, &out[n++], "verinit.usr.roothash=%s", f->root_hash_hex);
	if (r < 0)
		return r;
	r = record(pcr, "verinit", EVENT_FACT, banks, &out[n++], "verinit.usr.signer.sha256=%s", f->signer_sha256);
	if (r < 0)
		return r;
	r = record(pcr, "verinit", EVENT_FACT, banks, &out[n++], "verinit.usr.kernel_verified=%s",
		   f->kernel_verified ? "yes" : "no");
	if (r < 0)
		return r;
	char label[160];
	label_escape(f->usr_label, label, sizeof label);
	r = record(pcr, "verinit", EVENT_FACT, banks, &out[n++], "verinit.usr.slot=%s pinned=%s", label, f->pinned ? "yes" : "no");
	if (r < 0)
		return r;
	if (!word_ok(f->usr_fstype) || !word_ok(f->usr_flags) || !word_ok(f->root_flags) || !f->init || !f->init[0] ||
	    !word_ok(f->init) || (!f->root_tmpfs && (!word_ok(f->root_fstype) || !word_ok(f->root_exec))))
		return -EINVAL;
	r = record(pcr, "verinit", EVENT_FACT, banks, &out[n++], "verinit.usr.mount=%s flags=%s", f->usr_fstype, f->usr_flags);
	if (r < 0)
		return r;
	if (f->root_tmpfs)
		r = record(pcr, "verinit", EVENT_FACT, banks, &out[n++], "verinit.root=tmpfs flags=%s", f->root_flags);
	else
		r = record(pcr, "verinit", EVENT_FACT, banks, &out[n++], "verinit.root=device fstype=%s flags=%s exec=%s",
			   f->root_fstype, f->root_flags, f->root_exec);
	if (r < 0)
		return r;
	r = record(pcr, "verinit", EVENT_FACT, banks, &out[n++], "verinit.init=%s", f->init);
	if (r < 0)
		return r;
	/* SELinux's fact also says whether the policy is locked and which store a reload reads. */
	char selinux_extra[CONFIG_PATH_MAX + 32] = "";
	if (f->selinux_sha256 && f->selinux_sha256[0]) {
		if (!word_ok(f->selinux_store) || !f->selinux_store[0])
			return -EINVAL;
		(void) snprintf(selinux_extra, sizeof selinux_extra, " locked=%s store=%s", f->selinux_locked ? "yes" : "no",
				f->selinux_store);
	}
	const struct {
		const char *what, *sha, *mode, *extra;
	} policies[] = { { "ipe", f->ipe_sha256, f->ipe_mode, "" },
			 { "selinux", f->selinux_sha256, f->selinux_mode, selinux_extra } };
	for (size_t i = 0; i < sizeof policies / sizeof policies[0]; i++) {
		if (!policies[i].sha || !policies[i].sha[0])
			continue;
		if (!hex_is_sha256(policies[i].sha) || !policies[i].mode || !policies[i].mode[0] || strlen(policies[i].mode) > 32)
			return -EINVAL;
		r = record(pcr, "verinit", EVENT_FACT, banks, &out[n++], "verinit.%s.policy.sha256=%s mode=%s%s", policies[i].what, policies[i].sha,
			   policies[i].mode, policies[i].extra);
		if (r < 0)
			return r;
	}
	return n;
}

int measure_failure_record(unsigned pcr, const char *stage, const char *reason, unsigned banks,
			   struct eventlog_record *r) {
	return record(pcr, "verinit", EVENT_FAILURE, banks, r, "verinit.failure stage=%.64s reason=%.64s", stage, reason);
}

int measure_find_handover(const struct eventlog_record *recs, size_t n, unsigned *pcr, struct parse_error *err) {
	size_t enter = 0, leave = 0;
	for (size_t i = 0; i < n; i++) {
		const struct eventlog_record *r = &recs[i];
		if (strcmp(r->event_type, EVENT_FAILURE) == 0)
			return parse_fail(err, (unsigned) i + 1, -EBADMSG, "the log records a failure ('%s')", r->string);
		if (strcmp(r->event_type, EVENT_PHASE) != 0 ||
		    (strcmp(r->string, MEASURE_ENTER) != 0 && strcmp(r->string, MEASURE_LEAVE) != 0))
			continue;
		if (enter && r->pcr != recs[enter - 1].pcr)
			return parse_fail(err, (unsigned) i + 1, -EBADMSG, "the phases are in PCR %u and PCR %u",
					  recs[enter - 1].pcr, r->pcr);
		size_t *seen = strcmp(r->string, MEASURE_ENTER) == 0 ? &enter : &leave;
		if (*seen || (seen == &leave && !enter) || (seen == &enter && leave))
			return parse_fail(err, (unsigned) i + 1, -EBADMSG, "'%s' out of order or twice (record %zu)", r->string,
					  i + 1);
		*seen = i + 1;
	}
	if (!enter || !leave)
		return parse_fail(err, 0, -EBADMSG, "the log has no %s", !enter ? MEASURE_ENTER : MEASURE_LEAVE);
	*pcr = recs[leave - 1].pcr;
	return (int) leave;
}

bool measure_is_fact(const struct eventlog_record *r) {
	return strcmp(r->content_type, "verinit") == 0 && strcmp(r->event_type, EVENT_FACT) == 0;
}
