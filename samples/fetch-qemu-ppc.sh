#!/bin/bash
# QEMU for the ppc64le sample dumps: bookworm-backports' qemu-system-ppc
# (10.0.2), unpacked with dpkg -x into $THPCHECK_CACHE/qemu-ppc/ (never
# installed), with its firmware (SLOF) from the matching qemu-system-data:
#
#   $THPCHECK_CACHE/qemu-ppc/usr/bin/qemu-system-ppc64 -L $THPCHECK_CACHE/qemu-ppc/usr/share/qemu ...
#
# Why not bookworm's qemu-system-ppc 7.2: it boots the guests fine, but writes
# the dumps of a little-endian pseries guest with big-endian headers and notes
# (ELF and kdump; target/ppc/arch_dump.c decides the byte order from
# HID0[HILE], which a pseries guest never sets).  crash rejects such an ELF and
# runs away (GBs of RSS, then SIGSEGV) on such a kdump.  10.0.2 writes
# little-endian files and has "kdump-raw-zlib" (a standard diskdump, no
# makedumpfile -R needed).  See samples/README.md.
#
# The backports build links against bookworm libraries: the library packages
# in its Depends are installed on the host (apt-get install, bookworm) if
# missing, and ldd must find everything.
#
# Usage: samples/fetch-qemu-ppc.sh      (prints nothing on stdout; idempotent)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

SUITE='^bookworm-backports$'
DEST=$THPCHECK_CACHE/qemu-ppc
BIN=$DEST/usr/bin/qemu-system-ppc64

"$SAMPLES_DIR/setup-apt.sh"
export APT_CONFIG=$APT_DIR/apt.conf

ver=$(apt-cache madison qemu-system-ppc |
      awk -F' [|] ' -v re="$SUITE" '{ split($3, a, " "); split(a[2], s, "/"); if (s[1] ~ re) print $2 }' |
      tr -d ' ' | sort -V | tail -1)
[ -n "$ver" ] || die "no qemu-system-ppc in bookworm-backports (private index)"

# host libraries the binary needs (package names of its Depends, bookworm versions)
deps=$(apt-cache show "qemu-system-ppc=$ver" | sed -n 's/^Depends: *//p' | head -1 |
       tr ',' '\n' | sed 's/([^)]*)//g; s/|.*//; s/ //g' | grep -v '^qemu-' | grep -v '^$' || true)
need=()
for p in $deps; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
if [ ${#need[@]} -gt 0 ]; then
    log "installing host libraries for qemu-system-ppc $ver: ${need[*]}"
    apt-get install -y --no-install-recommends "${need[@]}" >&2
fi

if [ -x "$BIN" ] && [ "$(cat "$DEST/.version" 2>/dev/null)" = "$ver" ] &&
   ! ldd "$BIN" | grep -q 'not found'; then
    log "qemu-system-ppc $ver already in $DEST"
    exit 0
fi

t0=$(date +%s)
DEBS=$THPCHECK_CACHE/debs/amd64
mkdir -p "$DEBS"
for p in qemu-system-ppc qemu-system-data; do
    f=$(ls "$DEBS/${p}_${ver#*:}_"*.deb 2>/dev/null | head -1 || true)
    if [ -z "$f" ]; then
        (cd "$DEBS" && apt-get download "$p=$ver" >&2)
    fi
done
rm -rf "$DEST.new"
mkdir -p "$DEST.new"
for p in qemu-system-ppc qemu-system-data; do
    f=$(ls "$DEBS/${p}_"*"${ver#*:}_"*.deb 2>/dev/null | head -1 || true)
    [ -n "$f" ] || die "download of $p=$ver failed"
    dpkg -x "$f" "$DEST.new"
done
# only the ppc64 system emulator and its firmware are used; drop the docs
rm -rf "$DEST.new/usr/share/doc" "$DEST.new/usr/share/man"
[ -x "$DEST.new/usr/bin/qemu-system-ppc64" ] || die "no usr/bin/qemu-system-ppc64 in qemu-system-ppc $ver"
[ -f "$DEST.new/usr/share/qemu/slof.bin" ] || die "no usr/share/qemu/slof.bin in qemu-system-data $ver"
if ldd "$DEST.new/usr/bin/qemu-system-ppc64" | grep 'not found' >&2; then
    die "qemu-system-ppc64 $ver: libraries missing on the host (above)"
fi
echo "$ver" > "$DEST.new/.version"
rm -rf "$DEST"; mv "$DEST.new" "$DEST"
log "$("$BIN" --version | head -1) in $DEST ($(( $(date +%s) - t0 )) s)"
