#!/bin/bash
# Fetch the Debian kernels for the sample dumps, through the private apt
# config (samples/setup-apt.sh), without installing anything:
#
#   s390x-6.1   bookworm's linux-image-6.1.0-N-s390x (+ -dbg)
#   s390x-6.12  trixie's  linux-image-6.12.N+deb13-s390x (+ -dbg; trixie,
#               trixie-updates, trixie-security)
#   ppc64le-6.1 bookworm's linux-image-6.1.0-N-powerpc64le:ppc64el (+ -dbg);
#               the samples ppc64le-6.1-radix and ppc64le-6.1-hash both use it
#   x86_64-6.1, x86_64-6.12   the same families for amd64
#   arm64-6.1, arm64-6.12     the same families for arm64 (4 KiB pages; not
#               the -arm64-16k flavour); vmlinuz is a plain Image (no EFI
#               zboot in either), which QEMU's -kernel boots
#   (the benchmark samples s390x-6.1-256m and s390x-6.1-4g use s390x-6.1;
#   sample_kernel in lib.sh)
#
# Which N: samples/resolve.py kernel -- the version in samples/versions.lock
# first, then every other member of the family the private index lists,
# newest first; image and -dbg always of the same version, the first pair
# that downloads with the right SHA-256 wins (a 404 is a reason to try the
# next one: the index lists security updates before the pool has them).
#
# For each kernel, $THPCHECK_CACHE/k/<kernel>/ gets
#   vmlinuz      the boot image (from linux-image-REL: boot/vmlinuz-REL on
#                s390x; on ppc64el the ELF boot/vmlinux-REL, which QEMU's
#                -kernel loads directly)
#   vmlinux      the ELF with DWARF (from linux-image-REL-dbg, usr/lib/debug/boot/vmlinux-REL)
#   modules/     lib/modules/REL from the image package (zram, zsmalloc, virtio, ...)
#   System.map, config
#   release      uname -r (REL)
#   package      "linux-image-REL VERSION"
#   packages     what resolve.py chose: "PACKAGE ARCH VERSION SHA256 FILE" for
#                the image and the -dbg (make-dump.sh puts them in the manifest)
# and $THPCHECK_CACHE/k/busybox-ARCH (ARCH s390x, ppc64el, amd64, arm64) is bookworm's
# static busybox for that architecture.
#
# Usage: samples/fetch-kernels.sh [SAMPLE...]     (default: s390x-6.1 s390x-6.12)
#        SAMPLE may also be a kernel name (ppc64le-6.1)
# Env:   KEEP_DEBS=1  keep the ~450-700 MB -dbg .debs in $THPCHECK_CACHE/debs
# A kernel whose directory already holds a candidate is kept (resolve.py --have):
# only a candidate earlier in the order is downloaded instead.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$SAMPLES_DIR/setup-apt.sh"
mkdir -p "$THPCHECK_CACHE/k"

RESOLVE=$SAMPLES_DIR/resolve.py

