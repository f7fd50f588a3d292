#!/bin/bash
# The foreign-architecture libraries thpscan links with, for a cross build
# of the thpscan package (tests/packages/run.sh, dpkg-buildpackage -a ARCH):
#
#   $THPCHECK_CACHE/devroot-ARCH/usr/include/...     libkdumpfile, elfutils, libbpf headers
#   $THPCHECK_CACHE/devroot-ARCH/usr/lib/TRIPLET/... their .so files and the
#                                                 libraries those need (rpath-link)
#   $THPCHECK_CACHE/devroot-ARCH/shlibs           the packages' own shlibs files, as
#                                                 debian/shlibs.local for dpkg-shlibdeps
#   $THPCHECK_CACHE/devroot-ARCH/.packages        what samples/resolve.py chose
#
# bookworm's packages (the host's release: the cross gcc and libc are
# bookworm's), unpacked with dpkg -x, nothing installed.  libc6 is there
# for dpkg-shlibdeps to find libc.so.6 of the target, not for linking.
#
# Usage: samples/fetch-devroot.sh ARCH     ARCH: s390x | ppc64el
# Prints the directory on stdout; idempotent.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ARCH=${1:-}
case $ARCH in s390x|ppc64el) ;; *) die "usage: $0 s390x|ppc64el" ;; esac
DEST=$THPCHECK_CACHE/devroot-$ARCH
PKGS="libkdumpfile-dev libkdumpfile10 libdw-dev libdw1 libelf-dev libelf1 libbpf-dev libbpf1 zlib1g
      liblzma5 libbz2-1.0 liblzo2-2 libsnappy1v5 libzstd1 libstdc++6 libgcc-s1 libc6"
names=$(for p in $PKGS; do printf '%s:%s ' "$p" "$ARCH"; done)
"$SAMPLES_DIR/setup-apt.sh" >&2
export APT_CONFIG=$APT_DIR/apt.conf
resolve() { "$SAMPLES_DIR/resolve.py" deb --suites '^bookworm(-updates|-security)?$' --have "$1" $names; }
if [ -s "$DEST/.packages" ] && [ "$(resolve "$DEST/.packages")" = "$(cat "$DEST/.packages")" ]; then
    log "devroot-$ARCH already in $DEST"
    echo "$DEST"; exit 0
fi
CHOSEN=$(resolve /dev/null) || exit 1
rm -rf "$DEST.new"; mkdir -p "$DEST.new"
while read -r p a v _ f; do
    dpkg -x "$f" "$DEST.new"
    dpkg-deb --ctrl-tarfile "$f" | tar -xOf - ./shlibs 2>/dev/null >> "$DEST.new/shlibs" || true
done <<<"$CHOSEN"
echo "$CHOSEN" > "$DEST.new/.packages"
rm -rf "$DEST"; mv "$DEST.new" "$DEST"
log "devroot-$ARCH: $(grep -c '' "$DEST/.packages") packages in $DEST ($(du -sh "$DEST" | cut -f1))"
echo "$DEST"
