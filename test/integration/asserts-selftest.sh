#!/usr/bin/env bash
# The assertions themselves, on a real halted boot (gpt-overlap's run directory, from the QEMU
# cases): its exact prediction passes; a deliberately wrong one fails; a TPM value changed in the
# runner's own read fails; a console that printed other values than the TPM holds fails. So a
# verinit that halts with the right reason but the wrong PCRs cannot pass its case.
# Usage: test/integration/asserts-selftest.sh LAB_DIR RESULTS_DIR
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export LAB=$1
results=$2 run=$2/gpt-overlap
[ -s "$run/tpm-pcrs" ] && [ -s "$run/serial.log" ] ||
	{ echo "asserts-selftest: no gpt-overlap run with a TPM read in $results: run the QEMU cases first"; exit 1; }
. "$here/asserts.sh"
bad=0
args=(--uki "$LAB/uki.efi" --usr-env "$LAB/usr/usr.env" --cert "$LAB/keys/db.crt" --config qemu/verinit.conf)
expect() { # pass|fail description run failure
	local out rc
	out=$(failure_predicted "$3" "${args[@]}" --failure "$4" 2>&1)
	rc=$?
	if { [ "$1" = pass ] && [ "$rc" = 0 ]; } || { [ "$1" = fail ] && [ "$rc" != 0 ] && [ -n "$out" ]; }; then
		echo "asserts-selftest: PASS $2${out:+ ($(head -n1 <<<"$out"))}"
	else
		echo "asserts-selftest: FAIL $2: returned $rc, said '$out'"
		bad=1
	fi
}
expect pass "the true prediction (devices:PARTITION_OVERLAP) passes" "$run" devices:PARTITION_OVERLAP
expect fail "another reason's prediction fails" "$run" devices:DEVICE_TIMEOUT
expect fail "another stage's prediction fails" "$run" verity:PARTITION_OVERLAP

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
cp "$run/serial.log" "$run/tpm-pcrs" "$tmp/"
# The TPM's first value changed, and the console's with it: only the prediction can catch it.
read -r bank pcr hex <"$tmp/tpm-pcrs"
other=$(tr '0-9a-f' '123456789abcdef0' <<<"${hex:0:1}")${hex:1}
sed -i "1s/ $hex\$/ $other/" "$tmp/tpm-pcrs"
sed -i "s/\(verinit: PCR $pcr $bank \)$hex\$/\1$other/" "$tmp/serial.log"
expect fail "a TPM value other than the prediction fails (verinit printing the same)" "$tmp" devices:PARTITION_OVERLAP
cp "$run/serial.log" "$tmp/serial.log"
cp "$run/tpm-pcrs" "$tmp/tpm-pcrs"
sed -i 's/\(verinit: PCR 15 sha256 \)./\10/; s/\(verinit: PCR 15 sha256 \)00/\11/' "$tmp/serial.log"
cmp -s "$run/serial.log" "$tmp/serial.log" || expect fail "a console that printed another value than the TPM's fails" \
	"$tmp" devices:PARTITION_OVERLAP
cmp -s "$run/serial.log" "$tmp/serial.log" && { echo "asserts-selftest: FAIL the console of $run has no PCR 15 line to change"; bad=1; }
exit "$bad"
