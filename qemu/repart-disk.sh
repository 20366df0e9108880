#!/bin/bash
# Build a lab disk the way an image builder using systemd-repart (Debian 12: v252) would, and
# read back what repart wrote.
#
# usage: qemu/repart-disk.sh [--slots N] OUT.img SIGN_KEY.pem SIGN_CERT.pem
#
# The disk: GPT with 1 usr (squashfs of qemu/usr-tree.sh's usr/, so the file system root holds
# bin/ and lib/: verinit mounts it at /usr), 2 usr-verity, 3 usr-verity-sig (repart's JSON, signed
# with SIGN_KEY/SIGN_CERT). No ESP: the lab boots the UKI with -kernel. Sizes: usr from the tree,
# usr-verity from usr, usr-verity-sig 16 KiB (repart's fixed size). With --slots N (2 or 3), N
# such slots in one run, as an A/B image builder writes them: slot k labelled usr_k, usr_k_verity,
# usr_k_verity_sig (systemd-sysupdate's usr_@v pattern), its tree marked with usr-tree.sh --slot
# usr_k, so each slot has its own root hash and a booted guest says which it got.
#
# Writes OUT.img and OUT.env (OUT.img with .env for .img): ROOTHASH, USR_PARTUUID,
# VERITY_PARTUUID, SIG_PARTUUID, USR_LABEL, FSTYPE=squashfs, CERT_FPR, as qemu/usr-image.sh's
# usr.env, every value read back from the image; with --slots, OUT.env is the last (newest) slot's
# and OUT.K.env slot K's. Before anything is moved into place: veritysetup verify of usr
# against usr-verity with the signed root hash, openssl cms -verify of the signature against
# SIGN_CERT alone, the JSON's certificateFingerprint against SIGN_CERT's DER, and the usr and
# usr-verity PARTUUIDs against the root hash's halves (verinit's usr.discovery=partuuid rule),
# for every slot.
#
# Needs root, loop devices, systemd-repart (package systemd, >= 252) and mksquashfs. NOT
# reproducible: v252 always picks a random verity salt, so every run gives another root hash
# (and so other PARTUUIDs); the disk GUID and usr-verity-sig PARTUUID come from a random seed,
# never from the build host's machine-id. SOURCE_DATE_EPOCH (default 0) sets the tree's and the
# squashfs's times. The dm-verity blocks are 512 bytes (v252 uses the sector size).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
usage="usage: repart-disk.sh [--slots N] OUT.img SIGN_KEY.pem SIGN_CERT.pem"

slots=1
if [ "${1:-}" = --slots ]; then
	[[ ${2:-} =~ ^[1-3]$ ]] || die "--slots takes 1, 2 or 3, not '${2:-}'"
	slots=$2
	shift 2
fi
[ $# -eq 3 ] || die "$usage"
out=$1 key=$2 cert=$3
case $out in *?.img) ;; *) die "OUT must end in .img, got '$out' ($usage)" ;; esac
env_out=${out%.img}.env
[ -r "$key" ] || die "cannot read signing key $key"
[ -r "$cert" ] || die "cannot read signing certificate $cert"
[ ! -d "$out" ] || die "$out is a directory"
outdir=$(dirname "$out")
[ -d "$outdir" ] || die "directory $outdir does not exist"

command -v systemd-repart >/dev/null || die "systemd-repart not found (Debian: apt-get install systemd, version 252 or later)"
repart_version=$(systemd-repart --version 2>/dev/null | sed -n '1s/^systemd \([0-9]*\).*/\1/p')
[[ $repart_version =~ ^[0-9]+$ && $repart_version -ge 252 ]] ||
	die "systemd-repart ${repart_version:-of unknown version} is too old: Verity=signature needs 252 or later"
for tool in mksquashfs unsquashfs veritysetup sfdisk jq openssl losetup blkid sha256sum base64 od dd; do
	command -v "$tool" >/dev/null || die "$tool not found"
done
[ "$(id -u)" = 0 ] || die "must run as root: systemd-repart builds the image through a loop device"
# Say it plainly when this machine has no loop devices (CI containers), before repart says it
# less plainly.
losetup -f >/dev/null 2>&1 || die "no free loop device (losetup -f failed): systemd-repart needs one"

openssl x509 -in "$cert" -noout 2>/dev/null || die "$cert is not a PEM certificate"
cert_fpr=$(openssl x509 -in "$cert" -outform DER | sha256sum | cut -c1-64)
cpub=$(openssl x509 -in "$cert" -noout -pubkey 2>/dev/null)
kpub=$(openssl pkey -in "$key" -pubout 2>/dev/null) || die "$key is not a PEM private key (or it is encrypted)"
[ "$kpub" = "$cpub" ] || die "$key is not the private key of $cert"

