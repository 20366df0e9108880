#!/usr/bin/env bash
# A configuration variant of the lab: BASE's lines, with every key that VARIANT sets replaced by
# VARIANT's line (verinit refuses a key given twice). Usage: qemu/merge-conf.sh BASE VARIANT OUT
set -euo pipefail
base=${1:?usage: qemu/merge-conf.sh BASE VARIANT OUT} variant=${2:?usage} out=${3:?usage}
keys=$(sed -n 's/^\([a-z_.]*\)=.*/\1/p' "$variant")
cp "$base" "$out.part"
for k in $keys; do sed -i "/^${k//./\\.}=/d" "$out.part"; done
cat "$variant" >>"$out.part"
mv "$out.part" "$out"
