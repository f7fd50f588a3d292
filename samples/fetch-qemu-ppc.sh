#!/bin/bash
# QEMU for the ppc64le sample dumps: bookworm-backports' qemu-system-ppc
# (10.0.2; samples/resolve.py chooses the version), unpacked with dpkg -x into $THPCHECK_CACHE/qemu-ppc/ (never
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

# samples/resolve.py: the lock file's version first, then bookworm-backports,
# newest first; emulator and firmware must be of the same version
HAVE=/dev/null
[ -x "$BIN" ] && HAVE=$DEST/.packages
CHOSEN=$("$SAMPLES_DIR/resolve.py" deb --suites "$SUITE" --have "$HAVE" \
         qemu-system-ppc:amd64 qemu-system-data:amd64) || exit 1
ver=$(awk '$1 == "qemu-system-ppc" {print $3}' <<<"$CHOSEN")
[ "$(awk '$1 == "qemu-system-data" {print $3}' <<<"$CHOSEN")" = "$ver" ] ||
    die "qemu-system-ppc and qemu-system-data resolved to different versions: $(awk '{print $1, $3}' <<<"$CHOSEN" | tr '\n' ' ')"

host_libs_for "$(awk '$1 == "qemu-system-ppc" {print $5}' <<<"$CHOSEN")" \
    '^qemu-' "qemu-system-ppc $ver"

if [ -x "$BIN" ] && [ "$(cat "$HAVE")" = "$CHOSEN" ] &&
   ! ldd "$BIN" | grep -q 'not found'; then
    log "qemu-system-ppc $ver already in $DEST"
    exit 0
fi

t0=$(date +%s)
# only the ppc64 system emulator and its firmware are used
unpack_debs "$CHOSEN" "$DEST.new"
[ -x "$DEST.new/usr/bin/qemu-system-ppc64" ] || die "no usr/bin/qemu-system-ppc64 in qemu-system-ppc $ver"
[ -f "$DEST.new/usr/share/qemu/slof.bin" ] || die "no usr/share/qemu/slof.bin in qemu-system-data $ver"
if ldd "$DEST.new/usr/bin/qemu-system-ppc64" | grep 'not found' >&2; then
    die "qemu-system-ppc64 $ver: libraries missing on the host (above)"
fi
echo "$ver" > "$DEST.new/.version"
echo "$CHOSEN" > "$DEST.new/.packages"
rm -rf "$DEST"; mv "$DEST.new" "$DEST"
log "$("$BIN" --version | head -1) in $DEST ($(( $(date +%s) - t0 )) s)"
