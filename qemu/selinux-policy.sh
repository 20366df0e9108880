#!/usr/bin/env bash
# Compiles the lab's minimal SELinux policy (qemu/selinux/minimal.cil) for the lab's kernel.
# Usage: qemu/selinux-policy.sh OUT_DIR
#
# OUT_DIR/policy.bin          the binary policy (minimal.cil + lock.cil: secure_mode_policyload), version
#                             33: Debian 12's secilc default and the newest the 6.12 kernel reads (its
#                             /sys/fs/selinux/policyvers)
# OUT_DIR/policy-nolock.bin   the same without the boolean (minimal.cil + nolock.cil)
# OUT_DIR/stores/good/        an /etc/selinux tree for selinux.store=: config (SELINUX=enforcing,
#                             SELINUXTYPE=lab), lab/policy/policy.33 (policy-nolock.bin) and an
#                             empty lab/contexts/files/file_contexts
# OUT_DIR/stores/other/       the same, but its policy.33 is policy.bin: not the policy loaded
# OUT_DIR/policy-corrupt.bin  the same with its magic number zeroed: the kernel refuses it with
#                             EINVAL ("policydb magic number 0x0 does not match expected ...")
#
# secilc (Debian package secilc) writes the same bytes for the same input: no times or paths.
# Silent on success; one line on stderr and exit 1 otherwise.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
[ $# -eq 1 ] || die "usage: qemu/selinux-policy.sh OUT_DIR"
out=$1 cil=$here/selinux/minimal.cil
command -v secilc >/dev/null || die "secilc not found (Debian package secilc)"
[ -r "$cil" ] || die "cannot read $cil"
mkdir -p "$out" 2>/dev/null || die "cannot create $out"
tmp=$(mktemp -d) || die "cannot make a temporary directory"
trap 'rm -rf "$tmp"' EXIT

# -c 33: the policy version, pinned rather than secilc's default. -f: secilc always writes a
# file_contexts (empty here); keep it out of OUT_DIR.
for v in lock nolock; do
	out_bin=$tmp/policy.bin
	[ "$v" = lock ] || out_bin=$tmp/policy-nolock.bin
	err=$(secilc -c 33 -o "$out_bin" -f "$tmp/file_contexts" "$cil" "$here/selinux/$v.cil" 2>&1) ||
		die "secilc failed on $cil with $v.cil: ${err//$'\n'/ }"
done
# The binary starts with the magic 0xf97cff8c (little-endian) and the string "SE Linux".
[ "$(od -An -tx1 -N4 "$tmp/policy.bin" | tr -d ' ')" = 8cff7cf9 ] ||
	die "secilc wrote no SELinux binary policy (wrong magic number)"
cp "$tmp/policy.bin" "$tmp/policy-corrupt.bin"
printf '\0\0\0\0' | dd of="$tmp/policy-corrupt.bin" bs=1 seek=0 count=4 conv=notrunc status=none ||
	die "cannot write $tmp/policy-corrupt.bin"
for store in good other; do
	d=$tmp/stores/$store
	mkdir -p "$d/lab/policy" "$d/lab/contexts/files" && printf 'SELINUX=enforcing\nSELINUXTYPE=lab\n' >"$d/config" &&
		: >"$d/lab/contexts/files/file_contexts" || die "cannot write the store $store"
done
cp "$tmp/policy-nolock.bin" "$tmp/stores/good/lab/policy/policy.33" &&
	cp "$tmp/policy.bin" "$tmp/stores/other/lab/policy/policy.33" || die "cannot copy the policies into the stores"
for f in policy.bin policy-nolock.bin policy-corrupt.bin; do
	mv "$tmp/$f" "$out/$f" || die "cannot write $out/$f"
done
rm -rf "$out/stores" && mv "$tmp/stores" "$out/stores" || die "cannot write $out/stores"