epoch=${SOURCE_DATE_EPOCH:-0}
export SOURCE_DATE_EPOCH=$epoch # mksquashfs (run by repart) takes its times from it
umask 022

# Everything is built next to OUT and renamed at the end.
tmp=$(mktemp -d "$outdir/.repart-disk.XXXXXX") || die "cannot create a temp dir in $outdir"
tmp=$(cd "$tmp" && pwd)
probe_dev=
cleanup() {
	[ -z "$probe_dev" ] || losetup -d "$probe_dev" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

# losetup -f only finds a device; attaching one is what fails in unprivileged containers.
truncate -s 1M "$tmp/probe" || die "cannot create a file in $tmp"
probe_dev=$(losetup --find --show --read-only "$tmp/probe" 2>"$tmp/log") ||
	die "cannot attach a loop device ($(tail -n1 "$tmp/log")): systemd-repart needs one"
losetup -d "$probe_dev" || die "cannot detach the probe loop device $probe_dev"
probe_dev=
rm -f "$tmp/probe"

# The tree, exactly as qemu/usr-image.sh builds it; one per slot, each marked with its name.
label_of() { [ "$slots" = 1 ] || echo "usr_$1"; } # K: slot K's usr label ("" for repart's default)
for k in $(seq "$slots"); do
	mark=()
	[ "$slots" = 1 ] || mark=(--slot "$(label_of "$k")")
	"$here/usr-tree.sh" "$tmp/tree$k" "${mark[@]}" 2>"$tmp/log" || die "usr-tree.sh failed: $(tail -n1 "$tmp/log")"
done

# Sizes, in MiB. squashfs compresses, so the tree's apparent size plus 1/16 and 1 MiB of metadata
# is room enough; the hash tree of 512-byte blocks holds 32 bytes per block (1/16), plus upper
# levels and the superblock: 1/15 and 1 MiB.
mib=1048576
tree_bytes=$(du -sb "$tmp/tree1/usr" | cut -f1)
usr_mib=$(((tree_bytes + tree_bytes / 16 + mib + mib - 1) / mib))
verity_mib=$(((usr_mib * mib / 15 + mib + mib - 1) / mib))

# The definitions. --root is the temp dir, so CopyFiles= names /treeK/usr whatever OUT's path
# holds (no spaces, colons or % specifiers reach the parser). Source /treeK/usr, target /: the
# partition's root is /usr's. Each slot's three partitions share a VerityMatchKey of their own.
defs=$tmp/repart.d
mkdir "$defs"
for k in $(seq "$slots"); do
	label=$(label_of "$k")
	cat >"$defs/${k}0-usr.conf" <<EOF
[Partition]
Type=usr
${label:+Label=$label}
Verity=data
VerityMatchKey=usr$k
Format=squashfs
CopyFiles=/tree$k/usr:/
SizeMinBytes=${usr_mib}M
SizeMaxBytes=${usr_mib}M
EOF
	cat >"$defs/${k}1-usr-verity.conf" <<EOF
[Partition]
Type=usr-verity
${label:+Label=${label}_verity}
Verity=hash
VerityMatchKey=usr$k
SizeMinBytes=${verity_mib}M
SizeMaxBytes=${verity_mib}M
EOF
	cat >"$defs/${k}2-usr-verity-sig.conf" <<EOF
[Partition]
Type=usr-verity-sig
${label:+Label=${label}_verity_sig}
Verity=signature
VerityMatchKey=usr$k
EOF
done

img=$tmp/disk.img
systemd-repart --root="$tmp" --definitions="$defs" --empty=create --size=auto --seed=random \
	--private-key="$key" --certificate="$cert" --dry-run=no --no-pager --json=short "$img" \
	>"$tmp/repart.json" 2>"$tmp/repart.log" ||
	die "systemd-repart failed: $(grep -v '^\[=*' "$tmp/repart.log" | tail -n1)"
[ -s "$img" ] || die "systemd-repart wrote no image"

# ---- Read back what repart wrote ---------------------------------------------------------------
sfdisk --json "$img" >"$tmp/table.json" 2>"$tmp/log" || die "sfdisk --json cannot read the new image: $(tail -n1 "$tmp/log")"
[ "$(jq -r '.partitiontable.label' "$tmp/table.json")" = gpt ] || die "the new image has no GPT"
[ "$(jq '.partitiontable.partitions | length' "$tmp/table.json")" = $((3 * slots)) ] ||
	die "the new image does not have exactly $((3 * slots)) partitions"
[ "$(jq '.partitiontable.sectorsize' "$tmp/table.json")" = 512 ] || die "the new image's sectors are not 512 bytes"

# part TYPE_GUID [LABEL] -> "start size uuid label" (sectors, lowercase) of the one partition of
# that type (and label).
part() {
	local got
	got=$(jq -r --arg t "$1" --arg l "${2:-}" '[.partitiontable.partitions[] | select((.type | ascii_downcase) == $t
		and ($l == "" or .name == $l))] |
		if length == 1 then .[0] | "\(.start) \(.size) \(.uuid | ascii_downcase) \(.name // "")" else "count \(length)" end' \
		"$tmp/table.json") || die "cannot read partition type $1 from sfdisk's output"
	case $got in count*) die "the new image has ${got#count } partitions of type $1${2:+ labelled $2}, not 1" ;; esac
	echo "$got"
}
# Extracts partition sectors from the image.
extract() { # START SIZE FILE
	dd if="$img" of="$3" bs=512 skip="$1" count="$2" status=none 2>"$tmp/log" ||
		die "cannot extract a partition into $3: $(tail -n1 "$tmp/log")"
	[ "$(stat -c %s "$3")" = $(($2 * 512)) ] || die "the partition at sector $1 runs past the end of the image"
}

