#!/bin/bash
# Build the initramfs of the sample guest for one kernel sample.
#
# Usage: samples/guest/mkinitrd.sh [--busy | --bug DIR] SAMPLE
#   SAMPLE  e.g. s390x-6.1, ppc64le-6.1-hash; uses
#           $THPCHECK_CACHE/k/KERNEL/{release,modules/} (KERNEL: sample_kernel
#           in lib.sh, e.g. ppc64le-6.1) and $THPCHECK_CACHE/k/busybox-ARCH
# Prints the path of the initramfs (newc cpio, gzip) on stdout:
#   $THPCHECK_CACHE/build/initrd-SAMPLE-HASH.cpio.gz
# HASH covers thpwork.c, init.sh, this script, busybox and the modules, so an
# unchanged input reuses the file.
#
# Contents: /init (init.sh), /bin/busybox, /bin/thpwork (static build of
# thpwork.c for the sample's arch: s390x-linux-gnu-gcc,
# powerpc64le-linux-gnu-gcc, aarch64-linux-gnu-gcc or, for x86_64, the host
# gcc), and if the kernel has zram as a module: the
# modules zram needs (dependencies from each module's .modinfo, see modsel.py), stored
# uncompressed (busybox insmod cannot read .ko.xz) in /lib/modules/ with
# /lib/modules/load.list giving the insmod order; on x86_64 and arm64 also
# qemu_fw_cfg (vmcoreinfo for QEMU's dumps).
# --busy (samples/make-busy.sh): also /bin/busy.sh and Debian's stress-ng
# with its libraries in /opt/stress (samples/fetch-tool.sh stress-ng); the file is
# then initrd-busy-SAMPLE-HASH.cpio.gz.
# --bug DIR (samples/make-bug.sh): also /bin/bug.sh (samples/bugs/bug.sh)
# and DIR's files (the scenario's module, its parameters, its user program)
# in /lib/bug/; the file is then initrd-bug-SAMPLE-HASH.cpio.gz.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
GUEST=$SAMPLES_DIR/guest

BUSY= BUGDIR=
case ${1:-} in
    --busy) BUSY=busy-; shift ;;
    --bug)  BUSY=bug- BUGDIR=${2:?--bug needs a directory}; shift 2 ;;
esac
[ $# = 1 ] || die "usage: $0 [--busy | --bug DIR] SAMPLE"
SAMPLE=$1
ARCH=$(sample_arch "$SAMPLE") || die "unknown sample $SAMPLE"
K=$THPCHECK_CACHE/k/$(sample_kernel "$SAMPLE")
BB=$THPCHECK_CACHE/k/busybox-$ARCH
BUILD=$THPCHECK_CACHE/build
[ -f "$K/release" ] || die "$K/release missing (run samples/fetch-kernels.sh $SAMPLE)"
[ -x "$BB" ] || die "$BB missing (run samples/fetch-kernels.sh $SAMPLE)"
MODS=zram
case $ARCH in
    s390x)   CC=s390x-linux-gnu-gcc;       CCPKGS="gcc-s390x-linux-gnu libc6-dev-s390x-cross" ;;
    ppc64el) CC=powerpc64le-linux-gnu-gcc; CCPKGS="gcc-powerpc64le-linux-gnu libc6-dev-ppc64el-cross" ;;
    # x86_64: the host's own gcc; qemu_fw_cfg hands the guest's vmcoreinfo
    # to QEMU's -device vmcoreinfo (a VMCOREINFO note in both dumps)
    amd64)   CC=gcc;                       CCPKGS="gcc libc6-dev"; MODS="zram qemu_fw_cfg" ;;
    # arm64 as x86_64: qemu_fw_cfg for -device vmcoreinfo (Debian builds it
    # as a module there too)
    arm64)   CC=aarch64-linux-gnu-gcc;     CCPKGS="gcc-aarch64-linux-gnu libc6-dev-arm64-cross"; MODS="zram qemu_fw_cfg" ;;
esac

need=()
for p in $CCPKGS cpio gzip xz-utils zstd python3; do
    dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
    log "installing host packages: ${need[*]}"
    env -u APT_CONFIG apt-get install -y --no-install-recommends "${need[@]}" >&2
fi

mkdir -p "$BUILD"
# --- workload binary ----------------------------------------------------------
SRCH=$(sha256sum "$GUEST/thpwork.c" | cut -c1-16)
TW=$BUILD/thpwork-$SRCH       # s390x: the original name, so its cache stays valid
[ "$ARCH" = s390x ] || TW=$BUILD/thpwork-$ARCH-$SRCH
if [ ! -x "$TW" ]; then
    $CC -std=c11 -O2 -Wall -Wextra -Werror -static \
        -o "$TW.tmp" "$GUEST/thpwork.c" || die "building thpwork failed"
    mv "$TW.tmp" "$TW"
fi

# --- modules for zram swap -----------------------------------------------------
STAGE=$(mktemp -d "$BUILD/initrd-stage.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT
mkdir -p "$STAGE"/{bin,sbin,dev,proc,sys,tmp,lib/modules}
chmod 755 "$STAGE"
if [ -d "$K/modules" ]; then
    python3 "$GUEST/modsel.py" "$K/modules" "$STAGE/lib/modules" $MODS >&2 \
        || die "module selection failed"
else
    log "no $K/modules: guest gets no zram swap"
fi

# the kernel opens /dev/console before /init runs
mknod -m 600 "$STAGE/dev/console" c 5 1 || log "warning: cannot mknod dev/console"
install -m 0755 "$GUEST/init.sh" "$STAGE/init"
install -m 0755 "$BB" "$STAGE/bin/busybox"
install -m 0755 "$TW" "$STAGE/bin/thpwork"
if [ -n "$BUGDIR" ]; then
    install -m 0755 "$SAMPLES_DIR/bugs/bug.sh" "$STAGE/bin/bug.sh"
    mkdir -p "$STAGE/lib/bug"
    cp -a "$BUGDIR"/. "$STAGE/lib/bug/"
elif [ -n "$BUSY" ]; then
    STRESS=$("$SAMPLES_DIR/fetch-tool.sh" stress-ng "$ARCH") || die "fetch-tool.sh stress-ng $ARCH failed"
    install -m 0755 "$GUEST/busy.sh" "$STAGE/bin/busy.sh"
    mkdir -p "$STAGE/opt/stress"
    cp -a "$STRESS/bin" "$STRESS/lib" "$STAGE/opt/stress/"
fi

# hash of everything that goes in (names and contents), in a stable order
H=$( (cd "$STAGE" && find . -type f | LC_ALL=C sort | xargs sha256sum; \
      sha256sum < "$GUEST/mkinitrd.sh"; sha256sum < "$GUEST/modsel.py") | sha256sum | cut -c1-16)
OUT=$BUILD/initrd-$BUSY$SAMPLE-$H.cpio.gz
if [ ! -s "$OUT" ]; then
    (cd "$STAGE" && find . | LC_ALL=C sort | cpio -o -H newc --owner=0:0 --quiet | gzip -9n) \
        > "$OUT.tmp" || die "cpio failed"
    mv "$OUT.tmp" "$OUT"
    log "built $OUT ($(stat -c %s "$OUT") bytes)"
fi
echo "$OUT"
