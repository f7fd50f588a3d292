#!/bin/bash
# Build a native x86_64 crash 8.0.6 that reads another architecture's dumps
# (crash's cross targets on an x86_64 host: make target=PPC64 | target=ARM64)
# from Debian's crash source package (trixie), and install it to
#
#   $THPCHECK_CACHE/crash-TARGET/bin/crash                (TARGET: ppc64, arm64)
#   $THPCHECK_CACHE/crash-TARGET/include/crash/defs.h     (build extensions with
#                                                          gcc -DPPC64 / -DARM64
#                                                          -I .../include/crash)
#
# Why: the ppc64el crash under qemu-ppc64le-static (samples/fetch-crash.sh
# ppc64el) needs ~40 s to start on a sample, the arm64 one under
# qemu-aarch64-static 80-140 s; these need ~8 s and print the same.
# samples/crash prefers them when they exist.
#
# Source: crash's orig tarball, chosen by samples/resolve.py (the lock file's,
# else trixie's Sources index; setup-apt.sh has deb-src trixie) and checked
# against its SHA-256.  The mirror here has served only the orig tarball (the
# .dsc and .debian.tar.xz were 404), so the build uses the upstream orig
# tarball; the Debian patches are not applied.  The tarball carries gdb-10.2.tar.gz and
# gdb-10.2.patch: nothing is downloaded during the build.  Compression support
# as in Debian's binary: lzo, snappy, zstd (zlib is always in).
#
# Takes ~17 min with -j2 on 2 cores per target; run it early in the background:
#   nohup samples/build-crash-cross.sh ppc64 > $THPCHECK_CACHE/logs/build-crash-ppc64.log 2>&1 &
#
# Usage: samples/build-crash-cross.sh ppc64|arm64 [--rebuild]
# Env:   KEEP_BUILD=1  keep the build tree ($THPCHECK_CACHE/crash-TARGET-src, ~800 MB)
#        JOBS=N        make -jN (default: nproc)
# Idempotent: nothing is done if the installed binary was built from the same
# tarball by the same script (stamp crash-TARGET/.built-from).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage() { die "usage: $0 ppc64|arm64 [--rebuild]"; }
# crash's target name and the triplet its gdb is configured for
case "${1:-}" in
    ppc64) TARGET=PPC64; GDBTARGET=powerpc64le-unknown-linux-gnu ;;
    arm64) TARGET=ARM64; GDBTARGET=aarch64-elf-linux ;;
    *) usage ;;
esac
NAME=$1
REBUILD=0
case "${2:-}" in
    --rebuild) REBUILD=1 ;;
    "") ;;
    *) usage ;;
esac

VER=8.0.6
PREFIX=$THPCHECK_CACHE/crash-$NAME
SRCDIR=$THPCHECK_CACHE/src/crash
BUILD=$THPCHECK_CACHE/crash-$NAME-src
JOBS=${JOBS:-$(nproc)}

need=()
for p in gcc g++ make patch bison flex texinfo gawk libncurses-dev zlib1g-dev \
         liblzo2-dev libsnappy-dev libzstd-dev; do
    dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
    log "installing host packages: ${need[*]}"
    env -u APT_CONFIG apt-get install -y --no-install-recommends "${need[@]}" >&2
fi

"$SAMPLES_DIR/setup-apt.sh"

# the orig tarball through samples/resolve.py (the lock file's, else the
# trixie Sources index's), checked against its SHA-256; 8.0.6 only
mkdir -p "$SRCDIR"
CHOSEN=$("$SAMPLES_DIR/resolve.py" source --suites '^trixie' --files "^crash_$VER[.]orig[.]tar[.]gz\$" \
         --dest "$SRCDIR" crash) || exit 1
read -r _ _ _ SHA TARBALL <<<"$CHOSEN"
STAMPVAL="crash_$VER.orig.tar.gz $SHA target=$TARGET lzo snappy zstd"

if [ $REBUILD = 0 ] && [ -x "$PREFIX/bin/crash" ] && [ -f "$PREFIX/include/crash/defs.h" ] &&
   [ "$(cat "$PREFIX/.built-from" 2>/dev/null)" = "$STAMPVAL" ]; then
    log "$PREFIX/bin/crash is up to date (crash $VER, target $TARGET)"
    exit 0
fi
t0=$(date +%s)

S=$BUILD/crash-$VER
# a tree left by an earlier run of the same source (failed, or KEEP_BUILD=1)
# is reused: crash's make is incremental
if [ "$(cat "$BUILD/.source" 2>/dev/null)" != "$STAMPVAL" ] || [ $REBUILD = 1 ]; then
    rm -rf "$BUILD"
    mkdir -p "$BUILD"
    tar -xzf "$TARBALL" -C "$BUILD"
    [ -f "$S/Makefile" ] && [ -f "$S/gdb-10.2.tar.gz" ] ||
        die "unexpected tarball layout (no crash-$VER/Makefile or gdb-10.2.tar.gz)"
    # what "make lzo snappy zstd" would write
    echo "-DLZO -DSNAPPY -DZSTD" > "$S/CFLAGS.extra"
    echo "-llzo2 -lsnappy -lzstd" > "$S/LDFLAGS.extra"
    echo "$STAMPVAL" > "$BUILD/.source"
else
    log "reusing the build tree $S"
fi

log "building crash $VER target=$TARGET with -j$JOBS in $S (~17 min on 2 cores)"
t1=$(date +%s)
# crash's own Makefile unpacks gdb-10.2.tar.gz, applies gdb-10.2.patch and
# configures gdb --target=$GDBTARGET
# appended: a resumed build keeps the log of the first attempt
echo "=== $(date -u +%FT%TZ) make -j$JOBS target=$TARGET" >> "$BUILD/build.log"
(cd "$S" && timeout 7200 make -j"$JOBS" target=$TARGET) >> "$BUILD/build.log" 2>&1 || {
    tail -30 "$BUILD/build.log" >&2
    die "build failed (log: $BUILD/build.log)"
}
log "built in $(( $(date +%s) - t1 )) s"
if grep -Eq '(wget|ftp|curl) .*gdb' "$BUILD/build.log"; then
    log "WARNING: the build log mentions a download"
fi

"$S/crash" --version > "$BUILD/version.txt" 2>&1 || true
grep -q "^crash $VER" "$BUILD/version.txt" || die "built crash does not run: $(head -3 "$BUILD/version.txt")"
rm -rf "$PREFIX.new"
mkdir -p "$PREFIX.new/bin" "$PREFIX.new/include/crash"
strip -o "$PREFIX.new/bin/crash" "$S/crash"
install -m 644 "$S/defs.h" "$PREFIX.new/include/crash/defs.h"
echo "$STAMPVAL" > "$PREFIX.new/.built-from"
echo "$CHOSEN" > "$PREFIX.new/.packages"
cp "$BUILD/build.log" "$PREFIX.new/build.log"
rm -rf "$PREFIX"; mv "$PREFIX.new" "$PREFIX"
[ "${KEEP_BUILD:-0}" = 1 ] || rm -rf "$BUILD"
log "installed $PREFIX/bin/crash ($(stat -c %s "$PREFIX/bin/crash") bytes) in $(( $(date +%s) - t0 )) s total"
