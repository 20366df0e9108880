#!/usr/bin/env bash
# Host checks of hooks/verinit-uki on the lab's kernel, initramfs and keys. Always with the objcopy
# backend: the image verifies with db.crt and not with attacker.crt; .osrel, .cmdline, .linux and
# .initrd hold exactly the inputs' bytes, in that order, at 4 KiB-aligned VMAs after the stub's last
# section, none overlapping; two builds are identical once the signatures are removed (sbsign's
# PKCS#7 carries a signing time); OUT.pcrs.json is what `verinit-measure predict` says for the
# image, and its PCR 11 what `systemd-measure calculate` says for the input files; bad inputs give
# one line naming what is wrong and leave no file behind. With ukify present ($UKIFY or on PATH),
# the ukify backend too; the last line says which backends were exercised.
# Usage: test/hooks-uki.sh BUILD   (needs BUILD/verinit-measure and BUILD/lab)
# shellcheck disable=SC2015 # "check && pass || fail": pass never fails
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$(cd "${1:?usage: test/hooks-uki.sh BUILD}" && pwd)
lab=$build/lab keys=$build/lab/keys
vm=$build/verinit-measure sdm=/lib/systemd/systemd-measure stub=/usr/lib/systemd/boot/efi/linuxx64.efi.stub
tool=$here/hooks/verinit-uki
for f in "$lab/kernel/vmlinuz" "$lab/kernel/kver" "$lab/initramfs.img" "$lab/usr/usr.env" "$keys/db.key" \
	"$keys/attacker.key" "$lab/ipe/default.p7s" "$vm" "$sdm" "$stub"; do
	[ -e "$f" ] || { echo "hooks-uki: $f is missing (make lab; make build/verinit-measure)"; exit 1; }
done
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
checks=0 failures=0
pass() { checks=$((checks + 1)); }
fail() { checks=$((checks + 1)) failures=$((failures + 1)); echo "hooks-uki: FAIL $*"; }

kver=$(cat "$lab/kernel/kver")
common=(--kernel "$lab/kernel/vmlinuz" --initrd "$lab/initramfs.img" --key "$keys/db.key" --cert "$keys/db.crt")
uki() { "$tool" "${common[@]}" "$@"; }
# section UKI NAME: "VMA SIZE" (hex) of one section, from objdump.
section() { objdump -h "$1" | awk -v n="$2" '$2 == n { print $4, $3 }'; }
# holds UKI NAME FILE: the section's size is FILE's and its bytes are FILE's (objcopy pads to the
# file alignment, so compare the first SIZE bytes of what it extracts).
holds() {
	local size want
	size=$(section "$1" "$2" | cut -d' ' -f2) want=$(stat -L -c %s "$3")
	[ -n "$size" ] && [ $((0x$size)) -eq "$want" ] || return 1
	objcopy -O binary --only-section="$2" "$1" "$w/extract" && [ "$(stat -c %s "$w/extract")" -ge "$want" ] &&
		cmp -s -n "$want" "$w/extract" "$3"
}
unsigned() { cp "$1" "$2" && sbattach --remove "$2" 2>/dev/null; } # a copy without the signature

# ---- the objcopy backend ------------------------------------------------------------------------
mkdir -p "$w/a" "$w/b"
uki --backend objcopy --output "$w/a/uki.efi" --cmdline "  console=ttyS0   quiet loglevel=4 " \
	--predict "$vm" --usr-env "$lab/usr/usr.env" >"$w/a/out" 2>"$w/a/err" ||
	{ echo "hooks-uki: FAIL the objcopy build: $(cat "$w/a/err")"; exit 1; }
want=$(for f in "$w/a/uki.efi" "$w/a/uki.pcrs.json"; do echo "$f $(stat -c %s "$f") $(sha256sum <"$f" | cut -c1-64)"; done)
[ "$(cat "$w/a/out")" = "$want" ] && [ ! -s "$w/a/err" ] && pass ||
	fail "stdout is not one 'path size sha256' line per artefact: $(head -n3 "$w/a/out" "$w/a/err")"
[ "$(find "$w/a" -name '.verinit-uki.*')" = "" ] && pass || fail "a temp dir was left next to OUT"

sbverify --cert "$keys/db.crt" "$w/a/uki.efi" >/dev/null 2>&1 && pass || fail "sbverify with db.crt fails"
! sbverify --cert "$keys/attacker.crt" "$w/a/uki.efi" >/dev/null 2>&1 && pass || fail "sbverify with attacker.crt passes"

