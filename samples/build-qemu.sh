#!/bin/bash
# Build bookworm's own QEMU (source package "qemu", fetched by
# samples/resolve.py through the private index) for s390x-softmmu only, with
# samples/qemu-s390x-tcg-edat.patch applied, and install it as
#   $THPCHECK_CACHE/qemu/bin/qemu-system-s390x-edat
#
# Why: no Debian QEMU (7.2, 10.0 bpo, 10.0 trixie) offers the EDAT-1 facility
# to a TCG guest, and an s390 Linux kernel enables THP only with EDAT-1.
# TCG's MMU already implements EDAT-1 frames; the patch just lets "max" have it.
#
# Usage: samples/build-qemu.sh [--rebuild]
# Takes ~7 min on 2 cores.  Reuses the source tree and build dir in
# $THPCHECK_CACHE/qemu-src; does nothing if the installed binary was built
# from the same source version and patch (stamp file) and still has edat.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

REBUILD=0
case "${1:-}" in --rebuild) REBUILD=1 ;; "") ;; *) die "usage: $0 [--rebuild]" ;; esac

PATCH=$SAMPLES_DIR/qemu-s390x-tcg-edat.patch
SRC=$THPCHECK_CACHE/qemu-src
DEST=$THPCHECK_CACHE/qemu
BIN=$DEST/bin/qemu-system-s390x-edat
STAMP=$DEST/.built-from

# Host packages: build deps + the firmware (s390-ccw.img) the binary uses via -L.
need=()
for p in dpkg-dev ninja-build meson pkg-config python3 libglib2.0-dev libpixman-1-dev \
         zlib1g-dev libfdt-dev gcc g++ make xz-utils qemu-system-data; do
    dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
    log "installing host packages: ${need[*]}"
    env -u APT_CONFIG apt-get install -y --no-install-recommends "${need[@]}"
fi

# Ask the freshly built binary whether "-cpu max" has edat (QMP over stdio).
verify() {
    local out
    out=$(printf '%s\n' '{"execute":"qmp_capabilities"}' \
        '{"execute":"query-cpu-model-expansion","arguments":{"type":"full","model":{"name":"max"}}}' \
        '{"execute":"quit"}' |
        timeout 60 "$1" -L /usr/share/qemu -M s390-ccw-virtio -accel tcg -cpu max \
            -nodefaults -display none -S -qmp stdio 2>&1) || true
    if echo "$out" | grep -q '"edat": true'; then
        log "OK: $1: query-cpu-model-expansion max has \"edat\": true"
        return 0
    fi
    echo "$out" | tail -5 >&2
    return 1
}

"$SAMPLES_DIR/setup-apt.sh"
# bookworm's source only: the private config also has deb-src trixie
# (for crash), whose qemu 10 needs a newer meson than bookworm has.
# samples/resolve.py: the lock file's version first, then the bookworm
# index, newest first; the .dsc, orig and debian tarballs with their SHA-256.
mkdir -p "$SRC"
CHOSEN=$("$SAMPLES_DIR/resolve.py" source --suites '^bookworm' --dest "$SRC" qemu) || exit 1
VER=$(awk 'NR==1{print $3}' <<<"$CHOSEN")
WANT="qemu $VER patch $(sha256sum < "$PATCH" | cut -c1-16)"

if [ $REBUILD = 0 ] && [ -x "$BIN" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$WANT" ] && verify "$BIN"; then
    log "$BIN is up to date ($WANT)"
    exit 0
fi

t0=$(date +%s)
mkdir -p "$DEST/bin"
UPV=${VER#*:}; UPV=${UPV%-*}            # 7.2+dfsg
TREE=$SRC/qemu-$UPV
if [ ! -f "$TREE/.thpcheck-patched" ] || [ $REBUILD = 1 ]; then
    rm -rf "$TREE" "$SRC/build"
    DSC=$(awk '$5 ~ /[.]dsc$/ {print $5}' <<<"$CHOSEN")
    # resolve.py checked every file's SHA-256 (index or lock); no gpg keyring needed here
    (cd "$SRC" && dpkg-source --no-check -x "$DSC" "$TREE" >/dev/null)
    patch -d "$TREE" -p1 --forward < "$PATCH"
    touch "$TREE/.thpcheck-patched"
fi
log "source ready: $TREE ($(( $(date +%s) - t0 )) s)"

mkdir -p "$SRC/build"
cd "$SRC/build"
if [ ! -f build.ninja ]; then
    rm -rf "$SRC/build"/* 
    # Debian's system python3 + meson (the dfsg tarball has no embedded meson;
    # --python would require it), so put /usr/bin first (not e.g. a pyenv shim).
    PATH=/usr/bin:$PATH "$TREE/configure" \
        --target-list=s390x-softmmu \
        --without-default-features --disable-docs --disable-werror \
        --disable-user --disable-gtk --disable-sdl --disable-vnc --disable-opengl \
        --disable-spice --disable-curses --disable-xen --disable-kvm \
        --enable-tcg --disable-debug-info >&2
fi
PATH=/usr/bin:$PATH ninja -j"$(nproc)" qemu-system-s390x >&2
install -m 755 qemu-system-s390x "$BIN"
verify "$BIN" || die "$BIN: -cpu max has no edat; is the patch applied?"
echo "$WANT" > "$STAMP"
echo "$CHOSEN" > "$DEST/packages"
log "built $BIN from $WANT in $(( $(date +%s) - t0 )) s"
