#!/bin/bash
# QEMU for the x86_64 sample dumps: bookworm's qemu-system-x86 (7.2;
# samples/resolve.py chooses the version), unpacked with dpkg -x into
# $THPCHECK_CACHE/qemu-x86/ (never installed), with the matching
# qemu-system-common (usr/lib/x86_64-linux-gnu/qemu/accel-tcg-x86_64.so: the
# Debian build keeps TCG in a module, which it looks for relative to the
# binary, ../lib/x86_64-linux-gnu/qemu), its firmware from the matching
# qemu-system-data (linuxboot_dma.bin, the -kernel option ROM) and
# bookworm's seabios (bios-256k.bin, which -M q35 boots; linked into
# usr/share/qemu):
#
#   $THPCHECK_CACHE/qemu-x86/usr/bin/qemu-system-x86_64 -L $THPCHECK_CACHE/qemu-x86/usr/share/qemu ...
#
# 7.2 is enough here: unlike ppc64le (samples/fetch-qemu-ppc.sh) its x86
# dumps are little-endian like the guest, and its kdump-zlib output is
# makedumpfile's flattened format, which make-dump.sh turns into a standard
# diskdump with makedumpfile -R (as for s390x).
#
# The library packages in qemu-system-x86's Depends are installed on the host
# (apt-get install, bookworm, host apt configuration) if missing, and ldd must
# find everything.
#
# Usage: samples/fetch-qemu-x86.sh      (prints nothing on stdout; idempotent)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

SUITE='^bookworm(-updates)?$'
DEST=$THPCHECK_CACHE/qemu-x86
BIN=$DEST/usr/bin/qemu-system-x86_64

"$SAMPLES_DIR/setup-apt.sh"

# samples/resolve.py: the lock file's version first, then bookworm, newest
# first; emulator and qemu-system-data of the same source version (the
# emulator may carry a binNMU suffix +bN, the arch-all data package not)
HAVE=/dev/null
[ -x "$BIN" ] && HAVE=$DEST/.packages
CHOSEN=$("$SAMPLES_DIR/resolve.py" deb --suites "$SUITE" --have "$HAVE" \
         qemu-system-x86:amd64 qemu-system-common:amd64 qemu-system-data:amd64 seabios:amd64) || exit 1
ver=$(awk '$1 == "qemu-system-x86" {print $3}' <<<"$CHOSEN")
[ "$(awk '$1 == "qemu-system-common" {print $3}' <<<"$CHOSEN")" = "$ver" ] ||
    die "qemu-system-x86 and qemu-system-common resolved to different versions: $(awk '{print $1, $3}' <<<"$CHOSEN" | tr '\n' ' ')"
[ "$(awk '$1 == "qemu-system-data" {print $3}' <<<"$CHOSEN")" = "${ver%+b[0-9]*}" ] ||
    die "qemu-system-x86 and qemu-system-data resolved to different versions: $(awk '{print $1, $3}' <<<"$CHOSEN" | tr '\n' ' ')"

host_libs_for "$(awk '$1 == "qemu-system-x86" {print $5}' <<<"$CHOSEN")" \
    '^(qemu-.*|seabios|ipxe-qemu)$' "qemu-system-x86 $ver"

if [ -x "$BIN" ] && [ "$(cat "$HAVE")" = "$CHOSEN" ] &&
   ! ldd "$BIN" | grep -q 'not found'; then
    log "qemu-system-x86 $ver already in $DEST"
    exit 0
fi

t0=$(date +%s)
unpack_debs "$CHOSEN" "$DEST.new"
# the Debian build finds SeaBIOS through its firmware path /usr/share/seabios
# (not on the host): link its images next to qemu-system-data's, for -L
for f in "$DEST.new"/usr/share/seabios/*.bin; do
    [ -e "$DEST.new/usr/share/qemu/${f##*/}" ] || ln -s "../seabios/${f##*/}" "$DEST.new/usr/share/qemu/${f##*/}"
done
[ -x "$DEST.new/usr/bin/qemu-system-x86_64" ] || die "no usr/bin/qemu-system-x86_64 in qemu-system-x86 $ver"
[ -f "$DEST.new/usr/lib/x86_64-linux-gnu/qemu/accel-tcg-x86_64.so" ] ||
    die "no usr/lib/x86_64-linux-gnu/qemu/accel-tcg-x86_64.so in qemu-system-common $ver"
for f in bios-256k.bin linuxboot_dma.bin; do
    [ -f "$DEST.new/usr/share/qemu/$f" ] || die "no usr/share/qemu/$f (qemu-system-data, seabios)"
done
if ldd "$DEST.new/usr/bin/qemu-system-x86_64" | grep 'not found' >&2; then
    die "qemu-system-x86_64 $ver: libraries missing on the host (above)"
fi
echo "$ver" > "$DEST.new/.version"
echo "$CHOSEN" > "$DEST.new/.packages"
rm -rf "$DEST"; mv "$DEST.new" "$DEST"
log "$("$BIN" --version | head -1) in $DEST ($(( $(date +%s) - t0 )) s)"
