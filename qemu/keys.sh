#!/usr/bin/env bash
# Generates the lab's test keys into DIR, once: PK, KEK and db are enrolled in OVMF; db is the
# image-signing key (UKI, /usr root hash, IPE policy); "attacker" is never enrolled anywhere.
# Test keys only: generated per build directory, never committed.
# Usage: qemu/keys.sh DIR
set -euo pipefail
dir=${1:?usage: qemu/keys.sh DIR}
mkdir -p "$dir"
chmod 700 "$dir"
for name in PK KEK db attacker; do
	[ -f "$dir/$name.crt" ] && continue
	openssl req -x509 -newkey rsa:2048 -sha256 -nodes -days 3650 -subj "/CN=verinit test $name/" \
		-keyout "$dir/$name.key.part" -out "$dir/$name.crt.part" 2>/dev/null ||
		{ echo "keys: openssl could not make the $name key in $dir" >&2; exit 1; }
	openssl x509 -in "$dir/$name.crt.part" -outform DER -out "$dir/$name.der"
	mv "$dir/$name.key.part" "$dir/$name.key"
	mv "$dir/$name.crt.part" "$dir/$name.crt"
done
