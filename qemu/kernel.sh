#!/usr/bin/env bash
# Provides the test kernel at DIR (a symlink into the cache, or a directory of symlinks for a
# kernel the user brings): DIR/vmlinuz, DIR/kver, DIR/modules (= lib/modules/<kver>, depmod'ed).
# Usage: qemu/kernel.sh DIR
# Bring your own: KERNEL_DEB=path/to/linux-image-*.deb, or KERNEL=vmlinuz MODULES=lib/modules/<kver>.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:?usage: qemu/kernel.sh DIR}
cache=${VERINIT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/verinit}
. "$here/lib.sh"

# Debian 12's depmod looks in <base>/lib/modules; trixie ships usr/lib/modules (merged /usr).
prepare_tree() { # unpacked package root -> writes kver, vmlinuz and modules links beside it
	local root=$1 d=$2 kver
	[ -e "$root/lib" ] || ln -s usr/lib "$root/lib"
	kver=$(ls "$root/lib/modules" 2>/dev/null | head -n1)
	[ -n "$kver" ] || die "no lib/modules/<version> in $root"
	[ -f "$root/boot/vmlinuz-$kver" ] || die "no boot/vmlinuz-$kver in $root"
	[ -f "$root/lib/modules/$kver/modules.dep" ] || depmod -b "$root" "$kver"
	echo "$kver" >"$d/kver"
	ln -sfn "$root/boot/vmlinuz-$kver" "$d/vmlinuz"
	ln -sfn "$root/lib/modules/$kver" "$d/modules"
}

rm -rf "$out"
mkdir -p "$(dirname "$out")"
if [ -n "${KERNEL:-}" ] || [ -n "${MODULES:-}" ]; then
	[ -f "${KERNEL:-}" ] || die "KERNEL=${KERNEL:-} is not a file"
	[ -d "${MODULES:-}" ] || die "MODULES=${MODULES:-} is not a directory (want lib/modules/<version>)"
	mkdir -p "$out"
	basename "$MODULES" >"$out/kver"
	ln -s "$(realpath "$KERNEL")" "$out/vmlinuz"
	ln -s "$(realpath "$MODULES")" "$out/modules"
	[ -f "$out/modules/modules.dep" ] || die "$MODULES has no modules.dep: run depmod for it"
elif [ -n "${KERNEL_DEB:-}" ]; then
	[ -f "$KERNEL_DEB" ] || die "KERNEL_DEB=$KERNEL_DEB is not a file"
	key=$(sha256sum "$KERNEL_DEB" | cut -c1-16)
	d=$cache/kernel-$key
	if [ ! -f "$d/kver" ]; then
		rm -rf "$d" && mkdir -p "$d"
		dpkg-deb -x "$KERNEL_DEB" "$d/root"
		prepare_tree "$d/root" "$d"
	fi
	ln -s "$d" "$out"
else
	pkgdir=$("$here/fetch.sh" kernel)
	d=$pkgdir.kernel
	if [ ! -f "$d/kver" ]; then
		rm -rf "$d" && mkdir -p "$d"
		prepare_tree "$pkgdir" "$d"
	fi
	ln -s "$d" "$out"
fi
echo "kernel: $(cat "$out/kver") at $out"
