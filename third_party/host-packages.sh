#!/usr/bin/env bash
# Installs the Debian packages that building and testing verinit need, when any is missing.
# Idempotent and quiet when all are present. As non-root it names what is missing and fails.
# Usage: third_party/host-packages.sh [bench]   (bench: also what make bench needs)
set -euo pipefail

packages=(
	# the static agent and its sysroot (deps.sh)
	make build-essential musl-tools pkg-config autoconf automake autopoint libtool autoconf-archive
	meson ninja-build cmake patch xz-utils file
	# tpm2-tss's configure.ac calls LT_LIB_DLLOAD, defined only by libltdl's ltdl.m4 (libtool
	# only recommends it, and recommends are not installed): autoreconf fails without it
	libltdl-dev
	# the host build: unit tests under ASan/UBSan, and the same headers for analysis
	libcmocka-dev libcryptsetup-dev libtss2-dev libkmod-dev libjson-c-dev libblkid-dev libssl-dev
	# static analysis and the format check (make analyze)
	cppcheck clang-tidy clang-format valgrind
	# the libFuzzer harnesses (test/fuzz/): clang and its fuzzer and sanitizer runtimes
	clang libclang-rt-14-dev
	# the boot lab (qemu/): emulator, firmware, TPM, image and signing tools
	qemu-system-x86 ovmf swtpm swtpm-tools sbsigntool systemd-boot-efi binutils openssl
	cpio zstd xz-utils kmod busybox-static erofs-utils squashfs-tools cryptsetup-bin fdisk dosfstools mtools jq
	# the attest case: the guest's tpm2-tools (qemu/usr-tree.sh --attest-tools copies Debian's binary
	# and its libraries onto the lab's /usr) and the host's tpm2_checkquote (test/integration/asserts.sh)
	tpm2-tools
	# ext4 images (qemu/ext4-image.sh: mkfs.ext4, debugfs; lab-disk: e2fsck, dumpe2fs): required
	# priority in Debian, named so that a container image without it still gets it
	e2fsprogs
	secilc
	# systemd-repart (the repart-built disk) and systemd-measure (checked against verinit-measure)
	systemd
	python3 python3-cryptography python3-importlib-resources
	# the SBOMs' check against the SPDX 2.3 schema (test/spdx/validate.py)
	python3-jsonschema
	# the man pages (docs/man/): scdoc renders them, groff checks them (test/man-pages.sh)
	scdoc groff-base
	# the Debian package (debian/, test/deb-package.sh): dpkg-buildpackage with dh, and lintian
	debhelper dpkg-dev lintian
)
# make bench: the incumbent's initramfs (dracut-core with systemd 252; its pcrphase module wants
# tpm2-tools, in the list above) and the plot
[ "${1:-}" != bench ] || packages+=(dracut-core python3-matplotlib)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "host-packages: missing ${missing[*]}; run as root or: sudo apt-get install ${missing[*]}" >&2
	exit 1
fi
echo "host-packages: installing ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
