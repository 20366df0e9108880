#!/bin/bash
# Build the lab's /usr tree: what qemu/usr-image.sh and qemu/repart-disk.sh put into /usr.
#
# usage: qemu/usr-tree.sh TREE [--init-link TARGET] [--slot NAME] [--dynamic-init PROGRAM]
#                           [--selinux-stores DIR] [--attest-tools]
#
# TREE must not exist or be an empty directory. Afterwards it holds
#   usr/bin/busybox                 Debian's busybox-static (/bin/busybox), mode 0755
#   usr/bin/APPLET -> busybox       one symlink per applet of `busybox --list`
#   usr/lib/verinit-test/init       the test init (qemu/guest/init), mode 0755, or with
#                                   --init-link a symlink to TARGET (a negative test: an init
#                                   that resolves outside the verified /usr)
#   usr/share/verinit-test/canary   4096 numbered lines ("canary 000000" ...), 56 KiB of data that
#                                   nothing executes: qemu/corrupt.sh flips a bit in its middle, so
#                                   a corrupted-/usr case knows which file the bad block is in
#   usr/lib/verinit-test/slot       with --slot, NAME and a newline: which slot of an A/B disk
#   usr/share/verinit-test/selinux-stores/  with --selinux-stores, a copy of DIR: SELinux policy
#                                   stores (/etc/selinux trees) for selinux.store=
#   usr/lib/verinit-test/init-dyn   with --dynamic-init, PROGRAM (qemu/guest/dyninit.c built
#                                   against the host's glibc), with its loader as
#                                   usr/lib64/<loader> and the libraries ldd names under
#                                   usr/lib/<multiarch>/: on a merged-/usr root (/lib64 ->
#                                   usr/lib64) everything it loads is on /usr
#   usr/bin/tpm2                    with --attest-tools, Debian's tpm2-tools (the multi-call
#                                   /usr/bin/tpm2) with the same loader and its libraries, and
#                                   libtss2-tcti-device.so.0 (libtss2-tctildr dlopens it; ldd
#                                   cannot see it): the test init's attestation runs it as
#                                   usr/lib64/<loader> --library-path /usr/lib/<multiarch>
#                                   /usr/bin/tpm2, so it needs no /lib64 on the root
# Every directory (TREE itself too) is 0755, and every entry's mtime (symlinks' own, not their
# targets') is SOURCE_DATE_EPOCH (default 0), so the tree depends on nothing of the build host
# but busybox. Ownership is the caller's: image builders map it to root (-all-root, --all-root).
# On failure TREE is left as it was found (removed if this script created it).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
usage="usage: usr-tree.sh TREE [--init-link TARGET] [--slot NAME] [--dynamic-init PROGRAM] [--selinux-stores DIR] [--attest-tools]"

