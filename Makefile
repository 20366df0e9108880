# verinit: see README.md. `make` builds build/verinit; `make check` runs every test.
#
# The public targets first bootstrap (install missing host packages, build or reuse the cached
# sysroot and link it at build/sysroot), then run make again for the work itself, so that the
# second make reads the sysroot that really exists.

VERINIT_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/verinit
export VERINIT_CACHE
BUILD ?= build
SYSROOT := $(abspath $(BUILD)/sysroot)
SYSROOT_STAMP := $(SYSROOT)/.complete

PUBLIC := all check unit analyze size lab demo fuzz bench kvm-bundle
.PHONY: $(PUBLIC) $(addprefix do-,$(PUBLIC)) deps setup relock clean distclean
all:
$(PUBLIC): deps
	@$(MAKE) --no-print-directory do-$@

setup:
	@third_party/host-packages.sh

deps: setup
	@third_party/deps.sh --link $(BUILD)/sysroot
	@third_party/musl.sh $(BUILD)/musl-dev

# Re-pins third_party/sources.lock and qemu/tools.lock to the mirror's newest versions in the
# same suites (third_party/relock.sh; `third_party/relock.sh --check` only reports).
relock:
	@third_party/relock.sh

WARN := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wmissing-prototypes -Wstrict-prototypes \
	-Wpointer-arith -Wvla -Wundef -Wno-unused-parameter
COMMON_CFLAGS := -std=gnu11 -D_GNU_SOURCE -Ilib -Ilib/sys -Iinit $(WARN) -MMD -MP

# ---- the agent: static-pie against the musl sysroot ------------------------------------------
# musl 1.2.5 (third_party/musl.sh, set up by `make deps`): its rcrt1.o applies DT_RELR relocations.
MUSL := $(abspath $(BUILD)/musl-dev)
MUSL_CC := gcc -specs $(MUSL)/musl-gcc.specs
HARDEN := -fPIE -fstack-protector-strong -fstack-clash-protection -fcf-protection=full
# No unwind tables: nothing in the static agent unwinds the stack. -Oz: -Os preferring the shorter
# instruction (GCC 12), as the sysroot is built.
AGENT_CFLAGS := $(COMMON_CFLAGS) -Oz -ffunction-sections -fdata-sections $(HARDEN) \
	-fno-asynchronous-unwind-tables -fno-unwind-tables -flto -ffat-lto-objects \
	-isystem $(SYSROOT)/usr/include
# musl-gcc's specs know no -static-pie (they always add Scrt1.o and a dynamic linker), so name
# musl's self-relocating start file and the linker flags here. pack-relative-relocs: DT_RELR.
# The sysroot's archives carry LTO bytecode (third_party/recipe.sh), and so do our own objects
# (fat: the CET check in test/agent-binary.sh reads their code): -flto=auto optimises all of it
# together at the link, in parallel (about 25 KB less than our objects without LTO).
MUSL_LIB := $(MUSL)/root/usr/lib/x86_64-linux-musl
STATIC_PIE_LDFLAGS := -static -nostartfiles -Wl,-pie,--no-dynamic-linker,-z,text \
	-Wl,--gc-sections -Wl,-z,relro,-z,now,-z,noexecstack -Wl,-z,pack-relative-relocs -flto=auto
STATIC_PIE_START := $(MUSL_LIB)/rcrt1.o $(MUSL_LIB)/crti.o $(shell gcc -print-file-name=crtbeginS.o)
STATIC_PIE_END := $(shell gcc -print-file-name=crtendS.o) $(MUSL_LIB)/crtn.o
MAP_FLAG := -Wl,-Map=$(BUILD)/verinit.map
# $(call link_static_pie,output,objects and libraries,extra flags); a comma inside an argument
# would split it, hence flags such as MAP_FLAG come through variables.
link_static_pie = $(MUSL_CC) $(AGENT_CFLAGS) $(STATIC_PIE_LDFLAGS) $(3) -o $(1) \
	$(STATIC_PIE_START) $(2) $(STATIC_PIE_END)
