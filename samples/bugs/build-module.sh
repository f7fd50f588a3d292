#!/bin/bash
# Cross-build one bug-lab module, samples/bugs/SCENARIO.c, against Debian's
# own headers for SAMPLE's kernel: linux-headers-REL (ARCH), the -common
# headers and linux-kbuild (amd64, modpost and fixdep for this host) that it
# depends on, all of exactly the version of the kernel image the sample
# boots (samples/resolve.py --version), unpacked with dpkg -x into
# $THPCHECK_CACHE/kheaders/REL.  Nothing is installed on the host.
#
# The module is built with the major version of gcc the kernel was built
# with (CONFIG_GCC_VERSION: the kernel's flags are that compiler's): the
# host's cross gcc when it is that version (bookworm: 12, the 6.1
# kernels), else gcc-N-TRIPLET in a trixie tree made with debootstrap
# (minbase + make + dwarves for the modules' BTF), cached in
# $THPCHECK_CACHE/toolroot/trixie-gcc-N-TRIPLET, and the build runs there
# under chroot (trixie's 6.12 kernels: gcc 14).
#
# Usage: samples/bugs/build-module.sh SAMPLE SCENARIO
# Prints the module's path on stdout:
#   $THPCHECK_CACHE/bugs/ko/REL/SCENARIO-HASH.ko   (HASH: the sources)
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
BUGS=$SAMPLES_DIR/bugs

[ $# = 2 ] || die "usage: $0 SAMPLE SCENARIO"
SAMPLE=$1 SCENARIO=$2
ARCH=$(sample_arch "$SAMPLE") || die "unknown sample $SAMPLE"
[ -s "$BUGS/$SCENARIO.c" ] || die "no module source $BUGS/$SCENARIO.c"
K=$THPCHECK_CACHE/k/$(sample_kernel "$SAMPLE")
[ -s "$K/release" ] && [ -s "$K/packages" ] || die "$K missing (run samples/fetch-kernels.sh $SAMPLE)"
REL=$(cat "$K/release")
VER=$(awk -v p="linux-image-$REL" '$1 == p {print $3}' "$K/packages")
[ -n "$VER" ] || die "$K/packages names no linux-image-$REL"
case $ARCH in
    s390x)   KARCH=s390    CROSS=s390x-linux-gnu- ;;
    ppc64el) KARCH=powerpc CROSS=powerpc64le-linux-gnu- ;;
    # native: the host's gcc, no CROSS_COMPILE
    amd64)   KARCH=x86     CROSS= ;;
    arm64)   KARCH=arm64   CROSS=aarch64-linux-gnu- ;;
esac
command -v "${CROSS}gcc" >/dev/null || die "no ${CROSS}gcc (make deps)"
# the toolroot's gcc package and directory name: gcc-N-TRIPLET for a cross
# compiler, gcc-N (the native one) on amd64
TRIPLET=${CROSS%-}

H=$(cat "$BUGS/$SCENARIO.c" "$BUGS/thpbug.h" "$0" | sha256sum | cut -c1-16)
OUT=$THPCHECK_CACHE/bugs/ko/$REL/$SCENARIO-$H.ko
[ -s "$OUT" ] && { echo "$OUT"; exit 0; }

