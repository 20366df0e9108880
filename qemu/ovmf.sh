#!/usr/bin/env bash
# Makes a copy of OVMF's variable store with the lab's PK, KEK and db enrolled and Secure Boot on
# (no Microsoft keys: only what our db key signed boots).
# Usage: qemu/ovmf.sh KEYDIR OUT.fd
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
keys=${1:?usage: qemu/ovmf.sh KEYDIR OUT.fd} out=${2:?usage: qemu/ovmf.sh KEYDIR OUT.fd}
vars=/usr/share/OVMF/OVMF_VARS_4M.fd
[ -f "$vars" ] || { echo "ovmf: $vars missing (package ovmf)" >&2; exit 1; }
vfw=$("$here/fetch.sh" virt-firmware)
# Any fixed GUID names the owner of our certificates.
owner=5a5c0a4e-6c61-4262-9a0b-766572696e69
# trixie's package is pure Python; on Debian 12 it needs only python3-importlib-resources and
# python3-cryptography. /usr/bin/python3, not whatever python3 is first in PATH.
PYTHONPATH=$vfw/usr/lib/python3/dist-packages /usr/bin/python3 "$vfw/usr/bin/virt-fw-vars" \
	-i "$vars" -o "$out.part" --set-pk "$owner" "$keys/PK.crt" --add-kek "$owner" "$keys/KEK.crt" \
	--add-db "$owner" "$keys/db.crt" --no-microsoft --secure-boot >"$out.log" 2>&1 ||
	{ echo "ovmf: virt-fw-vars failed: $(tail -n1 "$out.log")" >&2; exit 1; }
mv "$out.part" "$out"
