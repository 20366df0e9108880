#!/bin/bash
# Assemble the lab's GPT disk image from an ESP payload and a qemu/usr-image.sh output,
# without loop devices or mounts, reproducibly.
#
# usage: qemu/disk.sh OUT.img ESP_PAYLOAD_DIR USR_DIR [--two-usr] [--no-sig] [--no-usr] [--no-verity]
#                     [--no-auto] [--empty-slot]
#
#   ESP_PAYLOAD_DIR  files copied into the ESP with their relative paths (EFI/BOOT/BOOTX64.EFI)
#   USR_DIR          holds usr.img, usr-verity.img, usr-verity-sig.img and usr.env
#   --two-usr        add a second usr partition (same image, other PARTUUID): an ambiguous probe
#   --no-sig         leave out the usr-verity-sig partition
#   --no-usr         leave out the usr partition (the signature and hash tree stay)
#   --no-verity      leave out the usr-verity partition (the signature and /usr stay)
#   --no-auto        set the usr partition's no-auto attribute (bit 63): discovery must pass it over
#   --empty-slot     add slot B as systemd-sysupdate leaves it before the first update: a usr, a
#                    usr-verity and a usr-verity-sig partition labelled "_empty", 1 MiB of zeros each
#
# Partitions, 1 MiB aligned, each image's size rounded up to 1 MiB:
#   1 ESP (FAT32, 64 MiB)  2 usr  3 usr-verity  4 usr-verity-sig  [last: the second usr]
# The usr and usr-verity PARTUUIDs come from usr.env (the halves of the root hash); the disk
# GUID and the second usr PARTUUID are derived from the root hash. SOURCE_DATE_EPOCH (at least
# and by default 1980-01-01, the FAT epoch) sets the ESP's timestamps.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage="usage: disk.sh OUT.img ESP_PAYLOAD_DIR USR_DIR [--two-usr] [--no-sig] [--no-usr] [--no-verity] [--no-auto] [--empty-slot]"
[ $# -ge 3 ] || die "$usage"
out=$1 espdir=$2 usrdir=$3
shift 3
two_usr='' no_sig='' no_usr='' no_verity='' no_auto='' empty_slot=''
for arg; do
	case $arg in
	--two-usr) two_usr=1 ;;
	--no-sig) no_sig=1 ;;
	--no-usr) no_usr=1 ;;
	--no-verity) no_verity=1 ;;
	--no-auto) no_auto=1 ;;
	--empty-slot) empty_slot=1 ;;
	*) die "unknown argument '$arg' ($usage)" ;;
	esac
done
[ -d "$espdir" ] || die "ESP payload directory $espdir missing"
for f in usr.img usr-verity.img usr-verity-sig.img usr.env; do
	[ -r "$usrdir/$f" ] || die "$usrdir/$f missing (run qemu/usr-image.sh first)"
done
for tool in sfdisk mkfs.vfat mmd mcopy jq sha256sum; do
	command -v "$tool" >/dev/null || die "$tool not found"
done

# usr.env is read, not sourced: it is plain KEY=value lines.
env_get() {
	local v
	v=$(sed -n "s/^$1=\([0-9a-f-]*\)\$/\1/p" "$usrdir/usr.env")
	[ -n "$v" ] || die "no $1 in $usrdir/usr.env"
	echo "$v"
}
roothash=$(env_get ROOTHASH)
usr_uuid=$(env_get USR_PARTUUID)
verity_uuid=$(env_get VERITY_PARTUUID)
sig_uuid=$(env_get SIG_PARTUUID)
usr_label=$(sed -n 's/^USR_LABEL=//p' "$usrdir/usr.env")
[[ $usr_label =~ ^[A-Za-z0-9_.-]{1,36}$ ]] ||
	die "USR_LABEL '$usr_label' in $usrdir/usr.env is not a GPT label of 1 to 36 of [A-Za-z0-9_.-]"

derived_uuid() { uuid_of "$(printf %s "$1:$roothash" | sha256sum | cut -c1-64)"; }
disk_guid=$(derived_uuid disk)
usr2_uuid=$(derived_uuid usr-2)
mib=2048 # sectors of 512 bytes

outdir=$(dirname "$out")
tmp=$(mktemp -d "$outdir/.disk.XXXXXX") || die "cannot create a temp dir in $outdir"
trap 'rm -rf "$tmp"' EXIT
tmp=$(cd "$tmp" && pwd) # absolute: the ESP is filled from inside ESP_PAYLOAD_DIR

# The ESP, built in a file. --invariant and a fixed TZ/SOURCE_DATE_EPOCH make it byte-stable;
# FAT cannot store times before 1980, so earlier epochs (usr-image.sh's default 0) are raised.
epoch=${SOURCE_DATE_EPOCH:-0}
[ "$epoch" -ge 315532800 ] || epoch=315532800
export SOURCE_DATE_EPOCH=$epoch TZ=UTC MTOOLS_SKIP_CHECK=1
esp=$tmp/esp.fat
mkfs.vfat -F 32 -h $mib --invariant -i "${disk_guid:0:8}" -n ESP -C "$esp" $((64 * 1024)) \
	>"$tmp/log" 2>&1 || die "mkfs.vfat failed: $(tail -n1 "$tmp/log")"
