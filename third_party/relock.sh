#!/usr/bin/env bash
# Re-pins third_party/sources.lock and qemu/tools.lock to what the Debian mirror offers now
# (`make relock`). For every pinned package it takes the newest version in the pin's own suite,
# read from a fresh private index of the mirror (third_party/apt.sh); a package whose name
# carries its upstream version (the kernel: linux-image-6.12.107+deb13-amd64-unsigned) moves to
# the newest package of the same name with another version in that place. New files are
# downloaded into a temporary directory, checked against the mirror's signed index, hashed, and
# their lines rewritten in place; comments and the column layout stay. It prints one line per pin,
# `name: old -> new` or `name: unchanged (version)`. A second run changes nothing.
# Usage: relock.sh [--check] [--sources FILE] [--tools FILE]
#   --check   resolve and report only, write and download nothing; exit 1 when a pin would change
# It refuses (one line, exit 2), writing nothing: a package gone from its suite, a newest version
# older than the pin, a new version whose set of archives differs from the pinned one (the recipe
# would need a look), a pinned hash the mirror's index contradicts for the same version.
# Environment: VERINIT_DEBIAN_MIRROR (default: read from this machine's apt sources).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=qemu/lib.sh
. "$here/../qemu/lib.sh"
die_status=2 # every refusal; 1 is --check's "a pin would change"
sources=$here/sources.lock
tools=$(cd "$here/../qemu" && pwd)/tools.lock
check=0
while [ $# -gt 0 ]; do
	case $1 in
	--check|--dry-run) check=1; shift ;;
	--sources) sources=$2; shift 2 ;;
	--tools) tools=$2; shift 2 ;;
	*) die "unknown argument '$1' (see the comment at the top of $0)" ;;
	esac
done
for f in "$sources" "$tools"; do
	if [ ! -r "$f" ] || [ ! -w "$f" ]; then die "cannot read and write $f"; fi
done

# shellcheck source=third_party/apt.sh
. "$here/apt.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/dl"
mirror=$(debian_mirror) || exit 2

# One private index per type (deb, deb-src) and suite, fetched once per run: what the mirror
# offers now, never an older cached state.
declare -A updated=()
use_index() { # TYPE SUITE -> apt_opts for that index alone
	local d=$tmp/apt-$1-$2
	apt_private "$d" "$1" "$2" || exit 2
	if [ -z "${updated[$1 $2]:-}" ]; then
		apt-get "${apt_opts[@]}" -qq update >/dev/null 2>"$d/update.err" ||
			die "apt-get update ($1 $2 from $mirror) failed: $(tail -n1 "$d/update.err")"
		updated[$1 $2]=1
	fi
}

newest() { # PACKAGE -> the highest version the current index has of it, or nothing
	local v best=
	while read -r v; do
		if [ -z "$best" ] || dpkg --compare-versions "$v" gt "$best"; then best=$v; fi
	done < <(apt-cache "${apt_opts[@]}" madison "$1" 2>/dev/null |
		awk -F' *[|] *' -v p="$1" '{ sub(/^ +/, "", $1) } $1 == p { print $2 }')
	echo "$best"
}

# What the index lists for PACKAGE=VERSION: "uri file SHA256:hash" per file.
src_files() { apt-get "${apt_opts[@]}" source --print-uris -qq "$1=$2" 2>/dev/null | awk '{ gsub("\047", "", $1); print $1, $2, $4 }'; }
deb_file() { apt-get "${apt_opts[@]}" download --print-uris -qq "$1=$2" 2>/dev/null | awk '{ gsub("\047", "", $1); print $1, $2, $4 }'; }

role() { # source archive name -> what it is: orig, orig-COMPONENT, debian, diff, or dsc/asc (unpinned)
	case $1 in
	*.asc) echo asc ;;
	*.dsc) echo dsc ;;
	*.orig.tar.*) echo orig ;;
	*.orig-*.tar.*) local c=${1##*.orig-}; echo "orig-${c%%.tar.*}" ;;
	*.debian.tar.*) echo debian ;;
	*.diff.gz) echo diff ;;
	*) echo "other:$1" ;;
	esac
}

