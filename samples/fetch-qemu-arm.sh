#!/bin/bash
# QEMU for the arm64 sample dumps: bookworm-backports' qemu-system-arm
# (10.0.2; samples/resolve.py chooses the version), unpacked with dpkg -x
# into $THPCHECK_CACHE/qemu-arm/ (never installed), with the matching
# qemu-system-data (for -L; -M virt -kernel needs no firmware):
#
#   $THPCHECK_CACHE/qemu-arm/usr/bin/qemu-system-aarch64 -L $THPCHECK_CACHE/qemu-arm/usr/share/qemu ...
#
# Why not bookworm's qemu-system-arm 7.2: it boots the guests fine, but its
# arm64 kdump-zlib file says block_size 65536 (QEMU's largest arm64 page
# size, target/arm/arch_dump.c) for a 4 KiB-page kernel, and libkdumpfile
# rejects it ("Out-of-bounds PFN", docs/arch/arm64-samples.md).  10.0.2
# takes the page size from the guest's VMCOREINFO (PAGESIZE=4096, handed
# over by -device vmcoreinfo) and writes block_size 4096; its
# "kdump-raw-zlib" is a standard diskdump (no makedumpfile -R needed), as
# for ppc64le (samples/fetch-qemu-ppc.sh).  TCG is built into the binary:
# no accel module from qemu-system-common is needed.
#
# The backports build links against bookworm libraries: the library packages
# in its Depends are installed on the host (apt-get install, bookworm) if
# missing, and ldd must find everything.
#
# Usage: samples/fetch-qemu-arm.sh      (prints nothing on stdout; idempotent)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

SUITE='^bookworm-backports$'
DEST=$THPCHECK_CACHE/qemu-arm
BIN=$DEST/usr/bin/qemu-system-aarch64

"$SAMPLES_DIR/setup-apt.sh"

# samples/resolve.py: the lock file's version first, then bookworm-backports,
# newest first; emulator and data must be of the same version
HAVE=/dev/null
[ -x "$BIN" ] && HAVE=$DEST/.packages
CHOSEN=$("$SAMPLES_DIR/resolve.py" deb --suites "$SUITE" --have "$HAVE" \
         qemu-system-arm:amd64 qemu-system-data:amd64) || exit 1
ver=$(awk '$1 == "qemu-system-arm" {print $3}' <<<"$CHOSEN")
[ "$(awk '$1 == "qemu-system-data" {print $3}' <<<"$CHOSEN")" = "$ver" ] ||
    die "qemu-system-arm and qemu-system-data resolved to different versions: $(awk '{print $1, $3}' <<<"$CHOSEN" | tr '\n' ' ')"

host_libs_for "$(awk '$1 == "qemu-system-arm" {print $5}' <<<"$CHOSEN")" \
    '^qemu-' "qemu-system-arm $ver"

if [ -x "$BIN" ] && [ "$(cat "$HAVE")" = "$CHOSEN" ] &&
   ! ldd "$BIN" | grep -q 'not found'; then
    log "qemu-system-arm $ver already in $DEST"
    exit 0
fi

t0=$(date +%s)
unpack_debs "$CHOSEN" "$DEST.new"
# only the aarch64 system emulator is used (the package also has qemu-system-arm)
[ -x "$DEST.new/usr/bin/qemu-system-aarch64" ] || die "no usr/bin/qemu-system-aarch64 in qemu-system-arm $ver"
if ldd "$DEST.new/usr/bin/qemu-system-aarch64" | grep 'not found' >&2; then
    die "qemu-system-aarch64 $ver: libraries missing on the host (above)"
fi
echo "$ver" > "$DEST.new/.version"
echo "$CHOSEN" > "$DEST.new/.packages"
rm -rf "$DEST"; mv "$DEST.new" "$DEST"
log "$("$BIN" --version | head -1) in $DEST ($(( $(date +%s) - t0 )) s)"
