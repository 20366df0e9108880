#!/usr/bin/env bash
# A minimal, reproducible initramfs for the lab: DIR's contents plus /init, as a zstd cpio (newc).
# (verinit's own initramfs is built by hooks/verinit-mkinitramfs; this packs the lab's probe.)
# Usage: qemu/initramfs.sh OUT INIT [TREE]
#   INIT: the program that becomes /init; TREE: optional directory whose contents are added.
set -euo pipefail
out=${1:?usage: qemu/initramfs.sh OUT INIT [TREE]} init=${2:?usage: qemu/initramfs.sh OUT INIT [TREE]}
tree=${3:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/root/dev" "$tmp/root/proc" "$tmp/root/sys" "$tmp/root/run"
[ -z "$tree" ] || cp -a "$tree/." "$tmp/root/"
install -m 0755 "$init" "$tmp/root/init"
# Fixed owner, times and order: the same inputs give the same bytes.
(cd "$tmp/root" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
	cpio --null --create --format=newc --owner=0:0 --reproducible --quiet) >"$tmp/cpio"
touch -d @0 "$tmp/cpio"
zstd -q -19 -T1 --no-progress -c "$tmp/cpio" >"$out.part"
mv "$out.part" "$out"
