#!/usr/bin/env bash
# The Debian package (debian/): dpkg-buildpackage -b -us -uc in a git archive of HEAD (never the
# working tree), with the sysroot from the cache (debian/cached-deps), which it leaves as it was;
# dpkg -c lists exactly what `make install DESTDIR PREFIX=/usr` installs from that build, with the
# same modes, plus what Debian adds (changelog, copyright, the lintian overrides, the kernel hooks
# as conffiles); the packaged agent is the built one byte for byte (dh_strip leaves its CET note);
# Built-Using names every source package the lock files pin; lintian finds no error and no warning
# (debian/verinit.lintian-overrides gives each ignored tag its reason). Then the package's
# /etc/kernel/postinst.d and postrm.d hooks, unpacked with the rest into a temporary root, add and
# remove the lab kernel's initramfs and UKI through the packaged plugin and tools.
# Usage: test/deb-package.sh BUILD
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$(cd "${1:?usage: test/deb-package.sh BUILD}" && pwd)
kver=$(cat "$build/lab/kernel/kver") || { echo "deb-package: no lab kernel"; exit 1; }
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
checks=0 failures=0
pass() { checks=$((checks + 1)); }
fail() { checks=$((checks + 1)) failures=$((failures + 1)); echo "deb-package: FAIL $*"; }

sysroot=$("$here/third_party/deps.sh" sysroot-path)
stamp_before=$(stat -c %Y "$sysroot/.complete" 2>/dev/null)
mkdir "$w/src"
git -C "$here" archive HEAD | tar -x -C "$w/src" || { echo "deb-package: FAIL git archive HEAD"; exit 1; }
t0=$SECONDS
(cd "$w/src" && dpkg-buildpackage -b -us -uc -j"$(nproc)") >"$w/build.log" 2>&1 ||
	{ echo "deb-package: FAIL dpkg-buildpackage:"; tail -n 30 "$w/build.log"; exit 1; }
echo "deb-package: built in $((SECONDS - t0)) s"
[ -n "$stamp_before" ] && [ "$(stat -c %Y "$sysroot/.complete" 2>/dev/null)" = "$stamp_before" ] && pass ||
	fail "the package build changed or removed the cached sysroot $sysroot"
deb=$(ls "$w"/verinit_*_amd64.deb)

# The files, as dpkg -c lists them, against make install's from the same build and Debian's own.
dpkg -c "$deb" | awk '$1 !~ /^d/ { sub("^\\./", "", $6); print $1, $6 }' | sort >"$w/listed"
make -s -C "$w/src" --no-print-directory install DESTDIR="$w/inst" PREFIX=/usr >/dev/null 2>"$w/err" ||
	fail "make install from the package's build: $(cat "$w/err")"
{
	# dh_compress gzips the man pages, as Debian policy wants them.
	(cd "$w/inst" && find . -type f -printf '%M %P\n') | sed 's|^\(.* usr/share/man/.*\)$|\1.gz|'
	printf -- '-rw-r--r-- usr/share/doc/verinit/%s\n' changelog.gz copyright
	printf -- '-rw-r--r-- usr/share/lintian/overrides/verinit\n'
	printf -- '-rwxr-xr-x etc/kernel/%s/zz-verinit\n' postinst.d postrm.d
} | sort >"$w/expected"
[ "$(wc -l <"$w/expected")" -ge 15 ] && diff "$w/expected" "$w/listed" >"$w/diff" && pass ||
	fail "dpkg -c is not make install's files and Debian's (< expected, > packaged): $(cat "$w/diff")"
dpkg-deb -I "$deb" conffiles 2>/dev/null | sort | cmp -s - <(printf '/etc/kernel/postinst.d/zz-verinit\n/etc/kernel/postrm.d/zz-verinit\n') &&
	pass || fail "the conffiles are not the two kernel hooks: $(dpkg-deb -I "$deb" conffiles 2>&1)"
mkdir "$w/root"
dpkg-deb -x "$deb" "$w/root"
cmp -s "$w/root/usr/lib/verinit/verinit" "$w/src/build/verinit" && pass || fail "the packaged agent is not the built one"

# Built-Using: every source package of the sysroot's lock, and musl's.
built_using=$(dpkg-deb -f "$deb" Built-Using)
while read -r _ pkg ver _; do
	[[ $built_using == *"$pkg (= $ver)"* ]] && pass || fail "Built-Using lacks $pkg (= $ver): $built_using"
done < <(grep -Ev '^[[:space:]]*(#|$)' "$here/third_party/sources.lock" | sort -u -k2,3)
musl_ver=$(awk '$1 == "musl-dev" { print $3 }' "$here/qemu/tools.lock")
[[ $built_using == *"musl (= $musl_ver)"* ]] && pass || fail "Built-Using lacks musl (= $musl_ver): $built_using"

lintian --fail-on error,warning "$deb" >"$w/lintian" 2>&1 && pass || fail "lintian: $(cat "$w/lintian")"
grep -v 'running with root privileges' "$w/lintian"