# Reads slot K back, checks it, and writes its env file into $tmp/sK/disk.env.
check_slot() {
	local k=$1 s=$tmp/s$1 label p usr_start usr_size usr_uuid usr_label verity_start verity_size verity_uuid
	local sig_start sig_size sig_uuid sig_len roothash json_fpr data_blocks data_block_size covered fstype f
	label=$(label_of "$k")
	mkdir "$s"
	# (Assigned first: a failing part() in a here-string would go unnoticed.)
	p=$(part 8484680c-9521-48c6-9c11-b0720656f69e "$label")
	read -r usr_start usr_size usr_uuid usr_label <<<"$p"
	p=$(part 77ff5f63-e7b6-4633-acf4-1565b864c0e6 "${label:+${label}_verity}")
	read -r verity_start verity_size verity_uuid _ <<<"$p"
	p=$(part e7bb33fb-06cf-4e81-8273-e543b413e2e2 "${label:+${label}_verity_sig}")
	read -r sig_start sig_size sig_uuid _ <<<"$p"
	extract "$usr_start" "$usr_size" "$s/usr.part"
	extract "$verity_start" "$verity_size" "$s/verity.part"
	[ "$sig_size" -le 2048 ] || die "the usr-verity-sig partition is $((sig_size * 512)) bytes, more than verinit reads (1 MiB)"
	extract "$sig_start" "$sig_size" "$s/sig.part"

	# The signature partition: one JSON object, then only NULs (verinit's rule, lib/sigjson.h).
	# (awk reads to the end: an early exit would kill od with SIGPIPE, and pipefail the script.)
	sig_len=$(od -An -v -tu1 -w1 "$s/sig.part" | awk '$1 == 0 && !found { n = NR - 1; found = 1 }
		END { print found ? n : NR }')
	[ "$sig_len" -gt 0 ] || die "the usr-verity-sig partition is empty"
	[ "$(tail -c +$((sig_len + 1)) "$s/sig.part" | tr -d '\0' | wc -c)" = 0 ] ||
		die "the usr-verity-sig partition has bytes after the NUL padding starts"
	head -c "$sig_len" "$s/sig.part" >"$s/sig.json"
	jq -e -s 'length == 1 and (.[0] | type == "object")' "$s/sig.json" >/dev/null 2>&1 ||
		die "the usr-verity-sig partition does not hold one JSON object"
	sig_field() { jq -r --arg k "$1" '.[$k] | if type == "string" then . else "" end' "$s/sig.json"; }
	roothash=$(sig_field rootHash)
	json_fpr=$(sig_field certificateFingerprint)
	[[ $roothash =~ ^[0-9a-f]{64}$ ]] || die "rootHash in the usr-verity-sig partition is not 64 lowercase hex digits"
	[[ $json_fpr =~ ^[0-9a-f]{64}$ ]] || die "certificateFingerprint in the usr-verity-sig partition is not 64 lowercase hex digits"
	sig_field signature | base64 -d >"$s/usr.p7s" 2>/dev/null ||
		die "the signature in the usr-verity-sig partition is not base64"
	[ -s "$s/usr.p7s" ] || die "the signature in the usr-verity-sig partition is empty"
	printf %s "$roothash" >"$s/usr.roothash"

	# What repart said it did must be what is on the disk.
	jq -e --arg h "$roothash" '[.[] | select(.roothash != null) | .roothash] | index($h) != null' "$tmp/repart.json" \
		>/dev/null 2>&1 || die "systemd-repart did not report the root hash $roothash that slot $k's signature partition names"

	# ---- Checks ------------------------------------------------------------------------------------
	[ "$json_fpr" = "$cert_fpr" ] || die "certificateFingerprint $json_fpr is not $cert's SHA-256 $cert_fpr"
	# -partial_chain: trust exactly SIGN_CERT (self-signed or not); -certfile in case none is embedded.
	openssl cms -verify -binary -inform DER -in "$s/usr.p7s" -content "$s/usr.roothash" \
		-CAfile "$cert" -certfile "$cert" -partial_chain -purpose any -out /dev/null 2>"$tmp/log" ||
		die "the signature over $roothash does not verify against $cert: $(head -n1 "$tmp/log")"

	veritysetup dump "$s/verity.part" >"$s/dump" 2>"$tmp/log" ||
		die "no dm-verity superblock on the usr-verity partition: $(tail -n1 "$tmp/log")"
	dump_get() { sed -n "s/^$1:[[:space:]]*//p" "$s/dump"; }
	[ "$(dump_get 'Hash algorithm')" = sha256 ] || die "the hash tree is not sha256"
	data_blocks=$(dump_get 'Data blocks') data_block_size=$(dump_get 'Data block size')
	[[ $data_blocks =~ ^[0-9]+$ && $data_block_size =~ ^[0-9]+$ ]] ||
		die "cannot read the data size from the usr-verity superblock"
	covered=$((data_blocks * data_block_size))
	[ "$covered" = $((usr_size * 512)) ] ||
		die "the hash tree covers $covered bytes, the usr partition has $((usr_size * 512))"
	veritysetup verify "$s/usr.part" "$s/verity.part" "$roothash" >"$tmp/log" 2>&1 ||
		die "veritysetup verify of usr against usr-verity with root hash $roothash failed: $(tail -n1 "$tmp/log")"

	# verinit names usr and usr-verity by the signed root hash's halves (a slot's rule).
	[ "$usr_uuid" = "$(uuid_of "$roothash")" ] ||
		die "usr PARTUUID $usr_uuid is not the first half of the root hash $roothash"
	[ "$verity_uuid" = "$(uuid_of "${roothash:32:32}")" ] ||
		die "usr-verity PARTUUID $verity_uuid is not the second half of the root hash $roothash"
	[[ $sig_uuid != "$usr_uuid" && $sig_uuid != "$verity_uuid" ]] ||
		die "the usr-verity-sig PARTUUID $sig_uuid equals another partition's"

	fstype=$(blkid -p -o value -s TYPE "$s/usr.part" 2>/dev/null) || fstype=
	[ "$fstype" = squashfs ] || die "the usr partition holds '${fstype:-nothing blkid knows}', not squashfs"
	unsquashfs -d "" -l "$s/usr.part" >"$s/files" 2>"$tmp/log" ||
		die "unsquashfs cannot list the usr partition: $(tail -n1 "$tmp/log")"
	for f in /bin/busybox /lib/verinit-test/init ${label:+/lib/verinit-test/slot}; do
		grep -qxF "$f" "$s/files" || die "the usr partition has no $f (its root must be /usr's)"
	done
	! grep -q '^/usr\(/\|$\)' "$s/files" || die "the usr partition's root holds usr/: it would be mounted as /usr/usr"

	cat >"$s/disk.env" <<EOF
ROOTHASH=$roothash
USR_PARTUUID=$usr_uuid
VERITY_PARTUUID=$verity_uuid
SIG_PARTUUID=$sig_uuid
USR_LABEL=$usr_label
FSTYPE=$fstype
CERT_FPR=$json_fpr
EOF
}
for k in $(seq "$slots"); do
	check_slot "$k"
done
if [ "$slots" -gt 1 ]; then
	# Each slot a root hash of its own: the trees differ in their slot name.
	[ "$(for k in $(seq "$slots"); do sed -n 's/^ROOTHASH=//p' "$tmp/s$k/disk.env"; done | sort -u | wc -l)" = "$slots" ] ||
		die "two slots have the same root hash"
	for k in $(seq "$slots"); do
		mv -f "$tmp/s$k/disk.env" "${out%.img}.$k.env" || die "cannot move slot $k's env file into place"
	done
	cp "${out%.img}.$slots.env" "$tmp/s$slots/disk.env" || die "cannot copy the newest slot's env file"
fi

mv -f "$img" "$out" || die "cannot move the new image to $out"
mv -f "$tmp/s$slots/disk.env" "$env_out" || { rm -f "$out"; die "cannot move the new env file to $env_out"; }
