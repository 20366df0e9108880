# test/fuzz/fuzz.mk: the libFuzzer harnesses over lib/'s parsers (test/fuzz/<name>.c, one binary
# each). Included by the Makefile; also usable alone: make -f Makefile -f test/fuzz/fuzz.mk fuzz-smoke.
#
#   make fuzz-build        every harness: $(BUILD)/fuzz/bin/<name>
#   make do-fuzz           each harness for FUZZ_TIME seconds (default 60), one after the other, on
#                          its corpus in $(BUILD)/fuzz/corpus/<name> (the seeds of test/fuzz/corpus/<name>
#                          added to what earlier runs found); fails on any crash, leak, UB or hang
#   make fuzz-smoke        what make check runs: every file of test/fuzz/regressions/<name>/ once, then
#                          FUZZ_RUNS inputs (default: each harness's own count, run.sh) mutated with
#                          FUZZ_SEED (default 1) from a fresh copy of its seeds; the same verdict each run
# FUZZ_ONLY="NAME..." runs only those harnesses. Crashing inputs land in
# $(BUILD)/fuzz/<run>/artifacts/<name>/; the logs in $(BUILD)/fuzz/<run>/logs/.
#
# Host only (glibc, Debian's -dev packages, as the unit tests): lib/ is compiled again with clang and
# -fsanitize=fuzzer-no-link,address,undefined into $(BUILD)/fuzz/obj/, the harnesses are linked with
# -fsanitize=fuzzer,address,undefined. The Makefile's variables are used when it defines them.

BUILD ?= build
FUZZ_CC ?= clang
FUZZ_TIME ?= 60
FUZZ_RUNS ?= default
FUZZ_SEED ?= 1
FUZZ_ONLY ?=
FUZZ_DIR := $(BUILD)/fuzz
FUZZ_HARNESSES := $(sort $(patsubst test/fuzz/%.c,%,$(wildcard test/fuzz/*.c)))
FUZZ_BINS := $(addprefix $(FUZZ_DIR)/bin/,$(FUZZ_HARNESSES))
# Both halves of lib/ go into the archive, which links only what a harness calls: the pure half,
# and the system half only for enrolled.h, which loads the test certificates with certs_load_dir()
# as the agent does.
FUZZ_LIB_SRCS := $(wildcard lib/*.c lib/sys/*.c)
FUZZ_LIB_OBJS := $(patsubst %.c,$(FUZZ_DIR)/obj/%.o,$(FUZZ_LIB_SRCS))
FUZZ_LIB := $(FUZZ_DIR)/libverinit-fuzz.a
# What the parsers link: OpenSSL and json-c (lib/sys/tpm2.c, blockscan.c and modload.c are never
# pulled from the archive).
FUZZ_PKGS := json-c libcrypto
FUZZ_LIBS = $(shell pkg-config --libs $(FUZZ_PKGS))

# Recursive: COMMON_CFLAGS may be defined after this file is read.
FUZZ_WARN = $(or $(COMMON_CFLAGS),-std=gnu11 -D_GNU_SOURCE -Ilib -Ilib/sys -Iinit -Wall -Wextra -Werror -MMD -MP)
FUZZ_SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS = $(FUZZ_WARN) -g -O1 $(FUZZ_SANITIZE) -DFUZZ_CERTS_DIR='"$(abspath test/fuzz/certs)"'

.PHONY: fuzz-build do-fuzz fuzz-smoke
.SECONDARY: $(FUZZ_LIB_OBJS) $(patsubst %,$(FUZZ_DIR)/obj/test/fuzz/%.o,$(FUZZ_HARNESSES))

$(FUZZ_DIR)/obj/lib/%.o: lib/%.c test/fuzz/fuzz.mk
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_DIR)/obj/test/fuzz/%.o: test/fuzz/%.c test/fuzz/fuzz.mk
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_LIB): $(FUZZ_LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_DIR)/bin/%: $(FUZZ_DIR)/obj/test/fuzz/%.o $(FUZZ_LIB)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_SANITIZE) -fsanitize=fuzzer -o $@ $< $(FUZZ_LIB) $(FUZZ_LIBS)

fuzz-build: $(FUZZ_BINS)

do-fuzz: $(FUZZ_BINS)
	test/fuzz/run.sh --time $(FUZZ_TIME) $(FUZZ_DIR)/bin $(FUZZ_DIR)/corpus $(FUZZ_DIR)/run $(FUZZ_ONLY)

fuzz-smoke: $(FUZZ_BINS)
	test/fuzz/run.sh --runs $(FUZZ_RUNS) --seed $(FUZZ_SEED) --fresh --regressions $(FUZZ_DIR)/bin $(FUZZ_DIR)/smoke/corpus \
		$(FUZZ_DIR)/smoke $(FUZZ_ONLY)

# make check runs the smoke per harness (test/run-tests.sh calls run.sh): build them first.
do-check: $(FUZZ_BINS)
