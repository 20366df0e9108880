/* SPDX-License-Identifier: MIT */
/* `verinit-measure predict`: the PCR values a boot of this UKI and /usr image leaves behind, from
 * the same definitions the agent extends from (lib/measurements.h) and systemd-stub's part
 * (stub.c). Nothing is printed until everything is computed. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <string.h>

#include "hexb64.h"
#include "measure.h"
#include "measurements.h"
#include "reason.h"
#include "stage-table.h"
#include "strbuf.h"

#define RECORDS_MAX (STUB_RECORDS_MAX + 2 + MEASURE_FACTS_MAX + 2)

/* Where a failure leaves the measurements is the stage's (lib/stage-table.h). Until "config" is
 * done the agent measures where config_defaults() says. A failure inside tpm can come before or
 * after its own extend, and one of handover's after leave-initrd (switch_root failing, the init
 * replaced meanwhile) is not told apart by its reason: those are not predicted. One inside measure
 * (the TPM failing an extend) is, given how many facts went in before it: --facts-extended N. */

struct options {
	const char *uki;
	const char *files[STUB_SECTIONS];
	bool no_stub, lines, kernel_verified, pinned, pinned_given;
	const char *roothash, *usr_env, *cert, *config, *failure, *usr_label;
	const char *ipe_policy, *ipe_mode, *selinux_policy, *selinux_mode;
	unsigned banks;
	int facts_extended; /* -1: not given */
};

/* "STAGE:REASON" into where the stage's failure is measured and the reason's code. */
static int parse_failure(const char *s, enum stage_pcrs *at, const char **stage, const char **reason) {
	const char *colon = strchr(s, ':');
	enum stage_id id = colon ? stage_from_name(s, (size_t) (colon - s)) : _STAGE_INVALID;
	if (id != _STAGE_INVALID && stage_table[id].pcrs != STAGE_PCRS_AT_ENTER) {
		for (int code = REASON_NONE + 1; code < _REASON_MAX; code++)
			if (strcmp(reason_to_string((enum reason) code), colon + 1) == 0) {
				*at = stage_table[id].pcrs;
				*stage = stage_table[id].name;
				*reason = reason_to_string((enum reason) code);
				return 0;
			}
		say("--failure: unknown reason code '%s' (lib/reason.h)", colon + 1);
		return -EINVAL;
	}
	/* The stages a failure can be predicted in (a list too long stops at the last whole name). */
	char names[256] = "";
	size_t used = 0;
	for (size_t i = 0; i < ELEMENTSOF(stage_table); i++)
		if (stage_table[i].pcrs != STAGE_PCRS_AT_ENTER &&
		    !strbuf_append(names, sizeof names, &used, "%s%s", used ? ", " : "", stage_table[i].name))
			break;
	say("--failure: '%s' is not STAGE:REASON with STAGE one of %s", s, names);
	return -EINVAL;
}

/* Returns 0 or -EINVAL (said why). */
static int yes_no(const char *option, const char *arg, bool *out) {
	if (strcmp(arg, "yes") != 0 && strcmp(arg, "no") != 0) {
		say("%s: '%s' is not yes or no", option, arg);
		return -EINVAL;
	}
	*out = arg[0] == 'y';
	return 0;
}

