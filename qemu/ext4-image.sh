#!/bin/bash
# Write an ext4 image reproducibly: the lab's ext4 /usr (qemu/usr-image.sh) and the partitions of
# OS Guard's disk (qemu/osguard-disk.sh).
#
# usage: qemu/ext4-image.sh OUT.img MIB LABEL UUID [--tree DIR] [--no-journal]
#
# OUT.img is MIB MiB of ext4 with that label and UUID (also its directory hash seed), holding
# DIR's contents (its owners kept: e2fsprogs has no --all-root) or nothing. SOURCE_DATE_EPOCH
# (default 0) sets every time stamp: e2fsprogs takes E2FSPROGS_FAKE_TIME=0 as unset (so epoch 0
# becomes 1 s for what it stamps), and mke2fs -d copies each file's ctime and atime from DIR, which
# nothing can set there, so debugfs sets them afterwards, every inode by its path.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
usage="usage: ext4-image.sh OUT.img MIB LABEL UUID [--tree DIR] [--no-journal]"
[ $# -ge 4 ] || die "$usage"
out=$1 mib=$2 label=$3 uuid=$4
shift 4
tree='' features=()
while [ $# -gt 0 ]; do
	case $1 in
	--tree) [[ $# -ge 2 && -d $2 ]] || die "--tree needs a directory"; tree=$2; shift 2 ;;
	--no-journal) features=(-O ^has_journal); shift ;;
	*) die "unknown argument '$1' ($usage)" ;;
	esac
done
[[ $mib =~ ^[1-9][0-9]*$ ]] || die "MIB '$mib' is not a positive number"
for tool in mkfs.ext4 debugfs; do
	command -v "$tool" >/dev/null || die "$tool not found"
done

epoch=${SOURCE_DATE_EPOCH:-0}
export E2FSPROGS_FAKE_TIME=$((epoch > 0 ? epoch : 1))
log=$(mktemp) || die "cannot create a temp file"
trap 'rm -f "$log" "$log.debugfs"' EXIT
rm -f "$out"
mkfs.ext4 -q -b 4096 -L "$label" -U "$uuid" -E "hash_seed=$uuid,root_owner=0:0,lazy_itable_init=0,lazy_journal_init=0,nodiscard" \
	"${features[@]}" ${tree:+-d "$tree"} "$out" "${mib}M" >"$log" 2>&1 ||
	{ rm -f "$out"; die "mkfs.ext4 of $label failed: $(tail -n1 "$log")"; }
[ -n "$tree" ] || exit 0
(cd "$tree" && find . | LC_ALL=C sort) | while IFS= read -r f; do
	p=${f#.}
	printf 'sif "%s" ctime @%s\nsif "%s" atime @%s\n' "${p:-/}" "$epoch" "${p:-/}" "$epoch"
done >"$log.debugfs"
# debugfs exits 0 whatever its commands did: anything it says besides echoing them is an error.
debugfs -w -f "$log.debugfs" "$out" >"$log" 2>&1 || { rm -f "$out"; die "debugfs could not open $out: $(tail -n1 "$log")"; }
if grep -v -e '^debugfs' "$log" | grep -q .; then
	rm -f "$out"
	die "debugfs could not set the times in $label: $(grep -v -e '^debugfs' "$log" | head -n1)"
fi
