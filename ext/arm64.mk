# arm64: how its crash extension is built (see ext/s390.mk): ARCH=arm64
# (the samples' name) cross-builds it for Debian's arm64 crash
# (samples/fetch-crash.sh arm64, run under qemu-user); aarch64 is the
# machine name on an arm64 host
CROSS_arm64       := aarch64-linux-gnu-
DEBARCH_arm64     := arm64
CRASH_DEF_arm64   := -DARM64
CRASH_DEF_aarch64 := -DARM64

# the x86_64 crash with target=ARM64 (samples/build-crash-cross.sh arm64):
# make ext-arm64-native
NATIVE_CRASH_arm64 := arm64
