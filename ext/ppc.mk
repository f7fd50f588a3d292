# ppc64: how its crash extension is built (see ext/s390.mk)
CROSS_ppc64le     := powerpc64le-linux-gnu-
DEBARCH_ppc64le   := ppc64el
CRASH_DEF_ppc64le := -DPPC64
CRASH_DEF_ppc64   := -DPPC64

# the x86_64 crash with target=PPC64 (samples/build-crash-cross.sh ppc64):
# make ext-ppc64le-native
NATIVE_CRASH_ppc64le := ppc64
