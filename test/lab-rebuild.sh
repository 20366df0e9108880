#!/usr/bin/env bash
# The lab's artefacts are reused when none of their inputs changed and rebuilt when one did:
# `make -n` must have nothing to do after a build, and exactly the dependent steps after a change
# (-W pretends a file was just modified, so nothing is touched).
set -euo pipefail
build=${1:-build}
fail() { echo "lab-rebuild: $*"; exit 1; }
plan() { make -n --no-print-directory BUILD="$build" "$@" do-lab | grep -v "Nothing to be done"; }

out=$(plan) || true
[ -z "$out" ] || fail "nothing changed, yet make would run: $(head -n3 <<<"$out")"

out=$(plan -W hooks/verinit-uki)
grep -q 'hooks/verinit-uki --output [^ ]*/uki.efi ' <<<"$out" || fail "a changed hooks/verinit-uki does not rebuild the UKI"
grep -q 'qemu/disk.sh' <<<"$out" || fail "a changed hooks/verinit-uki does not rebuild the disk"
! grep -q 'qemu/usr-image.sh' <<<"$out" || fail "a changed hooks/verinit-uki rebuilds /usr"
! grep -q 'qemu/ovmf.sh' <<<"$out" || fail "a changed hooks/verinit-uki rebuilds the OVMF variables"

# A new /usr changes the PCR 15 values published with the lab's UKI, and only those UKIs.
out=$(plan -W qemu/guest/init)
grep -q 'qemu/usr-image.sh' <<<"$out" || fail "a changed test init does not rebuild /usr"
grep -q 'hooks/verinit-uki --output [^ ]*/uki.efi .*--predict' <<<"$out" ||
	fail "a changed /usr does not renew the lab UKI's prediction"
! grep -q 'hooks/verinit-uki --output [^ ]*/uki-conf-ipe-audit.efi ' <<<"$out" || fail "a changed test init rebuilds other UKIs"
# The attest /usr carries the test init too: its image, and the prediction of its UKI, renewed.
grep -q 'qemu/usr-image.sh [^ ]*/usr-attest .*--attest-tools' <<<"$out" || fail "a changed test init does not rebuild the attest /usr"
grep -q 'hooks/verinit-uki --output [^ ]*/uki-attest.efi .*--predict' <<<"$out" ||
	fail "a changed attest /usr does not renew the attest UKI's prediction"

out=$(plan -W "$build/verinit")
grep -q 'hooks/verinit-mkinitramfs .*--output [^ ]*/initramfs.img ' <<<"$out" || fail "a new verinit does not rebuild the initramfs"

out=$(plan -W qemu/conf/ipe-audit.conf)
grep -q 'hooks/verinit-mkinitramfs .*--output [^ ]*/initramfs-ipe-audit.img ' <<<"$out" ||
	fail "a changed config variant does not rebuild its initramfs"
! grep -q 'hooks/verinit-mkinitramfs .*--output [^ ]*/initramfs.img ' <<<"$out" ||
	fail "a changed config variant rebuilds the lab's own initramfs"

# OS Guard's partition definitions name the root its config and command line name: a changed one
# renews them and every OS Guard disk, and nothing of the lab's own.
out=$(plan -W qemu/osguard/repart.d/14-root-a.conf)
grep -q 'qemu/merge-conf.sh .*/conf/osguard.conf' <<<"$out" || fail "a changed root-a definition does not renew the OS Guard config"
grep -q 'hooks/verinit-uki --output [^ ]*/uki-osguard.efi .*--predict' <<<"$out" ||
	fail "a changed root-a definition does not renew the OS Guard UKI's prediction"
for d in disk-osguard disk-osguard-attacker disk-osguard-root-merged disk-osguard-root-hijack; do
	grep -q "qemu/osguard-disk.sh [^ ]*/$d.img " <<<"$out" || fail "a changed root-a definition does not rebuild $d.img"
done
! grep -qE 'initramfs.img |qemu/disk.sh|qemu/usr-image.sh' <<<"$out" || fail "a changed root-a definition rebuilds the lab's own images"

# The installed tree is make install's copy: a changed tool is installed again, and the UKI the
# installed tools build is rebuilt by them (and under -n nothing is installed for real).
out=$(plan -W hooks/verinit-mkinitramfs)
grep -q 'install -D -m .*/installed/usr' <<<"$out" || fail "a changed hooks/verinit-mkinitramfs is not installed again"
grep -q 'PATH=[^ ]*/installed/usr/bin:[^ ]* verinit-uki --output [^ ]*/uki-installed.efi ' <<<"$out" ||
	fail "a changed hooks/verinit-mkinitramfs does not rebuild the installed tools' UKI"
[ -e "$build/lab/installed/.stamp" ] || fail "make -n removed the installed tree"

out=$(plan -W qemu/keys.sh)
grep -q 'qemu/ovmf.sh' <<<"$out" || fail "new keys do not re-enroll the OVMF variables"
echo "lab-rebuild: reuse and rebuild as expected"
