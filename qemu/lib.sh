# shellcheck shell=bash
# Sourced helpers for the repository's scripts (qemu/*.sh, and third_party/deps.sh and relock.sh
# through ../qemu/lib.sh), each sourcing it from its own directory:
#   . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# Defines functions only. The installed hooks (hooks/) are installed alone and keep their own die.
# lab.mk names this file as an input of the images whose scripts take a value from it (uuid_of);
# die only stops a failing build, so a script that sources it for die alone does not make it one.

# die MESSAGE: "NAME: MESSAGE" on stderr, NAME the script's file name without .sh (qemu/disk.sh
# says "disk: ..."), then exit 1, or $die_status where the script sets it (relock.sh: 2).
die() {
	local name=${0##*/}
	echo "${name%.sh}: $*" >&2
	exit "${die_status:-1}"
}

# The first 128 bits of a hex digest as a UUID, bytes verbatim (systemd-repart's derivation):
# its first 32 hex digits as 8-4-4-4-12.
uuid_of() { local h=$1; echo "${h:0:8}-${h:8:4}-${h:12:4}-${h:16:4}-${h:20:12}"; }