/* Returns 0, 1 (--help was printed) or -EINVAL (said why). */
static int parse_options(int argc, char **argv, struct options *o) {
	enum {
		O_UKI = 0x100,
		O_NO_STUB,
		O_ROOTHASH,
		O_USR_ENV,
		O_CERT,
		O_KV,
		O_CONFIG,
		O_BANKS,
		O_FAILURE,
		O_FORMAT,
		O_IPE,
		O_IPE_MODE,
		O_SELINUX,
		O_SELINUX_MODE,
		O_USR_LABEL,
		O_PINNED,
		O_FACTS_EXTENDED,
		O_SECTION
	}; /* O_SECTION + i: the stub's section i */
	static const struct option opts[] = {
		{ "uki", required_argument, NULL, O_UKI },
		{ "linux", required_argument, NULL, O_SECTION + 0 },
		{ "osrel", required_argument, NULL, O_SECTION + 1 },
		{ "cmdline", required_argument, NULL, O_SECTION + 2 },
		{ "initrd", required_argument, NULL, O_SECTION + 3 },
		{ "splash", required_argument, NULL, O_SECTION + 4 },
		{ "dtb", required_argument, NULL, O_SECTION + 5 },
		{ "pcrpkey", required_argument, NULL, O_SECTION + 6 },
		{ "no-stub", no_argument, NULL, O_NO_STUB },
		{ "usr-roothash", required_argument, NULL, O_ROOTHASH },
		{ "usr-env", required_argument, NULL, O_USR_ENV },
		{ "cert", required_argument, NULL, O_CERT },
		{ "kernel-verified", required_argument, NULL, O_KV },
		{ "usr-label", required_argument, NULL, O_USR_LABEL },
		{ "pinned", required_argument, NULL, O_PINNED },
		{ "config", required_argument, NULL, O_CONFIG },
		{ "banks", required_argument, NULL, O_BANKS },
		{ "failure", required_argument, NULL, O_FAILURE },
		{ "facts-extended", required_argument, NULL, O_FACTS_EXTENDED },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "ipe-policy", required_argument, NULL, O_IPE },
		{ "ipe-mode", required_argument, NULL, O_IPE_MODE },
		{ "selinux-policy", required_argument, NULL, O_SELINUX },
		{ "selinux-mode", required_argument, NULL, O_SELINUX_MODE },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c;

	o->kernel_verified = true;
	o->banks = PCR_BANKS_ALL;
	o->facts_extended = -1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) >= 0) {
		switch (c) {
		case 'h':
			usage(stdout);
			return 1;
		case O_UKI:
			o->uki = optarg;
			break;
		case O_NO_STUB:
			o->no_stub = true;
			break;
		case O_ROOTHASH:
			o->roothash = optarg;
			break;
		case O_USR_ENV:
			o->usr_env = optarg;
			break;
		case O_CERT:
			o->cert = optarg;
			break;
		case O_KV:
			if (yes_no("--kernel-verified", optarg, &o->kernel_verified) < 0)
				return -EINVAL;
			break;
		case O_USR_LABEL:
			o->usr_label = optarg;
			break;
		case O_PINNED:
			if (yes_no("--pinned", optarg, &o->pinned) < 0)
				return -EINVAL;
			o->pinned_given = true;
			break;
		case O_CONFIG:
			o->config = optarg;
			break;
		case O_BANKS:
			if (parse_banks(optarg, &o->banks) < 0)
				return -EINVAL;
			break;
		case O_FAILURE:
			o->failure = optarg;
			break;
		case O_FACTS_EXTENDED: {
			unsigned n;
			if (config_parse_uint(optarg, strlen(optarg), 0, MEASURE_FACTS_MAX, &n) < 0) {
				say("--facts-extended: '%s' is not a count of facts from 0 to %d", optarg, MEASURE_FACTS_MAX);
				return -EINVAL;
			}
			o->facts_extended = (int) n;
			break;
		}
		case O_IPE:
			o->ipe_policy = optarg;
			break;
		case O_IPE_MODE:
			if (strcmp(optarg, "enforce") != 0 && strcmp(optarg, "audit") != 0) {
				say("--ipe-mode: '%s' is not enforce or audit", optarg);
				return -EINVAL;
			}
			o->ipe_mode = optarg;
			break;
		case O_SELINUX:
			o->selinux_policy = optarg;
			break;
		case O_SELINUX_MODE:
			if (strcmp(optarg, "enforcing") != 0 && strcmp(optarg, "permissive") != 0) {
				say("--selinux-mode: '%s' is not enforcing or permissive", optarg);
				return -EINVAL;
			}
			o->selinux_mode = optarg;
			break;
		case O_FORMAT:
			if (strcmp(optarg, "json") != 0 && strcmp(optarg, "lines") != 0) {
				say("--format: '%s' is not json or lines", optarg);
				return -EINVAL;
			}
			o->lines = optarg[0] == 'l';
			break;
		default:
			if (c >= O_SECTION && c < O_SECTION + STUB_SECTIONS) {
				o->files[c - O_SECTION] = optarg;
				break;
			}
			say("predict: bad option '%s' (see --help)", argv[optind - 1]);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		say("predict: unexpected argument '%s'", argv[optind]);
		return -EINVAL;
	}
	size_t files = 0;
	for (size_t i = 0; i < STUB_SECTIONS; i++)
		files += o->files[i] != NULL;
	if ((o->uki != NULL) + (files > 0) + o->no_stub != 1) {
		say("predict: give exactly one of --uki, the section files (--linux ...) or --no-stub");
		return -EINVAL;
	}
	if (!o->roothash && !o->usr_env) {
		say("predict: --usr-roothash or --usr-env is missing");
		return -EINVAL;
	}
	return 0;
}

