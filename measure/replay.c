/* SPDX-License-Identifier: MIT */
/* `verinit-measure replay`: do the logs account for the TPM's values? Each PCR that the logs
 * extend and the PCR file lists is recomputed from its reset value, the firmware's events first,
 * then userspace's, in every bank the file lists, and compared.
 *
 * Without the firmware log only PCRs 15 to 23 are replayed: PCRs 0 to 14 are extended by the
 * firmware, shim, the boot loader and systemd-stub (PCR 11: the UKI's sections) before userspace
 * writes its first record, so the userspace log alone can never account for them. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "measure.h"
#include "measurements.h"
#include "pcrlist.h"

struct log {
	const char *path, *label;
	struct eventlog_record *recs;
	size_t n;
};

static void logp(struct log *l) {
	free(l->recs);
}

/* "11,15" into a mask. */
static int parse_pcr_mask(const char *s, uint32_t *mask) {
	for (const char *p = s;;) {
		char *end = NULL;
		errno = 0;
		unsigned long v = strtoul(p, &end, 10);
		if (errno != 0 || end == p || v >= PCR_COUNT || (*end != ',' && *end != '\0') || *p < '0' || *p > '9') {
			say("--pcr: '%s' is not a list of PCRs 0..23", s);
			return -EINVAL;
		}
		*mask |= 1U << v;
		if (!*end)
			return 0;
		p = end + 1;
	}
}

static void show_events(const struct log logs[2], unsigned pcr, enum pcr_bank b) {
	printf("events of PCR %u, in replay order:\n", pcr);
	for (size_t k = 0; k < 2; k++)
		for (size_t i = 0; logs[k].recs && i < logs[k].n; i++) {
			const struct eventlog_record *r = &logs[k].recs[i];
			if (r->pcr != pcr)
				continue;
			/* The JSON log's record number is the one its errors name; the firmware log's
			 * EV_NO_ACTION events have no record, so a count of records would mislead there. */
			if (k == 1)
				printf("  %s #%zu ", logs[k].label, i + 1);
			else
				printf("  %s ", logs[k].label);
			printf("%s ", r->event_type[0] ? r->event_type : r->content_type);
			if (r->digests.banks & (1U << b))
				print_hex(stdout, r->digests.d[b], pcr_bank_size(b));
			else
				printf("(no %s digest)", pcr_bank_name(b));
			printf(" %s\n", r->string[0] ? r->string : "-");
		}
}

/* Replays one PCR in one bank; false with *missing set when an event lacks that bank. */
static bool replay_one(const struct log logs[2], unsigned pcr, enum pcr_bank b, int locality, uint8_t v[PCR_DIGEST_MAX],
		       const struct eventlog_record **missing) {
	pcr_reset_value(b, pcr, locality, v);
	for (size_t k = 0; k < 2; k++) {
		size_t bad = 0;
		int r = logs[k].recs ? eventlog_replay_pcr(logs[k].recs, logs[k].n, pcr, b, v, &bad) : 0;
		if (r < 0) {
			*missing = r == -EBADMSG ? &logs[k].recs[bad] : NULL;
			return false;
		}
	}
	return true;
}

/* Returns EXIT_PASS, EXIT_MISMATCH or a negative errno. */
static int compare(const struct log logs[2], const struct pcr_list *tpm, uint32_t pcrs, int locality) {
	for (unsigned p = 0; p < PCR_COUNT; p++) {
		if (!(pcrs & (1U << p)))
			continue;
		for (int bi = 0; bi < _PCR_BANK_MAX; bi++) {
			enum pcr_bank b = (enum pcr_bank) bi;
			const struct eventlog_record *missing = NULL;
			uint8_t v[PCR_DIGEST_MAX];
			if (!(tpm->listed[b] & (1U << p)))
				continue;
			if (!replay_one(logs, p, b, locality, v, &missing)) {
				if (!missing) {
					say("replay: hashing failed (OpenSSL)");
					return -EIO;
				}
				printf("FAIL PCR %u %s: an event lacks a %s digest, so the logs cannot account for the "
				       "TPM's %s bank\n",
				       p, pcr_bank_name(b), pcr_bank_name(b), pcr_bank_name(b));
				show_events(logs, p, b);
				return EXIT_MISMATCH;
			}
			if (memcmp(v, tpm->v[p][b], pcr_bank_size(b)) == 0)
				continue;
			printf("FAIL PCR %u %s: the logs replay to another value than the TPM's\n  replayed ", p,
			       pcr_bank_name(b));
			print_hex(stdout, v, pcr_bank_size(b));
			printf("\n  tpm      ");
			print_hex(stdout, tpm->v[p][b], pcr_bank_size(b));
			printf("\n");
			show_events(logs, p, b);
			return EXIT_MISMATCH;
		}
	}
	printf("PASS\n");
	return EXIT_PASS;
}

