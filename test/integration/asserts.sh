# Extra checks per integration case (sourced by run.sh). Each gets the run directory, prints one
# line per failed expectation and returns non-zero on any.

# verinit ran as PID 1 under Secure Boot, and its lines reached the runner from the console.
verinit_ran() {
	local run=$1 ok=0
	grep -q '^secureboot=enabled$' "$run/verdict" || { echo "Secure Boot was not enabled"; ok=1; }
	grep -q '\] \[  OK  \] Mounted /dev, /proc, /sys and /run$' "$run/serial.log" ||
		{ echo "no status line from verinit's first stage"; ok=1; }
	grep -q '\] verinit: halting$' "$run/serial.log" || { echo "verinit did not say it halts"; ok=1; }
	return $ok
}
assert_signed_uki() { verinit_ran "$1"; }
assert_signed_esp() { verinit_ran "$1"; }

# The firmware refused: the kernel never started, so nothing of ours ran.
never_started() {
	! grep -qE 'Linux version|verinit' "$1/serial.log" || { echo "the kernel started"; return 1; }
}
assert_attacker_uki() { never_started "$1"; }
assert_attacker_esp() {
	never_started "$1" || return 1
	grep -q 'Access Denied' "$1/serial.log" || { echo "no 'Access Denied' from the firmware"; return 1; }
}

# PCR values printed inside the guest reach the runner, one bank per active TPM bank; what the
# firmware and the stub measure (PCR 4, 7, 9, 11) is not zero, what nothing measures (PCR 13) is.
pcrs_reported() { # run banks...
	local run=$1 ok=0 bank n
	shift
	for bank in "$@"; do
		n=$(grep -c "^R pcr $bank " "$run/report" || true)
		[ "$n" = 24 ] || { echo "bank $bank: $n PCRs reported, want 24"; ok=1; }
		for pcr in 4 7 9 11; do
			grep -qE "^R pcr $bank $pcr [0-9a-f]*[1-9a-f]" "$run/report" || { echo "bank $bank: PCR $pcr is zero or missing"; ok=1; }
		done
		grep -qE "^R pcr $bank 13 0+$" "$run/report" || { echo "bank $bank: PCR 13 is not zero"; ok=1; }
	done
	return $ok
}
assert_probe_sha256() {
	pcrs_reported "$1" sha256 || return 1
	! grep -q '^R pcr sha1 ' "$1/report" || { echo "a sha1 bank on a sha256-only TPM"; return 1; }
}
assert_probe_all_banks() { pcrs_reported "$1" sha1 sha256 sha384 sha512; }

# The other firmware modes: Secure Boot off in OVMF, and SeaBIOS (no UEFI at all).
assert_sb_off_uki() {
	grep -q '^secureboot=disabled$' "$1/verdict" || { echo "Secure Boot was not reported off"; return 1; }
}
assert_seabios_fast() {
	! grep -q 'EFI stub' "$1/serial.log" || { echo "UEFI ran"; return 1; }
	grep -q '\] verinit: halting$' "$1/serial.log" || { echo "verinit did not say it halts"; return 1; }
}