# Downloads URI as FILE into the temporary directory, checked against the index's hash on the
# way in, and prints its SHA-256.
hash_of() { # uri file SHA256:hash
	local uri=$1 file=$2 idx=$3 got
	case $idx in SHA256:*) ;; *) die "the index gives no SHA-256 for $file (got '$idx')" ;; esac
	echo "relock: downloading $file" >&2
	/usr/lib/apt/apt-helper -o APT::Sandbox::User=root download-file "$uri" "$tmp/dl/$file" "$idx" >/dev/null 2>"$tmp/dl.err" ||
		die "download of $file ($uri) failed: $(grep -m1 -E '^(E|Err):' "$tmp/dl.err" || tail -n1 "$tmp/dl.err")"
	got=$(sha256sum "$tmp/dl/$file" | cut -d' ' -f1)
	[ "SHA256:$got" = "$idx" ] || die "$file: downloaded SHA-256 $got, the index says ${idx#SHA256:}"
	rm -f "$tmp/dl/$file"
	echo "$got"
}

relayout() { # OLD-LINE FIELD... -> the fields, each starting where the old line's field did
	awk -v line="$1" -v new="${*:2}" 'BEGIN {
		n = split(new, f, " "); rest = line; pos = 0; out = ""
		for (i = 1; i <= n; i++) {
			match(rest, /[^ \t]+/); start[i] = pos + RSTART - 1
			pos += RSTART + RLENGTH - 1; rest = substr(rest, RSTART + RLENGTH)
		}
		for (i = 1; i <= n; i++) {
			pad = start[i] - length(out); if (i > 1 && pad < 1) pad = 1
			out = out sprintf("%" pad "s", "") f[i]
		}
		print out
	}'
}

