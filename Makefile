# thpcheck — page-table forensics for Linux crash dumps.
#
#   make                 crash extension for this machine's arch (build/ARCH/thpcheck.so)
#   make ARCH=s390x      cross-build the s390x extension (against crash's defs.h)
#   make samples         real s390x and ppc64le dumps under QEMU (cached in $(THPCHECK_CACHE))
#   make check           every test: unit tests, then real dumps in crash
#   make check-arm64     the same tests on the arm64 samples
#   make demo            build, make a sample if missing, run thpcheck in crash
#   make samples-busy    busy guests dumped at random instants and at panic
#   make busy N=5        the busy-dump campaign: seeds 1..N, a table per configuration
#   make samples-bugs    the bug lab: seed bugs re-enacted by the guest kernel, dumped
#
# Large downloads and dumps live in THPCHECK_CACHE (default ~/.cache/thpcheck).

THPCHECK_CACHE ?= $(HOME)/.cache/thpcheck
export THPCHECK_CACHE

HOST_ARCH := $(shell uname -m)
ARCH ?= $(HOST_ARCH)

# the one version: the top entry of debian/changelog, and its date (the
# man pages')
VERSION := $(shell head -1 debian/changelog | cut -d' ' -f2 | tr -d '()')
RELEASE_DATE := $(shell date -u -d "$$(sed -n 's/^ -- .*>  //p' debian/changelog | head -1)" +%F)
CSTD    := -std=c11 -D_GNU_SOURCE -DTC_VERSION='"$(VERSION)"'
WARN    := -Wall -Wextra
CFLAGS  ?= -O2 -g

