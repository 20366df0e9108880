#!/usr/bin/env bash
# hooks/kernel-install/60-verinit.install in a temporary tree with a fake kernel-install
# environment: "add" writes the initramfs (the same bytes hooks/verinit-mkinitramfs makes) into
# the staging area, or into the entry directory without one; "remove" deletes what it made and
# nothing else; another chosen initrd generator makes it do nothing.
# Usage: test/hooks-kernel-install.sh BUILD
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:?usage: test/hooks-kernel-install.sh BUILD}
kver=$(cat "$build/lab/kernel/kver") || { echo "hooks-kernel-install: no lab kernel"; exit 1; }
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
checks=0 failures=0
pass() { checks=$((checks + 1)); }
fail() { checks=$((checks + 1)) failures=$((failures + 1)); echo "hooks-kernel-install: FAIL $*"; }
plugin=$here/hooks/kernel-install/60-verinit.install

# An installed verinit, as an image would carry it.
lib=$w/usr/lib/verinit
mkdir -p "$lib" "$w/etc/verinit/certs"
cp "$build/verinit" "$build/verinit-check-config" "$here/hooks/verinit-mkinitramfs" "$here/hooks/sbom.py" \
	"$here/third_party/sources.lock" "$lib/"
cp "$here/qemu/verinit.conf" "$w/etc/verinit/verinit.conf"
cp "$build/lab/keys/db.crt" "$w/etc/verinit/certs/"
export VERINIT_CONF=$w/etc/verinit/verinit.conf VERINIT_CERTS=$w/etc/verinit/certs VERINIT_LIBEXEC=$lib \
	VERINIT_MODULES=$build/lab/kernel/modules KERNEL_INSTALL_LAYOUT=bls
entry=$w/boot/machine-id/$kver staging=$w/staging
mkdir -p "$entry" "$staging"

KERNEL_INSTALL_STAGING_AREA=$staging "$plugin" add "$kver" "$entry" "$build/lab/kernel/vmlinuz" >/dev/null 2>"$w/err" &&
	[ -s "$staging/initrd" ] && [ -s "$staging/initrd.spdx.json" ] && pass ||
	fail "add with a staging area: $(cat "$w/err")"
"$here/hooks/verinit-mkinitramfs" --verinit "$build/verinit" --check-config "$build/verinit-check-config" \
	--config "$VERINIT_CONF" --kernel-version "$kver" --modules "$VERINIT_MODULES" --cert "$w/etc/verinit/certs/db.crt" \
	--output "$w/direct.img" >/dev/null
cmp -s "$staging/initrd" "$w/direct.img" && pass || fail "the plugin's initrd differs from verinit-mkinitramfs's"

"$plugin" add "$kver" "$entry" "$build/lab/kernel/vmlinuz" >/dev/null 2>"$w/err" && [ -s "$entry/initrd" ] && pass ||
	fail "add without a staging area: $(cat "$w/err")"
"$plugin" remove "$kver" "$entry" && [ ! -e "$entry/initrd" ] && [ ! -e "$entry/initrd.verinit" ] &&
	[ ! -e "$entry/initrd.manifest" ] && pass || fail "remove left files behind: $(ls "$entry")"

echo other >"$entry/initrd"
"$plugin" remove "$kver" "$entry" && [ "$(cat "$entry/initrd")" = other ] && pass ||
	fail "remove deleted another generator's initrd"
rm -f "$entry/initrd"
KERNEL_INSTALL_INITRD_GENERATOR=dracut "$plugin" add "$kver" "$entry" "$build/lab/kernel/vmlinuz" &&
	[ -z "$(ls "$entry")" ] && pass || fail "with dracut chosen it still wrote $(ls "$entry")"

rm "$w/etc/verinit/certs/db.crt"
! "$plugin" add "$kver" "$entry" "$build/lab/kernel/vmlinuz" 2>"$w/err" && grep -q "no enrolled certificate" "$w/err" &&
	pass || fail "no certificate: '$(cat "$w/err")'"

[ $failures -eq 0 ] && echo "hooks-kernel-install: all $checks checks passed"
exit $((failures > 0))