fetch_sample() {
    local sample=$1 suites family t0 img ver rel dir imgdeb dbgdeb tmp arch chosen
    case $sample in
        s390x-6.1)   suites='^bookworm(-updates)?$' family='linux-image-6\.1\.0-[0-9]+-s390x' ;;
        s390x-6.12)  suites='^trixie(-updates|-security)?$' family='linux-image-6\.12\.[0-9]+\+deb13-s390x' ;;
        ppc64le-6.1) suites='^bookworm(-updates)?$' family='linux-image-6\.1\.0-[0-9]+-powerpc64le' ;;
        x86_64-6.1)  suites='^bookworm(-updates)?$' family='linux-image-6\.1\.0-[0-9]+-amd64' ;;
        x86_64-6.12) suites='^trixie(-updates|-security)?$' family='linux-image-6\.12\.[0-9]+\+deb13-amd64' ;;
        # the family is matched as a whole name: linux-image-6.12.N+deb13-arm64-16k
        # (16 KiB pages) and -unsigned, cloud-, rt- are other flavours
        arm64-6.1)   suites='^bookworm(-updates)?$' family='linux-image-6\.1\.0-[0-9]+-arm64' ;;
        arm64-6.12)  suites='^trixie(-updates|-security)?$' family='linux-image-6\.12\.[0-9]+\+deb13-arm64' ;;
        *) die "unknown kernel $sample (known: s390x-6.1 s390x-6.12 ppc64le-6.1 x86_64-6.1 x86_64-6.12 arm64-6.1 arm64-6.12)" ;;
    esac
    arch=$(sample_arch "$sample")
    dir=$THPCHECK_CACHE/k/$sample
    t0=$(date +%s)
    # a complete directory counts as "have": resolve.py keeps it unless a
    # candidate before it in the order downloads
    local have=/dev/null
    [ -s "$dir/vmlinux" ] && [ -s "$dir/vmlinuz" ] && [ -d "$dir/modules" ] && have=$dir/packages
    chosen=$("$RESOLVE" kernel --suites "$suites" --family "$family" --have "$have" "$arch") ||
        exit 1      # resolve.py said which versions it tried, in one line
    img=$(awk 'NR==1{print $1}' <<<"$chosen")
    ver=$(awk 'NR==1{print $3}' <<<"$chosen")
    imgdeb=$(awk 'NR==1{print $5}' <<<"$chosen")
    dbgdeb=$(awk 'NR==2{print $5}' <<<"$chosen")
    rel=${img#linux-image-}
    if [ "$have" != /dev/null ] && [ "$(cat "$dir/packages")" = "$chosen" ]; then
        log "$sample: $img $ver already in $dir"
        return 0
    fi
    log "$sample: $img $ver (+ -dbg) in $(( $(date +%s) - t0 )) s"

    rm -rf "$dir.new"; mkdir -p "$dir.new"
    tmp=$dir.new/x
    dpkg -x "$imgdeb" "$tmp"
    if [ -f "$tmp/boot/vmlinuz-$rel" ]; then mv "$tmp/boot/vmlinuz-$rel" "$dir.new/vmlinuz"
    else mv "$tmp/boot/vmlinux-$rel" "$dir.new/vmlinuz"; fi
    mv "$tmp/boot/System.map-$rel" "$dir.new/System.map" 2>/dev/null || true
    mv "$tmp/boot/config-$rel" "$dir.new/config" 2>/dev/null || true
    if [ -d "$tmp/usr/lib/modules/$rel" ]; then mv "$tmp/usr/lib/modules/$rel" "$dir.new/modules"
    else mv "$tmp/lib/modules/$rel" "$dir.new/modules"; fi
    rm -rf "$tmp"
    # only the vmlinux out of the -dbg package (the rest are module debug files)
    mkdir -p "$tmp"
    dpkg-deb --fsys-tarfile "$dbgdeb" |
        tar -x -C "$tmp" --wildcards './usr/lib/debug/boot/vmlinux-*' ||
        die "$sample: no usr/lib/debug/boot/vmlinux-* in $dbgdeb"
    mv "$tmp/usr/lib/debug/boot/vmlinux-$rel" "$dir.new/vmlinux"
    rm -rf "$tmp"
    echo "$rel" > "$dir.new/release"
    echo "$img $ver" > "$dir.new/package"
    echo "$chosen" > "$dir.new/packages"
    rm -rf "$dir"; mv "$dir.new" "$dir"
    [ "${KEEP_DEBS:-0}" = 1 ] || rm -f "$dbgdeb"
    log "$sample: $dir ready ($(du -sh "$dir" | cut -f1), $(( $(date +%s) - t0 )) s)"
}

fetch_busybox() {
    local arch=$1 chosen ver deb tmp out=$THPCHECK_CACHE/k/busybox-$1
    local have=/dev/null
    [ -x "$out" ] && have=$out.packages
    chosen=$("$RESOLVE" deb --suites '^bookworm(-updates)?$' --have "$have" "busybox-static:$arch") ||
        exit 1
    if [ "$have" != /dev/null ] && [ "$(cat "$have")" = "$chosen" ]; then
        log "busybox-static:$arch already at $out"; return 0
    fi
    read -r _ _ ver _ deb <<<"$chosen"
    tmp=$(mktemp -d "$THPCHECK_CACHE/k/.bb.XXXXXX")
    dpkg -x "$deb" "$tmp"
    if [ -f "$tmp/bin/busybox" ]; then install -m 755 "$tmp/bin/busybox" "$out"
    else install -m 755 "$tmp/usr/bin/busybox" "$out"; fi
    rm -rf "$tmp"
    echo "$chosen" > "$out.packages"
    log "busybox-static:$arch $ver -> $out"
}

samples=("$@")
[ ${#samples[@]} -gt 0 ] || samples=(s390x-6.1 s390x-6.12)
kernels=() archs=()
for s in "${samples[@]}"; do
    a=$(sample_arch "$s") || die "unknown sample $s"
    k=$(sample_kernel "$s")
    [[ " ${kernels[*]} " == *" $k "* ]] || kernels+=("$k")
    [[ " ${archs[*]} " == *" $a "* ]] || archs+=("$a")
done
for a in "${archs[@]}"; do fetch_busybox "$a"; done
for k in "${kernels[@]}"; do fetch_sample "$k"; done
