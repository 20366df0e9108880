#!/usr/bin/env bash
# make install and make uninstall into a temporary DESTDIR: every file of the Makefile's install
# table where it belongs with its mode; the installed tools are the release builds (no sanitizer
# runtime) and run from there; the installed checker accepts the example verinit.conf's "#key=value"
# lines (unit/test-config proves they are exactly the defaults); install refuses what is not built;
# uninstall leaves nothing behind. (test/hooks-kernel-install.sh builds an initramfs
# and a UKI with the installed plugin and tools; the lab's installed-tools case boots a UKI that the
# installed tools built, run from / with only their bin/ on PATH: qemu/lab.mk.)
# Usage: test/install.sh BUILD
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$(cd "${1:?usage: test/install.sh BUILD}" && pwd)
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
checks=0 failures=0
pass() { checks=$((checks + 1)); }
fail() { checks=$((checks + 1)) failures=$((failures + 1)); echo "install: FAIL $*"; }
mk() { make -s -C "$here" --no-print-directory BUILD="$build" PREFIX=/usr "$@"; }

mk install DESTDIR="$w/root" >"$w/out" 2>&1 || fail "make install: $(cat "$w/out")"
# The table, as make sees it: SOURCE:DESTINATION:MODE.
table=$(mk -f Makefile -f - print-install-table <<<'print-install-table: ; @printf "%s\n" $(INSTALL_TABLE)')
[ "$(wc -l <<<"$table")" -ge 10 ] && pass || fail "the install table has $(wc -l <<<"$table") entries: $table"
while IFS=: read -r src dst mode; do
	f=$w/root/usr/$dst
	if [ ! -f "$f" ]; then fail "$dst is not installed"; continue; fi
	[ "$(stat -c %a "$f")" = "${mode#0}" ] && pass || fail "$dst has mode $(stat -c %a "$f"), want $mode"
	cmp -s "$src" "$f" && pass || fail "$dst is not $src"
done <<<"$table"
[ "$(find "$w/root" -type f | wc -l)" = "$(wc -l <<<"$table")" ] && pass ||
	fail "make install wrote files the table does not name: $(find "$w/root" -type f)"

for t in verinit-measure verinit-check-config; do
	needed=$(readelf -d "$w/root/usr/bin/$t" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
	case $needed in *asan* | *ubsan*) fail "the installed $t is the test build: it needs $needed" ;; *) pass ;; esac
	readelf -h "$w/root/usr/bin/$t" | grep -q 'Type:.*DYN' && pass || fail "the installed $t is not a PIE"
done
(cd / && "$w/root/usr/bin/verinit-measure" --list-stages) | cmp -s - <("$build/verinit-measure" --list-stages) && pass ||
	fail "the installed verinit-measure does not run or lists other stages"

# The example, uncommented, is a configuration the installed checker accepts.
sed -n 's/^#\([a-z._]*=\)/\1/p' "$w/root/usr/share/doc/verinit/examples/verinit.conf" >"$w/example.conf"
: >"$w/empty.conf"
"$w/root/usr/bin/verinit-check-config" "$w/example.conf" >"$w/example.out" 2>&1 &&
	"$w/root/usr/bin/verinit-check-config" "$w/empty.conf" >"$w/empty.out" 2>&1 && cmp -s "$w/example.out" "$w/empty.out" &&
	[ "$(wc -l <"$w/example.conf")" -ge 15 ] && pass ||
	fail "the example's #key=value lines are not the defaults: $(diff "$w/example.out" "$w/empty.out" | head -5)"

# Only what is built: a build without the agent is refused, naming it, and nothing is installed.
mkdir -p "$w/empty-build"
! make -s -C "$here" --no-print-directory BUILD="$w/empty-build" DESTDIR="$w/refused" install >"$w/out" 2>&1 &&
	grep -q "verinit is not built: run make first" "$w/out" && [ ! -e "$w/refused" ] && pass ||
	fail "install without a build: $(cat "$w/out"); $(find "$w/refused" 2>/dev/null | head -3)"

mk uninstall DESTDIR="$w/root" >"$w/out" 2>&1 || fail "make uninstall: $(cat "$w/out")"
left=$(find "$w/root" -type f; find "$w/root/usr/lib/verinit" "$w/root/usr/share/doc/verinit" 2>/dev/null)
[ -z "$left" ] && pass || fail "make uninstall left $left"

[ $failures -eq 0 ] && echo "install: all $checks checks passed"
exit $((failures > 0))