# The sections' bytes: the command line normalised as ukify does, the default os-release.
printf 'console=ttyS0 quiet loglevel=4' >"$w/cmdline"
printf 'ID=verinit\nNAME="verinit"\nPRETTY_NAME="verinit (Linux %s)"\nVERSION="%s"\nVERSION_ID=%s\n' \
	"$kver" "$kver" "$(printf %s "$kver" | tr '+' '_')" >"$w/osrel"
for s in .linux:"$lab/kernel/vmlinuz" .initrd:"$lab/initramfs.img" .cmdline:"$w/cmdline" .osrel:"$w/osrel"; do
	holds "$w/a/uki.efi" "${s%%:*}" "${s#*:}" && pass || fail "${s%%:*} does not hold exactly ${s#*:}'s bytes"
done

# The layout: the stub's sections as they were, then ours in order at 4 KiB boundaries; no overlap.
objdump -h "$w/a/uki.efi" | awk '$1 ~ /^[0-9]+$/ { print $2, $4, $3 }' >"$w/a/layout"
objdump -h "$stub" | awk '$1 ~ /^[0-9]+$/ { print $2, $4, $3 }' >"$w/stub.layout"
layout_ok() { # LAYOUT: prints what is wrong
	local prev_end=0 name vma size
	[ "$(head -n "$(wc -l <"$w/stub.layout")" "$1")" = "$(cat "$w/stub.layout")" ] || { echo "the stub's sections moved"; return; }
	[ "$(tail -n +"$(($(wc -l <"$w/stub.layout") + 1))" "$1" | cut -d' ' -f1 | xargs)" = ".osrel .cmdline .linux .initrd" ] ||
		{ echo "added sections are not .osrel .cmdline .linux .initrd"; return; }
	while read -r name vma size; do
		[ $((0x$vma)) -ge "$prev_end" ] || { echo "$name at 0x$vma overlaps the section before"; return; }
		prev_end=$((0x$vma + 0x$size))
	done < <(sort -k2 "$1")
	while read -r name vma _; do
		[ $((0x$vma % 4096)) -eq 0 ] || { echo "$name at 0x$vma is not 4 KiB aligned"; return; }
	done < <(tail -n 4 "$1")
}
bad=$(layout_ok "$w/a/layout")
[ -z "$bad" ] && pass || fail "layout: $bad"

# Two builds: identical but for the signature (and the PE time stamp is the stub's, not the clock's).
sleep 1.1
uki --backend objcopy --output "$w/b/uki.efi" --cmdline "console=ttyS0 quiet loglevel=4" \
	--predict "$vm" --usr-env "$lab/usr/usr.env" >/dev/null 2>&1 || fail "the second build failed"
unsigned "$w/a/uki.efi" "$w/a/unsigned.efi" && unsigned "$w/b/uki.efi" "$w/b/unsigned.efi" &&
	cmp -s "$w/a/unsigned.efi" "$w/b/unsigned.efi" && cmp -s "$w/a/uki.pcrs.json" "$w/b/uki.pcrs.json" && pass ||
	fail "two builds differ beyond their signatures"
[ "$(objdump -p "$w/a/uki.efi" | grep Time/Date)" = "$(objdump -p "$stub" | grep Time/Date)" ] && pass ||
	fail "the PE time stamp is not the stub's: $(objdump -p "$w/a/uki.efi" | grep Time/Date)"

# A command line verinit would refuse has no good boot to predict: the build says so, naming the
# word, and leaves nothing behind.
mkdir -p "$w/refused"
if uki --backend objcopy --output "$w/refused/uki.efi" --cmdline "console=ttyS0 verinit.x=1" \
	--predict "$vm" --usr-env "$lab/usr/usr.env" >/dev/null 2>"$w/refused/err"; then
	fail "a UKI whose command line verinit refuses was built with a prediction"
else
	grep -q "'verinit.x=1' would weaken enforcement" "$w/refused/err" && [ ! -e "$w/refused/uki.efi" ] && pass ||
		fail "the refused command line: $(head -n2 "$w/refused/err"), $(ls "$w/refused")"
fi

# The prediction: verinit-measure run on its own, and PCR 11 from systemd-measure on the input files.
"$vm" predict --uki "$w/a/uki.efi" --usr-env "$lab/usr/usr.env" --cert "$keys/db.crt" --format json >"$w/a/own.json"
cmp -s "$w/a/own.json" "$w/a/uki.pcrs.json" && pass || fail "uki.pcrs.json differs from verinit-measure predict's"
"$sdm" calculate --linux="$lab/kernel/vmlinuz" --osrel="$w/osrel" --cmdline="$w/cmdline" \
	--initrd="$lab/initramfs.img" --bank=sha256 --phase=enter-initrd:leave-initrd --json=short >"$w/sdm.json" 2>&1
