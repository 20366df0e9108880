#!/bin/bash
# shellcheck disable=SC2015 # "check && pass || fail": pass never fails
# verinit-measure verify-quote against a real TPM (swtpm) and tpm2-tools' own tpm2_checkquote, in
# seconds and without a boot: the script plays a node (extends verinit's phases and facts and a
# later "sysinit" into PCR 11 and 15, logging each as verinit and systemd do, and quotes with an
# RSASSA, an RSA-PSS and an ECDSA AK), then checks that each quote passes both verifiers, and that
# each tamper fails verify-quote with its reason (and tpm2_checkquote too, where the tamper is
# one it can see: signature, nonce, PCR digest). The boot itself is the lab's attest case.
# usage: test/attest-swtpm.sh BUILD   (uses BUILD/verinit-measure; works in BUILD/test-logs/attest-swtpm.work)
set -uo pipefail

[ $# -eq 1 ] || { echo "usage: attest-swtpm.sh BUILD" >&2; exit 2; }
build=$(cd "$1" && pwd)
# VERINIT_MEASURE, MEASURE_WRAP, ATTEST_SWTPM_WORK: another build, a command to run it under
# (valgrind), the work directory's name (test/valgrind-tools.sh sets them).
vm=${VERINIT_MEASURE:-$build/verinit-measure}
read -ra wrap <<<"${MEASURE_WRAP:-}"
# shellcheck disable=SC2034 # attest-lib.sh runs it
ATTEST_VERIFY=("${wrap[@]}" "$vm")
# shellcheck source=test/attest-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/attest-lib.sh"
w=$build/test-logs/${ATTEST_SWTPM_WORK:-attest-swtpm.work}
rm -rf "$w" && mkdir -p "$w/state" || exit 2
cd "$w" || exit 2

checks=0 failures=0
pass() { checks=$((checks + 1)); echo "attest-swtpm: PASS $*"; }
fail() { checks=$((checks + 1)) failures=$((failures + 1)); echo "attest-swtpm: FAIL $*"; }
fatal() { fail "$*"; exit 1; }
for t in swtpm tpm2_quote tpm2_checkquote "$vm"; do
	command -v "$t" >/dev/null || fatal "$t is missing (third_party/host-packages.sh installs swtpm and tpm2-tools)"
done

# A TCP port of our own: swtpm's tcti speaks only TCP. A taken port makes swtpm exit: try another.
swtpm_pid=
trap '[ -z "$swtpm_pid" ] || kill "$swtpm_pid" 2>/dev/null' EXIT
for try in 1 2 3 4 5; do
	port=$((20000 + (RANDOM % 10000) * 2))
	swtpm socket --tpm2 --tpmstate dir="$w/state" --server type=tcp,port=$port,bindaddr=127.0.0.1 \
		--ctrl type=tcp,port=$((port + 1)),bindaddr=127.0.0.1 --flags not-need-init,startup-clear \
		--pid file="$w/swtpm.pid" --daemon 2>"$w/swtpm.err" && break
	[ "$try" = 5 ] && fatal "swtpm did not start: $(head -1 "$w/swtpm.err")"
done
swtpm_pid=$(cat "$w/swtpm.pid")
export TPM2TOOLS_TCTI=swtpm:host=127.0.0.1,port=$port

# The node: one record per extend, in sha256 (the bank this TPM's PCRs are read in).
: >node.log
measure() { # PCR CONTENT_TYPE EVENT_TYPE STRING
	local d
	d=$(printf '%s' "$4" | sha256sum | cut -d' ' -f1)
	tpm2_pcrextend "$1:sha256=$d" || fatal "tpm2_pcrextend $1"
	printf '\036{"pcr":%s,"digests":[{"hashAlg":"sha256","digest":"%s"}],"content_type":"%s","content":{"string":"%s","eventType":"%s"}}\n' \
		"$1" "$d" "$2" "$4" "$3" >>node.log
}
measure 11 systemd phase enter-initrd
measure 15 verinit verinit "verinit.usr.roothash=$(printf 'usr' | sha256sum | cut -d' ' -f1)"
measure 15 verinit verinit "verinit.ipe.policy.sha256=$(printf 'ipe' | sha256sum | cut -d' ' -f1) mode=enforce"
measure 11 systemd phase leave-initrd
# The reference: PCR 11 and 15 as verinit leaves them (what verinit-uki publishes for the image).
tpm2_pcrread sha256:11,15 -o handover.bin >/dev/null || fatal "tpm2_pcrread"
od -An -tx1 -v handover.bin | tr -d ' \n' | sed 's/^\(.\{64\}\)\(.\{64\}\)$/{"sha256":{"11":"\1","15":"\2"}}\n/' >reference.json
grep -q '"15":"' reference.json || fatal "no reference from tpm2_pcrread"
printf '{"sha256":{"11":"%s","15":"%s"}}\n' "$(printf '%064d' 0)" "$(printf '%064d' 0)" >other-reference.json
measure 11 systemd phase sysinit # the booted system's, after the hand-over

# Transient objects fill swtpm's three slots: flush after each command that loads some.
{ tpm2_createek -c ek.ctx -G rsa -u ek.pub >/dev/null && tpm2_flushcontext -t >/dev/null; } || fatal "tpm2_createek"
nonce=$(printf 'verinit attest-swtpm' | sha256sum | cut -c1-32) # fixed: runs repeat
pcrs=sha256:0,7,10,11,15
# NAME:SCHEME:KEY; another-ak is a second RSASSA AK of the same TPM.
for ak in rsassa:rsassa:rsa rsapss:rsapss:rsa ecdsa:ecdsa:ecc another-ak:rsassa:rsa; do
	IFS=: read -r s scheme g <<<"$ak"
	tpm2_createak -C ek.ctx -c "$s.ctx" -G "$g" -g sha256 -s "$scheme" -u "$s.pub" -n "$s.name" >/dev/null &&
		tpm2_flushcontext -t >/dev/null && tpm2_quote -c "$s.ctx" -l "$pcrs" -q "$nonce" -m "$s.attest" -s "$s.sig" \
			-o "$s.pcrs" -F values -g sha256 --scheme "$scheme" \
			>/dev/null && tpm2_flushcontext -t >/dev/null || fatal "$s: tpm2_createak or tpm2_quote"
done

expect() { # DESCRIPTION WANT-VERIFY-QUOTE WANT-CHECKQUOTE ARGS (AK QUOTE SIG PCRS NONCE LOG REFERENCE ...)
	local what=$1 want=$2 want_cq=$3 got got_cq=-
	shift 3
	got=$(attest_verdict "$w" "$1" "$2" "$3" "$4" "$5" "$6" "" "${@:7}")
	[ "$want_cq" = - ] || got_cq=$(attest_checkquote "$w" "$1" "$2" "$3" "$5" "$4" "$pcrs")
	if [ "$got" = "$want" ] && [ "$got_cq" = "$want_cq" ]; then
		pass "$what: verify-quote $got, tpm2_checkquote $got_cq"
	else
		fail "$what: verify-quote $got (want $want), tpm2_checkquote $got_cq (want $want_cq); $(cat verdict.err verdict.json | head -c 600)"
	fi
}

ev() { echo "$1.pub" "$1.attest" "$1.sig" "$1.pcrs"; }
for s in rsassa rsapss ecdsa; do
	# shellcheck disable=SC2046 # the four file names
	expect "$s quote" PASS PASS $(ev "$s") "$nonce" node.log reference.json --require 'verinit.ipe.policy.sha256=* mode=enforce'
	[ "$(jq -r '.signature + " " + .facts[1] + " " + .after_handover[0].string' verdict.json)" = \
		"$s verinit.ipe.policy.sha256=$(printf 'ipe' | sha256sum | cut -d' ' -f1) mode=enforce sysinit" ] &&
		pass "$s: the verdict names the scheme, the facts and what came after the hand-over" ||
		fail "$s: verdict $(cat verdict.json)"
done

# One good quote, each tamper on its own.
other=$(printf 'another nonce' | sha256sum | cut -c1-32)
expect "another nonce" NONCE FAIL rsassa.pub rsassa.attest rsassa.sig rsassa.pcrs "$other" node.log reference.json
python3 - node.log edited.log <<'EOF'
import sys
recs = open(sys.argv[1], 'rb').read().split(b'\x1e')[1:]
# The third record's digest, one hex digit changed: the log no longer replays to the TPM's PCR 15.
d = recs[2].index(b'"digest":"') + 10
recs[2] = recs[2][:d] + (b'0' if recs[2][d:d + 1] != b'0' else b'1') + recs[2][d + 1:]
open(sys.argv[2], 'wb').write(b''.join(b'\x1e' + r for r in recs))
EOF
expect "a log event changed" LOG PASS rsassa.pub rsassa.attest rsassa.sig rsassa.pcrs "$nonce" edited.log reference.json
attest_flip rsassa.pcrs 40 flipped.pcrs || fatal "cannot flip a bit of rsassa.pcrs"
expect "a quoted PCR value changed" PCR_DIGEST FAIL rsassa.pub rsassa.attest rsassa.sig flipped.pcrs "$nonce" node.log reference.json
expect "another image's reference" REFERENCE PASS rsassa.pub rsassa.attest rsassa.sig rsassa.pcrs "$nonce" node.log other-reference.json
expect "signed by another AK" SIGNATURE FAIL another-ak.pub rsassa.attest rsassa.sig rsassa.pcrs "$nonce" node.log reference.json
expect "RSA-PSS AK, RSASSA quote" SIGNATURE FAIL rsapss.pub rsassa.attest rsassa.sig rsassa.pcrs "$nonce" node.log reference.json
expect "ECDSA quote, RSA AK" SIGNATURE FAIL rsassa.pub ecdsa.attest ecdsa.sig ecdsa.pcrs "$nonce" node.log reference.json
expect "IPE required in audit" REQUIRE - rsassa.pub rsassa.attest rsassa.sig rsassa.pcrs "$nonce" node.log reference.json \
	--require 'verinit.ipe.policy.sha256=* mode=audit'
expect "the EK as the AK" AK - ek.pub rsassa.attest rsassa.sig rsassa.pcrs "$nonce" node.log reference.json
head -c 50 rsassa.attest >cut.attest
expect "a quote cut short" SIGNATURE - rsassa.pub cut.attest rsassa.sig rsassa.pcrs "$nonce" node.log reference.json
tpm2_quote -c rsassa.ctx -l "$pcrs" -q "$nonce" -m serialized.attest -s serialized.sig -o serialized.pcrs -g sha256 \
	>/dev/null || fatal "tpm2_quote without -F values"
expect "PCR values as tpm2_quote writes them by default" MALFORMED - rsassa.pub serialized.attest serialized.sig \
	serialized.pcrs "$nonce" node.log reference.json
grep -q -- '-F values' verdict.json && pass "the verdict says to use -F values" || fail "no -F values hint: $(cat verdict.json)"
expect "a log that is not JSON" MALFORMED - rsassa.pub rsassa.attest rsassa.sig rsassa.pcrs "$nonce" rsassa.sig reference.json
expect "no such reference" "exit 2" - rsassa.pub rsassa.attest rsassa.sig rsassa.pcrs "$nonce" node.log missing.json
expect "a nonce that is not hex" "exit 2" - rsassa.pub rsassa.attest rsassa.sig rsassa.pcrs XYZ node.log reference.json

echo "attest-swtpm: $checks checks, $failures failed"
[ "$failures" -eq 0 ]
