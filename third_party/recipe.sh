# The build recipe of the static sysroot, sourced by deps.sh: one build_<lib> function per
# library, run in that library's patched source tree, installing into "$stage" (the sysroot
# being built) with prefix /usr. deps.sh hashes this file into the sysroot's cache key, so any
# change here builds a new sysroot; the driver around it (deps.sh) can change freely.
# Libraries in build order (later ones link the earlier ones):
libs=(openssl json-c util-linux lvm2 cryptsetup tpm2-tss kmod)

prepare_sysroot() {
	# Kernel UAPI headers: musl-gcc passes -nostdinc, so the sysroot carries its own copy.
	cp -a /usr/include/linux /usr/include/asm-generic /usr/include/mtd "$stage/usr/include/"
	cp -a /usr/include/x86_64-linux-gnu/asm "$stage/usr/include/asm"

	export CC=musl-gcc
	# Everything is position-independent: the agent links as a static PIE.
	# -Oz (GCC 12): -Os that also prefers the shorter instruction where -Os weighs speed.
	base_cflags="-Oz -fPIE -ffunction-sections -fdata-sections -fstack-protector-strong"
	base_cflags+=" -fstack-clash-protection -fcf-protection=full"
	# Nothing in a static musl binary unwinds the stack (no C++, no backtraces): without unwind
	# tables .eh_frame shrinks by about 300 KB.
	base_cflags+=" -fno-asynchronous-unwind-tables -fno-unwind-tables"
	# Link-time optimisation when the agent links (gcc's linker plugin picks it up by itself);
	# fat objects keep ordinary code and its CET notes beside the LTO bytecode, so anything
	# linking without LTO still works and test/agent-binary.sh can read each member's notes.
	base_cflags+=" -flto -ffat-lto-objects"
	export CFLAGS="$base_cflags -I$stage/usr/include"
	export CPPFLAGS="-I$stage/usr/include"
	export LDFLAGS="-L$stage/usr/lib"
	export PKG_CONFIG_LIBDIR=$stage/usr/lib/pkgconfig:$stage/usr/share/pkgconfig
	export PKG_CONFIG_SYSROOT_DIR=$stage
	unset PKG_CONFIG_PATH
	export SOURCE_DATE_EPOCH=1700000000
}

unpack() { # lib -> cd into patched source tree
	local lib=$1 orig deb
	orig=$(lock_lines | awk -v l="$lib" '$1 == l && $5 ~ /\.orig\.tar\./ { print $5 }')
	deb=$(lock_lines | awk -v l="$lib" '$1 == l && $5 ~ /\.debian\.tar\./ { print $5 }')
	mkdir -p "$work/$lib"
	tar -xf "$cache/src/$orig" -C "$work/$lib" --strip-components=1
	cd "$work/$lib"
	if [ -n "$deb" ]; then
		tar -xf "$cache/src/$deb"
		if [ -f debian/patches/series ]; then
			local p
			grep -Ev '^[[:space:]]*(#|$)' debian/patches/series | while read -r p _; do
				patch -p1 --batch --quiet <"debian/patches/$p"
			done
		fi
	fi
}

