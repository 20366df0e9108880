#!/usr/bin/env bash
# Copies a lab disk and flips one bit in the middle of its usr partition's file system image: a
# block the test init reads (busybox fills most of the image), so dm-verity must catch it.
# Usage: qemu/corrupt.sh IN.img OUT.img USR_DIR
set -euo pipefail
in=${1:?usage} out=${2:?usage} usr=${3:?usage}
uuid=$(sed -n 's/^USR_PARTUUID=//p' "$usr/usr.env")
start=$(sfdisk --json "$in" | jq -r --arg u "$uuid" '.partitiontable.partitions[] | select((.uuid | ascii_downcase) == $u) | .start')
[ -n "$start" ] || { echo "corrupt: no usr partition $uuid in $in" >&2; exit 1; }
offset=$((start * 512 + $(stat -c %s "$usr/usr.img") / 2))
cp "$in" "$out.part"
byte=$(dd if="$out.part" bs=1 skip="$offset" count=1 status=none | od -An -tu1 | tr -d ' ')
printf "\\$(printf %03o $((byte ^ 1)))" | dd of="$out.part" bs=1 seek="$offset" conv=notrunc status=none
mv "$out.part" "$out"
