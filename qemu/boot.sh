#!/usr/bin/env bash
# Boots one lab variant under QEMU (TCG) and writes a verdict. Usage:
#   qemu/boot.sh --run DIR [--firmware ovmf-sb|ovmf|seabios] [--uki UKI] [--disk IMG]...
#                [--kernel VMLINUZ --initrd INITRD --append CMDLINE] [--vars VARS.fd]
#                [--tpm none|sha256|all] [--tpm-dies-at REGEX] [--tpm-proxy PCR:N|pass]
#                [--timeout SECONDS] [--disk-bus virtio|scsi|nvme] [--trace-code FILE]
#                [--hotplug-at REGEX --hotplug-disk IMG] [--accel tcg|kvm] [--icount]
# With OVMF, --uki boots the UKI through -kernel (the firmware still checks its signature) and
# --tpm-dies-at kills swtpm (SIGKILL) once a serial line matches REGEX: a TPM that disappears
# mid-boot (QEMU then answers every TPM command with a failure); DIR/tpm-killed records when.
# --tpm-proxy puts qemu/tpm-proxy.py between QEMU and swtpm: with PCR:N the Nth TPM2_PCR_Extend of
# PCR fails (TPM_RC_FAILURE), every other command goes through (DIR/tpm-proxy.log says when); with
# either, swtpm outlives a QEMU that exits by itself (a failure action of reboot or poweroff), so
# its PCRs are still read after the halt.
# --hotplug-at adds --hotplug-disk as a SCSI disk (--disk-bus scsi) through QEMU's monitor once a
# serial line matches REGEX: a disk that arrives late; DIR/hotplugged records when.
# --disk alone boots the (first) disk's ESP. SeaBIOS boots --kernel/--initrd directly: fast,
# unverified; OVMF boots them through the firmware, which checks --kernel's signature as a UKI's
# (qemu/kvm-bundle.sh signs the kernel it carries). Each --disk is one virtio disk, in order: vda, vdb, ...; --disk-bus scsi puts them
# behind a virtio-scsi host adapter (sda, sdb, ...: the disks appear only after its driver scanned
# the bus, as on Hyper-V's storvsc), nvme makes each an NVMe controller (nvme0n1, ...).
# --trace-code writes each block of user-space code TCG translates to FILE (QEMU's -d in_asm), for
# test/tools/footprint.py; the boot is slower for it.
# --accel kvm runs the guest on the host's CPU (-cpu host) for absolute times (qemu/kvm-run.sh);
# the default, tcg, is what every test and make bench use. BOOT_QEMU, BOOT_SWTPM,
# BOOT_SWTPM_SETUP and BOOT_OVMF_DIR (for /usr/share/OVMF) replace the host's programs and
# firmware: a machine without them boots those a bundle carries.
# --icount runs the guest under -icount shift=0,sleep=off: its clock counts executed instructions
# (1 ns each) and skips idle time, so the guest's printk times no longer move with the host's
# load (make bench); the host's stamps in DIR/serial.log then say nothing about the guest.
#
# DIR/serial.log  the serial console, each line stamped with seconds since QEMU started
# DIR/verdict     key=value lines: verdict=handed-over|halted|rebooted|refused|timeout|crashed,
#                 reason= and stage= (halted), secureboot=enabled|disabled|unknown,
#                 t_kernel=, t_init=, t_verinit=, t_end= (seconds; empty when not reached)
# DIR/report      the guest's report lines ("R ..."), when it handed over
# DIR/tpm-pcrs    after a halt with a TPM: PCRs 11 and 15 as the runner read them from swtpm itself
#                 (qemu/tpm-read.py, after QEMU is killed), "BANK PCR HEX" lines, not what verinit
#                 printed; DIR/tpm-read.err says why when there is none
# Exits 0 when a verdict was reached (whatever it is), 1 when the boot could not be run.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
run= firmware=ovmf-sb uki= disks=() kernel= initrd= append= tpm=sha256 timeout=240 tpm_dies_at= disk_bus=virtio
trace_code= tpm_proxy= proxy_pid= hotplug_at= hotplug_disk= accel=tcg icount=
vars=$here/../build/lab/OVMF_VARS.fd
while [ $# -gt 0 ]; do
	[ "$1" != --icount ] || { icount=1 && shift && continue; }
	case $1 in
	--run) run=$2 ;; --firmware) firmware=$2 ;; --uki) uki=$2 ;; --disk) disks+=("$2") ;;
	--kernel) kernel=$2 ;; --initrd) initrd=$2 ;; --append) append=$2 ;; --vars) vars=$2 ;;
	--tpm) tpm=$2 ;; --timeout) timeout=$2 ;; --tpm-dies-at) tpm_dies_at=$2 ;; --disk-bus) disk_bus=$2 ;;
	--trace-code) trace_code=$2 ;; --tpm-proxy) tpm_proxy=$2 ;;
	--hotplug-at) hotplug_at=$2 ;; --hotplug-disk) hotplug_disk=$2 ;; --accel) accel=$2 ;;
	*) die "unknown option '$1' (see the comment at the top of $0)" ;;
	esac
	shift 2