/usr/bin/python3 - "$w/sdm.json" "$w/a/uki.pcrs.json" <<'EOF' && pass || fail "PCR 11 differs from systemd-measure's"
import json, sys
sdm = json.load(open(sys.argv[1]))["sha256"]
ours = json.load(open(sys.argv[2]))
assert len(sdm) == 1 and sdm[0]["pcr"] == 11 and sdm[0]["hash"] == ours["sha256"]["11"], (sdm, ours["sha256"])
EOF

# --os-release, --cmdline-file (verbatim), and predict's options passed through (--config,
# --banks, a policy, --usr-cert): as verinit-measure says for the same options.
mkdir -p "$w/c"
printf 'ID=example\nNAME="Example OS"\nVERSION_ID=7\n' >"$w/c/os-release"
printf 'console=ttyS0  lsm=ipe\n' >"$w/c/cmdline"
printf 'pcr.facts=16\n' >"$w/c/verinit.conf"
uki --output "$w/c/x.efi" --backend objcopy --os-release "$w/c/os-release" --cmdline-file "$w/c/cmdline" \
	--predict "$vm" --usr-env "$lab/usr/usr.env" --usr-cert "$keys/db.crt" --config "$w/c/verinit.conf" \
	--banks sha256 --ipe-policy "$lab/ipe/default.p7s" --ipe-mode audit >/dev/null 2>"$w/c/err" ||
	fail "the build with --os-release, --cmdline-file and predict's options: $(cat "$w/c/err")"
holds "$w/c/x.efi" .osrel "$w/c/os-release" && holds "$w/c/x.efi" .cmdline "$w/c/cmdline" && pass ||
	fail "--os-release or --cmdline-file not taken verbatim"
"$vm" predict --uki "$w/c/x.efi" --usr-env "$lab/usr/usr.env" --config "$w/c/verinit.conf" --banks sha256 \
	--ipe-policy "$lab/ipe/default.p7s" --ipe-mode audit --format json >"$w/c/own.json" 2>/dev/null
cmp -s "$w/c/own.json" "$w/c/x.pcrs.json" && grep -q '"16"' "$w/c/x.pcrs.json" && ! grep -q sha1 "$w/c/x.pcrs.json" &&
	pass || fail "predict's options not passed through: $(cat "$w/c/x.pcrs.json")"

# auto without a ukify is objcopy: the same image.
mkdir -p "$w/d"
UKIFY=/nonexistent/ukify uki --output "$w/d/uki.efi" --cmdline "console=ttyS0 quiet loglevel=4" >/dev/null 2>&1 &&
	unsigned "$w/d/uki.efi" "$w/d/unsigned.efi" && cmp -s "$w/d/unsigned.efi" "$w/a/unsigned.efi" && pass ||
	fail "--backend auto without ukify is not the objcopy build"

# ---- errors: exit 1, one line naming what is wrong, no OUT, no pcrs.json, no temp dir --------------
mkdir -p "$w/e"
LC_ALL=C sed 's/systemd-stub 252/systemd-stub 999/' "$stub" >"$w/stub-999.efi" # same length: still a valid PE
err() { # NAME WANT-IN-STDERR ARGS...: the build (auto finds no ukify) must fail so
	local name=$1 want=$2 rc=0
	shift 2
	echo old >"$w/e/old.efi"
	UKIFY=/nonexistent/ukify "$tool" "$@" >"$w/e/out" 2>"$w/e/err" || rc=$?
	if [ "$rc" -eq 1 ] && [ "$(wc -l <"$w/e/err")" = 1 ] && grep -qF -- "$want" "$w/e/err" && [ ! -s "$w/e/out" ] &&
		[ "$(find "$w/e" -name 'new*' -o -name '.verinit-uki.*')" = "" ] && [ "$(cat "$w/e/old.efi")" = old ]; then
		pass
	else
		fail "$name: rc $rc, stderr '$(head -n3 "$w/e/err")', files $(cd "$w/e" && find . -mindepth 1 | tr '\n' ' ')"
	fi
}
base=(--kernel "$lab/kernel/vmlinuz" --initrd "$lab/initramfs.img" --cmdline "console=ttyS0")
err "key/cert mismatch" "$keys/attacker.key is not the private key of $keys/db.crt" \
	"${base[@]}" --key "$keys/attacker.key" --cert "$keys/db.crt" --output "$w/e/new.efi"
