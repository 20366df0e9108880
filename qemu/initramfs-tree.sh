#!/usr/bin/env bash
# The lab's initramfs contents besides /init: the config, the enrolled certificate, and the
# closure of the configured modules (dependencies and softdeps) with a fresh depmod index.
# (hooks/ will own the full, reproducible builder; this is what the lab needs until then.)
# Usage: qemu/initramfs-tree.sh OUT_DIR KERNEL_DIR CONFIG CERT...
set -euo pipefail
out=${1:?usage} kdir=${2:?usage} config=${3:?usage}
shift 3
die() { echo "initramfs-tree: $*" >&2; exit 1; }
kver=$(cat "$kdir/kver")
modroot=$(realpath "$kdir/modules/../../..") # <root>/lib/modules/<kver> -> <root>

rm -rf "$out"
mkdir -p "$out/etc/verinit/certs" "$out/lib/modules/$kver"
install -m 0644 "$config" "$out/etc/verinit.conf"
for c in "$@"; do install -m 0644 "$c" "$out/etc/verinit/certs/$(basename "$c")"; done

modules=$(sed -n 's/^modules=//p' "$config")
# The agent's own default list when the config names none (lib/config.c).
[ -n "$modules" ] || die "$config has no modules= line"
for m in $modules; do
	deps=$(modprobe -d "$modroot" -S "$kver" --show-depends "$m" 2>&1) || die "module $m: $deps"
	while read -r verb path _; do
		[ "$verb" = insmod ] || continue
		rel=${path#"$modroot"/lib/modules/"$kver"/}
		mkdir -p "$out/lib/modules/$kver/$(dirname "$rel")"
		cp "$path" "$out/lib/modules/$kver/$rel"
	done <<<"$deps"
done
for f in modules.builtin modules.builtin.modinfo modules.order; do
	[ ! -f "$kdir/modules/$f" ] || cp "$kdir/modules/$f" "$out/lib/modules/$kver/"
done
depmod -b "$out" "$kver"