done
[ -n "$run" ] || die "--run DIR is required"
rm -rf "$run" && mkdir -p "$run"
log=$run/serial.log

ovmf_dir=${BOOT_OVMF_DIR:-/usr/share/OVMF}
case $accel in
tcg) q=("${BOOT_QEMU:-qemu-system-x86_64}" -accel tcg,thread=single) ;;
kvm) q=("${BOOT_QEMU:-qemu-system-x86_64}" -accel kvm -cpu host) ;;
*) die "unknown --accel '$accel'" ;;
esac
q+=(-smp 1 -m 1024 -nic none -display none -serial stdio -no-reboot -pidfile "$run/qemu.pid")
if [ -n "$hotplug_at" ]; then
	[ -f "$hotplug_disk" ] && [ "$disk_bus" = scsi ] || die "--hotplug-at needs --hotplug-disk IMG and --disk-bus scsi"
	q+=(-monitor "unix:$run/monitor.sock,server=on,wait=off")
else
	q+=(-monitor none)
fi
case $firmware in
ovmf-sb | ovmf)
	if [ "$firmware" = ovmf-sb ]; then
		code=$ovmf_dir/OVMF_CODE_4M.secboot.fd
		[ -f "$vars" ] || die "no enrolled variable store at $vars (qemu/ovmf.sh makes it)"
		cp "$vars" "$run/vars.fd"
	else
		code=$ovmf_dir/OVMF_CODE_4M.fd
		cp "$ovmf_dir/OVMF_VARS_4M.fd" "$run/vars.fd"
	fi
	q+=(-machine q35,smm=on -global driver=cfi.pflash01,property=secure,value=on
		-drive "if=pflash,format=raw,unit=0,file=$code,readonly=on"
		-drive "if=pflash,format=raw,unit=1,file=$run/vars.fd")
	[ -n "$uki" ] && q+=(-kernel "$uki")
	if [ -n "$kernel" ]; then
		[ -z "$uki" ] && [ -n "$initrd" ] || die "OVMF boots --kernel with --initrd, and not with --uki"
		q+=(-kernel "$kernel" -initrd "$initrd" -append "$append")
	fi
	[ -n "$uki$kernel" ] || [ ${#disks[@]} -gt 0 ] || die "OVMF needs --uki, --kernel or --disk"
	;;
seabios)
	[ -n "$kernel" ] && [ -n "$initrd" ] || die "seabios needs --kernel and --initrd"
	q+=(-machine q35 -kernel "$kernel" -initrd "$initrd" -append "$append")
	;;
*) die "unknown firmware '$firmware'" ;;
esac
# snapshot=on: a test can never change the image it boots.
case $disk_bus in
virtio) dev=virtio-blk-pci ;;
scsi) dev=scsi-hd q+=(-device virtio-scsi-pci,id=scsi0) ;;
nvme) dev=nvme ;;
*) die "unknown --disk-bus '$disk_bus'" ;;
esac
for i in "${!disks[@]}"; do
	opts=
	[ "$i" != 0 ] || opts=,bootindex=1
	[ "$disk_bus" != nvme ] || opts+=",serial=verinit$i"
	q+=(-drive "if=none,id=disk$i,format=raw,file=${disks[$i]},snapshot=on" -device "$dev,drive=disk$i$opts")
done