# ---- the kernel hooks, in the unpacked package's root ---------------------------------------------
r=$w/root
hook() { # postinst.d|postrm.d [ENV=...]: runs that hook for the lab kernel
	local dir=$1
	shift
	env "$@" "$r/etc/kernel/$dir/zz-verinit" "$kver" "$r/boot/vmlinuz-$kver"
}
mkdir -p "$r/boot" "$r/usr/lib/modules" "$r/etc/verinit/certs"
cp "$build/lab/kernel/vmlinuz" "$r/boot/vmlinuz-$kver"
ln -s "$build/lab/kernel/modules" "$r/usr/lib/modules/$kver"
entry=$r/boot/verinit/$kver

hook postinst.d >"$w/out" 2>&1 && [ ! -e "$r/boot/verinit" ] && pass ||
	fail "without /etc/verinit/verinit.conf the hook did something: $(cat "$w/out"); $(ls "$r/boot")"
cp "$here/qemu/verinit.conf" "$r/etc/verinit/verinit.conf"
! hook postinst.d >/dev/null 2>"$w/err" && grep -q "no enrolled certificate" "$w/err" && pass ||
	fail "the plugin's failure did not fail the hook: '$(cat "$w/err")'"
cp "$build/lab/keys/db.crt" "$r/etc/verinit/certs/"
hook postinst.d DEB_MAINT_PARAMS="'configure' ''" >/dev/null 2>"$w/err" && [ -s "$entry/initrd" ] &&
	[ -s "$entry/initrd.spdx.json" ] && pass || fail "postinst.d: no initramfs in /boot/verinit/$kver: $(cat "$w/err")"
"$r/usr/bin/verinit-mkinitramfs" --verinit "$r/usr/lib/verinit/verinit" --config "$r/etc/verinit/verinit.conf" \
	--kernel-version "$kver" --modules "$build/lab/kernel/modules" --cert "$r/etc/verinit/certs/db.crt" \
	--output "$w/direct.img" >/dev/null 2>"$w/err" || fail "the packaged verinit-mkinitramfs: $(cat "$w/err")"
cmp -s "$entry/initrd" "$w/direct.img" && pass || fail "the hook's initramfs differs from the packaged verinit-mkinitramfs's"
hook postrm.d DEB_MAINT_PARAMS=upgrade && [ -s "$entry/initrd" ] && pass || fail "postrm.d for an upgrade removed the initramfs"
hook postrm.d DEB_MAINT_PARAMS=remove && [ ! -e "$r/boot/verinit" ] && pass ||
	fail "postrm.d for remove left $(find "$r/boot/verinit" 2>/dev/null)"

# systemd-boot's own hook runs kernel-install, and so the plugin: this one stays out of its way.
mkdir -p "$w/bin"
printf '#!/bin/sh\nexit 0\n' >"$w/bin/bootctl"
printf '#!/bin/sh\nexit 0\n' >"$r/etc/kernel/postinst.d/zz-systemd-boot"
chmod +x "$w/bin/bootctl" "$r/etc/kernel/postinst.d/zz-systemd-boot"
hook postinst.d PATH="$w/bin:$PATH" && [ ! -e "$r/boot/verinit" ] && pass ||
	fail "with systemd-boot installed the hook still built $(find "$r/boot/verinit")"
rm "$r/etc/kernel/postinst.d/zz-systemd-boot"

# layout=uki (install.conf): the signed UKI on the ESP under the machine-id, and nothing in /boot/verinit.
mkdir -p "$r/boot/efi/EFI" "$r/etc/verinit/secureboot"
printf 'layout=uki\n' >"$r/etc/kernel/install.conf"
printf 'console=ttyS0 panic=-1 quiet\n' >"$r/etc/kernel/cmdline"
printf '0123456789abcdef0123456789abcdef\n' >"$r/etc/machine-id"
cp "$build/lab/keys/db.key" "$build/lab/keys/db.crt" "$r/etc/verinit/secureboot/"
uki=$r/boot/efi/EFI/Linux/0123456789abcdef0123456789abcdef-$kver.efi
hook postinst.d >/dev/null 2>"$w/err" && [ -s "$uki" ] && [ ! -e "$r/boot/verinit" ] && pass ||
	fail "layout=uki: no UKI at $uki: $(cat "$w/err"); $(find "$r/boot" -newer "$r/etc/machine-id")"
sbverify --cert "$build/lab/keys/db.crt" "$uki" >/dev/null 2>&1 && pass || fail "layout=uki: the UKI does not verify against db.crt"
hook postrm.d && [ ! -e "$uki" ] && [ ! -e "$uki.verinit" ] && pass || fail "layout=uki: postrm.d left $(ls "$r/boot/efi/EFI/Linux")"

# The package removed, its hooks left behind as conffiles: they do nothing.
rm "$r/usr/lib/kernel/install.d/60-verinit.install"
hook postinst.d && [ -z "$(ls -A "$r/boot/efi/EFI/Linux")" ] && pass || fail "without the plugin the hook did something"

[ $failures -eq 0 ] && echo "deb-package: all $checks checks passed"
exit $((failures > 0))
