#!/bin/bash
# verinit-measure against independent references, on the lab's signed UKI: PCR 11 as
# `systemd-measure calculate` computes it from the sections objcopy extracts, PCR 15 as Python's
# hashlib computes it, replay over logs that Python writes (userspace JSON-SEQ and a firmware
# TCG log), and the error paths (one line on stderr naming the file, exit 2, nothing on stdout).
# usage: test/measure-cli.sh BUILD   (uses BUILD/verinit-measure and BUILD/lab; works in
# BUILD/test-logs/measure-cli.work). Prints one PASS or FAIL line per check, then a summary.
set -uo pipefail

[ $# -eq 1 ] || { echo "usage: measure-cli.sh BUILD" >&2; exit 2; }
build=$(cd "$1" && pwd)
# VERINIT_MEASURE: another build of the tool; MEASURE_WRAP: a command to run it under (valgrind);
# MEASURE_CLI_WORK: the work directory's name (test/valgrind-tools.sh sets all three).
vm=${VERINIT_MEASURE:-$build/verinit-measure}
read -ra wrap <<<"${MEASURE_WRAP:-}"
vmr() { "${wrap[@]}" "$vm" "$@"; }
lab=$build/lab
uki=$lab/uki.efi
py=/usr/bin/python3 # Debian's, whatever pyenv puts first on PATH
sdm=/lib/systemd/systemd-measure
w=$build/test-logs/${MEASURE_CLI_WORK:-measure-cli.work}
rm -rf "$w"
mkdir -p "$w"

checks=0 failures=0
pass() { checks=$((checks + 1)); echo "measure-cli: PASS $*"; }
fail() { checks=$((checks + 1)) failures=$((failures + 1)); echo "measure-cli: FAIL $*"; }
expect() { # DESCRIPTION COMMAND...: the command must succeed
	local what=$1
	shift
	if "$@"; then pass "$what"; else fail "$what"; fi
}
fatal() { fail "$*"; echo "measure-cli: stopped after $failures failure(s)"; exit 1; }
# One PCR's value from "BANK PCR HEX" lines: FILE BANK PCR.
value() { awk -v b="$2" -v p="$3" '$1 == b && $2 == p { print $3 }' "$1"; }

for f in "$vm" "$uki" "$lab/usr/usr.env" "$lab/keys/db.crt" "$sdm"; do
	[ -e "$f" ] || fatal "$f is missing (run make check, which builds it)"
done
roothash=$(sed -n 's/^ROOTHASH=//p' "$lab/usr/usr.env")
fpr=$(openssl x509 -in "$lab/keys/db.crt" -outform DER | sha256sum | cut -d' ' -f1)

# ---- predict ------------------------------------------------------------------------------------
out=$(vmr --help) && [[ $out == usage:* ]] && pass "--help prints the usage and exits 0" ||
	fail "--help does not print the usage with exit 0"

# The sections systemd-stub measures, in its order, as objcopy extracts them.
section_args=() sdm_args=()
for s in linux osrel cmdline initrd splash dtb pcrpkey; do
	objdump -h "$uki" | awk '{ print $2 }' | grep -qx ".$s" || continue
	objcopy -O binary --only-section=".$s" "$uki" "$w/$s.bin" || fatal "objcopy cannot extract .$s"
	section_args+=("--$s" "$w/$s.bin")
	sdm_args+=("--$s=$w/$s.bin")
done
[ -s "$w/linux.bin" ] && [ -s "$w/cmdline.bin" ] || fatal "$uki has no .linux or .cmdline section"

vmr predict --uki "$uki" --usr-env "$lab/usr/usr.env" --format lines >"$w/uki.lines" ||
	fatal "predict --uki failed"
"$sdm" calculate "${sdm_args[@]}" --bank=sha256 --bank=sha1 --phase=enter-initrd:leave-initrd --json=short \
	>"$w/sdm.json" || fatal "systemd-measure calculate failed"
"$py" - "$w/sdm.json" >"$w/sdm.lines" <<'EOF' || fatal "cannot read systemd-measure's JSON"
import json, sys
for bank, entries in json.load(open(sys.argv[1])).items():
    for e in entries:
        print(bank, e["pcr"], e["hash"])
EOF
for bank in sha256 sha1; do
	want=$(value "$w/sdm.lines" "$bank" 11) got=$(value "$w/uki.lines" "$bank" 11)
	[ -n "$want" ] && [ "$want" = "$got" ] &&
		pass "PCR 11 $bank equals systemd-measure calculate --phase=enter-initrd:leave-initrd ($got)" ||
		fail "PCR 11 $bank is '$got', systemd-measure says '$want'"
done

vmr predict "${section_args[@]}" --usr-env "$lab/usr/usr.env" >"$w/files.json" || fatal "predict with files failed"
vmr predict --uki "$uki" --usr-env "$lab/usr/usr.env" >"$w/uki.json" || fatal "predict --uki failed"
expect "predict --uki equals predict on the extracted sections (all four banks)" cmp -s "$w/uki.json" "$w/files.json"
expect "the JSON output is {bank: {pcr: hex}} for PCRs 11 and 15 in four banks" "$py" -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert sorted(d) == ["sha1", "sha256", "sha384", "sha512"], d
assert all(sorted(v) == ["11", "15"] for v in d.values()), d' "$w/uki.json"

# PCR 15 from hashlib: each fact string is hashed (no NUL) and extended, as systemd-pcrphase does.
# The lab's usr.env names the usr partition's label (USR_LABEL=usr); nothing pins the hash. The
# settings are the defaults' (no --config; the UKI's command line changes none of them).
"$py" - "$roothash" "$fpr" yes >"$w/py15.lines" <<'EOF'
import hashlib, sys
root, fpr, kv = sys.argv[1:]
for bank in ("sha1", "sha256"):
    v = bytes(hashlib.new(bank).digest_size)
    for s in (f"verinit.usr.roothash={root}", f"verinit.usr.signer.sha256={fpr}", f"verinit.usr.kernel_verified={kv}",
              "verinit.usr.slot=usr pinned=no", "verinit.usr.mount=erofs flags=ro,nodev", "verinit.root=tmpfs flags=", "verinit.init=/usr/lib/systemd/systemd"):
        v = hashlib.new(bank, v + hashlib.new(bank, s.encode()).digest()).digest()
    print(bank, 15, v.hex())
EOF
for bank in sha256 sha1; do
	want=$(value "$w/py15.lines" "$bank" 15) got=$(value "$w/uki.lines" "$bank" 15)
	[ -n "$want" ] && [ "$want" = "$got" ] && pass "PCR 15 $bank equals hashlib's extends of the seven facts" ||
		fail "PCR 15 $bank is '$got', hashlib says '$want'"
done

vmr predict --uki "$uki" --usr-roothash "$roothash" --cert "$lab/keys/db.crt" --usr-label usr --format lines >"$w/cert.lines"
expect "--usr-roothash and --cert (PEM) predict what --usr-env does" cmp -s "$w/cert.lines" "$w/uki.lines"
openssl x509 -in "$lab/keys/db.crt" -outform DER -out "$w/db.der"
vmr predict --uki "$uki" --usr-roothash "$roothash" --cert "$w/db.der" --usr-label usr --format lines >"$w/der.lines"
expect "--cert takes a DER certificate too" cmp -s "$w/der.lines" "$w/uki.lines"

# One byte of the command line: PCR 11 changes, PCR 15 does not.
cp "$w/cmdline.bin" "$w/cmdline2.bin"
printf 'X' | dd of="$w/cmdline2.bin" bs=1 seek=0 conv=notrunc status=none
args2=()
for a in "${section_args[@]}"; do args2+=("${a/cmdline.bin/cmdline2.bin}"); done
vmr predict "${args2[@]}" --usr-env "$lab/usr/usr.env" --format lines >"$w/cmdline2.lines"
[ "$(value "$w/cmdline2.lines" sha256 11)" != "$(value "$w/uki.lines" sha256 11)" ] &&
	[ "$(value "$w/cmdline2.lines" sha256 15)" = "$(value "$w/uki.lines" sha256 15)" ] &&
	pass "one changed byte of .cmdline changes PCR 11 and not PCR 15" ||
	fail "one changed byte of .cmdline: PCR 11 or PCR 15 not as expected"

# Another root hash: PCR 15 changes, PCR 11 does not; so does kernel_verified=no.
other=$(printf '%s' "$roothash" | sha256sum | cut -d' ' -f1)
vmr predict --uki "$uki" --usr-env "$lab/usr/usr.env" --usr-roothash "$other" --format lines >"$w/other.lines"
[ "$(value "$w/other.lines" sha256 15)" != "$(value "$w/uki.lines" sha256 15)" ] &&
	[ "$(value "$w/other.lines" sha256 11)" = "$(value "$w/uki.lines" sha256 11)" ] &&
	pass "another root hash changes PCR 15 and not PCR 11" || fail "another root hash: PCR 11 or 15 not as expected"
vmr predict --uki "$uki" --usr-env "$lab/usr/usr.env" --kernel-verified no --format lines >"$w/kv.lines"
[ "$(value "$w/kv.lines" sha256 15)" != "$(value "$w/uki.lines" sha256 15)" ] &&
	pass "--kernel-verified no changes PCR 15" || fail "--kernel-verified no does not change PCR 15"
# The slot fact: --usr-label overrides USR_LABEL=, --pinned yes is measured, and a good boot's
# prediction without any label is refused by name (exit 2).
vmr predict --uki "$uki" --usr-env "$lab/usr/usr.env" --usr-label usr_2 --pinned yes --format lines >"$w/slot.lines"
"$py" - "$roothash" "$fpr" >"$w/pyslot.lines" <<'EOF'
import hashlib, sys
root, fpr = sys.argv[1:]
v = bytes(32)
for s in (f"verinit.usr.roothash={root}", f"verinit.usr.signer.sha256={fpr}", "verinit.usr.kernel_verified=yes",
          "verinit.usr.slot=usr_2 pinned=yes", "verinit.usr.mount=erofs flags=ro,nodev", "verinit.root=tmpfs flags=", "verinit.init=/usr/lib/systemd/systemd"):
    v = hashlib.sha256(v + hashlib.sha256(s.encode()).digest()).digest()
print("sha256", 15, v.hex())
EOF
[ "$(value "$w/slot.lines" sha256 15)" = "$(value "$w/pyslot.lines" sha256 15)" ] &&
	pass "--usr-label usr_2 --pinned yes: PCR 15 as hashlib extends 'verinit.usr.slot=usr_2 pinned=yes'" ||
	fail "--usr-label/--pinned: PCR 15 is '$(value "$w/slot.lines" sha256 15)', hashlib says '$(value "$w/pyslot.lines" sha256 15)'"
rc=0
vmr predict --uki "$uki" --usr-roothash "$roothash" --cert "$lab/keys/db.crt" >/dev/null 2>"$w/nolabel.err" || rc=$?
[ "$rc" = 2 ] && [ "$(wc -l <"$w/nolabel.err")" = 1 ] && grep -q -- "--usr-label" "$w/nolabel.err" &&
	pass "no usr label for a good boot: exit 2, one line asking for --usr-label" ||
	fail "no usr label: exit $rc, $(cat "$w/nolabel.err")"

# A loaded policy adds "verinit.<lsm>.policy.sha256=<hex> mode=<mode>" to PCR 15 after the settings
# (hashlib again); SELinux's says whether it was locked, which enforcing does by default.
vmr predict --uki "$uki" --usr-env "$lab/usr/usr.env" --ipe-policy "$lab/ipe/default.p7s" --ipe-mode audit \
	--selinux-policy "$lab/ipe/default-v2.p7s" --format lines >"$w/pol.lines" || fatal "predict with policies failed"
"$py" - "$roothash" "$fpr" "$lab/ipe/default.p7s" "$lab/ipe/default-v2.p7s" >"$w/pypol.lines" <<'EOF'
import hashlib, sys
root, fpr, ipe, sel = sys.argv[1:]
d = lambda f: hashlib.sha256(open(f, "rb").read()).hexdigest()
v = bytes(32)
for s in (f"verinit.usr.roothash={root}", f"verinit.usr.signer.sha256={fpr}", "verinit.usr.kernel_verified=yes",
          "verinit.usr.slot=usr pinned=no", "verinit.usr.mount=erofs flags=ro,nodev", "verinit.root=tmpfs flags=", "verinit.init=/usr/lib/systemd/systemd",
          f"verinit.ipe.policy.sha256={d(ipe)} mode=audit", f"verinit.selinux.policy.sha256={d(sel)} mode=enforcing locked=yes store=generated"):
    v = hashlib.sha256(v + hashlib.sha256(s.encode()).digest()).digest()
print("sha256", 15, v.hex())
EOF
want=$(value "$w/pypol.lines" sha256 15) got=$(value "$w/pol.lines" sha256 15)
[ -n "$want" ] && [ "$want" = "$got" ] &&
	pass "--ipe-policy/--selinux-policy add their digests and modes to PCR 15 as hashlib computes" ||
	fail "PCR 15 with policies is '$got', hashlib says '$want'"
rc=0
vmr predict --uki "$uki" --usr-env "$lab/usr/usr.env" --ipe-mode permissive >/dev/null 2>"$w/mode.err" || rc=$?
[ "$rc" -eq 2 ] && grep -q "is not enforce or audit" "$w/mode.err" &&
	pass "--ipe-mode permissive: exit 2, names the value" || fail "--ipe-mode permissive: rc $rc, $(cat "$w/mode.err")"

# Without the stub PCR 11 holds only the two phases (hashlib again).
vmr predict --no-stub --usr-env "$lab/usr/usr.env" --banks sha256 --format lines >"$w/nostub.lines"
want=$("$py" -c '
import hashlib
v = bytes(32)
for p in (b"enter-initrd", b"leave-initrd"):
    v = hashlib.sha256(v + hashlib.sha256(p).digest()).digest()
print(v.hex())')
[ "$(value "$w/nostub.lines" sha256 11)" = "$want" ] && [ "$(wc -l <"$w/nostub.lines")" = 2 ] &&
	pass "--no-stub --banks sha256: PCR 11 is enter-initrd and leave-initrd alone" ||
	fail "--no-stub: PCR 11 is '$(value "$w/nostub.lines" sha256 11)', want '$want'"

# pcr.facts from a config file moves the facts to another PCR.
printf 'pcr.facts=16\n' >"$w/verinit.conf"
vmr predict --uki "$uki" --usr-env "$lab/usr/usr.env" --config "$w/verinit.conf" --format lines >"$w/conf.lines"
[ "$(value "$w/conf.lines" sha256 16)" = "$(value "$w/uki.lines" sha256 15)" ] &&
	[ -z "$(value "$w/conf.lines" sha256 15)" ] && pass "--config with pcr.facts=16 predicts PCR 16 instead of 15" ||
	fail "--config pcr.facts=16 not honoured"

# A device root's config states the root's type, flags and root.exec in the root fact (hashlib again).
printf 'root=/dev/vda5\nroot.exec=unverified\n' >"$w/root.conf"
vmr predict --uki "$uki" --usr-env "$lab/usr/usr.env" --config "$w/root.conf" --banks sha256 --format lines >"$w/root.lines"
want=$("$py" - "$roothash" "$fpr" <<'EOF'
import hashlib, sys
root, fpr = sys.argv[1:]
v = bytes(32)
for s in (f"verinit.usr.roothash={root}", f"verinit.usr.signer.sha256={fpr}", "verinit.usr.kernel_verified=yes",
          "verinit.usr.slot=usr pinned=no", "verinit.usr.mount=erofs flags=ro,nodev",
          "verinit.root=device fstype=ext4 flags= exec=unverified", "verinit.init=/usr/lib/systemd/systemd"):
    v = hashlib.sha256(v + hashlib.sha256(s.encode()).digest()).digest()
print(v.hex())
EOF
)
[ "$(value "$w/root.lines" sha256 15)" = "$want" ] &&
	pass "--config with a device root and root.exec=unverified measures it in verinit.root=" ||
	fail "PCR 15 with root.exec=unverified is '$(value "$w/root.lines" sha256 15)', hashlib says '$want'"

# A failed boot: the failure record into both PCRs, no facts, no leave-initrd.
vmr predict --uki "$uki" --usr-env "$lab/usr/usr.env" --failure signature:SIG_INVALID --banks sha256 \
	--format lines >"$w/fail.lines"
# PCR 11: the stub's sections, enter-initrd, the failure record (hashlib, from the extracted files).
want11=$("$py" - "${section_args[@]}" <<'EOF'
import hashlib, sys
ext = lambda v, data: hashlib.sha256(v + hashlib.sha256(data).digest()).digest()
v, a = bytes(32), sys.argv[1:]
for i in range(0, len(a), 2):
    v = ext(ext(v, ("." + a[i][2:]).encode() + b"\0"), open(a[i + 1], "rb").read())
for s in (b"enter-initrd", b"verinit.failure stage=signature reason=SIG_INVALID"):
    v = ext(v, s)
print(v.hex())
EOF
)
f11=$(value "$w/fail.lines" sha256 11) f15=$(value "$w/fail.lines" sha256 15)
want15=$("$py" -c '
import hashlib
s = b"verinit.failure stage=signature reason=SIG_INVALID"
print(hashlib.sha256(bytes(32) + hashlib.sha256(s).digest()).hexdigest())')
[ "$f15" = "$want15" ] && [ "$f11" = "$want11" ] &&
	pass "--failure signature:SIG_INVALID: PCR 11 ends in enter-initrd and the failure, PCR 15 holds the failure alone" ||
	fail "--failure: PCR 11 '$f11' PCR 15 '$f15', want '$want11' '$want15'"

# A failure in modules: the config is read (pcr.facts=16 here) but enter-initrd not yet measured.
vmr predict --uki "$uki" --usr-env "$lab/usr/usr.env" --config "$w/verinit.conf" --failure modules:MODULE \
	--banks sha256 --format lines >"$w/fail-modules.lines"
want=$("$py" -c '
import hashlib
s = b"verinit.failure stage=modules reason=MODULE"
print(hashlib.sha256(bytes(32) + hashlib.sha256(s).digest()).hexdigest())')
want11=$("$py" - "${section_args[@]}" <<'EOF'
import hashlib, sys
ext = lambda v, data: hashlib.sha256(v + hashlib.sha256(data).digest()).digest()
v, a = bytes(32), sys.argv[1:]
for i in range(0, len(a), 2):
    v = ext(ext(v, ("." + a[i][2:]).encode() + b"\0"), open(a[i + 1], "rb").read())
print(ext(v, b"verinit.failure stage=modules reason=MODULE").hex())
EOF
)
[ "$(value "$w/fail-modules.lines" sha256 16)" = "$want" ] && [ -z "$(value "$w/fail-modules.lines" sha256 15)" ] &&
	[ "$(value "$w/fail-modules.lines" sha256 11)" = "$want11" ] &&
	pass "--failure modules:MODULE: no enter-initrd in PCR 11, the failure in the configured PCR 16" ||
	fail "--failure modules:MODULE: $(tr '\n' ' ' <"$w/fail-modules.lines")"

# The TPM failing an extend inside measure: enter-initrd, the first N facts, then the failure.
vmr predict --uki "$uki" --usr-env "$lab/usr/usr.env" --failure measure:MEASURE --facts-extended 2 \
	--banks sha256 --format lines >"$w/fail-measure.lines"
want=$("$py" - "$roothash" "$fpr" <<'EOF'
import hashlib, sys
root, fpr = sys.argv[1:]
v = bytes(32)
for s in (f"verinit.usr.roothash={root}", f"verinit.usr.signer.sha256={fpr}", "verinit.failure stage=measure reason=MEASURE"):
    v = hashlib.sha256(v + hashlib.sha256(s.encode()).digest()).digest()
print(v.hex())
EOF
)
[ "$(value "$w/fail-measure.lines" sha256 15)" = "$want" ] &&
	pass "--failure measure:MEASURE --facts-extended 2: PCR 15 holds two facts and the failure" ||
	fail "--facts-extended 2: PCR 15 is '$(value "$w/fail-measure.lines" sha256 15)', hashlib says '$want'"

# The stages, from the agent's table: what --failure accepts is every one but tpm (which may fail
# before or after its own extend), in the same order.
vmr --list-stages >"$w/stages" 2>"$w/stages.err"
[ "$(head -n1 "$w/stages")" = early-mounts ] && [ "$(tail -n1 "$w/stages")" = handover ] &&
	[ "$(sort -u "$w/stages" | wc -l)" = "$(wc -l <"$w/stages")" ] && grep -qx tpm "$w/stages" && [ ! -s "$w/stages.err" ] &&
	pass "--list-stages: $(wc -l <"$w/stages") distinct names, early-mounts to handover, tpm among them" ||
	fail "--list-stages: $(tr '\n' ' ' <"$w/stages") $(cat "$w/stages.err")"
vmr predict --uki "$uki" --usr-env "$lab/usr/usr.env" --failure tpm:MEASURE >"$w/tpm-fail.out" 2>"$w/tpm-fail.err"
tpm_rc=$?
want="verinit-measure: --failure: 'tpm:MEASURE' is not STAGE:REASON with STAGE one of $(grep -vx tpm "$w/stages" | paste -sd, | sed 's/,/, /g')"
[ "$tpm_rc" = 2 ] && [ ! -s "$w/tpm-fail.out" ] && [ "$(cat "$w/tpm-fail.err")" = "$want" ] &&
	pass "--failure tpm:MEASURE is refused, naming the other stages in --list-stages' order" ||
	fail "--failure tpm:MEASURE: exit $tpm_rc, '$(cat "$w/tpm-fail.err")', want '$want'"
vmr --list-stages extra >/dev/null 2>"$w/stages-extra.err"
[ $? = 2 ] && grep -q "takes no arguments" "$w/stages-extra.err" &&
	pass "--list-stages with an argument: exit 2" || fail "--list-stages extra: $(cat "$w/stages-extra.err")"

# ---- replay -------------------------------------------------------------------------------------
# The logs a boot of this UKI writes: the firmware's (systemd-stub's EV_IPL events in PCR 11, and a
# few of the firmware's own, with PCR 0 started at locality 3) and verinit's JSON-SEQ log. The PCR
# file holds what predict says for PCRs 11 and 15, and hashlib's values for PCRs 0 and 7.
"$py" - "$w" "$roothash" "$fpr" "${section_args[@]}" <<'EOF' || fatal "cannot write the test logs"
import hashlib, json, struct, sys
w, root, fpr, *sections = sys.argv[1:]
sections = [(sections[i][2:], sections[i + 1]) for i in range(0, len(sections), 2)]
banks = {"sha1": 0x0004, "sha256": 0x000B}
H = lambda b, data: hashlib.new(b, data).digest()

def event2(pcr, etype, digests, data):
    out = struct.pack("<III", pcr, etype, len(digests))
    for b, d in digests.items():
        out += struct.pack("<H", banks[b]) + d
    return out + struct.pack("<I", len(data)) + data

spec = b"Spec ID Event03\0" + struct.pack("<IBBBBI", 0, 0, 2, 0, 2, len(banks))
spec += b"".join(struct.pack("<HH", a, hashlib.new(b).digest_size) for b, a in banks.items()) + b"\0"
log = struct.pack("<II", 0, 3) + bytes(20) + struct.pack("<I", len(spec)) + spec
log += event2(0, 3, {b: bytes(hashlib.new(b).digest_size) for b in banks}, b"StartupLocality\0\x03")
pcr = {(b, p): bytes(hashlib.new(b).digest_size) for b in banks for p in (0, 7, 11)}
for b in banks:
    pcr[(b, 0)] = bytes(hashlib.new(b).digest_size - 1) + b"\x03"

def measure(p, etype, data, event):
    global log
    ds = {b: H(b, data) for b in banks}
    log += event2(p, etype, ds, event)
    for b in banks:
        pcr[(b, p)] = H(b, pcr[(b, p)] + ds[b])

measure(0, 0x8, b"1.0", "1.0".encode("utf-16-le"))
measure(7, 0x80000001, b"\1", bytes(16) + struct.pack("<QQ", 10, 1) + "SecureBoot".encode("utf-16-le") + b"\1")
measure(7, 0x4, bytes(4), bytes(4))
for name, path in sections:
    n = "." + name
    measure(11, 0xD, n.encode() + b"\0", (n + "\0").encode("utf-16-le"))
    measure(11, 0xD, open(path, "rb").read(), (n + "\0").encode("utf-16-le"))
open(f"{w}/binary_bios_measurements", "wb").write(log)
with open(f"{w}/pcrs.fw", "w") as f:
    for (b, p), v in sorted(pcr.items()):
        if p != 11:
            print(b, p, v.hex(), file=f)

def record(p, string, ctype, etype):
    ds = [{"hashAlg": b, "digest": H(b, string.encode()).hex()} for b in ("sha1", "sha256", "sha384", "sha512")]
    content = {"string": string, "bootId": "0" * 32, "timestamp": 1, "eventType": etype}
    return "\x1e" + json.dumps({"pcr": p, "digests": ds, "content_type": ctype, "content": content}) + "\n"

with open(f"{w}/tpm2-measure.log", "w") as f:
    f.write(record(11, "enter-initrd", "systemd", "phase"))
    for s in (f"verinit.usr.roothash={root}", f"verinit.usr.signer.sha256={fpr}", "verinit.usr.kernel_verified=yes",
              "verinit.usr.slot=usr pinned=no", "verinit.usr.mount=erofs flags=ro,nodev", "verinit.root=tmpfs flags=", "verinit.init=/usr/lib/systemd/systemd"):
        f.write(record(15, s, "verinit", "verinit"))
    f.write(record(11, "leave-initrd", "systemd", "phase"))
EOF
grep -E '^(sha1|sha256) ' "$w/uki.lines" | cat - "$w/pcrs.fw" >"$w/pcrs"

run() { # NAME ARGS...: runs verinit-measure, keeps stdout, stderr and the exit status
	local name=$1
	shift
	vmr "$@" >"$w/$name.out" 2>"$w/$name.err"
	echo $? >"$w/$name.rc"
}
rc() { cat "$w/$1.rc"; }

run full replay --log "$w/tpm2-measure.log" --firmware-log "$w/binary_bios_measurements" --pcrs "$w/pcrs"
[ "$(rc full)" = 0 ] && [ "$(cat "$w/full.out")" = PASS ] &&
	pass "replay of the firmware and JSON logs against predict's values (PCRs 0, 7, 11, 15): PASS" ||
	fail "replay with --firmware-log: exit $(rc full), $(head -n3 "$w/full.out" "$w/full.err")"

run json replay --log "$w/tpm2-measure.log" --pcrs "$w/pcrs"
[ "$(rc json)" = 0 ] && [ "$(cat "$w/json.out")" = PASS ] && grep -q "PCR 11 is not replayed" "$w/json.err" &&
	pass "replay of the JSON log alone: PASS for PCR 15, PCR 11 skipped with a note" ||
	fail "replay without --firmware-log: exit $(rc json), $(head -n3 "$w/json.out" "$w/json.err")"

run need-fw replay --log "$w/tpm2-measure.log" --pcrs "$w/pcrs" --pcr 11
[ "$(rc need-fw)" = 2 ] && grep -q -- "--firmware-log" "$w/need-fw.err" && [ ! -s "$w/need-fw.out" ] &&
	pass "--pcr 11 without --firmware-log: exit 2, says why" || fail "--pcr 11 without --firmware-log: exit $(rc need-fw)"

awk '$1 == "sha256" && $2 == 15 { $3 = "00" substr($3, 3) } { print }' "$w/pcrs" >"$w/pcrs.tampered15"
run t15 replay --log "$w/tpm2-measure.log" --firmware-log "$w/binary_bios_measurements" --pcrs "$w/pcrs.tampered15"
[ "$(rc t15)" = 1 ] && head -n1 "$w/t15.out" | grep -q "^FAIL PCR 15 sha256" &&
	grep -q "verinit.usr.roothash=$roothash" "$w/t15.out" &&
	pass "a tampered PCR 15: exit 1, names PCR 15 sha256 and lists its events" ||
	fail "a tampered PCR 15: exit $(rc t15), $(head -n3 "$w/t15.out")"

awk '$1 == "sha1" && $2 == 11 { $3 = "ff" substr($3, 3) } { print }' "$w/pcrs" >"$w/pcrs.tampered11"
run t11 replay --log "$w/tpm2-measure.log" --firmware-log "$w/binary_bios_measurements" --pcrs "$w/pcrs.tampered11"
[ "$(rc t11)" = 1 ] && head -n1 "$w/t11.out" | grep -q "^FAIL PCR 11 sha1" &&
	grep -q "firmware EV_IPL [0-9a-f]* .linux" "$w/t11.out" &&
	pass "a tampered PCR 11: exit 1, names PCR 11 sha1, lists systemd-stub's EV_IPL events" ||
	fail "a tampered PCR 11: exit $(rc t11), $(head -n3 "$w/t11.out")"

# --handed-over: the phases in a replayed PCR 11, enter then leave, no failure.
run ho replay --log "$w/tpm2-measure.log" --firmware-log "$w/binary_bios_measurements" --pcrs "$w/pcrs" --handed-over
[ "$(rc ho)" = 0 ] && [ "$(cat "$w/ho.out")" = PASS ] &&
	pass "--handed-over: enter-initrd and leave-initrd in the replayed PCR 11: PASS" ||
	fail "--handed-over on a good boot: exit $(rc ho), $(head -n3 "$w/ho.out" "$w/ho.err")"
head -n -1 "$w/tpm2-measure.log" >"$w/noleave.log"
run ho2 replay --log "$w/noleave.log" --firmware-log "$w/binary_bios_measurements" --pcrs "$w/pcrs" --handed-over
[ "$(rc ho2)" = 1 ] && grep -q "no hand-over: the log has no leave-initrd" "$w/ho2.err" &&
	pass "--handed-over without leave-initrd: exit 1, says so" ||
	fail "--handed-over without leave-initrd: exit $(rc ho2), $(head -n3 "$w/ho2.err")"
{ cat "$w/noleave.log"; printf '\036{"pcr":15,"digests":[{"hashAlg":"sha256","digest":"%s"}],"content_type":"verinit","content":{"string":"verinit.failure stage=devices reason=DEVICE_TIMEOUT","eventType":"verinit-failure"}}\n' "$(printf 0%.0s $(seq 64))"; } >"$w/failed.log"
run ho3 replay --log "$w/failed.log" --firmware-log "$w/binary_bios_measurements" --pcrs "$w/pcrs" --handed-over
[ "$(rc ho3)" = 1 ] && grep -q "no hand-over: the log records a failure" "$w/ho3.err" &&
	pass "--handed-over with a failure record: exit 1, names it" ||
	fail "--handed-over with a failure record: exit $(rc ho3), $(head -n3 "$w/ho3.err")"
run ho4 replay --log "$w/tpm2-measure.log" --pcrs "$w/pcrs" --handed-over
[ "$(rc ho4)" = 2 ] && grep -q "PCR 11, which holds the phases, is not replayed" "$w/ho4.err" &&
	pass "--handed-over without the firmware log: exit 2, PCR 11 is not replayed" ||
	fail "--handed-over without --firmware-log: exit $(rc ho4), $(head -n3 "$w/ho4.err")"

# ---- errors: exit 2, one line on stderr naming the file, nothing on stdout ----------------------
one_line() { # NAME WANT-IN-STDERR
	[ "$(rc "$1")" = 2 ] && [ ! -s "$w/$1.out" ] && [ "$(wc -l <"$w/$1.err")" = 1 ] && grep -qF -- "$2" "$w/$1.err"
}
run e1 replay --log "$w/tpm2-measure.log" --pcrs "$w/no-such-file"
expect "an unreadable PCR file: exit 2, one line naming it" one_line e1 "$w/no-such-file: No such file or directory"
run e2 predict --uki "$w/osrel.bin" --usr-env "$lab/usr/usr.env"
expect "a UKI that is no PE image: exit 2, one line naming it" one_line e2 "$w/osrel.bin: not a PE image"
run e3 predict --uki /usr/lib/systemd/boot/efi/linuxx64.efi.stub --usr-env "$lab/usr/usr.env"
expect "the bare stub: exit 2, 'no .linux section'" one_line e3 "linuxx64.efi.stub: no .linux section"
printf '\036{"pcr":15,"digests":[]}\n' >"$w/bad.log"
run e4 replay --log "$w/bad.log" --pcrs "$w/pcrs"
expect "a malformed JSON log: exit 2, names the file and record" one_line e4 "$w/bad.log: record 1:"
head -c 100 "$w/binary_bios_measurements" >"$w/cut.bin"
run e5 replay --firmware-log "$w/cut.bin" --pcrs "$w/pcrs"
expect "a truncated firmware log: exit 2, names the file and event" one_line e5 "$w/cut.bin: event "
run e6 predict --uki "$uki" --usr-roothash "$(echo "$roothash" | tr a-f A-F)" --cert "$lab/keys/db.crt"
expect "an upper-case root hash is refused" one_line e6 "--usr-roothash"
run e7 predict --uki "$uki" --usr-env "$lab/usr/usr.env" --bogus
expect "an unknown option: exit 2" one_line e7 "--bogus"
run e8 predict --uki "$uki" --usr-env "$lab/usr/usr.env" --failure measure:MEASURE
expect "a failure in measure without --facts-extended: exit 2" one_line e8 "--facts-extended N goes with --failure measure"
run e9 predict --uki "$uki" --usr-env "$lab/usr/usr.env" --failure signature:SIG_INVALID --facts-extended 1
expect "--facts-extended with a failure outside measure: exit 2" one_line e9 "--facts-extended N goes with --failure measure"
run e10 predict --uki "$uki" --usr-env "$lab/usr/usr.env" --failure measure:MEASURE --facts-extended 40
expect "more facts extended than there are: exit 2" one_line e10 "--facts-extended"

if [ "$failures" -gt 0 ]; then
	echo "measure-cli: $failures of $checks checks failed"
	exit 1
fi
echo "measure-cli: all $checks checks passed"
