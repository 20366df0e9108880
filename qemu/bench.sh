#!/usr/bin/env bash
# make bench: boots the lab's signed image with three UKIs doing the same job: verinit's (a), the
# incumbent's, dracut + systemd 252 (b, qemu/incumbent.sh), and a shell script's (c,
# qemu/script-peer.sh), interleaved a b c a b c ..., one boot at a time, under the same QEMU
# settings (OVMF with Secure Boot, swtpm, TCG): N rounds on the wall clock, N under -icount
# (qemu/boot.sh --icount), each wall round followed by an icount one. Writes the comparison:
# bench.json, bench.md and bench.png (test/tools/bench-report.py).
#
# usage: qemu/bench.sh LAB_DIR INCUMBENT_DIR SCRIPT_DIR OUT_DIR [N]
#   N: boots of each peer on each clock, default 5, at least 5
#
# Per boot, from the serial log: the guest clock of "Run /init" (kernel start to /init) and of the
# test init's start. On the wall clock that start is the host's stamp of the test init's first
# line (VERINIT-REPORT-BEGIN); under icount, where only the guest's clock means anything, its
# "verinit-test: init started" kernel line. verinit's own stages, CPU time and peak memory come
# from its boot report.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
[ $# -ge 4 ] || die "usage: qemu/bench.sh LAB_DIR INCUMBENT_DIR SCRIPT_DIR OUT_DIR [N]"
lab=$1 inc=$2 scr=$3 out=$4 n=${5:-5}
[[ $n =~ ^[0-9]+$ ]] && [ "$n" -ge 5 ] || die "N must be a number of at least 5, not '$n'"
for f in "$lab/uki.efi" "$lab/disk.img" "$lab/initramfs.img" "$inc/uki-dracut.efi" "$inc/initramfs-dracut.img" \
	"$scr/uki-script.efi" "$scr/initramfs-script.img"; do
	[ -r "$f" ] || die "$f missing (make bench builds it)"
done
mkdir -p "$out/runs"

# One boot: its run directory, then one JSON line of what the serial log says.
boot() { # name uki run-dir clock
	local name=$1 uki=$2 run=$3 clock=$4 opt=()
	[ "$clock" = wall ] || opt=(--icount)
	"$here/boot.sh" --run "$run" --uki "$uki" --disk "$lab/disk.img" --timeout 600 "${opt[@]}" >/dev/null ||
		die "boot $run could not run"
	grep -q '^verdict=handed-over$' "$run/verdict" ||
		die "$name did not hand over in $run ($(head -n1 "$run/verdict")): the comparison would be void"
	/usr/bin/python3 "$here/../test/tools/bench-report.py" parse "$name" "$run" "$clock"
}

# The report's arithmetic first: a broken one would void 6 x N boots.
/usr/bin/python3 "$here/../test/tools/bench-report.py" selftest >/dev/null
: >"$out/boots.jsonl"
start=$SECONDS
for i in $(seq 1 "$n"); do
	for clock in wall icount; do
		for side in verinit incumbent script; do
			case $side in
			verinit) uki=$lab/uki.efi ;; incumbent) uki=$inc/uki-dracut.efi ;; script) uki=$scr/uki-script.efi ;;
			esac
			echo "bench: round $i of $n, $clock clock: $side" >&2
			boot $side "$uki" "$out/runs/$side-$clock-$i" $clock >>"$out/boots.jsonl"
		done
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
	--initramfs incumbent="$inc/initramfs-dracut.img" --initramfs script="$scr/initramfs-script.img" \
	--uki verinit="$lab/uki.efi" --uki incumbent="$inc/uki-dracut.efi" --uki script="$scr/uki-script.efi"
cat "$out/bench.md"
echo "bench: $((SECONDS - start)) s for the boots and the report" >&2
