#!/usr/bin/env bash
# Downloads one pinned package of tools.lock into the cache (never installs it), verifies its
# SHA-256 and unpacks it once. Prints the unpacked directory.
# Usage: qemu/fetch.sh NAME     (NAME: first column of tools.lock)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../third_party/apt.sh"
cache=${VERINIT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/verinit}
name=${1:?usage: qemu/fetch.sh NAME}
. "$here/lib.sh"

read -r _ pkg ver suite file sum < <(grep -Ev '^[[:space:]]*(#|$)' "$here/tools.lock" | awk -v n="$name" '$1 == n') ||
	die "no entry '$name' in qemu/tools.lock"
dir=$cache/pkg/${file%.deb}
if [ -f "$dir/.unpacked" ]; then echo "$dir"; exit 0; fi

mkdir -p "$cache/pkg"
exec 9>"$cache/pkg/.lock"
flock 9
deb=$cache/pkg/$file
if [ ! -f "$deb" ]; then
	apt_private "$cache/apt-bin" deb "$suite" || exit 1
	apt-get "${apt_opts[@]}" -qq update >/dev/null 2>"$cache/apt-bin/update.err" ||
		die "apt-get update with the private configuration failed: $(tail -n1 "$cache/apt-bin/update.err")"
	# apt-get fails for a version the index lacks: `|| true`, or pipefail would exit silently here.
	uri=$(apt-get "${apt_opts[@]}" download --print-uris -qq "$pkg=$ver" 2>/dev/null | awk '{ gsub("\047", "", $1); print $1 }') || true
	[ -n "$uri" ] || die "$file: $pkg=$ver is not offered by the mirror any more: run make relock"
	/usr/lib/apt/apt-helper -o APT::Sandbox::User=root download-file "$uri" "$deb.part" >/dev/null ||
		die "download of $file failed ($uri): run make relock if the mirror dropped it"
	mv "$deb.part" "$deb.unverified"
	deb_in=$deb.unverified
else
	deb_in=$deb
fi
got=$(sha256sum "$deb_in" | cut -d' ' -f1)
if [ "$got" != "$sum" ]; then
	rm -f "$cache/pkg/$file.unverified"
	die "SHA-256 mismatch for $file: expected $sum, got $got (qemu/tools.lock): run make relock to check the pins against the mirror"
fi
[ "$deb_in" = "$deb" ] || mv "$deb_in" "$deb"
rm -rf "$dir.partial"
dpkg-deb -x "$deb" "$dir.partial"
touch "$dir.partial/.unpacked"
rm -rf "$dir"
mv "$dir.partial" "$dir"
echo "$dir"
