#!/bin/bash
# Build the initramfs of the sample guest for one kernel sample.
#
# Usage: samples/guest/mkinitrd.sh SAMPLE
#   SAMPLE  e.g. s390x-6.1; uses $THPCHECK_CACHE/k/SAMPLE/{release,modules/}
#           and $THPCHECK_CACHE/k/busybox-s390x
# Prints the path of the initramfs (newc cpio, gzip) on stdout:
#   $THPCHECK_CACHE/build/initrd-SAMPLE-HASH.cpio.gz
# HASH covers thpwork.c, init.sh, this script, busybox and the modules, so an
# unchanged input reuses the file.
#
# Contents: /init (init.sh), /bin/busybox, /bin/thpwork (static s390x build of
# thpwork.c), and if the kernel has zram as a module: the modules zram needs
# (dependencies from modules.dep, plus the lzo/lzo-rle compressors), stored
# uncompressed (busybox insmod cannot read .ko.xz) in /lib/modules/ with
# /lib/modules/load.list giving the insmod order.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
GUEST=$SAMPLES_DIR/guest

[ $# = 1 ] || die "usage: $0 SAMPLE"
SAMPLE=$1
K=$THPCHECK_CACHE/k/$SAMPLE
BB=$THPCHECK_CACHE/k/busybox-s390x
BUILD=$THPCHECK_CACHE/build
[ -f "$K/release" ] || die "$K/release missing (run samples/fetch-kernels.sh)"
[ -x "$BB" ] || die "$BB missing (run samples/fetch-kernels.sh)"

need=()
for p in gcc-s390x-linux-gnu libc6-dev-s390x-cross cpio gzip xz-utils zstd python3; do
    dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
    log "installing host packages: ${need[*]}"
    apt-get install -y --no-install-recommends "${need[@]}" >&2
fi

mkdir -p "$BUILD"
# --- workload binary ----------------------------------------------------------
SRCH=$(sha256sum "$GUEST/thpwork.c" | cut -c1-16)
TW=$BUILD/thpwork-$SRCH
if [ ! -x "$TW" ]; then
    s390x-linux-gnu-gcc -std=c11 -O2 -Wall -Wextra -Werror -static \
        -o "$TW.tmp" "$GUEST/thpwork.c" || die "building thpwork failed"
    mv "$TW.tmp" "$TW"
fi

# --- modules for zram swap -----------------------------------------------------
STAGE=$(mktemp -d "$BUILD/initrd-stage.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT
mkdir -p "$STAGE"/{bin,sbin,dev,proc,sys,tmp,lib/modules}
MODDEP=$(find "$K/modules" -name modules.dep 2>/dev/null | head -1 || true)
if [ -n "$MODDEP" ]; then
    python3 - "$MODDEP" "$STAGE/lib/modules" <<'EOF' >&2
import os, subprocess, sys
dep_file, dest = sys.argv[1], sys.argv[2]
root = os.path.dirname(dep_file)
deps = {}
def name(path):
    b = os.path.basename(path)
    return b.split('.ko')[0].replace('-', '_')
paths = {}
for line in open(dep_file):
    if ':' not in line:
        continue
    mod, rest = line.split(':', 1)
    paths[name(mod)] = mod
    deps[name(mod)] = [name(d) for d in rest.split()]
builtin = set()
bf = os.path.join(root, 'modules.builtin')
if os.path.exists(bf):
    builtin = {name(l.strip()) for l in open(bf) if l.strip()}
if 'zram' not in paths:
    print('mkinitrd: zram is %s' % ('built in' if 'zram' in builtin else 'not available'))
    want = []
else:
    # zram's compressors are soft dependencies (crypto API on 6.1); take what exists
    want = ['zram'] + [m for m in ('lzo_rle', 'lzo', 'lz4', 'lzo_compress', 'lzo_decompress')
                       if m in paths]
order, seen = [], set()
def visit(m):
    if m in seen:
        return
    seen.add(m)
    for d in deps.get(m, []):
        visit(d)
    order.append(m)
for m in want:
    visit(m)
with open(os.path.join(dest, 'load.list'), 'w') as lst:
    for m in order:
        src = os.path.join(root, paths[m])
        out = os.path.join(dest, m + '.ko')
        if src.endswith('.xz'):
            data = subprocess.run(['xz', '-dc', src], check=True, capture_output=True).stdout
        elif src.endswith('.zst'):
            data = subprocess.run(['zstd', '-dcq', src], check=True, capture_output=True).stdout
        elif src.endswith('.gz'):
            data = subprocess.run(['gzip', '-dc', src], check=True, capture_output=True).stdout
        else:
            data = open(src, 'rb').read()
        open(out, 'wb').write(data)
        lst.write(m + '.ko\n')
print('mkinitrd: modules: ' + (' '.join(order) or 'none'))
EOF
else
    log "no modules.dep under $K/modules: guest gets no zram swap"
fi

# the kernel opens /dev/console before /init runs
mknod -m 600 "$STAGE/dev/console" c 5 1 || log "warning: cannot mknod dev/console"
install -m 0755 "$GUEST/init.sh" "$STAGE/init"
install -m 0755 "$BB" "$STAGE/bin/busybox"
install -m 0755 "$TW" "$STAGE/bin/thpwork"

# hash of everything that goes in (names and contents), in a stable order
H=$( (cd "$STAGE" && find . -type f | LC_ALL=C sort | xargs sha256sum; \
      sha256sum < "$0") | sha256sum | cut -c1-16)
OUT=$BUILD/initrd-$SAMPLE-$H.cpio.gz
if [ ! -s "$OUT" ]; then
    (cd "$STAGE" && find . | LC_ALL=C sort | cpio -o -H newc --owner=0:0 --quiet | gzip -9n) \
        > "$OUT.tmp" || die "cpio failed"
    mv "$OUT.tmp" "$OUT"
    log "built $OUT ($(stat -c %s "$OUT") bytes)"
fi
echo "$OUT"
