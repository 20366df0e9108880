# shellcheck shell=bash
# Sourced, not run: the verifier and its oracle as words, for test/attest-swtpm.sh (a node played
# against swtpm) and the lab's attest case (test/integration/asserts.sh).

# verinit-measure verify-quote (ATTEST_VERIFY: the command, as an array, e.g. the tool under
# valgrind): PASS, the failed verdict's reason, or "exit N" without a verdict. The JSON goes to
# DIR/verdict.json (the last one), stderr to DIR/verdict.err.
attest_verdict() { # DIR AK QUOTE SIG PCRS NONCE LOG FIRMWARE-LOG|"" REFERENCE [--require P]...
	local dir=$1 out rc fw=()
	[ -z "$8" ] || fw=(--firmware-log "$8")
	out=$("${ATTEST_VERIFY[@]}" verify-quote --ak-public "$2" --quote "$3" --signature "$4" --pcr-values "$5" \
		--nonce "$6" --log "$7" "${fw[@]}" --reference "$9" "${@:10}" 2>"$dir/verdict.err")
	rc=$?
	echo "$out" >"$dir/verdict.json"
	case $rc in
	0) [ "$(jq -r .verdict <<<"$out" 2>/dev/null)" = pass ] && echo PASS || echo "exit 0 without a pass" ;;
	1) jq -r .reason <<<"$out" 2>/dev/null || echo "exit 1 without a verdict" ;;
	*) echo "exit $rc" ;;
	esac
}

# tpm2-tools' word on the signature and the nonce (PASS or FAIL), and with PCRS and their list
# (tpm2_quote -l's) on the PCR digest too. tpm2_checkquote 5.4 cannot verify RSA-PSS (it pads
# PKCS#1 v1.5 whatever the signature says): there OpenSSL checks the signature alone, over the AK as
# tpm2_print writes it (in DIR). Nor can it hash a values file of 8 or more PCRs (its issue 3542).
attest_checkquote() { # DIR AK QUOTE SIG NONCE [PCRS PCR-LIST]
	local dir=$1 digest=()
	[ $# -lt 7 ] || digest=(-f "$6" -l "$7")
	if [ "$(od -An -tx1 -N2 "$4" | tr -d ' ')" = 0016 ]; then
		tpm2_print -t TPM2B_PUBLIC -f pem "$2" >"$dir/ak.pem" 2>/dev/null && tail -c +7 "$4" >"$dir/sig.raw" &&
			openssl dgst -sha256 -verify "$dir/ak.pem" -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:auto \
				-signature "$dir/sig.raw" "$3" >/dev/null 2>&1 && echo PASS || echo FAIL
		return
	fi
	tpm2_checkquote -u "$2" -m "$3" -s "$4" "${digest[@]}" -g sha256 -q "$5" >/dev/null 2>&1 && echo PASS || echo FAIL
}

# A copy of FILE with the lowest bit of the byte at OFFSET flipped: always a change, whatever the
# byte was (an overwrite with a fixed byte would be none where the byte already held it).
attest_flip() { # FILE OFFSET COPY
	local b
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	[ -n "$b" ] || return 1
	cp "$1" "$3" && printf '%b' "\\0$(printf '%03o' $((b ^ 1)))" | dd of="$3" bs=1 seek="$2" conv=notrunc status=none
}
