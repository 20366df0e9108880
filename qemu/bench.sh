#!/usr/bin/env bash
# make bench: boots the lab's signed image N times with verinit's UKI (a) and N times with the
# incumbent's, dracut + systemd 252 doing the same job (b, qemu/incumbent.sh), interleaved
# a b a b ..., one boot at a time, under the same QEMU settings (OVMF with Secure Boot, swtpm,
# TCG), and writes the comparison: bench.json, bench.md and bench.png (test/tools/bench-report.py).
#
# usage: qemu/bench.sh LAB_DIR INCUMBENT_DIR OUT_DIR [N]   (N: boots of each, default 5, at least 5)
#
# Per boot, from the serial log: the guest clock of "Run /init" (kernel start to /init), and the
# host's stamps of that line and of the test init's first line (VERINIT-REPORT-BEGIN), whose
# difference is /init to the system's init. The guest clock runs with the host's under TCG, so
# the host stamps of the incumbent's phase lines are placed on the guest's time line through the
# "Run /init" line. verinit's own stages, CPU time and peak memory come from its boot report.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
[ $# -ge 3 ] || die "usage: qemu/bench.sh LAB_DIR INCUMBENT_DIR OUT_DIR [N]"
lab=$1 inc=$2 out=$3 n=${4:-5}
[[ $n =~ ^[0-9]+$ ]] && [ "$n" -ge 5 ] || die "N must be a number of at least 5, not '$n'"
for f in "$lab/uki.efi" "$lab/disk.img" "$lab/initramfs.img" "$inc/uki-dracut.efi" "$inc/initramfs-dracut.img"; do
	[ -r "$f" ] || die "$f missing (make bench builds it)"
done
mkdir -p "$out/runs"

# One boot: its run directory, then one JSON line of what the serial log says.
boot() { # name uki run-dir
	local name=$1 uki=$2 run=$3
	"$here/boot.sh" --run "$run" --uki "$uki" --disk "$lab/disk.img" --timeout 600 >/dev/null ||
		die "boot $run could not run"
	grep -q '^verdict=handed-over$' "$run/verdict" ||
		die "$name did not hand over in $run ($(head -n1 "$run/verdict")): the comparison would be void"
	/usr/bin/python3 "$here/../test/tools/bench-report.py" parse "$name" "$run"
}

: >"$out/boots.jsonl"
for i in $(seq 1 "$n"); do
	for side in verinit incumbent; do
		if [ $side = verinit ]; then uki=$lab/uki.efi; else uki=$inc/uki-dracut.efi; fi
		echo "bench: boot $i of $n: $side" >&2
		boot $side "$uki" "$out/runs/$side-$i" >>"$out/boots.jsonl"
	done
done

# One more boot of verinit, traced, for the code it runs stage by stage: under TCG that, more than
# the instructions executed, is its CPU time (test/tools/footprint.py). Not one of the timed boots.
echo "bench: one traced boot of verinit" >&2
"$here/boot.sh" --run "$out/runs/verinit-traced" --uki "$lab/uki.efi" --disk "$lab/disk.img" --timeout 900 \
	--trace-code "$out/code.log" >/dev/null || die "the traced boot could not run"
grep -q '^verdict=handed-over$' "$out/runs/verinit-traced/verdict" || die "the traced boot did not hand over"
/usr/bin/python3 "$here/../test/tools/footprint.py" "$out/code.log" "$here/../build/verinit.unstripped" \
	>"$out/footprint.json"
rm -f "$out/code.log"

/usr/bin/python3 "$here/../test/tools/bench-report.py" report "$out/boots.jsonl" "$out" \
	--footprint "$out/footprint.json" \
	--verinit-binary "$here/../build/verinit" --initramfs verinit="$lab/initramfs.img" \
	--initramfs incumbent="$inc/initramfs-dracut.img" --uki verinit="$lab/uki.efi" \
	--uki incumbent="$inc/uki-dracut.efi"
cat "$out/bench.md"