(
	cd "$espdir"
	find . -mindepth 1 -type d | LC_ALL=C sort | while IFS= read -r d; do
		mmd -i "$esp" "::/${d#./}" || exit 1
	done
	find . -type f | LC_ALL=C sort | while IFS= read -r f; do
		mcopy -i "$esp" "$f" "::/${f#./}" || exit 1
	done
) >"$tmp/log" 2>&1 || die "copying $espdir into the ESP failed: $(tail -n1 "$tmp/log")"

# Partition list: name type uuid attribute-bits image. Bits: the usr partition keeps v252's
# 59 (grow-fs) and, like usr-verity and usr-verity-sig, gets 60 (read-only): all three are
# written once here and must never be mounted or opened writable.
esp_type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B
usr_type=8484680C-9521-48C6-9C11-B0720656F69E
verity_type=77FF5F63-E7B6-4633-ACF4-1565B864C0E6
sig_type=E7BB33FB-06CF-4E81-8273-E543B413E2E2
usr_bits=59,60
[ -z "$no_auto" ] || usr_bits=59,60,63
parts=("ESP $esp_type $(derived_uuid esp) - $esp")
[ -n "$no_usr" ] || parts+=("$usr_label $usr_type $usr_uuid $usr_bits $usrdir/usr.img")
[ -n "$no_verity" ] || parts+=("usr-verity $verity_type $verity_uuid 60 $usrdir/usr-verity.img")
[ -n "$no_sig" ] || parts+=("usr-verity-sig $sig_type $sig_uuid 60 $usrdir/usr-verity-sig.img")
[ -z "$two_usr" ] || parts+=("$usr_label $usr_type $usr2_uuid 59,60 $usrdir/usr.img")
if [ -n "$empty_slot" ]; then
	truncate -s $((mib * 512)) "$tmp/zeros"
	parts+=("_empty $usr_type $(derived_uuid empty-usr) - $tmp/zeros"
		"_empty $verity_type $(derived_uuid empty-usr-verity) - $tmp/zeros"
		"_empty $sig_type $(derived_uuid empty-usr-verity-sig) - $tmp/zeros")
fi

{
	echo "label: gpt"
	echo "label-id: $disk_guid"
	echo "unit: sectors"
	echo "first-lba: $mib"
}>"$tmp/table"
start=$mib
offsets=()
for p in "${parts[@]}"; do
	read -r name type uuid bits file <<<"$p"
	bytes=$(stat -c %s "$file")
	mibs=$(((bytes + mib * 512 - 1) / (mib * 512)))
	size=$((mibs * mib))
	attrs=
	[ "$bits" = - ] || attrs=", attrs=\"GUID:$bits\""
	echo "start=$start, size=$size, type=$type, uuid=$uuid, name=\"$name\"$attrs" >>"$tmp/table"
	offsets+=("$start")
	start=$((start + size))
done
# One MiB at the end leaves room for the backup GPT (33 sectors).
disk=$tmp/disk.img
truncate -s $(((start + mib) * 512)) "$disk"
sfdisk --no-reread --no-tell-kernel -q "$disk" <"$tmp/table" >"$tmp/log" 2>&1 ||
	die "sfdisk could not write the partition table: $(tail -n1 "$tmp/log")"

i=0
for p in "${parts[@]}"; do
	read -r name type uuid bits file <<<"$p"
	dd if="$file" of="$disk" bs=512 seek="${offsets[$i]}" conv=notrunc,sparse status=none ||
		die "writing $file into partition $((i + 1)) failed"
	i=$((i + 1))
done

# Read back what sfdisk sees and what the partitions hold.
sfdisk --json "$disk" >"$tmp/json" 2>"$tmp/log" || die "sfdisk --json cannot read $disk: $(tail -n1 "$tmp/log")"
[ "$(jq '.partitiontable.partitions | length' "$tmp/json")" = "${#parts[@]}" ] ||
	die "the new disk does not have ${#parts[@]} partitions"
[ "$(jq -r '.partitiontable.id | ascii_downcase' "$tmp/json")" = "${disk_guid,,}" ] ||
	die "the new disk's GUID is not $disk_guid"
i=0
for p in "${parts[@]}"; do
	read -r name type uuid bits file <<<"$p"
	got=$(jq -r --argjson i "$i" '.partitiontable.partitions[$i] |
		"\(.type) \(.uuid) \(.name) \(.start)" | ascii_downcase' "$tmp/json")
	[ "$got" = "${type,,} ${uuid,,} ${name,,} ${offsets[$i]}" ] ||
		die "partition $((i + 1)) is '$got', expected '${type,,} ${uuid,,} ${name,,} ${offsets[$i]}'"
	cmp -s -n "$(stat -c %s "$file")" "$file" <(tail -c +$((offsets[i] * 512 + 1)) "$disk") ||
		die "partition $((i + 1)) does not hold $file"
	i=$((i + 1))
done

mv -f "$disk" "$out" || die "cannot move the new disk to $out"
