#!/bin/bash
# Build a sysroot with trixie's crash (8.0.6) for a foreign architecture, to
# run it with qemu-user: $THPCHECK_CACHE/sysroot-ARCH-trixie
#
#   qemu-s390x-static -L SYSROOT SYSROOT/usr/bin/crash vmlinux vmcore
#
# or, for amd64 (the host's own architecture), natively through the
# sysroot's dynamic loader and libraries (trixie's libc 2.41 on a bookworm
# host; nothing leaks into the programs crash starts, unlike LD_LIBRARY_PATH):
#
#   SYSROOT/usr/lib64/ld-linux-x86-64.so.2 --library-path \
#       SYSROOT/usr/lib/x86_64-linux-gnu SYSROOT/usr/bin/crash vmlinux vmcore
#
# SYSROOT/crash is a wrapper that runs it so (amd64 only).
#
# crash and its runtime dependencies (names resolved recursively with
# apt-cache depends through the private apt config; versions chosen by
# samples/resolve.py: samples/versions.lock first, then the trixie index)
# are downloaded and unpacked with dpkg -x, never installed.  The sysroot's
# .packages lists what was chosen (PACKAGE ARCH VERSION SHA256 FILE).  trixie is merged-/usr, so lib, bin, sbin (and lib64) become
# symlinks into usr/ (else qemu-user cannot find /lib/ld64.so.1).
# The crash deb also ships /usr/include/crash/defs.h for building extensions.
#
# Why trixie's 8.0.6: bookworm's crash 8.0.2 shows a wrong task list on the
# 6.1.176 dump and cannot open the 6.12 dump at all (see samples/README.md).
#
# Usage: samples/fetch-crash.sh [ARCH]     ARCH: s390x (default) | ppc64el | arm64 | amd64
# Skips the work when the sysroot already holds what resolve.py chooses.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ARCH=${1:-s390x}
case $ARCH in
    s390x)   QARCH=s390x ;;
    ppc64el) QARCH=ppc64le ;;
    arm64)   QARCH=aarch64 ;;
    amd64)   QARCH= ;;          # native: no qemu-user
    *) die "usage: $0 [s390x|ppc64el|arm64|amd64]" ;;
esac
SYSROOT=$THPCHECK_CACHE/sysroot-$ARCH-trixie
DEBS=$THPCHECK_CACHE/debs/$ARCH

[ -z "$QARCH" ] || dpkg -s qemu-user-static >/dev/null 2>&1 ||
    env -u APT_CONFIG apt-get install -y --no-install-recommends qemu-user-static

"$SAMPLES_DIR/setup-apt.sh"
export APT_CONFIG=$APT_DIR/apt.conf

# the names: crash and its recursive Depends/Pre-Depends (no recommends etc.)
names=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
        --no-breaks --no-replaces --no-enhances "crash:$ARCH" 2>/dev/null |
       grep -v '^ ' | grep -v '^<' |
       # the host's own architecture comes without ":ARCH"
       sed "/:/! s/\$/:$ARCH/" | sort -u)
grep -qx "crash:$ARCH" <<<"$names" || die "no crash:$ARCH in the private index"
# the versions: samples/resolve.py, per package the lock file's first, then
# every trixie version of the index, newest first; the first that downloads
# with the right SHA-256 (the index often names a libc6/zlib1g/libzstd1
# security build the pool has only for amd64 yet: samples/README.md)
have=/dev/null
[ -x "$SYSROOT/usr/bin/crash" ] && have=$SYSROOT/.packages
t0=$(date +%s)
want=$("$SAMPLES_DIR/resolve.py" deb --suites '^trixie(-updates|-security)?$' --dest "$DEBS" \
        --have "$have" $names) || exit 1
CRASHVER=$(awk '$1 == "crash" {print $3}' <<<"$want")
case $CRASHVER in 8.0.6*) ;; *) die "crash:$ARCH $CRASHVER chosen; the samples need 8.0.6" ;; esac

if [ "$have" != /dev/null ] && [ "$(cat "$have")" = "$want" ]; then
    log "$SYSROOT is up to date (crash $CRASHVER)"
    exit 0
fi
log "resolved $(grep -c '' <<<"$want") packages in $(( $(date +%s) - t0 )) s"

rm -rf "$SYSROOT.new"; mkdir -p "$SYSROOT.new"
while read -r _ _ _ _ f; do
    dpkg -x "$f" "$SYSROOT.new"
done <<< "$want"
# merged /usr
for d in bin sbin lib lib64; do
    if [ $d = lib64 ] && [ ! -e "$SYSROOT.new/lib64" ] && [ ! -e "$SYSROOT.new/usr/lib64" ]; then
        continue
    fi
    mkdir -p "$SYSROOT.new/usr/$d"
    if [ -d "$SYSROOT.new/$d" ] && [ ! -L "$SYSROOT.new/$d" ]; then
        cp -a "$SYSROOT.new/$d/." "$SYSROOT.new/usr/$d/"
        rm -rf "${SYSROOT:?}.new/$d"
    fi
    ln -sfn "usr/$d" "$SYSROOT.new/$d"
done
[ -f "$SYSROOT.new/usr/include/crash/defs.h" ] || die "crash deb has no usr/include/crash/defs.h"
if [ -z "$QARCH" ]; then
    [ -x "$SYSROOT.new/usr/lib64/ld-linux-x86-64.so.2" ] || die "no usr/lib64/ld-linux-x86-64.so.2 in the sysroot"
    cat > "$SYSROOT.new/crash" <<'WRAP'
#!/bin/sh
# trixie's crash, run natively with its own loader and libraries (fetch-crash.sh amd64)
R=$(dirname "$(readlink -f "$0")")
exec "$R/usr/lib64/ld-linux-x86-64.so.2" --library-path "$R/usr/lib/x86_64-linux-gnu" "$R/usr/bin/crash" "$@"
WRAP
    chmod 755 "$SYSROOT.new/crash"
fi
echo "$want" > "$SYSROOT.new/.packages"
rm -rf "$SYSROOT"; mv "$SYSROOT.new" "$SYSROOT"

t1=$(date +%s)
if [ -z "$QARCH" ]; then
    "$SYSROOT/crash" --version | head -2 >&2 || die "crash does not start through $SYSROOT/crash"
else
    "qemu-$QARCH-static" -L "$SYSROOT" "$SYSROOT/usr/bin/crash" --version | head -2 >&2 ||
        die "crash does not start under qemu-$QARCH-static"
fi
log "sysroot $SYSROOT ready (crash $CRASHVER, $(du -sh "$SYSROOT" | cut -f1)); crash --version took $(( $(date +%s) - t1 )) s"