# libtool archives and some .pc files (tss2-esys's Libs.private) record the staging directory;
# left in, a later link would silently use whatever is at that path. pkg-config adds the sysroot.
install_done() {
	rm -f "$stage"/usr/lib/*.la
	sed -i "s|$stage||g" "$stage"/usr/lib/pkgconfig/*.pc "$stage"/usr/share/pkgconfig/*.pc 2>/dev/null || true
}

build_openssl() {
	# Only what verinit uses: X.509/CMS verification, SHA-1/2, RSA/EC, AES for TPM sessions.
	# no-asm: the C implementations are a fraction of the size (the P-256 table alone is 170 KB)
	# and verinit hashes little in user space (dm-verity hashes in the kernel). no-err and
	# no-filenames drop the error strings and source file names; the error codes remain.
	# OPENSSL_SMALL_FOOTPRINT: the rolled loops of the SHA and bignum C code, not the unrolled.
	# OpenSSL records its CFLAGS in the library: keep the machine's sysroot path out of them and
	# find the kernel headers through the environment instead.
	export C_INCLUDE_PATH=$stage/usr/include
	CFLAGS=$base_cflags CPPFLAGS= ./Configure linux-x86_64 --prefix=/usr --libdir=lib --openssldir=/etc/ssl \
		no-shared no-module no-dso no-engine no-tests no-async no-afalgeng \
		no-legacy no-des no-rc2 no-rc4 no-rc5 no-md4 no-mdc2 no-idea no-seed no-bf no-cast \
		no-camellia no-aria no-sm2 no-sm3 no-sm4 no-whirlpool no-siphash no-scrypt no-ocb \
		no-ec2m no-dsa no-srp no-ct no-ocsp no-ts no-srtp no-cmp no-gost no-ui-console \
		no-blake2 no-chacha no-poly1305 no-dtls no-psk no-ssl-trace no-sctp no-nextprotoneg no-rfc3779 \
		no-asm no-err no-filenames no-deprecated no-dh no-cmac no-siv no-sock no-dgram no-comp \
		no-multiblock no-rmd160 -DOPENSSL_SMALL_FOOTPRINT
	# OpenSSL 3.0 has no no-ecx (3.2 does): drop X25519, X448, Ed25519 and Ed448 from the default
	# provider's and the legacy key method tables, and --gc-sections drops their code (130 KB).
	# verinit's signers are RSA and ECDSA; the TPM's ECC keys are NIST curves.
	sed -i -E '/PROV_NAMES_(X25519|X448|ED25519|ED448),/{N;/PROV_DESCS_/d}' providers/defltprov.c
	sed -i -E '/\{ PROV_NAMES_(X25519|X448|ED25519|ED448), "provider=default", ossl_[a-z0-9]+_(keyexch|signature)_functions \},/d' providers/defltprov.c
	sed -i -E '/^ENCODER_(TEXT|w_structure)\("(ED25519|ED448|X25519|X448)"/d' providers/encoders.inc
	sed -i -E '/^DECODER_w_structure\("(ED25519|ED448|X25519|X448)"/d' providers/decoders.inc
	sed -i -E '/&ossl_(ecx25519|ecx448|ed25519|ed448)_asn1_meth,/d' crypto/asn1/standard_methods.h
	sed -i -E '/^ +ossl_(ecx25519|ecx448|ed25519|ed448)_pkey_method,$/d' crypto/evp/pmeth_lib.c
	if grep -nE 'X25519|X448|ED25519|ED448' providers/defltprov.c providers/*coders.inc ||
		grep -nE 'ossl_(ecx25519|ecx448|ed25519|ed448)_' crypto/asn1/standard_methods.h crypto/evp/pmeth_lib.c; then
		echo "openssl: the ECX entries above survived the edit" >&2; return 1
	fi
	openssl_prune_default_provider
	openssl_legacy_pubkey_decode
	make -j"$jobs" build_libs
	make install_dev DESTDIR="$stage"
}

# The default provider's algorithm tables reference every algorithm it offers, so --gc-sections
# keeps them all. Drop the entries nobody here fetches; kept: SHA-1/2 and MD5 digests, AES
# ECB/CBC/OFB/CFB/CTR (tpm2-tss: CFB; the CTR-DRBG: ECB and CTR), HMAC (tpm2-tss, cryptsetup),
# PBKDF2 (cryptsetup), RSA (PKCS#1, PSS, OAEP), ECDSA, ECDH, the CTR-DRBG and the seed source, DER
# and PEM decoders. Dropped: SHA-3/SHAKE/KECCAK, MD5-SHA1, AES XTS/GCM/CCM/wrap/CTS and
# the TLS stitched ciphers, GMAC and KMAC, every KDF but PBKDF2 (the TLS, SSH, Kerberos, X9.42/63,
# PKCS#12 and KB KDFs, HKDF), the hash and HMAC DRBGs and the test RNG, RSA as a KEM, every key
# encoder (verinit and its libraries only read keys: certificates, the TPM's public areas), the
# MSBLOB and PVK decoders, the file: store and the TLS group capabilities (libssl's).
openssl_prune_default_provider() {
	local names='SHA3_(224|256|384|512)|KECCAK_KMAC_(128|256)|SHAKE_(128|256)|MD5_SHA1'
	names+='|AES_(128|192|256)_(CBC_CTS|XTS|GCM|CCM|WRAP(_PAD)?(_INV)?|CBC_HMAC_SHA(1|256))'
	names+='|GMAC|KMAC_(128|256)|HKDF|TLS1_3_KDF|SSKDF|PKCS12KDF|SSHKDF|X963KDF|TLS1_PRF|KBKDF'
	names+='|X942KDF_ASN1|KRB5KDF|HASH_DRBG|HMAC_DRBG|TEST_RAND'
	# An entry is one line, or two when the first does not end it with "}," or "),".
	sed -i -E "/PROV_NAMES_($names)[ ,]|ossl_rsa_asym_kem_functions|OSSL_FUNC_PROVIDER_GET_CAPABILITIES,/{/[})],\$/!N;d}" \
		providers/defltprov.c
	sed -i -E '/^ENCODER(_TEXT|_w_structure)?\(/d' providers/encoders.inc
	sed -i -E '/^DECODER\("(RSA|DSA)", (msblob|pvk), /d' providers/decoders.inc
	sed -i -E '/^STORE\("file"/d' providers/stores.inc
	# The same AES modes out of the legacy cipher table (EVP_get_cipherbyname), which would keep
	# their EVP_CIPHER objects; without the provider's implementations they could not run anyway.
	sed -i -E '/EVP_aes_(128|192|256)_(gcm|ocb|xts|ccm|wrap|wrap_pad|cbc_hmac_sha(1|256))\(\)|SN_id_aes(128|192|256)_wrap,/d' \
		crypto/evp/c_allc.c
	# Built-in curves: the NIST ones (P-192 to P-521), the list OpenSSL's FIPS module has. The
	# kernel verifies /usr signatures with NIST curves only and the TPM's are NIST P-256 and P-384.
	sed -i -E '/^#ifdef FIPS_MODULE$/{N;s/^#ifdef FIPS_MODULE\n(static const ec_list_element curve_list\[\] = \{)$/#if 1 \/* verinit: NIST curves only *\/\n\1/}' \
		crypto/ec/ec_curve.c
	if grep -nE "PROV_NAMES_($names)[ ,]|ossl_rsa_asym_kem_functions|ossl_prov_get_capabilities" providers/defltprov.c ||
		grep -nE '^ENCODER' providers/encoders.inc || grep -nE 'msblob|pvk' providers/decoders.inc || grep -n '^STORE' providers/stores.inc ||
		grep -nE 'EVP_aes_[0-9]+_(gcm|ocb|xts|ccm|wrap)' crypto/evp/c_allc.c || ! grep -q 'verinit: NIST curves only' crypto/ec/ec_curve.c; then
		echo "openssl: the default provider entries above survived the edit" >&2; return 1
	fi
}

# OpenSSL 3.0 decodes the public key of every certificate it parses (the enrolled ones, the one a
# signature carries) through the provider's decoder chain, which it builds anew for each key
# (3.2 caches it): a third of the instructions of verinit's signature check. The legacy ASN.1
# methods, compiled in anyway and what 3.0 itself uses when an engine provides the key type,
# decode RSA and EC keys directly; any other type, or a key they refuse, still goes to the
# decoders. The key is the same EVP_PKEY either way, exported to the provider when it is used.
openssl_legacy_pubkey_decode() {
	sed -i '/^static int x509_pubkey_decode(EVP_PKEY \*\*ppkey, const X509_PUBKEY \*key)$/,/^}$/s/^    if (!key->flag_force_legacy) {$/    if (0 \&\& !key->flag_force_legacy) { \/* verinit: legacy ASN.1 method first *\//' \
		crypto/x509/x_pubkey.c
	if ! grep -q 'verinit: legacy ASN.1 method first' crypto/x509/x_pubkey.c; then
		echo "openssl: x509_pubkey_decode was not edited" >&2; return 1
	fi
}

build_json-c() {
	cmake -S . -B b -DCMAKE_C_COMPILER="$CC" -DCMAKE_BUILD_TYPE=MinSizeRel \
		-DCMAKE_INSTALL_PREFIX=/usr -DCMAKE_INSTALL_LIBDIR=lib \
		-DBUILD_SHARED_LIBS=OFF -DBUILD_STATIC_LIBS=ON -DBUILD_TESTING=OFF -DBUILD_APPS=OFF \
		-DDISABLE_WERROR=ON -DDISABLE_EXTRA_LIBS=ON
	cmake --build b -j "$jobs"
	DESTDIR="$stage" cmake --install b
}

build_util-linux() {
	./configure --prefix=/usr --libdir=/usr/lib --disable-shared --enable-static \
		--disable-all-programs --enable-libblkid --enable-libuuid --disable-nls \
		--without-systemd --without-udev --without-python --without-readline \
		--without-ncursesw --without-ncurses --without-tinfo --without-libz --without-cap-ng \
		--without-selinux --without-audit --without-smack --without-econf \
		--disable-bash-completion --disable-asciidoc --disable-makeinstall-chown \
		--disable-makeinstall-setuid
	make -j"$jobs"
	make install DESTDIR="$stage"
}

build_lvm2() {
	# libdevmapper only; the aio probe is for LVM's tools, which are not built.
	./configure --prefix=/usr --libdir=/usr/lib --enable-static_link --enable-pkgconfig \
		--disable-selinux --disable-udev_sync --disable-udev_rules --disable-blkid_wiping \
		--disable-readline --disable-nls --disable-dmeventd --disable-cmdlib \
		--with-thin=none --with-cache=none --with-vdo=none --disable-sd-notify \
		--disable-systemd-journal --disable-app-machineid ac_cv_lib_aio_io_setup=yes
	make -C libdm -j"$jobs" ioctl/libdevmapper.a libdevmapper.pc
	make -C libdm install_static install_include install_pkgconfig DESTDIR="$stage"
}

build_cryptsetup() {
	# Kernel keyring support is on by default: verity root-hash signatures need it.
	# Debian's orig tarball is a git snapshot: no configure yet.
	NOCONFIGURE=1 ./autogen.sh
	# Its OpenSSL backend makes a library context of its own, only to load the legacy provider
	# (old LUKS ciphers and hashes; this OpenSSL has none) beside the default one: a second
	# provider start, name map and method store, about a million instructions on each boot.
	# verinit's dm-verity hashes are SHA-256 from the default context it already started.
	sed -i 's|^\tif (!fips) {$|\tif (0 \&\& !fips) { /* verinit: the default library context */|' \
		lib/crypto_backend/crypto_openssl.c
	if ! grep -q 'verinit: the default library context' lib/crypto_backend/crypto_openssl.c; then
		echo "cryptsetup: openssl_backend_init was not edited" >&2; return 1
	fi
	# popt is only used by the command-line tools, which are not built.
	./configure --prefix=/usr --libdir=/usr/lib --disable-shared --enable-static \
		--disable-cryptsetup --disable-veritysetup --disable-integritysetup \
		--disable-ssh-token --disable-external-tokens --disable-asciidoc --disable-nls \
		--disable-udev --disable-selinux --disable-luks2-reencryption --with-crypto_backend=openssl \
		ac_cv_lib_popt_poptConfigFileToString=yes
	make -j"$jobs" libcryptsetup.la
	make install-libLTLIBRARIES install-includeHEADERS install-pkgconfigDATA DESTDIR="$stage"
}

