#!/usr/bin/env bash
# hooks/kernel-install/60-verinit.install in a temporary tree with a fake kernel-install
# environment: "add" writes the initramfs (the same bytes hooks/verinit-mkinitramfs makes) into
# the staging area, or into the entry directory without one; "remove" deletes what it made and
# nothing else; another chosen initrd generator makes it do nothing. With layout=uki it installs a
# signed UKI holding that initramfs and the configured command line, with its expected PCRs, and
# removes them again. The plugin and the tools it runs are those `make install` puts into an image
# (DESTDIR, PREFIX=/usr): they find each other where they are installed, not in this tree.
# Usage: test/hooks-kernel-install.sh BUILD
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$(cd "${1:?usage: test/hooks-kernel-install.sh BUILD}" && pwd)
kver=$(cat "$build/lab/kernel/kver") || { echo "hooks-kernel-install: no lab kernel"; exit 1; }
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
checks=0 failures=0
pass() { checks=$((checks + 1)); }
fail() { checks=$((checks + 1)) failures=$((failures + 1)); echo "hooks-kernel-install: FAIL $*"; }

# An installed verinit, as an image would carry it.
make -s -C "$here" install DESTDIR="$w" PREFIX=/usr BUILD="$build" >/dev/null 2>"$w/err" ||
	{ echo "hooks-kernel-install: FAIL make install: $(cat "$w/err")"; exit 1; }
plugin=$w/usr/lib/kernel/install.d/60-verinit.install
mkdir -p "$w/etc/verinit/certs"
cp "$here/qemu/verinit.conf" "$w/etc/verinit/verinit.conf"
cp "$build/lab/keys/db.crt" "$w/etc/verinit/certs/"
export VERINIT_CONF=$w/etc/verinit/verinit.conf VERINIT_CERTS=$w/etc/verinit/certs \
	VERINIT_MODULES=$build/lab/kernel/modules KERNEL_INSTALL_LAYOUT=bls
entry=$w/boot/machine-id/$kver staging=$w/staging
mkdir -p "$entry" "$staging"

KERNEL_INSTALL_STAGING_AREA=$staging "$plugin" add "$kver" "$entry" "$build/lab/kernel/vmlinuz" >/dev/null 2>"$w/err" &&
	[ -s "$staging/initrd" ] && [ -s "$staging/initrd.spdx.json" ] && pass ||
	fail "add with a staging area: $(cat "$w/err")"
# The installed sbom.py's document is valid SPDX 2.3 too.
"$here/test/spdx/validate.py" "$staging/initrd.spdx.json" >"$w/spdx" 2>&1 && pass ||
	fail "the installed plugin's SBOM: $(head -n3 "$w/spdx")"
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

# ---- layout=uki ---------------------------------------------------------------------------------
cp "$build/lab/keys/db.crt" "$w/etc/verinit/certs/"
mkdir -p "$w/etc/kernel" "$w/efi" "$w/staging-uki"
printf 'console=ttyS0 panic=-1 quiet\n' >"$w/etc/kernel/cmdline"
uki=$w/efi/EFI/Linux/verinit-test-$kver.efi
section() { objcopy -O binary --only-section="$1" "$uki" "$w/section" && cat "$w/section"; }
uki_env=(KERNEL_INSTALL_LAYOUT=uki KERNEL_INSTALL_BOOT_ROOT="$w/efi" KERNEL_INSTALL_ENTRY_TOKEN=verinit-test
	KERNEL_INSTALL_CONF_ROOT="$w/etc/kernel" VERINIT_SB_KEY="$build/lab/keys/db.key" VERINIT_SB_CERT="$build/lab/keys/db.crt"
	VERINIT_USR_ENV="$build/lab/usr/usr.env")
env "${uki_env[@]}" KERNEL_INSTALL_STAGING_AREA="$w/staging-uki" "$plugin" add "$kver" "$entry" "$build/lab/kernel/vmlinuz" \
	>/dev/null 2>"$w/err" && [ -s "$uki" ] && pass || fail "layout=uki add: $(cat "$w/err")"
sbverify --cert "$build/lab/keys/db.crt" "$uki" >/dev/null 2>&1 && pass || fail "layout=uki: the UKI does not verify against db.crt"
[ "$(section .cmdline)" = "console=ttyS0 panic=-1 quiet" ] && pass || fail "layout=uki: .cmdline is '$(section .cmdline)'"
section .initrd | cmp -s -n "$(stat -c %s "$w/staging-uki/initrd")" - "$w/staging-uki/initrd" && pass ||
	fail "layout=uki: .initrd is not the plugin's initramfs"
cmp -s "$uki" "$w/staging-uki/uki.efi" && pass || fail "layout=uki: the staging area has no copy of the UKI"
"$build/verinit-measure" predict --uki "$uki" --usr-env "$build/lab/usr/usr.env" --cert "$build/lab/keys/db.crt" \
	--config "$VERINIT_CONF" --format json | cmp -s - "${uki%.efi}.pcrs.json" && pass ||
	fail "layout=uki: no pcrs.json next to the UKI, or not verinit-measure's prediction"
env "${uki_env[@]}" "$plugin" remove "$kver" "$entry" && [ -z "$(ls -A "$w/efi/EFI/Linux")" ] && pass ||
	fail "layout=uki remove left $(ls "$w/efi/EFI/Linux")"
echo other >"$uki"
env "${uki_env[@]}" "$plugin" remove "$kver" "$entry" && [ "$(cat "$uki")" = other ] && pass ||
	fail "layout=uki remove deleted a UKI it did not make"
rm -f "$uki"
env "${uki_env[@]}" KERNEL_INSTALL_UKI_GENERATOR=ukify KERNEL_INSTALL_STAGING_AREA="$w/staging-ukify" \
	"$plugin" add "$kver" "$entry" "$build/lab/kernel/vmlinuz" >/dev/null 2>&1 && [ -s "$w/staging-ukify/initrd" ] &&
	[ -z "$(ls -A "$w/efi/EFI/Linux")" ] && pass || fail "with ukify as the UKI generator it did not leave only the initrd"
rm "$w/etc/kernel/cmdline"
! env "${uki_env[@]}" "$plugin" add "$kver" "$entry" "$build/lab/kernel/vmlinuz" 2>"$w/err" >/dev/null &&
	grep -q "no $w/etc/kernel/cmdline or /usr/lib/kernel/cmdline" "$w/err" && [ -z "$(ls -A "$w/efi/EFI/Linux")" ] && pass ||
	fail "layout=uki without a command line: '$(cat "$w/err")', left $(ls "$w/efi/EFI/Linux")"

[ $failures -eq 0 ] && echo "hooks-kernel-install: all $checks checks passed"
exit $((failures > 0))