/* The boot's events in the order they are extended. Returns the count or a negative errno. */
static int sequence(const struct options *o, enum stage_pcrs at, const char *stage, const char *reason,
		    const struct measure_facts *f, unsigned pcr_phase, unsigned pcr_facts, struct eventlog_record *recs) {
	int n = 0, r;

	if (o->uki)
		n = stub_records_from_uki(o->uki, o->banks, recs);
	else if (!o->no_stub)
		n = stub_records_from_files(o->files, o->banks, recs);
	if (n < 0)
		return n;
	if (at == STAGE_PCRS_DEFAULT) {
		static struct config defaults; /* large */
		config_defaults(&defaults);
		pcr_phase = defaults.pcr_phase;
		pcr_facts = defaults.pcr_facts;
	}
	if (at >= STAGE_PCRS_AFTER_ENTER) {
		r = measure_phase_record(pcr_phase, MEASURE_ENTER, o->banks, &recs[n++]);
		if (r < 0)
			return r;
	}
	if (at >= STAGE_PCRS_IN_FACTS) {
		r = measure_fact_records(pcr_facts, f, o->banks, &recs[n]);
		if (r < 0)
			return r;
		if (at == STAGE_PCRS_IN_FACTS && o->facts_extended >= r) {
			say("--facts-extended %d: the boot has only %d facts, so a failure comes after all of them", o->facts_extended, r);
			return -EINVAL;
		}
		n += at == STAGE_PCRS_IN_FACTS ? o->facts_extended : r;
	}
	if (!stage)
		return measure_phase_record(pcr_phase, MEASURE_LEAVE, o->banks, &recs[n]) < 0 ? -EIO : n + 1;
	/* As init/pcr-events.c's fail-closed hook: pcr.phase, then pcr.facts unless it is the same PCR. */
	r = measure_failure_record(pcr_phase, stage, reason, o->banks, &recs[n++]);
	if (r >= 0 && pcr_facts != pcr_phase)
		r = measure_failure_record(pcr_facts, stage, reason, o->banks, &recs[n++]);
	return r < 0 ? r : n;
}

static void print_values(const struct pcr_values *v, bool lines) {
	const char *bank_sep = "{";
	for (int b = 0; b < _PCR_BANK_MAX; b++) {
		const char *pcr_sep = ":{";
		if (!(v->banks & (1U << b)))
			continue;
		if (!lines)
			printf("%s\"%s\"", bank_sep, pcr_bank_name((enum pcr_bank) b));
		for (unsigned p = 0; p < PCR_COUNT; p++) {
			if (!(v->pcrs & (1U << p)))
				continue;
			if (lines)
				printf("%s %u ", pcr_bank_name((enum pcr_bank) b), p);
			else
				printf("%s\"%u\":\"", pcr_sep, p);
			print_hex(stdout, v->v[p][b], pcr_bank_size((enum pcr_bank) b));
			printf(lines ? "\n" : "\"");
			pcr_sep = ",";
		}
		if (!lines)
			printf("}");
		bank_sep = ",";
	}
	if (!lines)
		printf("}\n");
}