is_data() { [[ ! $1 =~ ^[[:space:]]*(#|$) ]]; }
changes=0
report() { echo "  $*"; }

# ---- third_party/sources.lock: lib package version suite file sha256 ---------------------------
# Every library's lines (its orig and debian archives) move together to one new version.
relock_sources() {
	local line lib pkg ver suite file sum new k r
	declare -A newver=() listed=()
	# shellcheck disable=SC2094 # the lock is only read: the new text goes to another file
	while IFS= read -r line; do
		if ! is_data "$line"; then printf '%s\n' "$line"; continue; fi
		read -r lib pkg ver suite file sum <<<"$line"
		k="$pkg $ver $suite"
		use_index deb-src "$suite"
		if [ -z "${newver[$k]:-}" ]; then
			new=$(newest "$pkg")
			[ -n "$new" ] || die "source package $pkg is gone from $suite on $mirror: pin another by hand ($sources)"
			dpkg --compare-versions "$new" ge "$ver" ||
				die "$pkg: the newest in $suite is $new, older than the pin $ver (a stale mirror?)"
			newver[$k]=$new
			src_files "$pkg" "$new" >"$tmp/files-$pkg-$suite"
			[ -s "$tmp/files-$pkg-$suite" ] || die "$pkg=$new is listed in $suite but offers no files"
			if [ "$new" != "$ver" ]; then
				# The pinned roles (orig, debian, ...) must be exactly the new version's.
				local want got
				want=$(grep -Ev '^[[:space:]]*(#|$)' "$sources" | awk -v p="$pkg" -v v="$ver" '$2 == p && $3 == v { print $5 }' |
					while read -r r; do role "$r"; done | sort | tr '\n' ' ')
				got=$(while read -r _ r _; do role "$r"; done <"$tmp/files-$pkg-$suite" | grep -Evx 'dsc|asc' | sort | tr '\n' ' ')
				[ "$want" = "$got" ] || die "$pkg $new has the archives [${got% }], the pin [${want% }]: update the lock and recipe by hand"
			fi
		fi
		new=${newver[$k]}
		if [ "$new" = "$ver" ]; then
			r=$(awk -v f="$file" '$2 == f { print $3 }' "$tmp/files-$pkg-$suite")
			[ -n "$r" ] || die "$file is not in $suite's index for $pkg=$ver"
			[ "$r" = "SHA256:$sum" ] || die "$file: the lock pins $sum, $suite's index says ${r#SHA256:} for the same version"
			printf '%s\n' "$line"
			[ -n "${listed[$lib]:-}" ] || report "$lib: unchanged ($ver)" >&3
		else
			local uri nfile idx nsum
			read -r uri nfile idx < <(while read -r u f h; do [ "$(role "$f")" = "$(role "$file")" ] && echo "$u $f $h"; done <"$tmp/files-$pkg-$suite") ||
				die "$pkg $new has no $(role "$file") archive"
			if [ $check = 1 ]; then nsum=${idx#SHA256:}; else nsum=$(hash_of "$uri" "$nfile" "$idx"); fi
			relayout "$line" "$lib" "$pkg" "$new" "$suite" "$nfile" "$nsum"
			[ -n "${listed[$lib]:-}" ] || { report "$lib: $ver -> $new" >&3; changes=1; }
		fi
		listed[$lib]=1
	done <"$sources"
}

# ---- qemu/tools.lock: name package version suite file sha256 ------------------------------------
relock_tools() {
	local line name pkg ver suite file sum up new npkg c v
	while IFS= read -r line; do
		if ! is_data "$line"; then printf '%s\n' "$line"; continue; fi
		read -r name pkg ver suite file sum <<<"$line"
		use_index deb "$suite"
		npkg=$pkg new=$(newest "$pkg")
		up=${ver#*:}; up=${up%-*}
		if [ -n "$up" ] && [[ $pkg == *"$up"* ]]; then
			# The name carries the version (a kernel's ABI): the same name with any version there.
			local pre=${pkg%%"$up"*} post=${pkg#*"$up"}
			while read -r c; do
				[[ $c == "$pre"*"$post" ]] || continue
				[[ ${c:${#pre}:$((${#c} - ${#pre} - ${#post}))} =~ ^[0-9][0-9.]*$ ]] || continue
				v=$(newest "$c")
				[ -n "$v" ] || continue
				if [ -z "$new" ] || dpkg --compare-versions "$v" gt "$new"; then npkg=$c new=$v; fi
			done < <(apt-cache "${apt_opts[@]}" pkgnames "$pre" 2>/dev/null)
		fi
		[ -n "$new" ] || die "package $pkg is gone from $suite on $mirror: pin another by hand ($tools)"
		dpkg --compare-versions "$new" ge "$ver" ||
			die "$pkg: the newest in $suite is $new, older than the pin $ver (a stale mirror?)"
		local uri nfile idx nsum
		read -r uri nfile idx < <(deb_file "$npkg" "$new") || die "$npkg=$new is listed in $suite but offers no file"
		if [ "$npkg" = "$pkg" ] && [ "$new" = "$ver" ]; then
			[ "$idx" = "SHA256:$sum" ] || die "$file: the lock pins $sum, $suite's index says ${idx#SHA256:} for the same version"
			printf '%s\n' "$line"
			report "$name: unchanged ($ver)" >&3
			continue
		fi
		if [ $check = 1 ]; then nsum=${idx#SHA256:}; else nsum=$(hash_of "$uri" "$nfile" "$idx"); fi
		relayout "$line" "$name" "$npkg" "$new" "$suite" "$nfile" "$nsum"
		if [ "$npkg" = "$pkg" ]; then report "$name: $ver -> $new" >&3
		else report "$name: $pkg $ver -> $npkg $new" >&3; fi
		changes=1
	done <"$tools"
}

# Both files are resolved (and every new archive downloaded and hashed) before either is written:
# a refusal leaves both as they were. The functions print the new text; the report goes to fd 3.
key_before=$("$here/deps.sh" --lock "$sources" sysroot-path)
relock_sources >"$tmp/sources.new" 3>"$tmp/report.sources"
relock_tools >"$tmp/tools.new" 3>"$tmp/report.tools"
root=$(cd "$here/.." && pwd)
echo "${sources#"$root/"}:"; cat "$tmp/report.sources"
echo "${tools#"$root/"}:"; cat "$tmp/report.tools"
if [ $changes = 0 ]; then
	if ! cmp -s "$tmp/sources.new" "$sources" || ! cmp -s "$tmp/tools.new" "$tools"; then
		die "internal error: no pin changed but the rewritten text differs"
	fi
	echo "relock: every pin is what the mirror offers now"
	exit 0
fi
if [ $check = 1 ]; then
	echo "relock: --check: nothing written; \`make relock\` would make these changes"
	exit 1
fi
write() { # new-text lock-file
	local t
	t=$(mktemp "$2.XXXXXX")
	cat "$1" >"$t" && chmod --reference="$2" "$t" && mv "$t" "$2"
}
write "$tmp/sources.new" "$sources"
write "$tmp/tools.new" "$tools"
key_after=$("$here/deps.sh" --lock "$sources" sysroot-path)
echo "relock: lock files rewritten"
[ "$key_before" = "$key_after" ] ||
	echo "relock: the sysroot's cache key changed: ${key_before##*/} -> ${key_after##*/} (the next make deps builds it)"
