/* SPDX-License-Identifier: MIT */
/* `verinit-measure verify-quote`: a node's quote and logs against the image's reference, with
 * lib/attest.h's checks, printed as one JSON verdict. The node's evidence that does not parse is
 * a failed verdict (MALFORMED, exit 1): the node sent it. The verifier's own inputs that do not
 * (an option, the nonce, the reference, an unreadable file) are an error (exit 2). */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "attest.h"
#include "hexb64.h"
#include "jsonutil.h"
#include "measure.h"

#define EVIDENCE_MAX 4096 /* a quote, signature or AK is under 1 KiB; 4 banks x 24 PCRs of values 4 KiB */
#define REQUIRE_MAX 16

struct inputs {
	const char *quote, *signature, *ak, *values, *log, *firmware, *reference, *nonce;
	const char *require[REQUIRE_MAX];
	size_t n_require;
};

struct loaded {
	uint8_t *quote, *signature, *ak, *values;
	size_t quote_len, signature_len, ak_len, values_len;
	struct eventlog_record *log, *firmware;
	size_t n_log, n_firmware;
	int locality;
	struct pcr_list reference;
	uint8_t nonce[ATTEST_NONCE_MAX];
	size_t nonce_len;
};

static void loadedp(struct loaded *l) {
	free(l->quote);
	free(l->signature);
	free(l->ak);
	free(l->values);
	free(l->log);
	free(l->firmware);
}

/* Returns 0, 1 (a log of the node's that does not parse: *bad names it), or a negative errno. */
static int load(const struct inputs *in, struct loaded *l, const char **bad) {
	int r;
	if (hex_decode(in->nonce, strlen(in->nonce), l->nonce, sizeof l->nonce, &l->nonce_len) < 0 || l->nonce_len == 0) {
		say("verify-quote: --nonce: '%s' is not 1 to %d bytes of lowercase hex", in->nonce, ATTEST_NONCE_MAX);
		return -EINVAL;
	}
	if ((r = load_pcr_values(in->reference, true, &l->reference)) < 0 ||
	    (r = read_file(in->quote, EVIDENCE_MAX, &l->quote, &l->quote_len)) < 0 ||
	    (r = read_file(in->signature, EVIDENCE_MAX, &l->signature, &l->signature_len)) < 0 ||
	    (r = read_file(in->ak, EVIDENCE_MAX, &l->ak, &l->ak_len)) < 0 ||
	    (r = read_file(in->values, EVIDENCE_MAX, &l->values, &l->values_len)) < 0)
		return r;
	l->locality = -1;
	r = load_userspace_log(in->log, &l->log, &l->n_log);
	if (r == -EBADMSG || r == -E2BIG) {
		*bad = in->log;
		return 1;
	}
	if (r < 0 || !in->firmware)
		return r;
	r = load_firmware_log(in->firmware, &l->firmware, &l->n_firmware, &l->locality);
	if (r == -EBADMSG || r == -E2BIG) {
		*bad = in->firmware;
		return 1;
	}
	return r;
}

static json_object *hex_json(const uint8_t *d, size_t n) {
	char hex[2 * TPM2_NAME_MAX + 1];
	if (hex_encode(d, n, hex, sizeof hex) < 0)
		return NULL;
	return json_object_new_string(hex);
}

static const char *sig_alg_name(uint16_t alg) {
	return alg == TPM2_ALG_RSASSA ? "rsassa" : alg == TPM2_ALG_RSAPSS ? "rsapss"
									  : "ecdsa";
}

static json_object *pcrs_json(const struct pcr_list *l, bool *oom) {
	json_object *o = json_object_new_object();
	for (int b = 0; o && b < _PCR_BANK_MAX; b++) {
		if (!l->listed[b])
			continue;
		json_object *bank = json_object_new_object();
		for (unsigned p = 0; bank && p < PCR_COUNT; p++) {
			char key[4];
			if (!(l->listed[b] & (1U << p)))
				continue;
			(void) snprintf(key, sizeof key, "%u", p);
			json_add(bank, key, hex_json(l->v[p][b], pcr_bank_size((enum pcr_bank) b)), oom);
		}
		json_add(o, pcr_bank_name((enum pcr_bank) b), bank, oom);
	}
	if (!o)
		*oom = true;
	return o;
}

/* The verdict, and what each check that passed established. */
static json_object *verdict_json(const struct loaded *l, const struct attest_result *res, bool *oom) {
	json_object *v = json_object_new_object();
	if (!v) {
		*oom = true;
		return NULL;
	}
	const char *reason = attest_failure_name(res->failure);
	json_add(v, "verdict", json_object_new_string(reason ? "fail" : "pass"), oom);
	if (json_object_object_add(v, "reason", reason ? json_object_new_string(reason) : NULL) < 0)
		*oom = true;
	if (reason)
		json_add(v, "detail", json_object_new_string(res->detail), oom);
	if (res->ak_name_len)
		json_add(v, "ak_name", hex_json(res->ak_name, res->ak_name_len), oom);
	if (res->sig_alg) {
		int hb = pcr_bank_from_tpm_alg(res->sig_hash);
		json_add(v, "signature", json_object_new_string(sig_alg_name(res->sig_alg)), oom);
		json_add(v, "hash", json_object_new_string(hb < 0 ? "?" : pcr_bank_name((enum pcr_bank) hb)), oom);
	}
	if (res->quote.type) {
		json_add(v, "nonce", hex_json(l->nonce, l->nonce_len), oom);
		json_add(v, "clock_ms", json_object_new_uint64(res->quote.clock), oom);
		json_add(v, "reset_count", json_object_new_uint64(res->quote.reset_count), oom);
		json_add(v, "restart_count", json_object_new_uint64(res->quote.restart_count), oom);
	}
	if (res->failure == ATTEST_PASS || res->failure > ATTEST_PCR_DIGEST)
		json_add(v, "quoted", pcrs_json(&res->quoted, oom), oom);
	if (res->failure == ATTEST_PASS || res->failure == ATTEST_REQUIRE) {
		json_object *a = json_object_new_array();
		json_add(v, "facts", a, oom);
		for (size_t i = 0; a && i < res->n_facts; i++)
			if (json_object_array_add(a, json_object_new_string(l->log[res->facts[i]].string)) < 0)
				*oom = true;
		/* What the booted system extended after verinit: a verifier's policy may judge it. */
		a = json_object_new_array();
		json_add(v, "after_handover", a, oom);
		for (size_t i = 0; a && i < res->n_later; i++) {
			const struct eventlog_record *r = &l->log[res->later[i]];
			json_object *e = json_object_new_object();
			if (e) {
				json_add(e, "pcr", json_object_new_int((int) r->pcr), oom);
				json_add(e, "string", json_object_new_string(r->string), oom);
			}
			if (!e || json_object_array_add(a, e) < 0)
				*oom = true;
		}
	}
	return v;
}

