#!/bin/bash
# Debian's stress-ng for a guest architecture, with the shared libraries it
# needs, for the busy guests of samples/make-busy.sh:
#
#   $THPCHECK_CACHE/stress-ARCH/bin/stress-ng
#   $THPCHECK_CACHE/stress-ARCH/lib/...      the dynamic loader and every
#                                            library in stress-ng's DT_NEEDED
#                                            closure, nothing else
#   $THPCHECK_CACHE/stress-ARCH/.packages    what samples/resolve.py chose
#
# bookworm's stress-ng (0.15.06; trixie's 0.19 has the same memory
# stressors and pulls in LLVM 19): the names are stress-ng and its recursive
# Depends (apt-cache depends through the private index), the versions come
# from resolve.py (samples/versions.lock first, then the bookworm index,
# newest first), the .debs are unpacked into a scratch tree and only the
# DT_NEEDED closure of bin/stress-ng (readelf -d) is kept: the guest's
# initramfs gets a few MB instead of Mesa and LLVM.
#
# Usage: samples/fetch-stress.sh ARCH      ARCH: s390x | ppc64el
# Prints the directory on stdout; idempotent.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ARCH=${1:-}
case $ARCH in
    s390x)   LOADER=ld64.so.1 ;;
    ppc64el) LOADER=ld64.so.2 ;;
    *) die "usage: $0 s390x|ppc64el" ;;
esac
DEST=$THPCHECK_CACHE/stress-$ARCH
SUITES='^bookworm(-updates)?$'

dpkg -s binutils >/dev/null 2>&1 || apt-get install -y --no-install-recommends binutils >&2

"$SAMPLES_DIR/setup-apt.sh" >&2
export APT_CONFIG=$APT_DIR/apt.conf
VER=$(apt-cache madison "stress-ng:$ARCH" | awk -F' [|] ' '$3 ~ / bookworm\// {gsub(/ /, "", $2); print $2; exit}')
[ -n "$VER" ] || die "no bookworm stress-ng:$ARCH in the private index"
# bookworm's candidates; a name only trixie has (libssl3t64, the other half
# of an "a | b" alternative) is dropped
all=$(apt-cache -o APT::Default-Release=bookworm depends --recurse --no-recommends --no-suggests \
        --no-conflicts --no-breaks --no-replaces --no-enhances "stress-ng:$ARCH=$VER" 2>/dev/null |
      grep -v '^ ' | grep -v '^<' | grep ":$ARCH\$" | sort -u)
names=
for n in $all; do
    m=$(apt-cache madison "$n")
    grep -qE ' bookworm(-updates)?/' <<<"$m" && names+=" $n"
done
HAVE=/dev/null
[ -x "$DEST/bin/stress-ng" ] && HAVE=$DEST/.packages
CHOSEN=$("$SAMPLES_DIR/resolve.py" deb --suites "$SUITES" --have "$HAVE" $names) || exit 1
if [ "$HAVE" != /dev/null ] && [ "$(cat "$HAVE")" = "$CHOSEN" ]; then
    log "stress-ng:$ARCH already in $DEST"
    echo "$DEST"
    exit 0
fi

t0=$(date +%s)
TREE=$(mktemp -d "$THPCHECK_CACHE/.stress-tree.XXXXXX")
trap 'rm -rf "$TREE"' EXIT
while read -r _ _ _ _ f; do dpkg -x "$f" "$TREE"; done <<<"$CHOSEN"
libdirs=()
for d in "$TREE/lib" "$TREE"/lib/*-linux-gnu* "$TREE/usr/lib" "$TREE"/usr/lib/*-linux-gnu*; do
    [ -d "$d" ] && libdirs+=("$d")
done
find_lib() {    # soname -> path in the scratch tree
    local d
    for d in "${libdirs[@]}"; do
        [ -e "$d/$1" ] && { echo "$d/$1"; return 0; }
    done
    return 1
}
rm -rf "$DEST.new"
mkdir -p "$DEST.new/bin" "$DEST.new/lib"
install -m 755 "$TREE/usr/bin/stress-ng" "$DEST.new/bin/stress-ng"
todo=("$DEST.new/bin/stress-ng") done_=" "
while [ ${#todo[@]} -gt 0 ]; do
    f=${todo[0]}; todo=("${todo[@]:1}")
    for so in $(readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
        [[ $done_ == *" $so "* ]] && continue
        done_+="$so "
        p=$(find_lib "$so") || die "stress-ng:$ARCH needs $so, which no package of its Depends has"
        cp -L "$p" "$DEST.new/lib/$so"
        todo+=("$DEST.new/lib/$so")
    done
done
p=$(find_lib "$LOADER") || die "no $LOADER in libc6:$ARCH"
cp -L "$p" "$DEST.new/lib/$LOADER"
echo "$CHOSEN" > "$DEST.new/.packages"
rm -rf "$DEST"; mv "$DEST.new" "$DEST"
log "stress-ng:$ARCH $VER in $DEST ($(ls "$DEST/lib" | wc -l) libraries, $(du -sh "$DEST" | cut -f1), $(( $(date +%s) - t0 )) s)"
echo "$DEST"
