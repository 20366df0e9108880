#!/usr/bin/env bash
# Builds the static musl sysroot verinit links against, from the Debian source
# packages pinned in sources.lock.  Usage:
#   deps.sh [build]        fetch, verify and build (a no-op when the cached sysroot is complete)
#   deps.sh fetch          fetch and verify the archives only
#   deps.sh sysroot-path   print where the sysroot for this lock and recipe lives
# Options: --lock FILE (default: sources.lock beside this script); --link PATH: afterwards make
# PATH a symlink to the sysroot (the Makefile uses build/sysroot).
# Environment: VERINIT_CACHE (default ~/.cache/verinit), VERINIT_DEBIAN_MIRROR (default: read
# from this machine's apt sources), JOBS (default: nproc).
#
# Everything is written below $VERINIT_CACHE: archives in src/, the private apt state in apt/,
# each sysroot in sysroot-<key>/ where the key hashes the lock, recipe.sh and the toolchain.
# Libraries are installed with prefix /usr into the sysroot through DESTDIR, so no install step
# touches the host and the sysroot stays relocatable (pkg-config runs with PKG_CONFIG_SYSROOT_DIR).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=qemu/lib.sh
. "$here/../qemu/lib.sh"
lock=$here/sources.lock
cmd=build
link=
while [ $# -gt 0 ]; do
	case $1 in
	--lock) lock=$2; shift 2 ;;
	--link) link=$2; shift 2 ;;
	build|fetch|sysroot-path) cmd=$1; shift ;;
	*) echo "deps: unknown argument '$1' (see the comment at the top of $0)" >&2; exit 2 ;;
	esac
done
[ -r "$lock" ] || { echo "deps: cannot read lock file $lock" >&2; exit 2; }

cache=${VERINIT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/verinit}
jobs=${JOBS:-$(nproc)}

# A dropped, undownloadable or mismatching archive names the tool that re-pins (third_party/relock.sh).
relock_hint="run make relock to check the pins against the mirror"
# shellcheck source=third_party/apt.sh
. "$here/apt.sh"

# The key covers everything the sysroot is built from: pinned sources, this recipe,
# and the host toolchain (musl, gcc, kernel headers, build tools).
toolchain_id() {
	dpkg-query -W -f='${Package} ${Version}\n' musl-dev musl-tools gcc linux-libc-dev \
		meson cmake autoconf automake autopoint libtool autoconf-archive 2>/dev/null || true
}
key=$( { cat "$lock" "$here/recipe.sh"; toolchain_id; } | sha256sum | cut -c1-16)
sysroot=$cache/sysroot-$key

if [ "$cmd" = sysroot-path ]; then echo "$sysroot"; exit 0; fi
link_sysroot() {
	[ -z "$link" ] || { mkdir -p "$(dirname "$link")" && ln -sfn "$sysroot" "$link"; }
}
if [ "$cmd" = build ] && [ -f "$sysroot/.complete" ]; then
	link_sysroot
	echo "deps: sysroot up to date: $sysroot"
	exit 0
fi

mkdir -p "$cache/src"
exec 9>"$cache/.lock"
flock 9

# ---- fetching ---------------------------------------------------------------------------------

# Lock lines without comments: lib package version suite file sha256
lock_lines() { grep -Ev '^[[:space:]]*(#|$)' "$lock"; }

verify() { # file expected -> one line on mismatch, exit 1
	local f=$1 want=$2 got
	got=$(sha256sum "$cache/src/$f" | cut -d' ' -f1)
	[ "$got" = "$want" ] || die "SHA-256 mismatch for $f: expected $want, got $got (lock $lock): $relock_hint"
}

fetch() {
	local missing=0 lib pkg ver suite file sum
	while read -r lib pkg ver suite file sum; do
		[ -f "$cache/src/$file" ] || missing=1
	done < <(lock_lines)
	if [ $missing = 1 ]; then
		apt_private "$cache/apt" deb-src bookworm trixie || exit 1
		echo "deps: updating the private Debian source index ($(debian_mirror))"
		apt-get "${apt_opts[@]}" -qq update >/dev/null 2>"$cache/apt/update.err" ||
			die "apt-get update with the private configuration failed: $(tail -n1 "$cache/apt/update.err")"
		while read -r lib pkg ver suite file sum; do
			[ -f "$cache/src/$file" ] && continue
			local uri
			# apt-get fails for a version the index lacks: with pipefail that would end the
			# script here, silently, so its status is left to the test below.
			uri=$(apt-get "${apt_opts[@]}" source --print-uris -qq "$pkg=$ver" 2>/dev/null |
				awk -v f="$file" '$2 == f { gsub("\047", "", $1); print $1 }') || true
			[ -n "$uri" ] || die "$file is not offered by the mirror for $pkg=$ver any more: run make relock"
			echo "deps: fetching $file"
			/usr/lib/apt/apt-helper -o APT::Sandbox::User=root download-file "$uri" "$cache/src/$file.part" >/dev/null ||
				die "download of $file failed ($uri): run make relock if the mirror dropped it"
			# Verify before the file takes its cached name: a bad download never looks cached.
			local got; got=$(sha256sum "$cache/src/$file.part" | cut -d' ' -f1)
			[ "$got" = "$sum" ] || { rm -f "$cache/src/$file.part"; die "SHA-256 mismatch for $file: expected $sum, got $got (lock $lock): $relock_hint"; }
			mv "$cache/src/$file.part" "$cache/src/$file"
		done < <(lock_lines)
	fi
	while read -r lib pkg ver suite file sum; do verify "$file" "$sum"; done < <(lock_lines)
}

fetch
if [ "$cmd" = fetch ]; then echo "deps: all archives present and verified"; exit 0; fi

# ---- building ---------------------------------------------------------------------------------

work=$cache/build-$key
stage=$sysroot.partial
logs=$cache/logs-$key
rm -rf "$work" "$stage" "$logs"
mkdir -p "$work" "$stage/usr/include" "$stage/usr/lib" "$logs"

# shellcheck source=third_party/recipe.sh
. "$here/recipe.sh"
prepare_sysroot

total_start=$SECONDS
echo "deps: building the static sysroot from Debian's sources (about 10 min on 2 cores, once: cached in $cache)"
n=0
for lib in "${libs[@]}"; do
	n=$((n + 1))
	ver=$(lock_lines | awk -v l="$lib" '$1 == l { print $3; exit }')
	printf 'deps: [%d/%d] %-10s %-20s ... ' "$n" "${#libs[@]}" "$lib" "$ver"
	t0=$SECONDS
	# Not inside `if`: errexit would be switched off for the whole subshell there.
	set +e
	( set -e; unpack "$lib"; "build_$lib"; install_done ) >"$logs/$lib.log" 2>&1
	rc=$?
	set -e
	if [ $rc != 0 ]; then
		echo "FAILED"
		tail -n 25 "$logs/$lib.log" >&2
		die "building $lib failed; full log: $logs/$lib.log"
	fi
	echo "done ($((SECONDS - t0)) s)"
	rm -rf "${work:?}/$lib"
done

rm -rf "$work"
echo "$key" >"$stage/.complete"
rm -rf "$sysroot"
mv "$stage" "$sysroot"
link_sysroot
echo "deps: sysroot ready in $((SECONDS - total_start)) s: $sysroot"
