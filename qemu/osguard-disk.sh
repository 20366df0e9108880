#!/bin/bash
# Build a disk shaped as Azure Linux OS Guard's after its first boot, from an ESP payload and a
# qemu/usr-image.sh output (ext4), reproducibly and without loop devices or mounts.
#
# usage: qemu/osguard-disk.sh OUT.img ESP_PAYLOAD_DIR USR_DIR [--root-tree DIR]
#
#   ESP_PAYLOAD_DIR  files copied into the ESP with their relative paths (EFI/BOOT/BOOTX64.EFI)
#   USR_DIR          holds usr.img (ext4), usr-verity.img and usr.env
#   --root-tree      what root-a holds (qemu/root-tree.sh), instead of nothing
#
# The partitions are qemu/osguard/repart.d's, OS Guard's labels, types and order at the lab's
# sizes: esp, boot-a (empty ext4), usr-a (USR_DIR's usr.img, on a partition of the generic Linux
# type), usr-hash-a (its hash tree), root-a (ext4: the writable root), then boot-b, usr-b,
# usr-hash-b, root-b. The A slot is written with sfdisk as an image builder writes it, its
# PARTUUIDs the definitions' UUID=; then systemd-repart, given all nine definitions, adds the empty
# B slot as OS Guard's first boot does (its PARTUUIDs from a fixed --seed). No signature partition:
# OS Guard's signature is a file, embedded in the initramfs. Every partition is read back (type,
# PARTUUID, label; the A slot's contents) before OUT.img is moved into place. SOURCE_DATE_EPOCH
# (default 0) sets the file systems' times.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
defs=$here/osguard/repart.d
usage="usage: osguard-disk.sh OUT.img ESP_PAYLOAD_DIR USR_DIR [--root-tree DIR]"
[ $# -eq 3 ] || { [ $# -eq 5 ] && [ "$4" = --root-tree ] && [ -d "$5" ]; } || die "$usage"
out=$1 espdir=$2 usrdir=$3 root_tree=${5:-}
[ -d "$espdir" ] || die "ESP payload directory $espdir missing"
for f in usr.img usr-verity.img usr.env; do
	[ -r "$usrdir/$f" ] || die "$usrdir/$f missing (run qemu/usr-image.sh --fs ext4 first)"
done
grep -qx 'FSTYPE=ext4' "$usrdir/usr.env" || die "$usrdir/usr.img is not ext4 (OS Guard's /usr is)"
for tool in sfdisk mkfs.vfat mmd mcopy jq sha256sum systemd-repart; do
	command -v "$tool" >/dev/null || die "$tool not found"
done

# A definition's key (the first), read, not parsed: these files are ours and plain.
def_get() { sed -n "s/^$2=//p" "$1" | head -n 1; }
declare -A type_guid=([esp]=C12A7328-F81F-11D2-BA4B-00A0C93EC93B [linux-generic]=0FC63DAF-8483-4772-8E79-3D69D8477DE4
	[usr]=8484680C-9521-48C6-9C11-B0720656F69E [usr-verity]=77FF5F63-E7B6-4633-ACF4-1565B864C0E6
	[root]=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709)

mib=2048 # sectors of 512 bytes
epoch=${SOURCE_DATE_EPOCH:-0}
outdir=$(dirname "$out")
tmp=$(mktemp -d "$outdir/.osguard-disk.XXXXXX") || die "cannot create a temp dir in $outdir"
trap 'rm -rf "$tmp"' EXIT
tmp=$(cd "$tmp" && pwd) # absolute: the ESP is filled from inside ESP_PAYLOAD_DIR

# The ESP as qemu/disk.sh builds it: FAT cannot store times before 1980.
esp_image() { # FILE MIB VOLUME-ID
	local fat_epoch=$epoch
	[ "$fat_epoch" -ge 315532800 ] || fat_epoch=315532800
	SOURCE_DATE_EPOCH=$fat_epoch TZ=UTC mkfs.vfat -F 32 -h $mib --invariant -i "$3" -n ESP -C "$1" $(($2 * 1024)) \
		>"$tmp/log" 2>&1 || die "mkfs.vfat failed: $(tail -n1 "$tmp/log")"
	(
		cd "$espdir"
		export MTOOLS_SKIP_CHECK=1 SOURCE_DATE_EPOCH=$fat_epoch TZ=UTC
		find . -mindepth 1 -type d | LC_ALL=C sort | while IFS= read -r d; do mmd -i "$1" "::/${d#./}" || exit 1; done
		find . -type f | LC_ALL=C sort | while IFS= read -r f; do mcopy -i "$1" "$f" "::/${f#./}" || exit 1; done
	) >"$tmp/log" 2>&1 || die "copying $espdir into the ESP failed: $(tail -n1 "$tmp/log")"
}

# The A slot: each definition with UUID=, in order, 1 MiB aligned.
{
	echo "label: gpt"
	echo "label-id: $(sha256sum <<<"osguard-disk:$(sed -n 's/^ROOTHASH=//p' "$usrdir/usr.env")" |
		sed -E 's/^(.{8})(.{4})(.{4})(.{4})(.{12}).*/\1-\2-\3-\4-\5/')"
	echo "unit: sectors"
	echo "first-lba: $mib"
} >"$tmp/table"
start=$mib total=0 a=()
for def in "$defs"/*.conf; do
	label=$(def_get "$def" Label) type=$(def_get "$def" Type) uuid=$(def_get "$def" UUID)
	min=$(def_get "$def" SizeMinBytes) max=$(def_get "$def" SizeMaxBytes)
	[[ $min =~ ^[0-9]+M$ && $min = "$max" ]] || die "$def: SizeMinBytes and SizeMaxBytes must be one size in M"
	[ -n "${type_guid[$type]:-}" ] || die "$def: unknown Type=$type"
	size=${min%M}
	total=$((total + size))
	[ -n "$uuid" ] || continue
	case $label in
	esp) esp_image "$tmp/$label" "$size" "${uuid:0:8}" ;;
	boot-a) "$here/ext4-image.sh" "$tmp/$label" "$size" "$label" "$uuid" ;;
	root-a) "$here/ext4-image.sh" "$tmp/$label" "$size" "$label" "$uuid" ${root_tree:+--tree "$root_tree"} ;;
	usr-a) cp "$usrdir/usr.img" "$tmp/$label" ;;
	usr-hash-a) cp "$usrdir/usr-verity.img" "$tmp/$label" ;;
	*) die "$def: no content for the A-slot partition '$label'" ;;
	esac
	[ "$(stat -c %s "$tmp/$label")" -le $((size * mib * 512)) ] || die "$label does not fit in its $size MiB ($def)"
	echo "start=$start, size=$((size * mib)), type=${type_guid[$type]}, uuid=$uuid, name=\"$label\"" >>"$tmp/table"
	a+=("$label $start")
	start=$((start + size * mib))
done
[ "${#a[@]}" = 5 ] || die "$defs has ${#a[@]} A-slot definitions (with UUID=), not 5"
# Room for every definition and the backup GPT.
disk=$tmp/disk.img
truncate -s $(((total + 2) * mib * 512)) "$disk"
sfdisk --no-reread --no-tell-kernel -q "$disk" <"$tmp/table" >"$tmp/log" 2>&1 ||
	die "sfdisk could not write the A slot: $(tail -n1 "$tmp/log")"
for p in "${a[@]}"; do
	read -r label off <<<"$p"
	dd if="$tmp/$label" of="$disk" bs=512 seek="$off" conv=notrunc,sparse status=none || die "writing $label failed"
done

# The first boot: systemd-repart adds what the definitions have and the disk lacks.
systemd-repart --definitions="$defs" --dry-run=no --seed=4f53c7a2-6b1e-4c1d-9a0e-6f7367756172 --no-pager \
	"$disk" >"$tmp/repart.log" 2>&1 || die "systemd-repart failed: $(grep -v '^[ │└├]' "$tmp/repart.log" | tail -n1)"

# Read back: the definitions' partitions in order, the A slot holding what was written.
sfdisk --json "$disk" >"$tmp/json" 2>"$tmp/log" || die "sfdisk --json cannot read $disk: $(tail -n1 "$tmp/log")"
i=0
for def in "$defs"/*.conf; do
	label=$(def_get "$def" Label) type=$(def_get "$def" Type) uuid=$(def_get "$def" UUID)
	got=$(jq -r --argjson i "$i" '.partitiontable.partitions[$i] // {} | "\(.type) \(.name) \(.uuid)" | ascii_downcase' "$tmp/json")
	want="${type_guid[$type],,} $label"
	[ "${got% *}" = "$want" ] || die "partition $((i + 1)) is '${got% *}', expected '$want' ($def)"
	[ -z "$uuid" ] || [ "${got##* }" = "$uuid" ] || die "partition $((i + 1)) has PARTUUID ${got##* }, not $uuid"
	i=$((i + 1))
done
[ "$(jq '.partitiontable.partitions | length' "$tmp/json")" = "$i" ] || die "the new disk does not have $i partitions"
for p in "${a[@]}"; do
	read -r label off <<<"$p"
	cmp -s -n "$(stat -c %s "$tmp/$label")" "$tmp/$label" <(tail -c +$((off * 512 + 1)) "$disk") ||
		die "partition $label does not hold what was written into it"
done

mv -f "$disk" "$out" || die "cannot move the new disk to $out"
