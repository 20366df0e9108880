#!/usr/bin/env bash
# `make deps` refuses an archive whose SHA-256 differs from the lock, with one line naming the
# archive, the expected and the actual hash; and a second run with nothing changed does nothing.
set -euo pipefail
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
lock=third_party/sources.lock

line=$(grep -m1 'json-c_0.16.orig' "$lock")
file=$(awk '{ print $5 }' <<<"$line") real=$(awk '{ print $6 }' <<<"$line")
fake=$(printf '%s' "$real" | tr '0-9a-f' '1-9a-f0')
sed "s/$real/$fake/" "$lock" >"$tmp/lock"

if third_party/deps.sh --lock "$tmp/lock" >"$tmp/out" 2>"$tmp/err"; then
	echo "deps accepted a lock with a wrong hash"; exit 1
fi
want="deps: SHA-256 mismatch for $file: expected $fake, got $real (lock $tmp/lock): run make relock to check the pins against the mirror"
if [ "$(cat "$tmp/err")" != "$want" ]; then
	echo "unexpected error output:"; cat "$tmp/err"; echo "wanted exactly: $want"; exit 1
fi
# Nothing half-done: no sysroot appeared for the bad lock.
key_dir=$(third_party/deps.sh --lock "$tmp/lock" sysroot-path)
[ ! -e "$key_dir" ] && [ ! -e "$key_dir.partial" ] || { echo "a sysroot was left at $key_dir"; exit 1; }

before=$(stat -c %Y "$(third_party/deps.sh sysroot-path)/.complete")
out=$(third_party/deps.sh)
case $out in "deps: sysroot up to date: "*) ;; *) echo "second run was not a no-op: $out"; exit 1 ;; esac
[ "$before" = "$(stat -c %Y "$(third_party/deps.sh sysroot-path)/.complete")" ] || { echo "sysroot was rebuilt"; exit 1; }
