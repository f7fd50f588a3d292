#!/bin/bash
# Fetch the Debian kernels for the sample dumps, through the private apt
# config (samples/setup-apt.sh), without installing anything:
#
#   s390x-6.1   bookworm's linux-image-s390x  -> linux-image-6.1.0-N-s390x
#   s390x-6.12  trixie's  linux-image-s390x  -> linux-image-6.12.N+deb13-s390x
#               (newest of trixie, trixie-updates, trixie-security)
#   ppc64le-6.1 bookworm's linux-image-powerpc64le:ppc64el
#               -> linux-image-6.1.0-N-powerpc64le; the samples
#               ppc64le-6.1-radix and ppc64le-6.1-hash both use it
#   (the benchmark samples s390x-6.1-256m and s390x-6.1-4g use s390x-6.1;
#   sample_kernel in lib.sh)
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
# and $THPCHECK_CACHE/k/busybox-ARCH (ARCH s390x, ppc64el) is bookworm's
# static busybox for that architecture.
#
# Usage: samples/fetch-kernels.sh [SAMPLE...]     (default: s390x-6.1 s390x-6.12)
#        SAMPLE may also be a kernel name (ppc64le-6.1)
# Env:   KEEP_DEBS=1  keep the ~450-700 MB -dbg .debs in $THPCHECK_CACHE/debs
# A sample whose directory already holds the resolved package version is skipped.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$SAMPLES_DIR/setup-apt.sh"
export APT_CONFIG=$APT_DIR/apt.conf
mkdir -p "$THPCHECK_CACHE/k"

# newest version of PKG (with :arch) in the suites matching the regex SUITES
suite_version() {
    apt-cache madison "$1" | awk -F' [|] ' -v re="$2" '
        { split($3, a, " "); split(a[2], s, "/"); if (s[1] ~ re) print $2 }' |
        tr -d ' ' | sort -V | tail -1
}

# download PKG=VER into $DEBS (once); print the .deb path
download() {
    local pkg=$1 ver=$2 arch=$3 f DEBS=$THPCHECK_CACHE/debs/$3
    mkdir -p "$DEBS"
    f=$(ls "$DEBS/${pkg}_${ver#*:}_${arch}.deb" 2>/dev/null || true)
    if [ -z "$f" ]; then
        (cd "$DEBS" && apt-get download "$pkg:$arch=$ver" >&2)
        f=$DEBS/${pkg}_${ver#*:}_${arch}.deb
        # apt escapes ':' in epochs as %3a
        [ -f "$f" ] || f=$(ls "$DEBS/${pkg}_"*"${ver#*:}_${arch}.deb" 2>/dev/null | head -1 || true)
    fi
    [ -f "$f" ] || die "download of $pkg=$ver failed"
    echo "$f"
}

fetch_sample() {
    local sample=$1 suites t0 meta img ver rel dir imgdeb dbgdeb tmp arch flavour
    case $sample in
        s390x-6.1)   suites='^bookworm(-updates)?$' ;;
        s390x-6.12)  suites='^trixie(-updates|-security)?$' ;;
        ppc64le-6.1) suites='^bookworm(-updates)?$' ;;
        *) die "unknown kernel $sample (known: s390x-6.1 s390x-6.12 ppc64le-6.1)" ;;
    esac
    arch=$(sample_arch "$sample")
    case $arch in
        s390x)   flavour=s390x ;;
        ppc64el) flavour=powerpc64le ;;
    esac
    t0=$(date +%s)
    meta=$(suite_version "linux-image-$flavour:$arch" "$suites")
    [ -n "$meta" ] || die "$sample: no linux-image-$flavour:$arch in $suites"
    img=$(apt-cache show "linux-image-$flavour:$arch=$meta" | sed -n 's/^Depends: *//p' | head -1 |
          tr ',' '\n' | grep -o "linux-image-[0-9][^ ]*-$flavour" | head -1)
    [ -n "$img" ] || die "$sample: cannot resolve the Depends of linux-image-$flavour=$meta"
    ver=$(suite_version "$img:$arch" "$suites")
    rel=${img#linux-image-}
    dir=$THPCHECK_CACHE/k/$sample
    if [ "$(cat "$dir/package" 2>/dev/null)" = "$img $ver" ] && [ -s "$dir/vmlinux" ] &&
       [ -s "$dir/vmlinuz" ] && [ -d "$dir/modules" ]; then
        log "$sample: $img $ver already in $dir"
        return 0
    fi
    log "$sample: linux-image-$flavour $meta -> $img $ver (+ -dbg)"
    imgdeb=$(download "$img" "$ver" "$arch")
    dbgdeb=$(download "$img-dbg" "$ver" "$arch")
    log "$sample: downloaded in $(( $(date +%s) - t0 )) s"

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
    rm -rf "$dir"; mv "$dir.new" "$dir"
    [ "${KEEP_DEBS:-0}" = 1 ] || rm -f "$dbgdeb"
    log "$sample: $dir ready ($(du -sh "$dir" | cut -f1), $(( $(date +%s) - t0 )) s)"
}

fetch_busybox() {
    local arch=$1 ver deb tmp out=$THPCHECK_CACHE/k/busybox-$1
    ver=$(suite_version "busybox-static:$arch" '^bookworm(-updates)?$')
    if [ -x "$out" ] && [ "$(cat "$out.version" 2>/dev/null)" = "$ver" ]; then
        log "busybox-static:$arch $ver already at $out"; return 0
    fi
    deb=$(download busybox-static "$ver" "$arch")
    tmp=$(mktemp -d "$THPCHECK_CACHE/k/.bb.XXXXXX")
    dpkg -x "$deb" "$tmp"
    if [ -f "$tmp/bin/busybox" ]; then install -m 755 "$tmp/bin/busybox" "$out"
    else install -m 755 "$tmp/usr/bin/busybox" "$out"; fi
    rm -rf "$tmp"
    echo "$ver" > "$out.version"
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