err "the same, OUT exists" "$keys/attacker.key is not the private key of $keys/db.crt" \
	"${base[@]}" --key "$keys/attacker.key" --cert "$keys/db.crt" --output "$w/e/old.efi"
err "missing kernel" "$w/no-vmlinuz: cannot read the kernel" \
	--kernel "$w/no-vmlinuz" --initrd "$lab/initramfs.img" --cmdline x --key "$keys/db.key" --cert "$keys/db.crt" \
	--output "$w/e/new.efi"
err "a kernel that is no PE" "$lab/initramfs.img: not an EFI-bootable kernel" \
	--kernel "$lab/initramfs.img" --initrd "$lab/initramfs.img" --cmdline x --key "$keys/db.key" \
	--cert "$keys/db.crt" --output "$w/e/new.efi"
err "--backend ukify without ukify" "--backend ukify: /nonexistent/ukify not found" \
	"${common[@]}" --cmdline x --backend ukify --output "$w/e/new.efi"
err "an empty --cmdline" "--cmdline is empty" "${common[@]}" --cmdline "  " --output "$w/e/new.efi"
err "usr.env signed by another certificate" "$lab/usr/usr.env: CERT_FPR=" "${common[@]}" --cmdline x \
	--output "$w/e/new.efi" --predict "$vm" --usr-env "$lab/usr/usr.env" --usr-cert "$keys/attacker.crt"
err "--predict with another stub version" "--predict models systemd-stub 252 only" "${common[@]}" --cmdline x \
	--stub "$w/stub-999.efi" --output "$w/e/new.efi" --predict "$vm" --usr-env "$lab/usr/usr.env"
err "predict fails after the build" "verinit-measure predict failed: " "${common[@]}" --cmdline x \
	--output "$w/e/new.efi" --predict "$vm" --usr-env "$lab/usr/usr.env" --config "$lab/ipe/default.p7s"
err "--predict names a tool not on PATH" "verinit-measure-absent: not found on PATH (--predict)" "${common[@]}" \
	--cmdline x --output "$w/e/new.efi" --predict verinit-measure-absent --usr-env "$lab/usr/usr.env"
# A bare name is looked up on PATH, as an installed verinit-measure is (qemu/lab.mk's installed UKI).
mkdir -p "$w/path" && ln -s "$vm" "$w/path/verinit-measure"
PATH=$w/path:$PATH uki --backend objcopy --output "$w/path/uki.efi" --cmdline "  console=ttyS0   quiet loglevel=4 " \
	--predict verinit-measure --usr-env "$lab/usr/usr.env" >/dev/null 2>"$w/path/err" &&
	cmp -s "$w/path/uki.pcrs.json" "$w/a/uki.pcrs.json" && pass ||
	fail "--predict verinit-measure on PATH: $(cat "$w/path/err")"

# ---- the ukify backend, when there is one --------------------------------------------------------
backends=objcopy
ukify=${UKIFY:-ukify}
if command -v "$ukify" >/dev/null; then
	version=$("$ukify" --version 2>&1 | head -n1)
	backends="objcopy and ukify ($version)"
	mkdir -p "$w/u"
	UKIFY=$ukify uki --backend ukify --output "$w/u/uki.efi" --cmdline "console=ttyS0 quiet loglevel=4" \
		--predict "$vm" --usr-env "$lab/usr/usr.env" >/dev/null 2>"$w/u/err" || fail "ukify build: $(cat "$w/u/err")"
	sbverify --cert "$keys/db.crt" "$w/u/uki.efi" >/dev/null 2>&1 &&
		! sbverify --cert "$keys/attacker.crt" "$w/u/uki.efi" >/dev/null 2>&1 && pass ||
		fail "ukify: sbverify does not pass with db.crt only"
	for s in .linux:"$lab/kernel/vmlinuz" .initrd:"$lab/initramfs.img" .cmdline:"$w/cmdline" .osrel:"$w/osrel"; do
		holds "$w/u/uki.efi" "${s%%:*}" "${s#*:}" && pass || fail "ukify: ${s%%:*} does not hold ${s#*:}'s bytes"
	done
	# systemd-stub 252 measures neither .uname nor .sbat: the same PCRs as the objcopy build.
	cmp -s "$w/u/uki.pcrs.json" "$w/a/uki.pcrs.json" && pass || fail "ukify: the PCRs differ from the objcopy build's"
fi

if [ $failures -eq 0 ]; then
	echo "hooks-uki: all $checks checks passed (backends: $backends)"
else
	echo "hooks-uki: $failures of $checks checks failed (backends: $backends)"
fi
exit $((failures > 0))
