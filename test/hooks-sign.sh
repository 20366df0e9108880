#!/usr/bin/env bash
# hooks/verinit-sign checked from outside, with the tools a verifier would use: the hash tree with
# veritysetup, the signatures with openssl against the certificate (and not against another), the
# signature partition's layout, the PARTUUID rule, byte-identical reruns, and one-line errors that
# leave nothing behind.
# Usage: test/hooks-sign.sh BUILD
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:?usage: test/hooks-sign.sh BUILD}
keys=$build/lab/keys
[ -r "$keys/db.key" ] && [ -r "$build/lab/usr/usr.img" ] || { echo "hooks-sign: the lab's keys and /usr are not built"; exit 1; }
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
checks=0 failures=0
pass() { checks=$((checks + 1)); }
fail() { checks=$((checks + 1)) failures=$((failures + 1)); echo "hooks-sign: FAIL $*"; }
sign=$here/hooks/verinit-sign
img=$build/lab/usr/usr.img
fpr() { openssl x509 -in "$1" -outform DER | sha256sum | cut -c1-64; }
uuid_of() { local h=$1; echo "${h:0:8}-${h:8:4}-${h:12:4}-${h:16:4}-${h:20:12}"; }

# ---- usr -----------------------------------------------------------------------------------------
"$sign" usr --key "$keys/db.key" --cert "$keys/db.crt" --output "$w/a" "$img" >"$w/a.out" 2>"$w/err" &&
	pass || fail "usr: $(cat "$w/err")"
root=$(cat "$w/a/usr.roothash" 2>/dev/null)
cmp -s "$w/a.out" "$w/a/usr.env" && pass || fail "usr: stdout is not usr.env"
veritysetup verify "$img" "$w/a/usr-verity.img" "$root" >/dev/null 2>&1 && pass ||
	fail "usr: veritysetup verify of the hash tree with root hash '$root' failed"
# The verify above can fail: one changed byte in the data is caught.
cp "$img" "$w/flipped.img"
printf '\x5a' | dd of="$w/flipped.img" bs=1 seek=8192 conv=notrunc status=none
! veritysetup verify "$w/flipped.img" "$w/a/usr-verity.img" "$root" >/dev/null 2>&1 && pass ||
	fail "usr: veritysetup verify accepted a changed image"

verify_p7s() { # p7s cert
	openssl cms -verify -binary -inform DER -in "$1" -content "$w/a/usr.roothash" -CAfile "$2" -certfile "$2" \
		-partial_chain -purpose any -out /dev/null 2>/dev/null
}
verify_p7s "$w/a/usr.p7s" "$keys/db.crt" && pass || fail "usr: usr.p7s does not verify against db.crt"
! verify_p7s "$w/a/usr.p7s" "$keys/attacker.crt" && pass || fail "usr: usr.p7s verifies against the attacker's certificate"
openssl cms -cmsout -print -inform DER -in "$w/a/usr.p7s" | grep -A1 'signedAttrs:' | grep -q '<ABSENT>' && pass ||
	fail "usr: usr.p7s has signed attributes (systemd and the kernel sign without)"

sig=$w/a/usr-verity-sig.img
[ "$(stat -c %s "$sig")" = 16384 ] && pass || fail "usr: the signature partition is $(stat -c %s "$sig") bytes, not 16 KiB"
# The JSON up to the first NUL, then nothing but NULs.
len=$(($(tr '\0' '\n' <"$sig" | head -n1 | wc -c) - 1))
head -c "$len" "$sig" >"$w/sig.json"
[ "$(tail -c +$((len + 1)) "$sig" | tr -d '\0' | wc -c)" = 0 ] && jq -e . "$w/sig.json" >/dev/null 2>&1 && pass ||
	fail "usr: the signature partition is not JSON followed by NUL padding"
[ "$(jq -r .rootHash "$w/sig.json")" = "$root" ] && pass || fail "usr: rootHash in the JSON is not usr.roothash"
[ "$(jq -r .certificateFingerprint "$w/sig.json")" = "$(fpr "$keys/db.crt")" ] && pass ||
	fail "usr: certificateFingerprint is not db.crt's SHA-256"
jq -r .signature "$w/sig.json" | base64 -d | cmp -s - "$w/a/usr.p7s" && pass || fail "usr: signature in the JSON is not usr.p7s"
[ "$(jq -c 'keys' "$w/sig.json")" = '["certificateFingerprint","rootHash","signature"]' ] && pass ||
	fail "usr: the JSON has keys $(jq -c keys "$w/sig.json")"

env_get() { sed -n "s/^$1=//p" "$w/a/usr.env"; }
[ "$(env_get USR_PARTUUID)" = "$(uuid_of "$root")" ] && [ "$(env_get VERITY_PARTUUID)" = "$(uuid_of "${root:32}")" ] &&
	pass || fail "usr: PARTUUIDs are not the root hash's halves: $(tr '\n' ' ' <"$w/a/usr.env")"
[ "$(env_get FSTYPE)" = "$(blkid -p -o value -s TYPE "$img")" ] && pass || fail "usr: FSTYPE=$(env_get FSTYPE)"

"$sign" usr --key "$keys/db.key" --cert "$keys/db.crt" --output "$w/b" "$img" >/dev/null 2>&1
diff -r "$w/a" "$w/b" >/dev/null && pass || fail "usr: two runs differ: $(diff -rq "$w/a" "$w/b" | head -n1)"

