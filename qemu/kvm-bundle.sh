#!/usr/bin/env bash
# Packs what a machine with KVM but without QEMU, OVMF or swtpm needs to boot the lab, into one
# compressed file that travels with the working tree (qemu/kvm-run.sh unpacks and boots it there;
# docs/performance.md, "Absolute times under KVM").
#
# usage: qemu/kvm-bundle.sh OUT_DIR [NAME=INITRAMFS:CMDLINE_FILE]...
#   OUT_DIR  gets kvm-bundle.tar.xz (what travels, at most 64 MiB) and MANIFEST (its contents)
#   NAME=INITRAMFS:CMDLINE_FILE  one peer: an initramfs booted with the lab's kernel and the command
#            line in CMDLINE_FILE; NAME is [a-z0-9-]. Without any, the peers are make bench's:
#            verinit (build/lab/initramfs.img) and, when built, the dracut incumbent
#            (build/bench/incumbent/initramfs-dracut.img), each with its UKI's command line.
#
# In it: qemu-system-x86_64, swtpm and swtpm_setup with every library they load and the dynamic
# loader they were linked with (so no library of the machine's own is used), QEMU's TCG module and
# the firmware files it reads for this machine type, OVMF's Secure Boot build and the lab's enrolled
# variable store, the lab's kernel signed with the lab's db key, the peers and the lab's disk. No
# private key: the kernel is signed here.
#
# The peers boot with -kernel/-initrd/-append through OVMF rather than as UKIs: one kernel for all of
# them instead of a 12 MB kernel in each UKI. The kernel is signed because under Secure Boot OVMF
# verifies what -kernel hands it; Debian 12's OVMF starts the unsigned kernel too (its fallback to
# the Linux boot protocol when the check fails, which newer edk2 turns off under Secure Boot), so a
# signed kernel takes the same verified path as the UKI on any OVMF.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
[ $# -ge 1 ] || die "usage: qemu/kvm-bundle.sh OUT_DIR [NAME=INITRAMFS:CMDLINE_FILE]..."
out=$1
shift
lab=$here/../build/lab inc=$here/../build/bench/incumbent
limit=$((64 * 1024 * 1024))
for f in kernel/vmlinuz initramfs.img disk.img OVMF_VARS.fd keys/db.key keys/db.crt; do
	[ -r "$lab/$f" ] || die "$lab/$f missing (make lab builds it)"
done
for t in qemu-system-x86_64 swtpm swtpm_setup sbsign objcopy ldd xz sha256sum; do
	command -v "$t" >/dev/null || die "$t not found (third_party/host-packages.sh installs it)"
done
code=/usr/share/OVMF/OVMF_CODE_4M.secboot.fd
[ -r "$code" ] || die "$code missing (the ovmf package)"

mkdir -p "$out"
stage=$out/stage
rm -rf "$stage" "$out/kvm-bundle.tar.xz"
mkdir -p "$stage"/{bin,lib,qemu,share/qemu,ovmf,lab,peers,etc}

# The peers: NAME, INITRAMFS, CMDLINE_FILE, one after the other.
peers=()
uki_cmdline() { # UKI FILE: the command line a UKI boots with, the one make bench's boots used
	objcopy -O binary --only-section=.cmdline "$1" "$2.part" && tr -d '\0' <"$2.part" >"$2" && rm -f "$2.part"
	[ -s "$2" ] || die "$1 has no .cmdline section"
}
if [ $# -eq 0 ]; then
	[ -r "$lab/uki.efi" ] || die "$lab/uki.efi missing (make lab builds it)"
	uki_cmdline "$lab/uki.efi" "$out/verinit.cmdline"
	peers+=(verinit "$lab/initramfs.img" "$out/verinit.cmdline")
	if [ -r "$inc/initramfs-dracut.img" ] && [ -r "$inc/uki-dracut.efi" ]; then
		uki_cmdline "$inc/uki-dracut.efi" "$out/incumbent.cmdline"
		peers+=(incumbent "$inc/initramfs-dracut.img" "$out/incumbent.cmdline")
	else
		echo "kvm-bundle: no dracut incumbent ($inc/uki-dracut.efi): the bundle has verinit alone" \
			"(make build/bench/incumbent/uki-dracut.efi builds it; make kvm-bundle does)" >&2
	fi
fi
for p in "$@"; do
	[[ $p =~ ^([a-z0-9-]+)=([^:]+):(.+)$ ]] || die "a peer is NAME=INITRAMFS:CMDLINE_FILE, not '$p'"
	[ -r "${BASH_REMATCH[2]}" ] && [ -r "${BASH_REMATCH[3]}" ] || die "$p: a file is missing"
	peers+=("${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" "${BASH_REMATCH[3]}")
done
for ((i = 0; i < ${#peers[@]}; i += 3)); do
	name=${peers[i]}
	[ ! -e "$stage/peers/$name" ] || die "peer $name given twice"
	mkdir "$stage/peers/$name"
	cp -L "${peers[i + 1]}" "$stage/peers/$name/initramfs.img"
	# One line: boot.sh passes it to -append as it is.
	tr '\n' ' ' <"${peers[i + 2]}" | sed 's/ *$//' >"$stage/peers/$name/cmdline"
done

# The programs, and every library they and QEMU's TCG module load, under the names they ask for
# (their sonames), copies, not links: the tar must hold the files. TCG is in a module that QEMU
# opens only for -accel tcg: the bundle's check on this side (kvm-run.sh with KVM_RUN_ACCEL=tcg)
# needs it, a KVM boot does not.
qemu_bin=$(readlink -f "$(command -v qemu-system-x86_64)")
tcg=$(dirname "$qemu_bin")/../lib/x86_64-linux-gnu/qemu/accel-tcg-x86_64.so
[ -r "$tcg" ] || die "QEMU's TCG module is not at $tcg"
bins=("$qemu_bin" "$(readlink -f "$(command -v swtpm)")" "$(readlink -f "$(command -v swtpm_setup)")")
cp "${bins[@]}" "$stage/bin/"
cp "$tcg" "$stage/qemu/"
ldd "${bins[@]}" "$tcg" >"$out/ldd.txt" || die "ldd failed (see $out/ldd.txt)"
grep -q 'not found' "$out/ldd.txt" && die "a library is missing on this machine (see $out/ldd.txt)"
while read -r soname path; do
	cp -L "$path" "$stage/lib/$soname"
done < <(awk '$2 == "=>" && $3 ~ /^\// { print $1, $3 }' "$out/ldd.txt" | sort -u)
# The loader they were linked with: kvm-run.sh runs each program through it with the bundle's
# lib/ as the only library path.
loader=$(awk '$1 ~ /^\/.*ld-linux/ { print $1; exit }' "$out/ldd.txt")
[ -n "$loader" ] || die "no dynamic loader in $out/ldd.txt"
cp -L "$loader" "$stage/lib/ld-linux-x86-64.so.2"

# QEMU's own files for this machine (q35, its default VGA, -kernel through the firmware, no NIC:
# no option ROM), as an strace of qemu/boot.sh's command showed it opening them; -nic none spares
# the efi-*.rom. Debian's QEMU looks in share/seabios after share/qemu (vgabios-stdvga.bin is
# there); the bundle puts them all in the one directory kvm-run.sh names with -L.
share=$(dirname "$qemu_bin")/../share
for f in kvmvapic.bin linuxboot_dma.bin vgabios-stdvga.bin; do
	src=$share/qemu/$f
	[ -r "$src" ] || src=$share/seabios/$f
	[ -r "$src" ] || die "QEMU's $f is in neither $share/qemu nor $share/seabios"
	cp -L "$src" "$stage/share/qemu/$f"
done

# swtpm_setup's configuration: only the PCR banks. The host's also names a certificate tool,
# which boot.sh never asks for (no --create-ek-cert) and which the bundle does not carry.
echo "active_pcr_banks = sha256" >"$stage/etc/swtpm_setup.conf"

cp "$code" "$stage/ovmf/OVMF_CODE_4M.secboot.fd"
cp "$lab/OVMF_VARS.fd" "$stage/lab/OVMF_VARS.fd"
sbsign --key "$lab/keys/db.key" --cert "$lab/keys/db.crt" --output "$stage/lab/vmlinuz.signed" \
	"$lab/kernel/vmlinuz" 2>"$out/sbsign.log" || die "sbsign failed: $(tail -n1 "$out/sbsign.log")"
cp --sparse=always "$lab/disk.img" "$stage/lab/disk.img"

{
	echo "made=$(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -n)"
	echo "qemu=$("$qemu_bin" --version | head -n1)"
	echo "swtpm=$(swtpm --version 2>&1 | head -n1)"
	echo "ovmf=$(dpkg-query -W -f '${Package} ${Version}' ovmf 2>/dev/null || echo unknown)"
	echo "kernel=$(cat "$lab/kernel/kver" 2>/dev/null || echo unknown) (signed with the lab's db key)"
	for ((i = 0; i < ${#peers[@]}; i += 3)); do
		echo "peer=${peers[i]} $(cat "$stage/peers/${peers[i]}/cmdline")"
	done
	(cd "$stage" && find . -type f | sort | xargs sha256sum)
} >"$stage/MANIFEST"
cp "$stage/MANIFEST" "$out/MANIFEST"

# xz rather than zstd: the machine that unpacks it has tar and xz (or Python's lzma) far more
# surely than zstd. --sparse keeps the disk's holes out of the stream.
tar -C "$stage" --sparse --owner=0 --group=0 -cf - . | xz -9 -T0 >"$out/kvm-bundle.tar.xz.part"
mv "$out/kvm-bundle.tar.xz.part" "$out/kvm-bundle.tar.xz"
rm -rf "$stage"
size=$(stat -c %s "$out/kvm-bundle.tar.xz")
[ "$size" -le "$limit" ] ||
	die "$out/kvm-bundle.tar.xz is $size bytes, over the 64 MiB a call carries: bundle fewer peers (NAME=INITRAMFS:CMDLINE_FILE), one per call if need be"
echo "kvm-bundle: $out/kvm-bundle.tar.xz, $size bytes ($(((size + 524287) / 1048576)) MiB of 64), peers:" \
	"$(for ((i = 0; i < ${#peers[@]}; i += 3)); do printf '%s ' "${peers[i]}"; done)"
