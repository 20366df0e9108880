#!/usr/bin/env bash
# `make demo`: boots the signed lab disk the way a node boots (OVMF with our Secure Boot keys,
# the UKI from the ESP, a fresh swtpm) and prints a short summary; the full log stays in a file.
# Usage: qemu/demo.sh LAB_DIR
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
lab=${1:?usage: qemu/demo.sh LAB_DIR}
run=$lab/runs/demo
echo "demo: booting $lab/disk.img (OVMF + Secure Boot + swtpm, TCG: about 20-40 s)"
"$here/boot.sh" --run "$run" --disk "$lab/disk.img" --tpm sha256
v() { sed -n "s/^$1=//p" "$run/verdict"; }
log=$run/serial.log
since() { # label pattern: "<s> s" since QEMU start for the first line matching
	local t
	t=$(grep -m1 -E "$2" "$log" | sed -n 's/^\[ *\([0-9.]*\)\].*/\1/p')
	if [ -n "$t" ]; then t="$t s after QEMU start"; else t="not reached"; fi
	printf '  %-22s %s\n' "$1" "$t"
}

echo
echo "verinit demo"
printf '  %-22s %s\n' "firmware Secure Boot" "$(v secureboot)"
printf '  %-22s %s\n' "UKI signed by" "$(openssl x509 -in "$lab/keys/db.crt" -noout -subject | sed 's/^subject=//') (enrolled in db)"
printf '  %-22s %s\n' "/usr on the disk" "root hash $(cat "$lab/usr/usr.roothash"), signed by db"
since "UKI started" 'EFI stub: '
since "kernel started" 'Linux version'
since "verinit started" 'Run /init as init process'
echo "  verinit stages:"
grep -E '^\[ *[0-9.]+\] \[(  OK  |FAILED)\] ' "$log" | sed 's/^\[ *\([0-9.]*\)\] /    at \1 s  /'
status=0 # 1: the boot did not hand over, or a PCR is not what verinit-measure predicts
case $(v verdict) in
handed-over) printf '  %-22s %s\n' "outcome" "handed over to the system's init" ;;
halted) status=1
	printf '  %-22s %s\n' "outcome" "failed closed: reason $(v reason) in stage $(v stage)"
	grep -m1 -o 'verinit: FAIL .*' "$log" | sed 's/^/    /' ;;
*) status=1
	printf '  %-22s %s\n' "outcome" "$(v verdict)" ;;
esac
if [ -s "$run/report" ]; then
	echo "  PCRs read in the guest after hand-over:"
	grep '^R pcr sha256 \(4\|7\|9\|11\|15\) ' "$run/report" | sed 's/^R pcr /    /'
	# What an operator predicts offline for this UKI and /usr, against what the TPM says.
	measure=$lab/../verinit-measure
	if [ -x "$measure" ]; then
		# The initramfs carries qemu/verinit.conf: its settings are facts in PCR 15.
		while read -r bank pcr want; do
			if grep -qx "R pcr $bank $pcr $want" "$run/report"; then ok="as predicted by verinit-measure"
			else ok="NOT as predicted ($want)" status=1; fi
			printf '    %s %s %s\n' "$bank" "$pcr" "$ok"
		done < <("$measure" predict --uki "$lab/uki.efi" --usr-env "$lab/usr/usr.env" --cert "$lab/keys/db.crt" \
			--config "$here/verinit.conf" --banks sha256 --format lines)
	fi
else
	echo "  PCRs: the system's init prints them after hand-over; this boot did not hand over"
fi
echo "  full serial log: $log"
exit $status
