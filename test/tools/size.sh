#!/usr/bin/env bash
# Prints the stripped size of the agent and each component's share of it, from the linker map:
# every input section that lands in the file (not .bss, not debug info), grouped by archive. verinit
# and the sysroot's libraries are link-time optimised together, so they show as one share; a build
# without -flto at the link splits them.
set -euo pipefail
bin=$1 map=$2
[ -r "$map" ] || { echo "size: no link map at $map (build with make first)" >&2; exit 1; }

echo "$bin: $(stat -c %s "$bin") bytes stripped"
awk '
function hex(s,   i, c, v) {
	v = 0; s = tolower(substr(s, 3))
	for (i = 1; i <= length(s); i++) { c = index("0123456789abcdef", substr(s, i, 1)); v = v * 16 + c - 1 }
	return v
}
function owner(f,   n, p) {
	if (f ~ /\/libc\.a\(|\/crt[a-z0-9]*\.o$|\/rcrt1\.o$|\/Scrt1\.o$/) return "musl libc"
	if (f ~ /libgcc(_eh)?\.a\(|crtbegin|crtend/) return "libgcc"
	if (f ~ /\.a\(/) { sub(/\(.*/, "", f); n = split(f, p, "/"); return p[n] }
	if (f ~ /build\/musl\//) return "verinit (own code)"
	if (f ~ /ltrans[0-9]*\.ltrans\.o$/) return "verinit and the sysroot libraries, optimised as one by LTO"
	return "other"
}
/^Linker script and memory map/ { inmap = 1; next }
!inmap { next }
/^[^ ]/ { out = $1; next }
out ~ /^\.(t?bss|comment|debug|stab|gnu\.warning)/ || out == "" { next }
{
	for (k = 1; k + 2 <= NF; k++)
		if ($k ~ /^0x[0-9a-fA-F]+$/ && $(k + 1) ~ /^0x[0-9a-fA-F]+$/ && $(k + 2) !~ /^0x/) {
			sz = hex($(k + 1)); if (sz == 0) break
			who = owner($(k + 2)); bytes[who] += sz; total += sz; break
		}
}
END {
	for (w in bytes) printf "%10d  %5.1f%%  %s\n", bytes[w], 100 * bytes[w] / total, w | "sort -rn"
	close("sort -rn")
	printf "%10d  100.0%%  (sections in the file)\n", total
}' "$map"
