#!/usr/bin/env bash
# Host checks of hooks/verinit-mkinitramfs against the lab's kernel: two builds are byte-identical,
# the module closure is exactly what the config's modules need (computed here from modinfo, not
# modprobe), the image's depmod index resolves them, the SBOM is JSON that lists every file, every
# library of the lock and every module, and bad inputs give one clear line and leave OUT alone.
# Usage: test/hooks-mkinitramfs.sh BUILD   (needs BUILD/verinit, BUILD/verinit-check-config, BUILD/lab)
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:?usage: test/hooks-mkinitramfs.sh BUILD}
lab=$build/lab kdir=$build/lab/kernel
kver=$(cat "$kdir/kver") || { echo "hooks-mkinitramfs: no lab kernel in $kdir"; exit 1; }
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
checks=0 failures=0
pass() { checks=$((checks + 1)); }
fail() { checks=$((checks + 1)) failures=$((failures + 1)); echo "hooks-mkinitramfs: FAIL $*"; }

mk() { # OUT CONFIG [extra args]
	local out=$1 conf=$2
	shift 2
	"$here/hooks/verinit-mkinitramfs" --verinit "$build/verinit" --check-config "$build/verinit-check-config" \
		--config "$conf" --kernel-version "$kver" --modules "$kdir/modules" --cert "$lab/keys/db.crt" \
		--output "$out" "$@"
}

conf=$here/qemu/verinit.conf
mk "$w/a.img" "$conf" --sbom "$w/a.json" >"$w/a.manifest" || { echo "hooks-mkinitramfs: the build failed"; exit 1; }
SOURCE_DATE_EPOCH=0 mk "$w/b.img" "$conf" --sbom "$w/b.json" >"$w/b.manifest"
cmp -s "$w/a.img" "$w/b.img" && cmp -s "$w/a.json" "$w/b.json" && cmp -s "$w/a.manifest" "$w/b.manifest" &&
	pass || fail "two builds differ"
SOURCE_DATE_EPOCH=86400 mk "$w/c.img" "$conf" >/dev/null
! cmp -s "$w/a.img" "$w/c.img" && pass || fail "SOURCE_DATE_EPOCH does not reach the image"

mkdir -p "$w/root"
(cd "$w/root" && zstd -dc "$w/a.img" | cpio -idm --quiet) || fail "the image does not unpack"
[ "$(stat -c '%a %u %g %Y' "$w/root/init")" = "755 0 0 0" ] && cmp -s "$w/root/init" "$build/verinit" &&
	pass || fail "/init is not verinit, 0755, root, time 0"
[ "$(find "$w/root" -type f ! -perm 0644 ! -path '*/init' | wc -l)" = 0 ] && pass || fail "modes not normalised"

# The closure, computed independently: modinfo's depends and softdep, recursively (modprobe only
# to resolve a softdep's alias, such as crc32c, to the modules that provide it).
mkdir -p "$w/mroot/lib/modules" && ln -s "$(realpath "$kdir/modules")" "$w/mroot/lib/modules/$kver"
declare -A want=()
queue=($("$build/verinit-check-config" "$conf" | sed -n 's/^modules=//p'))
while [ ${#queue[@]} -gt 0 ]; do
	m=${queue[0]} queue=("${queue[@]:1}")
	f=$(cd "$kdir/modules" && grep -E "(^|/)${m//[-_]/[-_]}\.ko(\.xz)?:" modules.dep | cut -d: -f1)
	if [ -z "$f" ]; then
		for a in $(modprobe -d "$w/mroot" -S "$kver" -R "$m" 2>/dev/null); do [ "$a" = "$m" ] || queue+=("$a"); done
		continue # an alias, or built in
	fi
	[ -z "${want[${f%.xz}]:-}" ] || continue
	want[${f%.xz}]=1
	for d in $(modinfo -F depends "$kdir/modules/$f" | tr ',' ' ') \
		$(modinfo -F softdep "$kdir/modules/$f" | tr ' ' '\n' | grep -v ':$'); do queue+=("$d"); done
done
got=$(cd "$w/root/lib/modules/$kver" && find . -name '*.ko*' | sed 's|^\./||' | sort)
[ "$got" = "$(printf '%s\n' "${!want[@]}" | sort)" ] && pass ||
	fail "module closure differs: $(diff <(echo "$got") <(printf '%s\n' "${!want[@]}" | sort) | grep '^[<>]' | head -3 | xargs)"
# Each module is the kernel's, decompressed, its signature still appended.
for f in "${!want[@]}"; do
	src=$kdir/modules/$f
	[ -f "$src" ] || src=$src.xz
	case $src in *.xz) xz -dc "$src" ;; *) cat "$src" ;; esac | cmp -s - "$w/root/lib/modules/$kver/$f" &&
		[ "$(tail -c 28 "$w/root/lib/modules/$kver/$f")" = "~Module signature appended~" ] ||
		{ fail "$f: not the kernel's module, decompressed and signed"; continue; }
	pass
