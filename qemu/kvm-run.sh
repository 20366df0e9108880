#!/usr/bin/env bash
# Boots the peers of a bundle from qemu/kvm-bundle.sh N times each under KVM, interleaved (a b a b
# ...), one boot at a time, through qemu/boot.sh with the bundle's QEMU, swtpm and OVMF, and writes
# the absolute medians (docs/performance.md, "Absolute times under KVM"). Run from the repository's
# root on the machine with KVM, which needs bash, coreutils, tar with xz (or python3's lzma) and
# python3, and no QEMU, OVMF or swtpm of its own.
#
# usage: qemu/kvm-run.sh BUNDLE OUT_DIR [N]   (BUNDLE: kvm-bundle.tar.xz or its unpacked
#                                             directory; N: boots of each peer, default 5)
# OUT_DIR/kvm.md, kvm.json  medians (min to max) per peer of kernel start → "Run /init",
#                 "Run /init" → the system's init, kernel start → the system's init (seconds,
#                 test/tools/bench-report.py's parse), with the date and the machine
# OUT_DIR/boots.jsonl  one line per boot that handed over; OUT_DIR/runs/PEER-I/ each boot's
#                 serial log and verdict
# Exits 3, saying "no /dev/kvm on this machine" (also in OUT_DIR/kvm.md), where there is no KVM:
# the numbers would be TCG's, which make bench already has. KVM_RUN_ACCEL=tcg boots under TCG
# instead: the check, on a machine without KVM, that the bundle holds all the boots need.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
[ $# -ge 2 ] && [ $# -le 3 ] || die "usage: qemu/kvm-run.sh BUNDLE OUT_DIR [N]"
bundle=$1 out=$2 n=${3:-5} accel=${KVM_RUN_ACCEL:-kvm}
[[ $n =~ ^[1-9][0-9]*$ ]] || die "N must be a number of at least 1, not '$n'"
case $accel in kvm | tcg) ;; *) die "KVM_RUN_ACCEL is kvm or tcg, not '$accel'" ;; esac
mkdir -p "$out"
machine="$(uname -n), $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1), Linux $(uname -r)"
if [ "$accel" = kvm ] && ! [ -c /dev/kvm ]; then
	printf '# Absolute times under KVM\n\nno /dev/kvm on this machine (%s, %s)\n' \
		"$machine" "$(date -u +%Y-%m-%d)" >"$out/kvm.md"
	echo "no /dev/kvm on this machine" >&2
	exit 3
fi
# Present but not ours to open (a kvm group we are not in): also no KVM numbers.
[ "$accel" = tcg ] || { : <>/dev/kvm; } 2>/dev/null || die_status=3 die "/dev/kvm exists but cannot be opened"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kvm-run.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
if [ -d "$bundle" ]; then
	b=$(cd "$bundle" && pwd)
else
	[ -r "$bundle" ] || die "no bundle at $bundle (qemu/kvm-bundle.sh makes it)"
	mkdir "$tmp/bundle"
	b=$tmp/bundle
	if command -v xz >/dev/null; then
		xz -dc "$bundle" | tar -C "$b" -xf -
	else
		python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1], "r:xz").extractall(sys.argv[2])' "$bundle" "$b"
	fi
fi
for f in lib/ld-linux-x86-64.so.2 bin/qemu-system-x86_64 bin/swtpm bin/swtpm_setup lab/vmlinuz.signed \
	lab/disk.img lab/OVMF_VARS.fd ovmf/OVMF_CODE_4M.secboot.fd MANIFEST; do
	[ -r "$b/$f" ] || die "the bundle lacks $f"
done
peers=()
for d in "$b"/peers/*/; do
	[ -r "$d/initramfs.img" ] && [ -r "$d/cmdline" ] || continue
	d=${d%/}
	peers+=("${d##*/}")
