#!/bin/bash
# Build a sysroot with trixie's crash (8.0.6) for a foreign architecture, to
# run it with qemu-user: $THPCHECK_CACHE/sysroot-ARCH-trixie
#
#   qemu-s390x-static -L SYSROOT SYSROOT/usr/bin/crash vmlinux vmcore
#
# crash and its runtime dependencies (resolved recursively with apt-cache
# depends through the private apt config; candidates are the trixie versions)
# are downloaded with apt-get download and unpacked with dpkg -x, never
# installed.  trixie is merged-/usr, so lib, bin, sbin (and lib64) become
# symlinks into usr/ (else qemu-user cannot find /lib/ld64.so.1).
# The crash deb also ships /usr/include/crash/defs.h for building extensions.
#
# Why trixie's 8.0.6: bookworm's crash 8.0.2 shows a wrong task list on the
# 6.1.176 dump and cannot open the 6.12 dump at all (see samples/README.md).
#
# Usage: samples/fetch-crash.sh [ARCH]     ARCH: s390x (default) | ppc64el
# Skips the work when the sysroot already holds the same package versions.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ARCH=${1:-s390x}
case $ARCH in
    s390x)   QARCH=s390x ;;
    ppc64el) QARCH=ppc64le ;;
    *) die "usage: $0 [s390x|ppc64el]" ;;
esac
SYSROOT=$THPCHECK_CACHE/sysroot-$ARCH-trixie
DEBS=$THPCHECK_CACHE/debs/$ARCH

dpkg -s qemu-user-static >/dev/null 2>&1 ||
    apt-get install -y --no-install-recommends qemu-user-static

"$SAMPLES_DIR/setup-apt.sh"
export APT_CONFIG=$APT_DIR/apt.conf

CRASHVER=$(apt-cache madison "crash:$ARCH" |
    awk -F' [|] ' '{ split($3, a, " "); split(a[2], s, "/"); if (s[1] ~ /^trixie/) print $2 }' |
    tr -d ' ' | sort -V | tail -1)
[ -n "$CRASHVER" ] || die "no trixie crash:$ARCH in the private index"

# crash=VER plus the recursive Depends/Pre-Depends (no recommends etc.)
pkgs=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
        --no-breaks --no-replaces --no-enhances "crash:$ARCH=$CRASHVER" 2>/dev/null |
       grep -v '^ ' | grep -v '^<' | sort -u)
want=""
for p in $pkgs; do
    if [ "${p%:*}" = crash ]; then v=$CRASHVER
    else v=$(apt-cache policy "$p" | awk '/Candidate:/{print $2}'); fi
    [ -n "$v" ] && [ "$v" != "(none)" ] || die "no candidate for $p"
    want+="$p=$v"$'\n'
done

if [ -x "$SYSROOT/usr/bin/crash" ] && [ "$(cat "$SYSROOT/.packages" 2>/dev/null)" = "$(printf %s "$want")" ]; then
    log "$SYSROOT is up to date (crash $CRASHVER)"
    exit 0
fi

t0=$(date +%s)
mkdir -p "$DEBS"
debfile() {   # $1 pkg:arch, $2 version -> path of the downloaded .deb (or nothing)
    local n=${1%:*} a=${1#*:}
    ls "$DEBS/${n}_"*"${2#*:}_"{"$a",all}.deb 2>/dev/null | head -1 || true
}
get=()
while IFS='=' read -r p v; do
    [ -n "$p" ] && [ -z "$(debfile "$p" "$v")" ] && get+=("$p=$v")
done <<< "$want"
if [ ${#get[@]} -gt 0 ]; then
    (cd "$DEBS" && apt-get download "${get[@]}" >&2)
fi
log "downloaded ${#get[@]} packages in $(( $(date +%s) - t0 )) s"

rm -rf "$SYSROOT.new"; mkdir -p "$SYSROOT.new"
while IFS='=' read -r p v; do
    [ -n "$p" ] || continue
    f=$(debfile "$p" "$v")
    [ -n "$f" ] || die "missing .deb for $p=$v in $DEBS"
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
echo -n "$want" > "$SYSROOT.new/.packages"
rm -rf "$SYSROOT"; mv "$SYSROOT.new" "$SYSROOT"

t1=$(date +%s)
"qemu-$QARCH-static" -L "$SYSROOT" "$SYSROOT/usr/bin/crash" --version | head -2 >&2 ||
    die "crash does not start under qemu-$QARCH-static"
log "sysroot $SYSROOT ready (crash $CRASHVER, $(du -sh "$SYSROOT" | cut -f1)); crash --version took $(( $(date +%s) - t1 )) s"
