# thpscan: the batch scanner (libkdumpfile + elfutils), its tests and the
# benchmark.  Included by the top Makefile (-include mk/*.mk).
#
#   make thpscan         build/thpscan
#   make check-thpscan   tests/thpscan/run.sh (ends with "N passed, N failed")
#   make bench           bench/run.sh: ratios measured in one run, no pass/fail

THPSCAN_PKGS  := libkdumpfile libdw libelf libbpf
# everything but main(): the benchmark and the fuzzer link these too
THPSCAN_LIB   := tools/backend_kdump.c tools/debuginfo.c tools/layout_dwarf.c \
                 tools/layout_btf.c tools/kallsyms.c
THPSCAN_SRCS  := tools/thpscan.c $(THPSCAN_LIB)
THPSCAN_HDRS  := tools/backend_kdump.h tools/debuginfo.h tools/layout.h \
                 tools/kallsyms.h ext/tc.h debian/changelog
THPSCAN_CFLAGS = $(shell pkg-config --cflags $(THPSCAN_PKGS) 2>/dev/null)
THPSCAN_LIBS   = $(shell pkg-config --libs $(THPSCAN_PKGS) 2>/dev/null || echo -lkdumpfile -laddrxlat -ldw -lelf -lbpf)

.PHONY: thpscan check-thpscan bench

thpscan: build/thpscan

# the host packages are checked (and installed if missing) first
build/thpscan: $(THPSCAN_SRCS) $(THPSCAN_HDRS) $(ENGINE) | thpscan-deps
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(CPPFLAGS) $(WARN) $(CFLAGS) $(THPSCAN_CFLAGS) -Iext -Itools -o $@ \
	  $(THPSCAN_SRCS) $(ENGINE) $(LDFLAGS) $(THPSCAN_LIBS)

# THPCHECK_DEPS=no: build with what is installed (package builds)
.PHONY: thpscan-deps
thpscan-deps:
	@[ "$(THPCHECK_DEPS)" = no ] || samples/install-deps.sh

build/bench_synth: bench/bench_synth.c tests/support/synth.c $(ENGINE) $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) $(CFLAGS) -Iext -Itests/support -o $@ bench/bench_synth.c tests/support/synth.c $(ENGINE)

build/bench_floor: bench/bench_floor.c $(THPSCAN_LIB) $(THPSCAN_HDRS) $(ENGINE) | thpscan-deps
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) $(CFLAGS) $(THPSCAN_CFLAGS) -Iext -Itools -o $@ \
	  bench/bench_floor.c $(THPSCAN_LIB) $(ENGINE) $(THPSCAN_LIBS)

check-thpscan: build/thpscan build/debuginfo-compare build/vmcore-poke
	@tests/thpscan/run.sh

bench: build/thpscan build/bench_synth build/bench_floor
	-@$(MAKE) -s ARCH=s390x ext	# for the crash part; skipped without crash's defs.h
	@bench/run.sh

# libFuzzer target of the dump opening path (make fuzz runs it; the
# vmlinux is loaded once, see tests/fuzz/fuzz_open.c)
build/fuzz_open: tests/fuzz/fuzz_open.c $(THPSCAN_LIB) $(THPSCAN_HDRS) $(ENGINE) | thpscan-deps
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) $(THPSCAN_CFLAGS) -Itools -o $@ tests/fuzz/fuzz_open.c \
	  $(THPSCAN_LIB) $(ENGINE) $(THPSCAN_LIBS)

# thpscan under AddressSanitizer + UndefinedBehaviorSanitizer (SAN from
# the top Makefile); tests/run.sh runs the thpscan tests with it
build/thpscan-san: $(THPSCAN_SRCS) $(THPSCAN_HDRS) $(ENGINE) | thpscan-deps
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) -O1 -g $(SAN) $(THPSCAN_CFLAGS) -Iext -Itools -o $@ \
	  $(THPSCAN_SRCS) $(ENGINE) $(THPSCAN_LIBS)

# every question the engine asks, answered by every debuginfo source of
# one kernel (tests/thpscan/run.sh runs it on each sample with BTF)
build/debuginfo-compare: tests/layouts/compare.c $(THPSCAN_LIB) $(THPSCAN_HDRS) $(ENGINE) | thpscan-deps
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(CPPFLAGS) $(WARN) $(CFLAGS) $(THPSCAN_CFLAGS) -Iext -Itools -o $@ \
	  tests/layouts/compare.c $(THPSCAN_LIB) $(ENGINE) $(LDFLAGS) $(THPSCAN_LIBS)

# libFuzzer targets of the no-vmlinux sources: the kallsyms decoder and
# the BTF layouts, on damaged tables (make fuzz runs them)
build/fuzz_kallsyms: tests/fuzz/fuzz_kallsyms.c tools/kallsyms.c tools/kallsyms.h
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -Itools -o $@ tests/fuzz/fuzz_kallsyms.c tools/kallsyms.c

build/fuzz_btf: tests/fuzz/fuzz_btf.c tools/layout_btf.c tools/layout.h | thpscan-deps
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -Itools -o $@ tests/fuzz/fuzz_btf.c tools/layout_btf.c -lbpf
