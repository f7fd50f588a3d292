# ppc64: how its crash extension is built (see ext/s390.mk)
CROSS_ppc64le     := powerpc64le-linux-gnu-
DEBARCH_ppc64le   := ppc64el
CRASH_DEF_ppc64le := -DPPC64
CRASH_DEF_ppc64   := -DPPC64

# the extension for samples/build-crash-ppc64.sh's x86_64 crash with
# target=PPC64: a host .so built against that crash's defs.h
PPC64_NATIVE_INC ?= $(THPCHECK_CACHE)/crash-ppc64/include/crash
build/ppc64le-native/thpcheck.so: ext/thpcheck.c $(ENGINE) $(HDRS)
	@test -f $(PPC64_NATIVE_INC)/defs.h || { echo "no $(PPC64_NATIVE_INC)/defs.h: run samples/build-crash-ppc64.sh" >&2; exit 1; }
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) $(CFLAGS) $(CRASH_DEF_ppc64) -fPIC -shared -rdynamic \
	  -I$(PPC64_NATIVE_INC) -Iext -o $@ ext/thpcheck.c $(ENGINE)
.PHONY: ext-ppc64-native
ext-ppc64-native: build/ppc64le-native/thpcheck.so
