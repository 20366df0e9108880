# shellcheck shell=bash
# Sourced helpers for the lab's scripts (qemu/*.sh), each sourcing it from its own directory:
#   . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# Defines functions only.

# The first 128 bits of a hex digest as a UUID, bytes verbatim (systemd-repart's derivation):
# its first 32 hex digits as 8-4-4-4-12.
uuid_of() { local h=$1; echo "${h:0:8}-${h:8:4}-${h:12:4}-${h:16:4}-${h:20:12}"; }