swtpm_pid=
cleanup() {
	if [ -s "$run/qemu.pid" ]; then kill "$(cat "$run/qemu.pid")" 2>/dev/null || true; fi
	[ -z "$swtpm_pid" ] || kill "$swtpm_pid" 2>/dev/null || true
	[ -z "$proxy_pid" ] || kill "$proxy_pid" 2>/dev/null || true
}
trap cleanup EXIT
case $tpm in
none) ;;
sha256 | all)
	# A fresh TPM per boot: PCRs start at zero and nothing carries over between tests.
	mkdir -p "$run/tpm"
	if [ "$tpm" = sha256 ]; then
		"${BOOT_SWTPM_SETUP:-swtpm_setup}" --tpm2 --tpmstate "$run/tpm" --pcr-banks sha256 >"$run/swtpm_setup.log" 2>&1 ||
			die "swtpm_setup failed: $(tail -n1 "$run/swtpm_setup.log")"
	fi
	# No --terminate: after a halt the runner reads the PCRs through a control connection of its
	# own once QEMU's is gone (cleanup stops swtpm).
	"${BOOT_SWTPM:-swtpm}" socket --tpm2 --tpmstate "dir=$run/tpm" --ctrl "type=unixio,path=$run/tpm/ctrl.sock" \
		--log "file=$run/swtpm.log" &
	swtpm_pid=$!
	for _ in $(seq 100); do [ -S "$run/tpm/ctrl.sock" ] && break; sleep 0.05; done
	[ -S "$run/tpm/ctrl.sock" ] || die "swtpm did not come up (log: $run/swtpm.log)"
	ctrl=$run/tpm/ctrl.sock
	if [ -n "$tpm_proxy" ]; then
		ctrl=$run/tpm/proxy.sock
		"$here/tpm-proxy.py" "$ctrl" "$run/tpm/ctrl.sock" "$tpm_proxy" 2>"$run/tpm-proxy.log" &
		proxy_pid=$!
		for _ in $(seq 100); do [ -S "$ctrl" ] && break; sleep 0.05; done
		[ -S "$ctrl" ] || die "qemu/tpm-proxy.py did not come up (log: $run/tpm-proxy.log)"
	fi
	q+=(-chardev "socket,id=chrtpm,path=$ctrl" -tpmdev emulator,id=tpm0,chardev=chrtpm
		-device tpm-tis,tpmdev=tpm0)
	;;
*) die "unknown --tpm '$tpm'" ;;
esac
[ -z "$icount" ] || [ "$accel" = tcg ] || die "--icount counts TCG's instructions: it needs --accel tcg"
[ -z "$icount" ] || q+=(-icount shift=0,sleep=off)
# User space only: the firmware and the kernel run below 4 GiB or in the top half.
[ -z "$trace_code" ] || q+=(-d in_asm -dfilter 0x100000000..0x7fffffffffff -D "$trace_code")
printf '%q ' "${q[@]}" >"$run/cmd"

t0=${EPOCHREALTIME/./}
stamp() { # serial bytes -> lines "[   s.sss] text", without CRs and terminal escapes
	local line us
	sed -u 's/\r//g; s/\x1b\[[0-9;?=]*[A-Za-z]//g' | while IFS= read -r line; do
		us=$((${EPOCHREALTIME/./} - t0))
		printf '[%4d.%03d] %s\n' $((us / 1000000)) $((us / 1000 % 1000)) "$line"
	done
}
{ "${q[@]}" </dev/null 2>"$run/qemu.err"; echo "QEMU-EXIT rc=$?"; } | stamp >"$log" &
pipe=$!

first() { grep -m1 -E "$1" "$log" 2>/dev/null || true; }
at() { sed -n 's/^\[ *\([0-9.]*\)\].*/\1/p' <<<"$1"; }
# What the log says so far: a verdict, or nothing yet. With QEMU gone ($1 = final) every open
# question is settled: a boot that ended without a known ending crashed.
judge() {
	if [ -n "$(first 'VERINIT-REPORT-END')" ]; then echo handed-over; return; fi
	if [ -n "$(first 'verinit: FAIL reason=')" ]; then
		# Let it reach its action (halt, reboot, power off) so the log shows the whole ending.
		if [ -n "$1" ] || [ -n "$(first 'reboot: (System halted|Power down|Restarting system)')" ]; then
			echo halted
		fi
		return
	fi
	# Restarted by the kernel without verinit failing: dm-verity's restart-on-corruption, say.
	if [ -n "$(first 'reboot: Restarting system')" ]; then echo rebooted; return; fi
	if [ -z "$(first 'Linux version')" ]; then
		# The firmware refused the image: ESP boots say so; a refused -kernel image just falls
		# through to the boot manager, whose lines never appear in a good -kernel boot.
		if [ -n "$(first 'Access Denied|Security Violation')" ] ||
			{ [ -n "$uki$kernel" ] && [ -n "$(first 'BdsDxe: ')" ]; }; then
			echo refused
			return
		fi
	fi
	if [ -n "$1" ] || [ -n "$(first 'Kernel panic')" ]; then echo crashed; fi
}
# --tpm-dies-at has a watcher of its own: the loop below polls, and on a loaded machine it could
# notice the line only after the guest went past the point the case is about. tail follows the log
# until this script ends; the kill comes as soon as grep has the line.
if [ -n "$tpm_dies_at" ] && [ -n "$swtpm_pid" ]; then
	tail -n +1 -F --pid=$$ "$log" 2>/dev/null | {
		grep -m1 -E "$tpm_dies_at" >"$run/tpm-killed.line" || exit 0
		kill -KILL "$swtpm_pid" 2>/dev/null
		echo "swtpm killed after: $(cat "$run/tpm-killed.line")" >"$run/tpm-killed"
		rm -f "$run/tpm-killed.line"
	} &
