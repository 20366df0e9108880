#!/usr/bin/env bash
# Assembles a Unified Kernel Image on Debian 12's systemd-stub (252) and signs it with sbsign.
# Usage: qemu/uki.sh OUT.efi KEY CERT VMLINUZ INITRD CMDLINE
set -euo pipefail
[ $# -eq 6 ] || { echo "usage: qemu/uki.sh OUT.efi KEY CERT VMLINUZ INITRD CMDLINE" >&2; exit 2; }
out=$1 key=$2 cert=$3 kernel=$4 initrd=$5 cmdline=$6
stub=/usr/lib/systemd/boot/efi/linuxx64.efi.stub
[ -f "$stub" ] || { echo "uki: $stub missing (package systemd-boot-efi)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '%s' "$cmdline" >"$tmp/cmdline"
printf 'ID=verinit-lab\nNAME="verinit boot lab"\nVERSION_ID=1\n' >"$tmp/osrel"

# As ukify lays them out: each section starts at the next 4 KiB boundary after the end of the
# stub's last section or the previous added one. (Hex arithmetic in bash: Debian's awk is mawk.)
end=0
while read -r idx _ size vma _; do
	[[ $idx =~ ^[0-9]+$ ]] || continue
	((0x$vma + 0x$size > end)) && end=$((0x$vma + 0x$size))
done < <(objdump -h "$stub")
args=()
for s in osrel:"$tmp/osrel" cmdline:"$tmp/cmdline" linux:"$kernel" initrd:"$initrd"; do
	name=${s%%:*} file=${s#*:}
	vma=$(((end + 4095) / 4096 * 4096))
	args+=(--add-section ".$name=$file" --change-section-vma ".$name=$(printf 0x%x "$vma")")
	end=$((vma + $(stat -L -c %s "$file")))
done
objcopy "${args[@]}" "$stub" "$tmp/unsigned.efi"
# sbsign warns about gaps between sections for the bare stub too; its exit status is what counts.
sbsign --key "$key" --cert "$cert" --output "$tmp/signed.efi" "$tmp/unsigned.efi" 2>"$tmp/sbsign.err" ||
	{ echo "uki: sbsign failed: $(tail -n1 "$tmp/sbsign.err")" >&2; exit 1; }
mv "$tmp/signed.efi" "$out"