# --- headers of exactly this kernel build ------------------------------------
KH=$THPCHECK_CACHE/kheaders/$REL
if [ ! -s "$KH/.done" ]; then
    "$SAMPLES_DIR/setup-apt.sh" >&2
    export APT_CONFIG=$APT_DIR/apt.conf
    get() { "$SAMPLES_DIR/resolve.py" deb --version "$VER" "$@" | awk '{print $5}'; }
    ARCHDEB=$(get "linux-headers-$REL:$ARCH") || die "linux-headers-$REL $VER: not downloadable"
    # -common and linux-kbuild: named in the arch package's Depends
    DEPS=$(dpkg-deb -f "$ARCHDEB" Depends | tr ',' '\n' | sed 's/^ *//; s/[ (|].*//' |
           grep -E '^linux-(headers-.*-common|kbuild-)' || true)
    COMMON=$(grep -- '-common' <<<"$DEPS" || true) KBUILD=$(grep '^linux-kbuild-' <<<"$DEPS" || true)
    [ -n "$COMMON" ] && [ -n "$KBUILD" ] || die "linux-headers-$REL: no -common / linux-kbuild in Depends: $DEPS"
    COMMONDEB=$(get "$COMMON:$ARCH") || die "$COMMON $VER: not downloadable"
    KBUILDDEB=$(get "$KBUILD:amd64") || die "$KBUILD $VER (amd64): not downloadable"
    rm -rf "$KH" && mkdir -p "$KH"
    for d in "$ARCHDEB" "$COMMONDEB" "$KBUILDDEB"; do dpkg -x "$d" "$KH"; done
    # the arch tree includes the -common one by its installed path
    # (/usr/src/linux-headers-...-common/Makefile): point it into this tree
    # (scripts/ and tools/ are relative links to ../../lib/linux-kbuild-*)
    sed -i "s|/usr/src/|$KH/usr/src/|g" "$KH/usr/src/linux-headers-$REL/Makefile"
    echo "linux-headers-$REL $VER $COMMON $KBUILD" > "$KH/.done"
fi

# --- the compiler ---------------------------------------------------------------
# a trixie tree with gcc-N for the target, made once (debootstrap from the
# mirror of the private sources.list)
toolroot() {
    local major=$1 root=$THPCHECK_CACHE/toolroot/trixie-gcc-$1-${TRIPLET:-x86_64-linux-gnu} mirror
    local pkg=gcc-$1${TRIPLET:+-$TRIPLET}
    if [ ! -e "$root/.done" ]; then
        command -v debootstrap >/dev/null ||
            env -u APT_CONFIG apt-get install -y --no-install-recommends debootstrap >&2 || die "cannot install debootstrap"
        mirror=$(awk '$1 == "deb" && / trixie main/ {print $(NF-2); exit}' "$APT_DIR/etc/sources.list")
        rm -rf "$root.tmp"
        mkdir -p "${root%/*}" || die "cannot make ${root%/*}"
        log "making $root (debootstrap trixie, $pkg)"
        debootstrap --variant=minbase --include="$pkg,make,dwarves" \
            trixie "$root.tmp" "${mirror:-http://deb.debian.org/debian}" >"$root.log" 2>&1 ||
            die "debootstrap of the gcc-$major tree failed: $(tail -1 "$root.log")"
        touch "$root.tmp/.done" && rm -rf "$root" && mv "$root.tmp" "$root"
    fi
    echo "$root"
}
CONF=$KH/usr/src/linux-headers-$REL/include/config/auto.conf
GCCV=$(sed -n 's/^CONFIG_GCC_VERSION=//p' "$CONF")
[ -n "$GCCV" ] || die "$CONF names no CONFIG_GCC_VERSION"
ROOT=
if [ "$((GCCV / 10000))" != "$(${CROSS}gcc -dumpversion | cut -d. -f1)" ]; then
    ROOT=$(toolroot $((GCCV / 10000))) || exit 1
    # the headers at the same path inside (hard links: no copy)
    [ -d "$ROOT$KH" ] || { mkdir -p "$(dirname "$ROOT$KH")" && cp -al "$KH" "$ROOT$KH"; } ||
        die "cannot link the headers into $ROOT"
fi

# --- the module ----------------------------------------------------------------
B=$(mktemp -d "$ROOT/tmp/thpbug-$SCENARIO.XXXXXX")
trap 'rm -rf "$B"' EXIT
cp "$BUGS/$SCENARIO.c" "$BUGS/thpbug.h" "$B/"
echo "obj-m := $SCENARIO.o" > "$B/Kbuild"
${ROOT:+chroot "$ROOT"} make -s -C "$KH/usr/src/linux-headers-$REL" M="${B#"$ROOT"}" ARCH=$KARCH \
    CROSS_COMPILE=$CROSS modules >&2 || die "building $SCENARIO.ko for $REL failed"
mkdir -p "${OUT%/*}"
cp "$B/$SCENARIO.ko" "$OUT.tmp" && mv "$OUT.tmp" "$OUT"
log "built $OUT"
echo "$OUT"
