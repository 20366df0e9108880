#!/usr/bin/env bash
# Copies a lab disk and flips one bit in its usr partition's file system image, inside the data of
# /usr/share/verinit-test/canary (qemu/usr-tree.sh), at its line "canary 002048": a block the test
# init reads and nothing executes, so dm-verity must catch the read and the case knows which file
# the block belongs to. The image must store the file uncompressed (the lab's erofs does).
# Usage: qemu/corrupt.sh IN.img OUT.img USR_DIR
set -euo pipefail
in=${1:?usage} out=${2:?usage} usr=${3:?usage}
uuid=$(sed -n 's/^USR_PARTUUID=//p' "$usr/usr.env")
start=$(sfdisk --json "$in" | jq -r --arg u "$uuid" '.partitiontable.partitions[] | select((.uuid | ascii_downcase) == $u) | .start')
[ -n "$start" ] || { echo "corrupt: no usr partition $uuid in $in" >&2; exit 1; }
at=$(grep -obUa -m1 'canary 002048' "$usr/usr.img" | cut -d: -f1)
[ -n "$at" ] || { echo "corrupt: no 'canary 002048' in $usr/usr.img (compressed, or built without the canary)" >&2; exit 1; }
offset=$((start * 512 + at))
cp "$in" "$out.part"
byte=$(dd if="$out.part" bs=1 skip="$offset" count=1 status=none | od -An -tu1 | tr -d ' ')
printf "\\$(printf %03o $((byte ^ 1)))" | dd of="$out.part" bs=1 seek="$offset" conv=notrunc status=none
mv "$out.part" "$out"