int predict_main(int argc, char **argv) {
	static struct eventlog_record recs[RECORDS_MAX];
	static struct pcr_values vals;
	struct options o = {};
	char roothash[65] = "", signer[65] = "";
	unsigned pcr_phase, pcr_facts;
	struct parse_error err = {};

	int r = parse_options(argc, argv, &o);
	if (r != 0) /* 1: --help was printed */
		return r < 0 ? r : finish_stdout();
	if (o.roothash) {
		if (!hex_is_sha256(o.roothash)) {
			say("--usr-roothash: '%.80s' is not 64 lowercase hex digits", o.roothash);
			return -EINVAL;
		}
		memcpy(roothash, o.roothash, 65);
	}
	if (o.cert && load_cert(o.cert, signer) < 0)
		return -EINVAL;
	char label[73] = "";
	bool has_label = o.usr_label != NULL;
	if (o.usr_label) {
		if (strlen(o.usr_label) >= sizeof label) {
			say("--usr-label: '%.80s' is longer than a GPT label (72 bytes)", o.usr_label);
			return -EINVAL;
		}
		memcpy(label, o.usr_label, strlen(o.usr_label) + 1);
	}
	if (o.usr_env && load_usr_env(o.usr_env, roothash, signer, label, &has_label) < 0)
		return -EINVAL;
	enum stage_pcrs at = STAGE_PCRS_AFTER_FACTS;
	const char *stage = NULL, *reason = NULL;
	if (o.failure && parse_failure(o.failure, &at, &stage, &reason) < 0)
		return -EINVAL;
	if ((at == STAGE_PCRS_IN_FACTS) != (o.facts_extended >= 0)) {
		say("predict: --facts-extended N goes with --failure measure:REASON, and only with it (how many facts "
		    "were extended before the failure)");
		return -EINVAL;
	}
	if (!has_label && at >= STAGE_PCRS_IN_FACTS) {
		say("predict: the usr partition's label is unknown: give --usr-label LABEL (\"\" for a whole disk), "
		    "or a --usr-env with USR_LABEL=");
		return -EINVAL;
	}
	if (!signer[0]) {
		say("predict: the signer is unknown: give --cert (or a --usr-env with CERT_FPR=)");
		return -EINVAL;
	}
	/* The settings facts come from the config after the UKI's command line, as in the agent. A
	 * boot that failed before its config stage was done (a command line it refused, say) never
	 * applied that line: there only the default PCRs matter. */
	static struct config cfg; /* large */
	if (load_config(o.config, at == STAGE_PCRS_DEFAULT ? NULL : o.uki, &cfg) < 0)
		return -EINVAL;
	pcr_phase = cfg.pcr_phase;
	pcr_facts = cfg.pcr_facts;

	char ipe_sha[65] = "", selinux_sha[65] = "", usr_flags[MEASURE_FLAGS_MAX];
	if ((o.ipe_policy && file_sha256(o.ipe_policy, ipe_sha) < 0) ||
	    (o.selinux_policy && file_sha256(o.selinux_policy, selinux_sha) < 0))
		return -EINVAL;
	struct measure_facts f = {
		.root_hash_hex = roothash,
		.signer_sha256 = signer,
		.kernel_verified = o.kernel_verified,
		.usr_label = label,
		.pinned = o.pinned_given ? o.pinned : cfg.usrhash[0] != '\0', /* usrhash= on the UKI's line */
		.ipe_sha256 = ipe_sha,
		.selinux_sha256 = selinux_sha,
	};
	measure_facts_settings(&f, &cfg, usr_flags);
	/* A policy given here but not in --config: its mode as given, and locked when enforcing (the
	 * agent's default). */
	if (o.ipe_mode)
		f.ipe_mode = o.ipe_mode;
	if (o.selinux_mode) {
		f.selinux_mode = o.selinux_mode;
		if (!cfg.selinux_policy[0])
			f.selinux_locked = strcmp(o.selinux_mode, "enforcing") == 0;
	}
	int n = sequence(&o, at, stage, reason, &f, pcr_phase, pcr_facts, recs);
	if (n < 0) {
		if (n == -EIO)
			say("predict: hashing failed (OpenSSL)");
		return n;
	}
	memset(&vals, 0, sizeof vals);
	vals.banks = o.banks;
	r = eventlog_replay(recs, (size_t) n, &vals, &err);
	if (r < 0) {
		say("predict: cannot compute the values: %s", err.msg);
		return r;
	}
	print_values(&vals, o.lines);
	return finish_stdout();
}
