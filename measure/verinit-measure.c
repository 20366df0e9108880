/* SPDX-License-Identifier: MIT */
/* verinit-measure: predicts the PCR values a verinit boot leaves (predict), checks measured
 * values against the event logs (replay), and a node's TPM quote against an image's (verify-quote). A host tool; its manual is docs/man/verinit-measure.1.scd. */
#include <string.h>

#include "macro.h"
#include "measure.h"
#include "stage-table.h"

void usage(FILE *f) {
	(void) fputs(
		"usage: " PROG " predict (--uki UKI | --linux F [--osrel F] [--cmdline F] [--initrd F]\n"
		"                          [--splash F] [--dtb F] [--pcrpkey F] | --no-stub)\n"
		"                         (--usr-roothash HEX | --usr-env FILE) [--cert CERT]\n"
		"                         [--kernel-verified yes|no] [--usr-label LABEL] [--pinned yes|no]\n"
		"                         [--config verinit.conf]\n"
		"                         [--banks sha1,sha256,sha384,sha512]\n"
		"                         [--failure STAGE:REASON [--facts-extended N]]\n"
		"                         [--ipe-policy P7S [--ipe-mode enforce|audit]]\n"
		"                         [--selinux-policy BIN [--selinux-mode enforcing|permissive]]\n"
		"                         [--format json|lines]\n"
		"       " PROG " replay [--log tpm2-measure.log] [--firmware-log binary_bios_measurements]\n"
		"                         --pcrs FILE [--pcr N[,N...]] [--handed-over]\n"
		"       " PROG " verify-quote --quote ATTEST --signature SIG --ak-public TPM2B_PUBLIC\n"
		"                         --pcr-values FILE --nonce HEX --log tpm2-measure.log\n"
		"                         [--firmware-log binary_bios_measurements] --reference PCRS.json\n"
		"                         [--require PATTERN]...\n"
		"       " PROG " --list-stages\n"
		"\n"
		"predict: the PCR values after verinit hands over: PCR 11 from systemd-stub 252's section\n"
		"  measurements and verinit's enter-initrd/leave-initrd phases, PCR 15 from the root hash,\n"
		"  the signer's certificate (SHA-256 of its DER; --usr-env's CERT_FPR= also serves) and\n"
		"  whether the kernel verified, the usr partition's GPT label (--usr-label, or --usr-env's\n"
		"  USR_LABEL=; \"\" for a whole disk) and whether usrhash= pinned the root hash (--pinned,\n"
		"  default: whether the UKI's command line has usrhash=), the settings verinit.conf\n"
		"  (--config) and the UKI's command line make effective (the /usr and root mounts, the\n"
		"  init, pcr.phase, pcr.facts, the policies' modes and the SELinux lock), and the IPE and\n"
		"  SELinux policies loaded (SHA-256; --ipe-mode/--selinux-mode for a policy the config\n"
		"  does not name). --failure predicts a boot that failed in STAGE (see --list-stages; not\n"
		"  tpm, which may fail before or after its own extend; handover: its refusals before\n"
		"  leave-initrd) with REASON (lib/reason.h); a failure in measure (an extend the TPM failed)\n"
		"  needs --facts-extended N, the number of facts extended before it.\n"
		"  Prints {\"BANK\":{\"PCR\":\"HEX\"}}\n"
		"  or, with --format lines, \"BANK PCR HEX\" lines.\n"
		"replay: recomputes every PCR the logs extend and FILE (\"BANK PCR HEX\" lines, as read from\n"
		"  the TPM) lists, firmware log first, and prints PASS or the first PCR that differs.\n"
		"  Without --firmware-log, PCRs 0 to 14 are not replayed. --handed-over also requires the\n"
		"  log to show verinit handing over: enter-initrd, then leave-initrd, in a replayed PCR, and\n"
		"  no failure record (exit 1 otherwise).\n"
		"verify-quote: a node's TPM quote (tpm2_quote -m, -s, -o; its AK's public area from\n"
		"  tpm2_createak -u, which the caller trusts) against the image's reference values (verinit-uki's\n"
		"  *.pcrs.json): the AK's attributes, the signature, magic and type, the nonce, the PCR digest,\n"
		"  the logs replayed to the quoted values, the values at verinit's hand-over against the reference,\n"
		"  and each --require (fnmatch(3), a whole fact of PCR 15's, e.g. 'verinit.ipe.policy.sha256=*\n"
		"  mode=enforce'). Prints one JSON verdict; a failure names its reason: MALFORMED, AK, SIGNATURE,\n"
		"  QUOTE, NONCE, SELECTION, PCR_DIGEST, LOG, REFERENCE or REQUIRE.\n"
		"--list-stages: verinit's boot stages, one name per line, in the order they run.\n"
		"\n"
		"exit status: 0 success or PASS, 1 replay found a difference or verify-quote failed the quote,\n"
		"  2 usage or input error\n"
		"see verinit-measure(1)\n",
		f);
}

int main(int argc, char **argv) {
	int r;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return finish_stdout() < 0 ? EXIT_USAGE : EXIT_PASS;
	}
	if (strcmp(argv[1], "--list-stages") == 0) {
		if (argc > 2) {
			say("--list-stages takes no arguments");
			return EXIT_USAGE;
		}
		for (size_t i = 0; i < ELEMENTSOF(stage_table); i++)
			printf("%s\n", stage_table[i].name);
		return finish_stdout() < 0 ? EXIT_USAGE : EXIT_PASS;
	}
	if (strcmp(argv[1], "predict") == 0)
		r = predict_main(argc - 1, argv + 1);
	else if (strcmp(argv[1], "replay") == 0)
		r = replay_main(argc - 1, argv + 1);
	else if (strcmp(argv[1], "verify-quote") == 0)
		r = verify_quote_main(argc - 1, argv + 1);
	else {
		say("unknown command '%s': predict, replay or verify-quote (see --help)", argv[1]);
		return EXIT_USAGE;
	}
	if (r < 0)
		return EXIT_USAGE;
	return r;
}