done
[ ${#peers[@]} -gt 0 ] || die "the bundle has no peer"

# Each program runs through the bundle's own loader with the bundle's lib/ as its only library
# path and without the machine's loader cache: a library the bundle lacks fails the boot here, on
# the machine that made it, rather than being found on one that has it. QEMU's modules and data
# files come from the bundle too (QEMU would look for them next to the loader, its /proc/self/exe).
w=$tmp/wrap
mkdir -p "$w"
run_as() { # NAME ARGS...: a wrapper $w/NAME that runs the bundle's NAME with ARGS first
	local name=$1 args=
	shift
	[ $# -eq 0 ] || args=$(printf ' %q' "$@")
	printf '#!/bin/sh\nexec %q --inhibit-cache --library-path %q %q%s "$@"\n' "$b/lib/ld-linux-x86-64.so.2" \
		"$b/lib" "$b/bin/$name" "$args" >"$w/$name"
	chmod +x "$w/$name"
}
run_as qemu-system-x86_64 -L "$b/share/qemu"
run_as swtpm
# swtpm_setup starts the swtpm it finds on PATH: the wrapper's, found first.
run_as swtpm_setup --config "$b/etc/swtpm_setup.conf"
export QEMU_MODULE_DIR=$b/qemu PATH=$w:$PATH BOOT_QEMU=$w/qemu-system-x86_64 BOOT_SWTPM=$w/swtpm
export BOOT_SWTPM_SETUP=$w/swtpm_setup BOOT_OVMF_DIR=$b/ovmf
if [ "$accel" = kvm ]; then timeout=120; else timeout=600; fi

: >"$out/boots.jsonl"
: >"$out/failed"
rm -rf "$out/runs"
for i in $(seq 1 "$n"); do
	for p in "${peers[@]}"; do
		run=$out/runs/$p-$i
		echo "kvm-run: boot $i of $n: $p ($accel)" >&2
		"$here/boot.sh" --accel "$accel" --run "$run" --kernel "$b/lab/vmlinuz.signed" \
			--initrd "$b/peers/$p/initramfs.img" --append "$(cat "$b/peers/$p/cmdline")" \
			--disk "$b/lab/disk.img" --vars "$b/lab/OVMF_VARS.fd" --timeout "$timeout" >/dev/null ||
			die "boot $run could not run"
		# What comes back is small: the TPM's state and the variable store are a copy per boot.
		rm -rf "$run/tpm" "$run/vars.fd"
		if grep -q '^verdict=handed-over$' "$run/verdict"; then
			python3 "$here/../test/tools/bench-report.py" parse "$p" "$run" >>"$out/boots.jsonl"
		else
			# A boot that did not hand over has no time to the system's init: counted, not timed.
			echo "$p-$i $(head -n1 "$run/verdict")" | tee -a "$out/failed" >&2
		fi
	done
done

python3 - "$out" "$accel" "$machine" "$(sed -n 's/^qemu=//p' "$b/MANIFEST")" "$n" "${peers[@]}" <<'EOF'
import json, statistics, sys, time
out, accel, machine, qemu, n, peers = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6:]
boots = [json.loads(l) for l in open(f"{out}/boots.jsonl") if l.strip()]
keys = [("kernel_to_init", "kernel start → `Run /init`"), ("init_to_system", "`Run /init` → system init"),
        ("kernel_to_system", "kernel start → system init")]
res = {"date": time.strftime("%Y-%m-%d", time.gmtime()), "machine": machine, "accel": accel, "qemu": qemu,
       "boots_per_peer": n, "peers": {}}
for p in peers:
    mine = [b for b in boots if b["name"] == p]
    res["peers"][p] = {"handed_over": len(mine)}
    for k, _ in keys:
        v = [b[k] for b in mine]
        if v:
            res["peers"][p][k] = {"median": round(statistics.median(v), 3), "min": min(v), "max": max(v)}
json.dump(res, open(f"{out}/kvm.json", "w"), indent=1, sort_keys=True)
md = [f"# Absolute times under {accel.upper()}", "",
      f"{res['date']}, {machine}; {qemu}, -accel {accel}; {n} boots of each peer, interleaved.",
      "Seconds, median (min to max) of the boots that handed over.", "",
      "| | " + " | ".join(peers) + " |", "|---|" + "---|" * len(peers)]
for k, label in keys:
    cells = []
    for p in peers:
        s = res["peers"][p].get(k)
        cells.append(f"{s['median']:.3f} ({s['min']:.3f} to {s['max']:.3f})" if s else "none")
    md.append(f"| {label} | " + " | ".join(cells) + " |")
md.append("| boots that handed over | " + " | ".join(f"{res['peers'][p]['handed_over']} of {n}" for p in peers) + " |")
open(f"{out}/kvm.md", "w").write("\n".join(md) + "\n")
print("\n".join(md))
EOF
