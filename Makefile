# thpcheck — page-table forensics for Linux crash dumps.
#
#   make                 crash extension for this machine's arch (build/ARCH/thpcheck.so)
#   make ARCH=s390x      cross-build the s390x extension (against crash's defs.h)
#   make samples         real s390x and ppc64le dumps under QEMU (cached in $(THPCHECK_CACHE))
#   make check           every test: unit tests, then real dumps in crash
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

CSTD    := -std=c11 -D_GNU_SOURCE
WARN    := -Wall -Wextra
CFLAGS  ?= -O2 -g

# the architectures: the one list of them in the build (the registry is
# ext/arch.c); an arch's files are ext/A.h and ext/*_A.c
ARCHES    := s390 ppc x86
ARCH_SRCS := $(foreach a,$(ARCHES),$(sort $(wildcard ext/*_$(a).c)))
ARCH_HDRS := $(foreach a,$(ARCHES),ext/$(a).h)
ENGINE  := $(addprefix ext/,io.c report.c tasks.c walk.c tables.c setup.c translate.c \
             explain.c) ext/vma.c ext/findings.c ext/inflight.c ext/arch.c \
           $(ARCH_SRCS)
HDRS    := ext/tc.h ext/engine.h tests/support/synth.h $(ARCH_HDRS)

# cross compilers and crash sysroots (samples/fetch-crash.sh) per arch
CROSS_s390x     := s390x-linux-gnu-
CROSS_ppc64le   := powerpc64le-linux-gnu-
DEBARCH_s390x   := s390x
DEBARCH_ppc64le := ppc64el
ifeq ($(ARCH),$(HOST_ARCH))
  EXT_CC     ?= $(CC)
  CRASH_INC  ?= /usr/include/crash
else
  EXT_CC     ?= $(CROSS_$(ARCH))gcc
  CRASH_INC  ?= $(THPCHECK_CACHE)/sysroot-$(DEBARCH_$(ARCH))-trixie/usr/include/crash
endif
# crash's defs.h selects the target with the machine define
CRASH_DEF_s390x := -DS390X
CRASH_DEF_ppc64le := -DPPC64
CRASH_DEF_ppc64 := -DPPC64
CRASH_DEF_x86_64 := -DX86_64

EXT_SO := build/$(ARCH)/thpcheck.so

.PHONY: all ext ext-ppc64-native deps samples samples-busy samples-bugs busy check unit unit-san fuzz demo clean
all: ext

ext: $(EXT_SO)

$(EXT_SO): ext/thpcheck.c $(ENGINE) $(HDRS)
	@test -f $(CRASH_INC)/defs.h || { echo "no $(CRASH_INC)/defs.h: install crash (or run samples/fetch-crash.sh for a cross build)" >&2; exit 1; }
	@mkdir -p $(@D)
	$(EXT_CC) $(CSTD) $(WARN) $(CFLAGS) $(CRASH_DEF_$(ARCH)) -fPIC -shared -rdynamic \
	  -I$(CRASH_INC) -Iext -o $@ ext/thpcheck.c $(ENGINE)

WORLD := tests/unit/world.c tests/support/synth.c
# the extension for samples/build-crash-ppc64.sh's x86_64 crash with
# target=PPC64: a host .so built against that crash's defs.h
PPC64_NATIVE_INC ?= $(THPCHECK_CACHE)/crash-ppc64/include/crash
build/ppc64le-native/thpcheck.so: ext/thpcheck.c $(ENGINE) $(HDRS)
	@test -f $(PPC64_NATIVE_INC)/defs.h || { echo "no $(PPC64_NATIVE_INC)/defs.h: run samples/build-crash-ppc64.sh" >&2; exit 1; }
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) $(CFLAGS) -DPPC64 -fPIC -shared -rdynamic \
	  -I$(PPC64_NATIVE_INC) -Iext -o $@ ext/thpcheck.c $(ENGINE)
ext-ppc64-native: build/ppc64le-native/thpcheck.so

build/test_s390: tests/unit/test_s390.c tests/unit/world.h $(WORLD) $(ENGINE) $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) $(CFLAGS) -Iext -o $@ tests/unit/test_s390.c $(WORLD) $(ENGINE)

WORLD_PPC := tests/unit/world_ppc.c tests/support/synth.c
build/test_ppc: tests/unit/test_ppc.c tests/unit/world_ppc.h $(WORLD_PPC) $(ENGINE) $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) $(CFLAGS) -Iext -o $@ tests/unit/test_ppc.c $(WORLD_PPC) $(ENGINE)

WORLD_X86 := tests/unit/world_x86.c tests/support/synth.c
build/test_x86: tests/unit/test_x86.c tests/unit/world_x86.h $(WORLD_X86) $(ENGINE) $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) $(CFLAGS) -Iext -o $@ tests/unit/test_x86.c $(WORLD_X86) $(ENGINE)

build/vmcore-poke: tests/inject.c
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) $(CFLAGS) -o $@ $<

# libFuzzer targets (clang): the s390x and ppc64 entry decoders and the
# whole engine on the synthetic world; make fuzz FUZZ_SECONDS=N runs each for N seconds
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined -Iext
build/fuzz_decode: tests/fuzz/fuzz_decode.c $(ENGINE) $(HDRS)
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_decode.c $(ENGINE)
build/fuzz_decode_ppc: tests/fuzz/fuzz_decode_ppc.c tests/unit/world_ppc.h $(WORLD_PPC) $(ENGINE) $(HDRS)
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_decode_ppc.c $(WORLD_PPC) $(ENGINE)
build/fuzz_decode_x86: tests/fuzz/fuzz_decode_x86.c $(ENGINE) $(HDRS)
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_decode_x86.c $(ENGINE)
build/fuzz_walk_ppc: tests/fuzz/fuzz_walk_ppc.c tests/unit/world_ppc.h $(WORLD_PPC) $(ENGINE) $(HDRS)
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_walk_ppc.c $(WORLD_PPC) $(ENGINE)
build/fuzz_walk: tests/fuzz/fuzz_walk.c tests/unit/world.h $(WORLD) $(ENGINE) $(HDRS)
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_walk.c $(WORLD) $(ENGINE)
# build/fuzz_open (thpscan's dump opening path) is built by mk/thpscan.mk
fuzz: deps build/fuzz_decode build/fuzz_decode_ppc build/fuzz_decode_x86 build/fuzz_walk build/fuzz_walk_ppc build/fuzz_open
	tests/fuzz/run.sh $(FUZZ_SECONDS)

# host packages for building and testing (idempotent; apt-get as root)
deps:
	@samples/install-deps.sh

samples: deps
	samples/make-samples.sh

unit: build/test_s390 build/test_ppc build/test_x86
	build/test_s390
	build/test_ppc
	build/test_x86

# the same unit tests under AddressSanitizer + UndefinedBehaviorSanitizer;
# any report fails the run
SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
build/test_s390-san: tests/unit/test_s390.c tests/unit/world.h $(WORLD) $(ENGINE) $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) -O1 -g $(SAN) -Iext -o $@ tests/unit/test_s390.c $(WORLD) $(ENGINE)

build/test_ppc-san: tests/unit/test_ppc.c tests/unit/world_ppc.h $(WORLD_PPC) $(ENGINE) $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) -O1 -g $(SAN) -Iext -o $@ tests/unit/test_ppc.c $(WORLD_PPC) $(ENGINE)

build/test_x86-san: tests/unit/test_x86.c tests/unit/world_x86.h $(WORLD_X86) $(ENGINE) $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) -O1 -g $(SAN) -Iext -o $@ tests/unit/test_x86.c $(WORLD_X86) $(ENGINE)

SAN_ENV := ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
unit-san: build/test_s390-san build/test_ppc-san build/test_x86-san
	$(SAN_ENV) build/test_s390-san
	$(SAN_ENV) build/test_ppc-san
	$(SAN_ENV) build/test_x86-san

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

demo: deps
	samples/make-samples.sh s390x-6.1
	$(MAKE) ARCH=s390x ext
	tests/demo.sh s390x-6.1

clean:
	rm -rf build

# front ends and long runs that live in their own makefile fragments
-include mk/*.mk
