#!/usr/bin/env bash
# A minimal, reproducible initramfs for the lab: DIR's contents plus /init, as a zstd cpio (newc).
# (The full builder with modules, config and certificates is hooks/' job.)
# Usage: qemu/initramfs.sh OUT INIT [TREE [EXTRA_CONF]]
#   INIT: the program that becomes /init; TREE: optional directory whose contents are added;
#   EXTRA_CONF: key=value lines for the tree's /etc/verinit.conf (a configuration variant): each
#   replaces the line of the same key, or is added (the agent refuses a key given twice).
set -euo pipefail
out=${1:?usage: qemu/initramfs.sh OUT INIT [TREE]} init=${2:?usage: qemu/initramfs.sh OUT INIT [TREE]}
tree=${3:-} extra=${4:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/root/dev" "$tmp/root/proc" "$tmp/root/sys" "$tmp/root/run"
[ -z "$tree" ] || cp -a "$tree/." "$tmp/root/"
if [ -n "$extra" ]; then
	[ -f "$tmp/root/etc/verinit.conf" ] || { echo "initramfs: $extra given, but $tree has no etc/verinit.conf" >&2; exit 1; }
	keys=$(sed -n 's/^\([a-z_.]*\)=.*/\1/p' "$extra")
	for k in $keys; do sed -i "/^${k//./\\.}=/d" "$tmp/root/etc/verinit.conf"; done
	cat "$extra" >>"$tmp/root/etc/verinit.conf"
fi
install -m 0755 "$init" "$tmp/root/init"
# Fixed owner, times and order: the same inputs give the same bytes.
(cd "$tmp/root" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
	cpio --null --create --format=newc --owner=0:0 --reproducible --quiet) >"$tmp/cpio"
touch -d @0 "$tmp/cpio"
zstd -q -19 -T1 --no-progress -c "$tmp/cpio" >"$out.part"
mv "$out.part" "$out"