# the architectures: the one list of them in the build (the registry is
# ext/arch.c); an arch's files are ext/A.h, ext/A.mk and ext/*_A.c
ARCHES    := s390 ppc x86 arm64
ARCH_SRCS := $(foreach a,$(ARCHES),$(sort $(wildcard ext/*_$(a).c)))
ARCH_HDRS := $(foreach a,$(ARCHES),ext/$(a).h)
ENGINE  := $(addprefix ext/,io.c report.c tasks.c walk.c tables.c setup.c translate.c \
             explain.c) ext/vma.c ext/findings.c ext/inflight.c ext/deposit.c ext/arch.c \
           $(ARCH_SRCS)
HDRS    := ext/tc.h ext/engine.h tests/support/synth.h $(ARCH_HDRS) debian/changelog

# how each arch's extension is built: its cross compiler, crash sysroot
# and crash define, per machine name (CROSS_M, DEBARCH_M, CRASH_DEF_M)
include $(foreach a,$(ARCHES),ext/$(a).mk)
ifeq ($(ARCH),$(HOST_ARCH))
  EXT_CC     ?= $(CC)
  CRASH_INC  ?= /usr/include/crash
else
  EXT_CC     ?= $(CROSS_$(ARCH))gcc
  CRASH_INC  ?= $(THPCHECK_CACHE)/sysroot-$(DEBARCH_$(ARCH))-trixie/usr/include/crash
endif

EXT_SO := build/$(ARCH)/thpcheck.so

# the extension for an x86_64 crash built for another arch's dumps
# (samples/build-crash-cross.sh NAME, NATIVE_CRASH_M := NAME in ext/A.mk):
# a host .so against that crash's defs.h, in build/M-native/
native_inc = $(THPCHECK_CACHE)/crash-$(NATIVE_CRASH_$(1))/include/crash
build/%-native/thpcheck.so: ext/thpcheck.c $(ENGINE) $(HDRS)
	@test -n "$(NATIVE_CRASH_$*)" || { echo "no native crash for $*" >&2; exit 1; }
	@test -f $(call native_inc,$*)/defs.h || { echo "no $(call native_inc,$*)/defs.h: run samples/build-crash-cross.sh $(NATIVE_CRASH_$*)" >&2; exit 1; }
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) $(CFLAGS) $(CRASH_DEF_$*) -fPIC -shared -rdynamic \
	  -I$(call native_inc,$*) -Iext -o $@ ext/thpcheck.c $(ENGINE)
# kept: through ext-%-native it is an intermediate file make would delete
.PRECIOUS: build/%-native/thpcheck.so
ext-%-native: build/%-native/thpcheck.so
	@:

.PHONY: all ext deps samples samples-busy samples-bugs busy check check-arm64 unit unit-san fuzz demo clean
all: ext

ext: $(EXT_SO)

$(EXT_SO): ext/thpcheck.c $(ENGINE) $(HDRS)
	@test -f $(CRASH_INC)/defs.h || { echo "no $(CRASH_INC)/defs.h: install crash (or run samples/fetch-crash.sh for a cross build)" >&2; exit 1; }
	@mkdir -p $(@D)
	$(EXT_CC) $(CSTD) $(CPPFLAGS) $(WARN) $(CFLAGS) $(CRASH_DEF_$(ARCH)) -fPIC -shared -rdynamic \
	  -I$(CRASH_INC) -Iext -o $@ ext/thpcheck.c $(ENGINE) $(LDFLAGS)

# unit tests, one per arch: tests/unit/test_A.c on the synthetic world
# tests/unit/world_A.c (tests/support/synth.c)
UNIT := $(foreach a,$(ARCHES),build/test_$(a))
build/test_%: tests/unit/test_%.c tests/unit/world_%.c tests/unit/world_%.h \
	      tests/support/synth.c $(ENGINE) $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) $(CFLAGS) -Iext -o $@ $< tests/unit/world_$*.c \
	  tests/support/synth.c $(ENGINE)

build/vmcore-poke: tests/inject.c
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) $(CFLAGS) -o $@ $<

# libFuzzer targets (clang): each arch's tests/fuzz/fuzz_*_A.c, linked
# with its synthetic world; make fuzz FUZZ_SECONDS=N runs each for N seconds
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS := $(CSTD) -g -O1 -fsanitize=fuzzer,address,undefined -Iext
FUZZ := $(foreach a,$(ARCHES),$(patsubst tests/fuzz/%.c,build/%,$(wildcard tests/fuzz/fuzz_*_$(a).c)))
fuzz_arch = $(lastword $(subst _, ,$(1)))
$(FUZZ): build/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h tests/support/synth.c \
	 $(wildcard tests/unit/world_*) $(ENGINE) $(HDRS)
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -o $@ $< tests/unit/world_$(call fuzz_arch,$*).c \
	  tests/support/synth.c $(ENGINE)
# build/fuzz_open (thpscan's dump opening path) is built by mk/thpscan.mk
fuzz: deps $(FUZZ) build/fuzz_open build/fuzz_kallsyms build/fuzz_btf
	tests/fuzz/run.sh $(FUZZ_SECONDS)

# host packages for building and testing (idempotent; apt-get as root)
deps:
	@samples/install-deps.sh

samples: deps
	samples/make-samples.sh

unit: $(UNIT)
	@for t in $(UNIT); do $$t || exit 1; done

# the same unit tests under AddressSanitizer + UndefinedBehaviorSanitizer;
# any report fails the run
SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
build/test_%-san: tests/unit/test_%.c tests/unit/world_%.c tests/unit/world_%.h \
		  tests/support/synth.c $(ENGINE) $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) -O1 -g $(SAN) -Iext -o $@ $< tests/unit/world_$*.c \
	  tests/support/synth.c $(ENGINE)

SAN_ENV := ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
unit-san: $(UNIT:=-san)
	@for t in $(UNIT:=-san); do $(SAN_ENV) $$t || exit 1; done

# Busy dumps (samples/make-busy.sh): per configuration a guest under
# stress-ng load dumped at 3 random instants and at panic; samples-busy
# makes seed 1 (make check scans it, with the makedumpfile -d 31 copies),
# make busy N=K runs seeds 1..K of every configuration through thpscan,
# the filtered copies too, and prints the campaign table.
BUSY_CONFIGS ?= s390x-6.1 s390x-6.12 ppc64le-6.1-radix ppc64le-6.1-hash
N ?= 10
samples-busy: deps
	samples/make-samples.sh $(BUSY_CONFIGS)
	for c in $(BUSY_CONFIGS); do samples/make-busy.sh --seed 1 --dumps 3 $$c || exit 1; done

# The bug lab (samples/make-bug.sh, samples/bugs/): every scenario of
# tests/bugs/test_bugs.py dumped (cached like the samples); make check
# then compares thpscan's and thpcheck's findings with the ground truth
samples-bugs: deps
	samples/make-samples.sh $(BUSY_CONFIGS)
	for s in $$(tests/bugs/test_bugs.py --list); do samples/make-bug.sh $${s%/*} $${s#*/} || exit 1; done

busy: deps thpscan
	samples/make-samples.sh $(BUSY_CONFIGS)
	tests/busy/campaign.py --seeds $(N) --dumps 3 --formats $(BUSY_CONFIGS)

# Everything: unit tests, then each real sample opened in crash with the
# extension loaded.  Ends with one "N passed, N failed" line.
check: deps
	@tests/run.sh

# The arm64 samples through the same tests, with the x86_64 crash for
# ARM64 dumps (samples/build-crash-cross.sh arm64, ~17 min the first
# time; not in make check, whose first run on a new machine would then
# pass CI's time budget)
check-arm64: deps
	@THPCHECK_SKIP_CRASH_BUILD=0 THPCHECK_SAMPLE_SET="arm64-6.1 arm64-6.12" tests/run.sh

demo: deps
	samples/make-samples.sh s390x-6.1
	$(MAKE) ARCH=s390x ext
	tests/demo.sh s390x-6.1

clean:
	rm -rf build

# front ends and long runs that live in their own makefile fragments
-include mk/*.mk
