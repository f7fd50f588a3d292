# arm64: how its crash extension is built (see ext/s390.mk): for
# Debian's arm64 crash (samples/fetch-crash.sh arm64, run under qemu-user)
CROSS_aarch64     := aarch64-linux-gnu-
DEBARCH_aarch64   := arm64
CRASH_DEF_aarch64 := -DARM64