[ $# -ge 1 ] || die "$usage"
tree=$1
shift
init_link='' slot='' dyninit='' stores='' attest=''
while [ $# -gt 0 ]; do
	case $1 in
	--init-link) [ $# -ge 2 ] || die "--init-link needs a target"; init_link=$2; shift 2 ;;
	--slot) [[ $# -ge 2 && $2 =~ ^[A-Za-z0-9_.-]+$ ]] || die "--slot needs a name of [A-Za-z0-9_.-]"; slot=$2; shift 2 ;;
	--dynamic-init) [[ $# -ge 2 && -x $2 ]] || die "--dynamic-init needs an executable program"; dyninit=$2; shift 2 ;;
	--selinux-stores) [[ $# -ge 2 && -d $2 ]] || die "--selinux-stores needs a directory"; stores=$2; shift 2 ;;
	--attest-tools) attest=1; shift ;;
	*) die "unknown argument '$1' ($usage)" ;;
	esac
done
[ -n "$tree" ] || die "$usage"
busybox=/bin/busybox
[ -x "$busybox" ] || die "$busybox missing (install busybox-static)"
[ -r "$here/guest/init" ] || [ -n "$init_link" ] || die "$here/guest/init missing"

epoch=${SOURCE_DATE_EPOCH:-0}
[[ $epoch =~ ^[0-9]+$ ]] || die "SOURCE_DATE_EPOCH '$epoch' is not a number of seconds"
umask 022

made_tree=
if [ -e "$tree" ] || [ -L "$tree" ]; then
	[[ -d $tree && ! -L $tree ]] || die "$tree exists and is not a directory"
	[ -z "$(ls -A "$tree")" ] || die "$tree is not empty"
else
	mkdir "$tree" || die "cannot create $tree"
	made_tree=1
fi
# On failure leave nothing behind: what we created goes, an empty TREE we were given stays.
ok=
cleanup() {
	[ -z "$ok" ] || return 0
	if [ -n "$made_tree" ]; then rm -rf "$tree"; else rm -rf "${tree:?}/usr"; fi
}
trap cleanup EXIT

# Modes are explicit: the host's umask and file modes must not leak in.
mkdir -p "$tree/usr/bin" "$tree/usr/lib/verinit-test" || die "cannot create directories in $tree"
install -m 0755 "$busybox" "$tree/usr/bin/busybox" || die "cannot copy $busybox into $tree"
applets=$("$busybox" --list) || die "$busybox --list failed"
for applet in $applets; do
	[ "$applet" = busybox ] || ln -s busybox "$tree/usr/bin/$applet" || die "cannot link applet $applet"
done
if [ -n "$init_link" ]; then
	ln -s "$init_link" "$tree/usr/lib/verinit-test/init" || die "cannot create the init symlink"
else
	install -m 0755 "$here/guest/init" "$tree/usr/lib/verinit-test/init" || die "cannot copy the test init"
fi
mkdir -p "$tree/usr/share/verinit-test" && seq -f 'canary %06g' 0 4095 >"$tree/usr/share/verinit-test/canary" ||
	die "cannot write the canary file"
# Which slot of an A/B disk this tree is: the test init reports it, so a case sees which /usr it got.
[ -z "$slot" ] || echo "$slot" >"$tree/usr/lib/verinit-test/slot" || die "cannot write the slot name"
# PROGRAM's loader as usr/<loader> and every library ldd names for PROGRAM and each LIB (and each
# LIB itself) under usr/lib/<multiarch>/: everything it loads comes from /usr.
copy_dynamic() { # PROGRAM [LIB...]
	local program=$1 loader lib libs
	loader=$(readelf -l "$program" | sed -n 's/.*\[Requesting program interpreter: \(.*\)\]$/\1/p')
	[[ $loader == /lib64/* ]] || die "$program's loader is '${loader:-none}', not under /lib64"
	install -D -m 0755 "$(readlink -f "$loader")" "$tree/usr$loader" || die "cannot copy $program's loader $loader"
	libs=$(ldd "$@" | sed -n 's/.* => \(\/[^ ]*\) .*/\1/p' | sort -u)
	[ -n "$libs" ] || die "ldd names no library of $program"
	for lib in $libs "${@:2}"; do
		# /lib/x86_64-linux-gnu/libc.so.6 -> usr/lib/x86_64-linux-gnu/libc.so.6 (merged /usr).
		install -D -m 0644 "$(readlink -f "$lib")" "$tree/usr/lib/${lib#*/lib/}" || die "cannot copy $lib"
	done
}
if [ -n "$dyninit" ]; then
	install -D -m 0755 "$dyninit" "$tree/usr/lib/verinit-test/init-dyn" || die "cannot copy $dyninit"
	copy_dynamic "$dyninit"
fi
if [ -n "$attest" ]; then
	tcti=/usr/lib/x86_64-linux-gnu/libtss2-tcti-device.so.0
	[[ -x /usr/bin/tpm2 && -r $tcti ]] || die "/usr/bin/tpm2 or $tcti missing (install tpm2-tools)"
	install -m 0755 /usr/bin/tpm2 "$tree/usr/bin/tpm2" || die "cannot copy /usr/bin/tpm2"
	copy_dynamic /usr/bin/tpm2 "$tcti"
fi
if [ -n "$stores" ]; then
	cp -R "$stores" "$tree/usr/share/verinit-test/selinux-stores" &&
		find "$tree/usr/share/verinit-test/selinux-stores" -type f -exec chmod 0644 {} + ||
		die "cannot copy $stores"
fi
{ find "$tree" -type d -exec chmod 0755 {} + && find "$tree" -exec touch -h -d "@$epoch" {} +; } ||
	die "cannot set modes and timestamps in $tree"
ok=1