done
for m in $("$build/verinit-check-config" "$conf" | sed -n 's/^modules=//p'); do
	modprobe -d "$w/root" -S "$kver" --show-depends "$m" >/dev/null 2>&1 || { fail "the image's index cannot resolve $m"; continue; }
	pass
done

# The SBOM.
/usr/bin/python3 - "$w/a.json" "$w/a.manifest" "$here/third_party/sources.lock" "$kver" \
	"$(openssl x509 -in "$lab/keys/db.crt" -outform DER | sha256sum | cut -d' ' -f1)" <<'PY' && pass || fail "SBOM"
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["spdxVersion"] == "SPDX-2.3" and doc["SPDXID"] == "SPDXRef-DOCUMENT", "not SPDX 2.3"
names = {f["fileName"] for f in doc["files"]}
for line in open(sys.argv[2]):
    path, size, sha = line.split()
    f = [x for x in doc["files"] if x["fileName"] == "." + path]
    assert f and f[0]["checksums"][0]["checksumValue"] == sha, f"{path} missing or wrong in the SBOM"
pk = {p["name"]: p for p in doc["packages"]}
for line in open(sys.argv[3]):
    if line.startswith("#") or not line.strip():
        continue
    lib, _, version = line.split()[:3]
    assert pk.get(lib, {}).get("versionInfo") == version, f"library {lib} {version} not in the SBOM"
mods = [n for n in names if ".ko" in n]
assert mods, "no modules"
for n in mods:
    base = n.rsplit("/", 1)[1].split(".ko")[0]
    assert pk.get(base, {}).get("versionInfo") == sys.argv[4], f"module {base} without the kernel version"
assert any(sys.argv[5] in f.get("comment", "") for f in doc["files"]), "the certificate's fingerprint is missing"
ids = [x["SPDXID"] for x in doc["files"] + doc["packages"]]
assert len(ids) == len(set(ids)), "SPDXIDs are not unique"
PY

# xz works too.
mk "$w/x.img" "$conf" --compress xz >/dev/null && xz -t "$w/x.img" && pass || fail "--compress xz"

# Bad inputs: one line naming what is wrong, and OUT untouched.
echo keep >"$w/keep.img"
bad() { # DESCRIPTION EXPECTED-TEXT ARGS...
	local what=$1 text=$2
	shift 2
	local err
	err=$(mk "$w/keep.img" "$@" 2>&1 >/dev/null)
	local rc=$?
	if [ $rc -ne 0 ] && [ "$(wc -l <<<"$err")" = 1 ] && grep -qF "$text" <<<"$err" && [ "$(cat "$w/keep.img")" = keep ]; then
		pass
	else
		fail "$what: rc $rc, '$err'"
	fi
}
printf 'modules=virtio_blk no_such_module\n' >"$w/nomod.conf"
bad "an unknown module" "module no_such_module: not in" "$w/nomod.conf"
printf 'device_timeout=0\n' >"$w/badconf.conf"
bad "a config verinit refuses" "$w/badconf.conf:1: bad value '0' for device_timeout" "$w/badconf.conf"
echo "not a certificate" >"$w/junk.crt"
bad "a certificate that does not parse" "$w/junk.crt: not an X.509 certificate" "$conf" --cert "$w/junk.crt"
bad "a --file without a destination" "want SRC:/absolute/DEST" "$conf" --file "$w/junk.crt"

[ $failures -eq 0 ] && echo "hooks-mkinitramfs: all $checks checks passed"
exit $((failures > 0))