"$sign" usr --nocerts --key "$keys/db.key" --cert "$keys/db.crt" --output "$w/n" "$img" >/dev/null 2>&1 &&
	[ -z "$(openssl pkcs7 -inform DER -in "$w/n/usr.p7s" -print_certs 2>/dev/null)" ] &&
	openssl cms -verify -binary -inform DER -in "$w/n/usr.p7s" -content "$w/n/usr.roothash" -CAfile "$keys/db.crt" \
		-certfile "$keys/db.crt" -partial_chain -purpose any -out /dev/null 2>/dev/null && pass ||
	fail "usr --nocerts: the signature embeds a certificate or does not verify"

# errors: expect_error NAME PATTERN DIR command...: exit 1, one line matching PATTERN, DIR has no outputs
expect_error() {
	local name=$1 pattern=$2 dir=$3
	shift 3
	if "$@" >/dev/null 2>"$w/err"; then
		fail "$name: accepted"
	elif [ "$(wc -l <"$w/err")" != 1 ] || ! grep -q -- "$pattern" "$w/err"; then
		fail "$name: error was '$(cat "$w/err")', want one line matching '$pattern'"
	elif [ -n "$dir" ] && [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then
		fail "$name: left $(ls -A "$dir") behind"
	else
		pass
	fi
}
head -c 10000 "$img" >"$w/odd.img"
expect_error "odd size" "odd.img: size 10000 is not" "$w/e1" "$sign" usr --key "$keys/db.key" --cert "$keys/db.crt" --output "$w/e1" "$w/odd.img"
truncate -s 16384 "$w/zero.img"
expect_error "no file system" "zero.img: no file system" "$w/e2" "$sign" usr --key "$keys/db.key" --cert "$keys/db.crt" --output "$w/e2" "$w/zero.img"
expect_error "key of another cert" "attacker.key is not the private key of .*db.crt" "$w/e3" \
	"$sign" usr --key "$keys/attacker.key" --cert "$keys/db.crt" --output "$w/e3" "$img"
expect_error "missing image" "nonexistent.img: cannot read" "$w/e4" "$sign" usr --key "$keys/db.key" --cert "$keys/db.crt" --output "$w/e4" "$w/nonexistent.img"
expect_error "certificate is a key" "db.key: not a PEM certificate" "$w/e5" "$sign" usr --key "$keys/db.key" --cert "$keys/db.key" --output "$w/e5" "$img"

# ---- IPE -----------------------------------------------------------------------------------------
other=$(printf %s other | sha256sum | cut -c1-64)
"$sign" ipe-pin --name fleet --version 3.1.4 --usr-env "$w/a/usr.env" --roothash "${other^^}" --roothash "${root^^}" >"$w/pin.pol" 2>"$w/err" &&
	pass || fail "ipe-pin: $(cat "$w/err")"
[ "$(head -n1 "$w/pin.pol")" = "policy_name=fleet policy_version=3.1.4" ] && pass || fail "ipe-pin: header '$(head -n1 "$w/pin.pol")'"
[ "$(grep -c '^op=EXECUTE dmverity_roothash=sha256:' "$w/pin.pol")" = 2 ] &&
	grep -qx "op=EXECUTE dmverity_roothash=sha256:$root action=ALLOW" "$w/pin.pol" &&
	grep -qx "op=EXECUTE dmverity_roothash=sha256:$other action=ALLOW" "$w/pin.pol" &&
	grep -qx 'DEFAULT op=EXECUTE action=DENY' "$w/pin.pol" && ! grep -q dmverity_signature "$w/pin.pol" && pass ||
	fail "ipe-pin: the A/B pinned policy is wrong: $(tr '\n' '|' <"$w/pin.pol")"
expect_error "ipe-pin short hash" "root hash 'abc' is not 64 hex" "" "$sign" ipe-pin --roothash abc
expect_error "ipe-pin version" "'1.70000.0': 70000 is above 65535" "" "$sign" ipe-pin --roothash "$root" --version 1.70000.0
expect_error "ipe-pin nothing" "needs --roothash" "" "$sign" ipe-pin --name x

"$sign" ipe-policy --key "$keys/db.key" --cert "$keys/db.crt" --output "$w/pin.p7s" "$w/pin.pol" 2>"$w/err" &&
	pass || fail "ipe-policy: $(cat "$w/err")"
openssl smime -verify -binary -inform der -in "$w/pin.p7s" -CAfile "$keys/db.crt" -partial_chain -purpose any 2>/dev/null |
	cmp -s - "$w/pin.pol" && pass || fail "ipe-policy: the attached content does not verify against db.crt or is not the policy"
! openssl smime -verify -binary -inform der -in "$w/pin.p7s" -CAfile "$keys/attacker.crt" -partial_chain -purpose any \
	>/dev/null 2>&1 && pass || fail "ipe-policy: verifies against the attacker's certificate"
openssl cms -cmsout -print -inform DER -in "$w/pin.p7s" | grep -A1 'signedAttrs:' | grep -q '<ABSENT>' && pass ||
	fail "ipe-policy: signed attributes present (the kernel refuses them)"
printf 'DEFAULT action=ALLOW\n' >"$w/bad.pol"
expect_error "ipe-policy header" "bad.pol:1: not an IPE policy header" "" \
	"$sign" ipe-policy --key "$keys/db.key" --cert "$keys/db.crt" --output "$w/bad.p7s" "$w/bad.pol"
[ ! -e "$w/bad.p7s" ] && [ ! -e "$w/bad.p7s.part" ] && pass || fail "ipe-policy: a refused policy left output behind"

[ $failures -eq 0 ] && echo "hooks-sign: all $checks checks passed"
exit $((failures > 0))
