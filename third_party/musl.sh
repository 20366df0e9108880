#!/usr/bin/env bash
# The musl the agent compiles and links against: trixie's musl-dev 1.2.5, pinned in
# qemu/tools.lock, downloaded and unpacked in the cache (never installed). Unlike bookworm's 1.2.3
# its rcrt1.o applies DT_RELR ("-z pack-relative-relocs") relocations, which shrink the static
# PIE's relocation table from about 340 KB to 5 KB. The sysroot's libraries stay built with the
# host's musl-tools 1.2.3; musl keeps its ABI stable, so objects built against 1.2.3's headers
# link against 1.2.5.
# Usage: musl.sh DIR   -> DIR/root (symlink to the unpacked package) and DIR/musl-gcc.specs
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
dir=${1:?usage: musl.sh DIR}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
pkg=$("$here/../qemu/fetch.sh" musl-dev)
ln -sfn "$pkg" "$dir/root"
inc=$dir/root/usr/include/x86_64-linux-musl lib=$dir/root/usr/lib/x86_64-linux-musl
[ -f "$lib/rcrt1.o" ] && [ -f "$lib/libc.a" ] || { echo "musl: $pkg has no $lib/rcrt1.o or libc.a" >&2; exit 1; }
# What musl-tools' musl-gcc does: its own headers and libraries instead of glibc's.
cat >"$dir/musl-gcc.specs.part" <<SPECS
%rename cpp_options old_cpp_options

*cpp_options:
-nostdinc -isystem $inc -isystem include%s %(old_cpp_options)

*cc1:
%(cc1_cpu) -nostdinc -isystem $inc -isystem include%s

*link_libgcc:
-L$lib -L .%s

*libgcc:
libgcc.a%s %:if-exists(libgcc_eh.a%s)

*startfile:
%{shared:;static-pie:$lib/rcrt1.o; :$lib/Scrt1.o} $lib/crti.o crtbeginS.o%s

*endfile:
crtendS.o%s $lib/crtn.o

*link:
-dynamic-linker /lib/ld-musl-x86_64.so.1 -nostdlib %{shared:-shared} %{static:-static} %{static-pie:-static -pie --no-dynamic-linker} %{rdynamic:-export-dynamic}
SPECS
if cmp -s "$dir/musl-gcc.specs.part" "$dir/musl-gcc.specs"; then rm "$dir/musl-gcc.specs.part"
else mv "$dir/musl-gcc.specs.part" "$dir/musl-gcc.specs"; fi