build_tpm2-tss() {
	# maxloglevel=warning: what the TSS prints by default (errors and warnings) stays; the info,
	# debug and trace messages that only TSS2_LOG= turns on are compiled out with their strings.
	echo 4.1.3 >VERSION
	./bootstrap
	./configure --prefix=/usr --libdir=/usr/lib --disable-shared --enable-static \
		--disable-fapi --disable-policy --disable-doxygen-doc --disable-unit --disable-integration \
		--disable-log-file --disable-weakcrypto --disable-defaultflags --with-crypto=ossl \
		--disable-tcti-mssim --disable-tcti-swtpm --disable-tcti-pcap --disable-tcti-libtpms \
		--disable-tcti-cmd --disable-tcti-spi-helper --disable-tcti-spi-ltt2go \
		--disable-tcti-spidev --disable-tcti-spi-ftdi --disable-tcti-i2c-helper \
		--disable-tcti-i2c-ftdi --with-maxloglevel=warning --with-udevrulesdir=/usr/lib/udev/rules.d \
		--with-sysusersdir=/usr/lib/sysusers.d --with-tmpfilesdir=/usr/lib/tmpfiles.d
	make -j"$jobs"
	# DESTDIR keeps the install hooks (useradd, /etc) away from the host.
	make install DESTDIR="$stage"
}

build_kmod() {
	# Upstream builds libkmod shared only; `library` lets default_library=static decide.
	sed -i 's/^libkmod = shared_library(/libkmod = library(/' meson.build
	meson setup b --prefix=/usr --libdir=lib -Ddefault_library=static \
		-Doptimization=s -Ddebug=false -Ddistconfdir=/usr/lib \
		-Dzstd=disabled -Dxz=disabled -Dzlib=disabled -Dopenssl=disabled \
		-Dtools=false -Dmanpages=false -Ddocs=false -Dbuild-tests=false \
		-Dbashcompletiondir=no -Dfishcompletiondir=no -Dzshcompletiondir=no
	meson compile -C b
	meson install -C b --destdir "$stage" --no-rebuild
}