/* With --handed-over: the userspace log says verinit handed over (measure_find_handover()), in a
 * PCR this replay compares: a log line is worth what the PCR that replays it is worth.
 * Returns 0, 1 (said why) or -EINVAL (the phase PCR is not replayed). */
static int check_handover(const struct log *us, uint32_t pcrs) {
	struct parse_error err = {};
	unsigned pcr = 0;
	if (measure_find_handover(us->recs, us->n, &pcr, &err) < 0) {
		say("replay: no hand-over: %s", err.msg);
		return 1;
	}
	if (!(pcrs & (1U << pcr))) {
		say("replay: --handed-over: PCR %u, which holds the phases, is not replayed (it needs --firmware-log "
		    "and the PCR file to list it)",
		    pcr);
		return -EINVAL;
	}
	return 0;
}

int replay_main(int argc, char **argv) {
	enum {
		O_LOG = 0x100,
		O_FIRMWARE,
		O_PCRS,
		O_PCR,
		O_HANDED_OVER
	};
	static const struct option opts[] = {
		{ "log", required_argument, NULL, O_LOG },
		{ "firmware-log", required_argument, NULL, O_FIRMWARE },
		{ "pcrs", required_argument, NULL, O_PCRS },
		{ "pcr", required_argument, NULL, O_PCR },
		{ "handed-over", no_argument, NULL, O_HANDED_OVER },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	static struct pcr_list tpm;
	_cleanup_(logp) struct log fw = { .label = "firmware" };
	_cleanup_(logp) struct log us = { .label = "log" };
	const char *pcrs_path = NULL;
	uint32_t only = 0;
	bool handed_over = false;
	int locality = -1, c, r;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) >= 0) {
		switch (c) {
		case 'h':
			usage(stdout);
			return finish_stdout();
		case O_LOG:
			us.path = optarg;
			break;
		case O_FIRMWARE:
			fw.path = optarg;
			break;
		case O_PCRS:
			pcrs_path = optarg;
			break;
		case O_PCR:
			if (parse_pcr_mask(optarg, &only) < 0)
				return -EINVAL;
			break;
		case O_HANDED_OVER:
			handed_over = true;
			break;
		default:
			say("replay: bad option '%s' (see --help)", argv[optind - 1]);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		say("replay: unexpected argument '%s'", argv[optind]);
		return -EINVAL;
	}
	if (!pcrs_path || (!us.path && !fw.path)) {
		say("replay: --pcrs and at least one of --log and --firmware-log are needed");
		return -EINVAL;
	}
	if (!fw.path && (only & PCRS_BEFORE_USERSPACE)) {
		say("replay: PCRs 0 to 14 are extended before userspace writes its log: replaying one needs "
		    "--firmware-log");
		return -EINVAL;
	}
	if ((r = load_pcr_values(pcrs_path, false, &tpm)) < 0 || (fw.path && (r = load_firmware_log(fw.path, &fw.recs, &fw.n, &locality)) < 0) ||
	    (us.path && (r = load_userspace_log(us.path, &us.recs, &us.n)) < 0))
		return r;

	uint32_t extended = eventlog_pcrs(fw.recs, fw.n) | eventlog_pcrs(us.recs, us.n), listed = 0;
	for (int b = 0; b < _PCR_BANK_MAX; b++)
		listed |= tpm.listed[b];
	uint32_t pcrs = extended & listed;
	if (!fw.path) {
		for (unsigned p = 0; p < PCR_COUNT; p++)
			if (pcrs & PCRS_BEFORE_USERSPACE & (1U << p))
				say("note: PCR %u is not replayed: its first events are in the firmware's log "
				    "(--firmware-log)",
				    p);
		pcrs &= ~PCRS_BEFORE_USERSPACE;
	}
	for (unsigned p = 0; p < PCR_COUNT; p++)
		if (only & (1U << p) & ~pcrs) {
			say("replay: PCR %u is %s", p,
			    !(extended & (1U << p)) ? "extended by none of the logs" : "not listed in the PCR file");
			return -EINVAL;
		}
	if (only)
		pcrs &= only;
	if (!pcrs) {
		say("replay: nothing to compare: no PCR is both extended by the logs and listed in %s", pcrs_path);
		return -EINVAL;
	}
	if (handed_over) {
		if (!us.path) {
			say("replay: --handed-over needs --log (verinit's phases are in it)");
			return -EINVAL;
		}
		r = check_handover(&us, pcrs);
		if (r != 0)
			return r;
	}
	const struct log logs[2] = { fw, us };
	r = compare(logs, &tpm, pcrs, locality);
	int f = finish_stdout();
	return f < 0 ? f : r;
}