static int print_verdict(const struct loaded *l, const struct attest_result *res) {
	bool oom = false;
	_cleanup_(json_putp) json_object *v = verdict_json(l, res, &oom);
	if (oom) {
		say("verify-quote: out of memory");
		return -ENOMEM;
	}
	printf("%s\n", json_object_to_json_string_ext(v, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
								 JSON_C_TO_STRING_NOSLASHESCAPE));
	int r = finish_stdout();
	return r < 0 ? r : res->failure == ATTEST_PASS ? EXIT_PASS
						       : EXIT_MISMATCH;
}

int verify_quote_main(int argc, char **argv) {
	enum {
		O_QUOTE = 0x100,
		O_SIGNATURE,
		O_AK,
		O_VALUES,
		O_NONCE,
		O_LOG,
		O_FIRMWARE,
		O_REFERENCE,
		O_REQUIRE,
	};
	static const struct option opts[] = {
		{ "quote", required_argument, NULL, O_QUOTE },
		{ "signature", required_argument, NULL, O_SIGNATURE },
		{ "ak-public", required_argument, NULL, O_AK },
		{ "pcr-values", required_argument, NULL, O_VALUES },
		{ "nonce", required_argument, NULL, O_NONCE },
		{ "log", required_argument, NULL, O_LOG },
		{ "firmware-log", required_argument, NULL, O_FIRMWARE },
		{ "reference", required_argument, NULL, O_REFERENCE },
		{ "require", required_argument, NULL, O_REQUIRE },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	_cleanup_(loadedp) struct loaded l = {};
	struct inputs in = {};
	struct attest_result res;
	const char *bad = NULL;
	int c, r;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) >= 0) {
		const char **slot = c == O_QUOTE       ? &in.quote
				    : c == O_SIGNATURE ? &in.signature
				    : c == O_AK        ? &in.ak
				    : c == O_VALUES    ? &in.values
				    : c == O_NONCE     ? &in.nonce
				    : c == O_LOG       ? &in.log
				    : c == O_FIRMWARE  ? &in.firmware
				    : c == O_REFERENCE ? &in.reference
						       : NULL;
		if (slot) {
			if (*slot) {
				say("verify-quote: %s given twice", argv[optind - 1]);
				return -EINVAL;
			}
			*slot = optarg;
		} else if (c == O_REQUIRE) {
			if (in.n_require == REQUIRE_MAX) {
				say("verify-quote: more than %d --require", REQUIRE_MAX);
				return -EINVAL;
			}
			in.require[in.n_require++] = optarg;
		} else if (c == 'h') {
			usage(stdout);
			return finish_stdout();
		} else {
			say("verify-quote: bad option '%s' (see --help)", argv[optind - 1]);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		say("verify-quote: unexpected argument '%s'", argv[optind]);
		return -EINVAL;
	}
	if (!in.quote || !in.signature || !in.ak || !in.values || !in.nonce || !in.log || !in.reference) {
		say("verify-quote: --quote, --signature, --ak-public, --pcr-values, --nonce, --log and --reference are "
		    "needed");
		return -EINVAL;
	}
	r = load(&in, &l, &bad);
	if (r < 0)
		return r;
	if (r > 0) {
		res = (struct attest_result){ .failure = ATTEST_MALFORMED };
		(void) snprintf(res.detail, sizeof res.detail, "%s does not parse (see the line above)", bad);
		return print_verdict(&l, &res);
	}
	const struct attest_evidence e = {
		.quote = l.quote,
		.quote_len = l.quote_len,
		.signature = l.signature,
		.signature_len = l.signature_len,
		.ak_public = l.ak,
		.ak_public_len = l.ak_len,
		.pcr_values = l.values,
		.pcr_values_len = l.values_len,
		.log = l.log,
		.n_log = l.n_log,
		.firmware = l.firmware,
		.n_firmware = l.n_firmware,
		.locality = l.locality,
	};
	const struct attest_policy p = {
		.nonce = l.nonce,
		.nonce_len = l.nonce_len,
		.reference = &l.reference,
		.require = in.require,
		.n_require = in.n_require,
	};
	r = attest_verify(&e, &p, &res);
	if (r < 0) {
		say("verify-quote: OpenSSL failed");
		return r;
	}
	return print_verdict(&l, &res);
}