fi
# The late disk, the same way: the monitor gets its drive and its SCSI device.
if [ -n "$hotplug_at" ]; then
	tail -n +1 -F --pid=$$ "$log" 2>/dev/null | {
		grep -m1 -E "$hotplug_at" >"$run/hotplug.line" || exit 0
		python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
for c in sys.argv[2:]:
    s.sendall(c.encode() + b"\n"); time.sleep(0.3)
s.settimeout(1)
try:
    while s.recv(4096): pass
except OSError: pass' "$run/monitor.sock" \
			"drive_add 0 if=none,id=hot0,format=raw,snapshot=on,file=$hotplug_disk" \
			"device_add scsi-hd,drive=hot0,bus=scsi0.0,id=hotdisk" >"$run/monitor.log" 2>&1
		echo "disk added after: $(cat "$run/hotplug.line")" >"$run/hotplugged"
		rm -f "$run/hotplug.line"
	} &
fi
verdict=timeout
deadline=$(($(date +%s) + timeout))
while :; do
	if kill -0 "$pipe" 2>/dev/null; then v=$(judge ""); else v=$(judge final); fi
	if [ -n "$v" ]; then verdict=$v; break; fi
	[ "$(date +%s)" -lt "$deadline" ] || break
	sleep 0.2
done
# A handed-over guest powers itself off; give it a moment, then stop whatever still runs.
[ "$verdict" != handed-over ] || for _ in $(seq 50); do kill -0 "$pipe" 2>/dev/null || break; sleep 0.2; done
# A halted guest's TPM, read by the runner: QEMU killed outright (a clean exit would shut the TPM
# down), then swtpm asked directly.
if [ "$verdict" = halted ] && [ -n "$swtpm_pid" ] && kill -0 "$swtpm_pid" 2>/dev/null; then
	if [ -s "$run/qemu.pid" ]; then kill -KILL "$(cat "$run/qemu.pid")" 2>/dev/null || true; fi
	wait "$pipe" 2>/dev/null || true
	# The proxy leaves with QEMU's control connection, and so frees swtpm's.
	[ -z "$proxy_pid" ] || for _ in $(seq 50); do kill -0 "$proxy_pid" 2>/dev/null || break; sleep 0.1; done
	"$here/tpm-read.py" "$run/tpm/ctrl.sock" 11 15 >"$run/tpm-pcrs.part" 2>"$run/tpm-read.err" &&
		mv "$run/tpm-pcrs.part" "$run/tpm-pcrs" || rm -f "$run/tpm-pcrs.part"
fi
cleanup
wait "$pipe" 2>/dev/null || true

fail=$(first 'verinit: FAIL reason=')
sb=unknown
[ -z "$(first 'secureboot: Secure boot enabled')" ] || sb=enabled
[ -z "$(first 'secureboot: Secure boot disabled')" ] || sb=disabled
{
	echo "verdict=$verdict"
	echo "reason=$(sed -n 's/.*verinit: FAIL reason=\([A-Z_0-9]*\).*/\1/p' <<<"$fail")"
	echo "stage=$(sed -n 's/.*verinit: FAIL reason=[A-Z_0-9]* stage=\([^:]*\):.*/\1/p' <<<"$fail")"
	echo "secureboot=$sb"
	echo "t_kernel=$(at "$(first 'Linux version')")"
	echo "t_init=$(at "$(first 'Run /init as init process')")"
	echo "t_verinit=$(at "$(first '\] verinit: ')")"
	echo "t_end=$(at "$(tail -n1 "$log")")"
} >"$run/verdict"
sed -n 's/^\[ *[0-9.]*\] \(R .*\)$/\1/p' "$log" >"$run/report"
