#!/bin/bash
# Build what a writable root partition holds, for OS Guard's disk (qemu/osguard-disk.sh --root-tree):
# a good merged-/usr root and the hostile variants of it that verinit must refuse to hand over to.
#
# usage: qemu/root-tree.sh TREE merged|hijack|preload|usr-symlink|selinux-permissive
#
#   merged       /bin, /sbin, /lib, /lib64 as symlinks into usr/ (merged /usr, as Debian 12 and
#                Azure Linux lay out a root), an empty /etc and /usr: a dynamically linked init
#                on the verified /usr finds its loader there
#   hijack       the same, but /lib64 a directory of the root holding a loader of its own (a copy
#                of the host's): the init stays verified, its loader would be the disk's
#   preload      merged, and /etc/ld.so.preload naming a library on the root
#   usr-symlink  merged, but /usr a symlink to etc: the verified /usr would be mounted elsewhere
#   selinux-permissive  merged, with an /etc/selinux of the disk's own: SELINUX=permissive and a
#                "policy" of type attacker that is no policy at all (a reload that read it would
#                fail): what systemd's policy reload would take if verinit left /etc/selinux alone
# TREE must not exist. Every entry's mtime is SOURCE_DATE_EPOCH (default 0).
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[ $# -eq 2 ] || die "usage: root-tree.sh TREE merged|hijack|preload|usr-symlink|selinux-permissive"
tree=$1 kind=$2
case $kind in merged | hijack | preload | usr-symlink | selinux-permissive) ;; *) die "unknown kind '$kind'" ;; esac
[ ! -e "$tree" ] && [ ! -L "$tree" ] || die "$tree exists"
umask 022
mkdir -p "$tree/etc" "$tree/usr" || die "cannot create $tree"
trap '[ -n "${ok:-}" ] || rm -rf "$tree"' EXIT
for d in bin sbin lib lib64; do
	ln -s "usr/$d" "$tree/$d"
done
case $kind in
hijack)
	loader=/lib64/ld-linux-x86-64.so.2
	rm "$tree/lib64" && mkdir "$tree/lib64" && install -m 0755 "$(readlink -f "$loader")" "$tree$loader" ||
		die "cannot put a loader of the root's own at $loader"
	;;
preload) echo /lib/x86_64-linux-gnu/libpreload.so >"$tree/etc/ld.so.preload" || die "cannot write ld.so.preload" ;;
usr-symlink) rmdir "$tree/usr" && ln -s etc "$tree/usr" || die "cannot make /usr a symlink" ;;
selinux-permissive)
	mkdir -p "$tree/etc/selinux/attacker/policy" &&
		printf 'SELINUX=permissive\nSELINUXTYPE=attacker\n' >"$tree/etc/selinux/config" &&
		echo "the disk's own policy" >"$tree/etc/selinux/attacker/policy/policy.33" ||
		die "cannot write an /etc/selinux"
	;;
esac
find "$tree" -exec touch -h -d "@${SOURCE_DATE_EPOCH:-0}" {} + || die "cannot set the times in $tree"
ok=1