# Every library the agent links, in pkg-config's names (the same names on the host).
PKGS := libcryptsetup tss2-esys tss2-mu tss2-rc tss2-tcti-device libkmod blkid json-c libcrypto
PKG_SYSROOT := PKG_CONFIG_LIBDIR=$(SYSROOT)/usr/lib/pkgconfig:$(SYSROOT)/usr/share/pkgconfig \
	PKG_CONFIG_SYSROOT_DIR=$(SYSROOT)
# Recursive: only valid once the sysroot exists.
AGENT_LIBS = $(shell $(PKG_SYSROOT) pkg-config --static --libs $(PKGS))

# lib/ in two halves: the pure one (lib/*.c: parsers, formats, no I/O, prints nothing) and the
# system one (lib/sys/*.c: TPM, modules, uevents, switch_root, the ops table, the logger). The agent
# and the unit tests link both.
LIB_SRCS := $(wildcard lib/*.c)
SYS_SRCS := $(wildcard lib/sys/*.c)
STAGE_SRCS := $(filter-out init/pid1.c,$(wildcard init/*.c))
AGENT_OBJS := $(patsubst %.c,$(BUILD)/musl/%.o,$(LIB_SRCS) $(SYS_SRCS) $(STAGE_SRCS) init/pid1.c)

# ---- the host build: glibc, Debian's -dev packages, ASan + UBSan, for tests ------------------
HOST_CC ?= gcc
SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
HOST_CFLAGS := $(COMMON_CFLAGS) -g -O1 $(SANITIZE)
HOST_LIBS = $(shell pkg-config --libs $(PKGS))
HOST_OBJS := $(patsubst %.c,$(BUILD)/host/%.o,$(LIB_SRCS) $(SYS_SRCS) $(STAGE_SRCS))
UNIT_TESTS := $(patsubst test/unit/%.c,$(BUILD)/host/test/%,$(wildcard test/unit/test-*.c))
# Kept: make would delete these as intermediates of the pattern rules and rebuild them each time.
.SECONDARY: $(HOST_OBJS)

do-all: $(BUILD)/verinit

$(SYSROOT_STAMP):
	@echo "no sysroot at $(SYSROOT): run make deps"; exit 1
$(MUSL)/musl-gcc.specs:
	@echo "no musl at $(MUSL): run make deps"; exit 1

$(BUILD)/musl/%.o: %.c $(SYSROOT_STAMP) $(MUSL)/musl-gcc.specs Makefile
	@mkdir -p $(@D)
	$(MUSL_CC) $(AGENT_CFLAGS) -c -o $@ $<

$(BUILD)/verinit: $(AGENT_OBJS) Makefile
	$(call link_static_pie,$@.unstripped,$(AGENT_OBJS) $(AGENT_LIBS),$(MAP_FLAG))
	strip --strip-all -o $@ $@.unstripped

$(BUILD)/host/%.o: %.c Makefile
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -c -o $@ $<

$(BUILD)/host/test/%: test/unit/%.c $(HOST_OBJS)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -Itest/unit -o $@ $< $(HOST_OBJS) $(HOST_LIBS) -lcmocka

do-unit: $(UNIT_TESTS)

# Links one call into every library of the sysroot and prints their versions: proves the
# pinned stack links statically and is what the lock file says.
$(BUILD)/sysroot-probe: test/sysroot/probe.c $(SYSROOT_STAMP)
	@mkdir -p $(@D)
	$(call link_static_pie,$@,$< $(AGENT_LIBS))

# ---- static analysis: zero findings -----------------------------------------------------------
ANALYZE_SRCS := $(LIB_SRCS) $(SYS_SRCS) $(wildcard init/*.c) $(wildcard measure/*.c) $(wildcard hooks/*.c)
ANALYZE_CFLAGS := -std=gnu11 -D_GNU_SOURCE -Ilib -Ilib/sys -Iinit $(WARN)
# Annex K's *_s functions exist in neither glibc nor musl: that check can only ever nag.
TIDY_CHECKS := -*,clang-analyzer-*,-clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling,bugprone-*,-bugprone-easily-swappable-parameters,$\
	-bugprone-reserved-identifier,performance-*,portability-*,cert-err33-c,cert-err34-c,$\
	misc-redundant-expression,readability-misleading-indentation
# The format of every C file against .clang-format (clang-format 14). A clean clone has no base to
# diff against, so the whole tree is checked; outside a git checkout, every C file under the tree.
FORMAT_SRCS = $(shell git ls-files '*.c' '*.h' 2>/dev/null || find . -path ./$(BUILD) -prune -o -name '*.[ch]' -print)
do-analyze:
	@out=$$(clang-format --style=file --dry-run -Werror $(FORMAT_SRCS) 2>&1) || { \
		bad=$$(printf '%s\n' "$$out" | sed -n 's/^\([^:]*\):[0-9]*:[0-9]*: error: .*/\1/p' | sort -u); \
		[ -n "$$bad" ] || printf '%s\n' "$$out"; \
		echo "analyze: not formatted as .clang-format says (clang-format -i FILE; see CODING_STYLE.md):" $$bad; \
		exit 1; }
	@# lib/'s pure half includes no header of lib/sys/ (its link, in the host tools, refuses the calls).
	@for h in $(notdir $(wildcard lib/sys/*.h)); do \
		bad=$$(grep -l "^#include \"$$h\"" lib/*.c lib/*.h); \
		[ -z "$$bad" ] || { echo "analyze: lib/'s pure half includes lib/sys/$$h (CODING_STYLE.md):" $$bad; exit 1; }; \
	done
	cppcheck --quiet --error-exitcode=1 --inline-suppr --std=c11 --enable=warning,style,performance,portability \
		--suppress=missingIncludeSystem -Ilib -Ilib/sys -Iinit $(ANALYZE_SRCS)
	@for f in $(ANALYZE_SRCS); do \
		$(HOST_CC) $(ANALYZE_CFLAGS) -fanalyzer -c -o /dev/null $$f || exit 1; \
	done
	@# One file per run: clang-tidy 14's valist checker carries state from one file into the next.
	@for f in $(ANALYZE_SRCS); do \
		clang-tidy --quiet --warnings-as-errors='*' -checks='$(TIDY_CHECKS)' $$f -- $(ANALYZE_CFLAGS) \
			2>/dev/null || exit 1; \
	done
	@echo "analyze: clang-format, the pure half's includes, cppcheck, gcc -fanalyzer and clang-tidy found nothing"

# ---- size: the stripped agent and each library's share of it ---------------------------------
do-size: $(BUILD)/verinit $(BUILD)/lab/initramfs.img
	@test/tools/size.sh $(BUILD)/verinit $(BUILD)/verinit.map
	@test/size-budget.sh $(BUILD)/verinit $(BUILD)/lab/initramfs.img

# ---- the boot lab (qemu/) ---------------------------------------------------------------------
include qemu/lab.mk
do-lab: $(LAB_IMAGES)

# The demo builds only what it boots. Its build is quiet: one line of progress, the output kept in
# $(BUILD)/demo-build.log and shown (its end) only when the build fails. V=1 prints every command.
DEMO_IMAGES := $(LAB)/OVMF_VARS.fd $(LAB)/disk.img $(BUILD)/verinit-measure
ifeq ($(V),1)
do-demo: $(DEMO_IMAGES)
	qemu/demo.sh $(LAB)
else
do-demo:
	@echo "demo: building the agent, the signed UKI and the lab disk (a few minutes the first time; the output goes to $(BUILD)/demo-build.log)"
	@$(MAKE) --no-print-directory $(DEMO_IMAGES) >$(BUILD)/demo-build.log 2>&1 || \
		{ tail -n 25 $(BUILD)/demo-build.log; echo "demo: the build failed; its whole output: $(BUILD)/demo-build.log" >&2; exit 1; }
	@qemu/demo.sh $(LAB)
endif

# ---- bench: verinit against dracut + systemd 252 and a shell script doing the same job (qemu/bench.sh)
# A benchmark, not a test: it reports, it never fails on a number. BENCH_N boots of each (>= 5).
BENCH_N ?= 5
BENCH := $(BUILD)/bench
$(BENCH)/incumbent/uki-dracut.efi: $(LAB)/kernel.stamp $(LAB)/usr/usr.img $(LAB)/keys/db.crt qemu/incumbent.sh \
		qemu/peer-cmdline.sh hooks/verinit-uki
	@third_party/host-packages.sh bench
	qemu/incumbent.sh $(LAB) $(@D)
$(BENCH)/script/uki-script.efi: $(LAB)/kernel.stamp $(LAB)/usr/usr.img $(LAB)/keys/db.crt qemu/script-peer.sh \
		qemu/guest/script-init qemu/peer-cmdline.sh qemu/initramfs.sh hooks/verinit-uki
	qemu/script-peer.sh $(LAB) $(@D)
do-bench: $(LAB)/uki.efi $(LAB)/disk.img $(BENCH)/incumbent/uki-dracut.efi $(BENCH)/script/uki-script.efi
	@third_party/host-packages.sh bench
	qemu/bench.sh $(LAB) $(BENCH)/incumbent $(BENCH)/script $(BENCH) $(BENCH_N)

# ---- kvm-bundle: make bench's peers, QEMU, swtpm and OVMF for a machine with KVM (qemu/kvm-bundle.sh) --
# What a machine that has KVM but no QEMU needs to boot the lab (qemu/kvm-run.sh boots it there):
# $(BUILD)/kvm-bundle/kvm-bundle.tar.xz, at most 64 MiB. Always remade: it copies the host's QEMU.
do-kvm-bundle: $(LAB)/uki.efi $(LAB)/disk.img $(LAB)/OVMF_VARS.fd $(BENCH)/incumbent/uki-dracut.efi
	qemu/kvm-bundle.sh $(BUILD)/kvm-bundle

# ---- the README's test command (the checks it runs: test/run-tests.sh) ----------------------------------------------------------------
do-check: $(BUILD)/verinit $(UNIT_TESTS) $(BUILD)/sysroot-probe $(LAB_IMAGES)
	SYSROOT=$(SYSROOT) BUILD=$(BUILD) test/run-tests.sh

# ---- the host tools link lib/'s pure half only -----------------------------------------------
# Never lib/sys/ nor init/, and of the libraries only OpenSSL and json-c: not libkmod, tss2,
# libcryptsetup or libblkid (test/tool-links.sh reads their link maps). verinit-measure links every
# pure object, so a pure file that calls into lib/sys/ fails its link; check-config takes from the
# archive only what it calls (the config parser), which needs no library at all.
TOOL_LIBS = $(shell pkg-config --libs json-c libcrypto)
PURE_HOST_OBJS := $(patsubst %.c,$(BUILD)/host/%.o,$(LIB_SRCS))
PURE_ARCHIVE = rm -f $@ && ar rcs $@ $^
$(BUILD)/host/libverinit-pure.a: $(PURE_HOST_OBJS)
	@$(PURE_ARCHIVE)

# ---- measure/: verinit-measure, the host PCR predictor and replayer -----------------------------
# Host-only (glibc, with the unit tests' sanitizers).
MEASURE_OBJS := $(patsubst %.c,$(BUILD)/host/%.o,$(wildcard measure/*.c))
$(BUILD)/verinit-measure: $(MEASURE_OBJS) $(PURE_HOST_OBJS)
	$(HOST_CC) $(HOST_CFLAGS) -o $@ $^ $(TOOL_LIBS)
.SECONDARY: $(MEASURE_OBJS)
do-check: $(BUILD)/verinit-measure

# ---- hooks/: the image builder's tools ----------------------------------------------------------
$(BUILD)/verinit-check-config: $(BUILD)/host/hooks/check-config.o $(BUILD)/host/libverinit-pure.a
	$(HOST_CC) $(HOST_CFLAGS) -o $@ $^
.SECONDARY: $(BUILD)/host/hooks/check-config.o
do-check: $(BUILD)/verinit-check-config

# ---- valgrind: the host tools again, without sanitizers (valgrind and ASan exclude each other) ----
VG_CFLAGS := $(COMMON_CFLAGS) -g -O1
VG_LIB_OBJS := $(patsubst %.c,$(BUILD)/vg/%.o,$(LIB_SRCS))
$(BUILD)/vg/%.o: %.c Makefile
	@mkdir -p $(@D)
	$(HOST_CC) $(VG_CFLAGS) -c -o $@ $<
$(BUILD)/vg/libverinit-pure.a: $(VG_LIB_OBJS)
	@$(PURE_ARCHIVE)
$(BUILD)/vg/verinit-measure: $(patsubst %.c,$(BUILD)/vg/%.o,$(wildcard measure/*.c)) $(VG_LIB_OBJS)
	$(HOST_CC) -o $@ $^ $(TOOL_LIBS)
$(BUILD)/vg/verinit-check-config: $(BUILD)/vg/hooks/check-config.o $(BUILD)/vg/libverinit-pure.a
	$(HOST_CC) -o $@ $^
.SECONDARY: $(VG_LIB_OBJS) $(patsubst %.c,$(BUILD)/vg/%.o,$(wildcard measure/*.c) hooks/check-config.c)
do-check: $(BUILD)/vg/verinit-measure $(BUILD)/vg/verinit-check-config

# ---- release: the host tools as installed (no sanitizers; hardened; Debian's CFLAGS/LDFLAGS apply) ----
REL_CFLAGS := $(COMMON_CFLAGS) -O2 -g -fPIE -fstack-protector-strong -fstack-clash-protection \
	-fcf-protection=full -D_FORTIFY_SOURCE=2 $(CFLAGS) $(CPPFLAGS)
REL_LDFLAGS := -pie -Wl,-z,relro,-z,now,-z,noexecstack,--as-needed $(LDFLAGS)
REL_LIB_OBJS := $(patsubst %.c,$(BUILD)/release/%.o,$(LIB_SRCS))
$(BUILD)/release/%.o: %.c Makefile
	@mkdir -p $(@D)
	$(HOST_CC) $(REL_CFLAGS) -c -o $@ $<
$(BUILD)/release/libverinit-pure.a: $(REL_LIB_OBJS)
	@$(PURE_ARCHIVE)
$(BUILD)/release/verinit-measure: $(patsubst %.c,$(BUILD)/release/%.o,$(wildcard measure/*.c)) $(REL_LIB_OBJS)
	$(HOST_CC) $(REL_CFLAGS) $(REL_LDFLAGS) -o $@ $^ $(TOOL_LIBS)
$(BUILD)/release/verinit-check-config: $(BUILD)/release/hooks/check-config.o $(BUILD)/release/libverinit-pure.a
	$(HOST_CC) $(REL_CFLAGS) $(REL_LDFLAGS) -o $@ $^
.SECONDARY: $(REL_LIB_OBJS) $(patsubst %.c,$(BUILD)/release/%.o,$(wildcard measure/*.c) hooks/check-config.c)
do-all: $(BUILD)/release/verinit-measure $(BUILD)/release/verinit-check-config
do-check: $(BUILD)/release/verinit-measure $(BUILD)/release/verinit-check-config

# ---- install: copies what `make` built, nothing else (no host packages, no sysroot) ------------------
# One table for install and uninstall: SOURCE:DESTINATION:MODE, DESTINATION under PREFIX. The
# agent is not on PATH (it only runs as an initramfs's /init); the hooks find it, the lock file and
# sbom.py in lib/verinit beside their own bin/ (hooks/verinit-mkinitramfs, the kernel-install plugin).
PREFIX ?= /usr
DESTDIR ?=
INSTALL_TABLE := \
	$(BUILD)/verinit:lib/verinit/verinit:0755 \
	third_party/sources.lock:lib/verinit/sources.lock:0644 \
	hooks/sbom.py:lib/verinit/sbom.py:0644 \
	$(BUILD)/release/verinit-measure:bin/verinit-measure:0755 \
	$(BUILD)/release/verinit-check-config:bin/verinit-check-config:0755 \
	hooks/verinit-sign:bin/verinit-sign:0755 \
	hooks/verinit-mkinitramfs:bin/verinit-mkinitramfs:0755 \
	hooks/verinit-uki:bin/verinit-uki:0755 \
	hooks/kernel-install/60-verinit.install:lib/kernel/install.d/60-verinit.install:0755 \
	docs/examples/verinit.conf:share/doc/verinit/examples/verinit.conf:0644
# Directories uninstall removes when they are left empty (deepest first).
INSTALL_DIRS := share/doc/verinit/examples share/doc/verinit lib/verinit
# $(call install_files,DIR): the table's files into DIR (the lab's installed tree uses it too).
install_files = for e in $(INSTALL_TABLE); do src=$${e%%:*} rest=$${e\#*:}; dst=$${rest%%:*} mode=$${rest\#\#*:}; \
	install -D -m $$mode "$$src" "$(1)/$$dst" || exit 1; echo "installed $(1)/$$dst"; done
.PHONY: install uninstall
install:
	@for e in $(INSTALL_TABLE); do src=$${e%%:*}; [ -e "$$src" ] || \
		{ echo "install: $$src is not built: run make first (make install only copies)" >&2; exit 1; }; done
	@$(call install_files,$(DESTDIR)$(PREFIX))
uninstall:
	@for e in $(INSTALL_TABLE); do rest=$${e#*:}; dst=$${rest%%:*}; \
		rm -f "$(DESTDIR)$(PREFIX)/$$dst" && echo "removed $(DESTDIR)$(PREFIX)/$$dst"; done
	@for d in $(INSTALL_DIRS); do rmdir "$(DESTDIR)$(PREFIX)/$$d" 2>/dev/null || true; done

# ---- deb: the Debian package (debian/), built from a git archive of HEAD, never the working tree ----
# deps first: the package build itself only links the cached sysroot (debian/cached-deps). Leaves
# $(BUILD)/deb/verinit_VERSION_amd64.deb (and -dbgsym, .buildinfo, .changes).
.PHONY: deb
deb: deps
	@rm -rf $(BUILD)/deb && mkdir -p $(BUILD)/deb/src && git archive HEAD | tar -x -C $(BUILD)/deb/src
	cd $(BUILD)/deb/src && dpkg-buildpackage -b -us -uc -j$$(nproc)
	@# Only the packages stay: the copy's .d files would join this tree's dependencies.
	@rm -rf $(BUILD)/deb/src && ls $(BUILD)/deb/*.deb

# ---- fuzzing: a libFuzzer harness per parser of attacker-influenced bytes (test/fuzz/) -------------
# make fuzz [FUZZ_TIME=60] [FUZZ_ONLY="sigjson cmdline"]; make check runs a fixed number of inputs each (FUZZ_RUNS, FUZZ_SEED).
include test/fuzz/fuzz.mk

# ---- man pages: docs/man/*.scd, rendered by scdoc into build/man/ (test/man-pages.sh checks them) ----
MAN_PAGES := $(patsubst docs/man/%.scd,$(BUILD)/man/%,$(wildcard docs/man/*.scd))
# The footer's date: SOURCE_DATE_EPOCH when set (a package build), else the pages' last commit, else
# (no git) today's.
MAN_EPOCH := $(or $(SOURCE_DATE_EPOCH),$(shell git log -1 --format=%ct -- docs/man 2>/dev/null))
.PHONY: man man-check
man: $(MAN_PAGES)
$(BUILD)/man/%: docs/man/%.scd
	@command -v scdoc >/dev/null || { echo "no scdoc: third_party/host-packages.sh installs it"; exit 1; }
	@mkdir -p $(@D)
	$(if $(MAN_EPOCH),SOURCE_DATE_EPOCH=$(MAN_EPOCH)) scdoc <$< >$@.tmp && mv -f $@.tmp $@
do-all do-check: $(MAN_PAGES)
man-check: $(MAN_PAGES) $(BUILD)/verinit-measure $(BUILD)/verinit-check-config
	test/man-pages.sh $(BUILD)
# make install: each page into share/man/manN (a package's dh_installman and dh_compress take it from there).
INSTALL_TABLE += $(foreach p,$(MAN_PAGES),$(p):share/man/man$(patsubst .%,%,$(suffix $(p)))/$(notdir $(p)):0644)
# The lab's installed tree (qemu/lab.mk) is made again when anything it installs changes.
$(LAB)/installed/.stamp: $(foreach e,$(INSTALL_TABLE),$(firstword $(subst :, ,$(e)))) Makefile

clean:
	rm -rf $(BUILD)

# The sysroot cache is shared between clones; this removes it for every one of them.
distclean: clean
	rm -rf "$(VERINIT_CACHE)"

-include $(shell find $(BUILD) -name '*.d' -type f 2>/dev/null)
