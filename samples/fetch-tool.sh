#!/bin/bash
# One Debian program for a foreign architecture, with exactly the shared
# libraries it needs, to run under qemu-user here or inside a guest:
#
#   $THPCHECK_CACHE/tools-ARCH/TOOL/bin/PROGRAM
#   $THPCHECK_CACHE/tools-ARCH/TOOL/lib/...     the dynamic loader and every
#                                               library of the program's
#                                               DT_NEEDED closure, nothing else
#   $THPCHECK_CACHE/tools-ARCH/TOOL/.packages   what samples/resolve.py chose
#
# TOOL       package       suite     for
# stress-ng  stress-ng     bookworm  the busy guests (samples/make-busy.sh);
#                                    trixie's 0.19 pulls in LLVM 19
# makedumpfile makedumpfile trixie   the filtered dumps (samples/filter-dump.sh)
# zgetdump   s390-tools    trixie    the s390 dump format (s390x only)
#
# Which packages: the tool's own, then, as long as a soname of the closure
# (readelf -d) is missing, the library packages (lib*, zlib1g) among the
# direct Depends (apt-cache depends through the private index) of every
# package taken so far -- never Depends: perl, gawk and the like, which a
# recursive walk would drag in (s390-tools: 85 packages instead of 14).
# Versions: resolve.py (samples/versions.lock first, then the index of the
# tool's suite, newest first).  Nothing is installed; .debs are unpacked
# with dpkg -x into a scratch tree.
#
# Usage: samples/fetch-tool.sh TOOL ARCH     ARCH: s390x | ppc64el | amd64 | arm64
# Prints the directory on stdout; idempotent.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

TOOL=${1:-} ARCH=${2:-}
case $ARCH in
    s390x)   LOADER=ld64.so.1 ;;
    ppc64el) LOADER=ld64.so.2 ;;
    amd64)   LOADER=ld-linux-x86-64.so.2 ;;	# run natively through this loader
    arm64)   LOADER=ld-linux-aarch64.so.1 ;;
    *) die "usage: $0 stress-ng|makedumpfile|zgetdump s390x|ppc64el|amd64|arm64" ;;
esac
case $TOOL in
    stress-ng)    PKG=stress-ng    SUITE=bookworm PROG=usr/bin/stress-ng ;;
    makedumpfile) PKG=makedumpfile SUITE=trixie   PROG=usr/bin/makedumpfile ;;
    zgetdump)     [ "$ARCH" = s390x ] || die "zgetdump: s390-tools is built for s390x only"
                  PKG=s390-tools   SUITE=trixie   PROG=usr/sbin/zgetdump ;;
    *) die "usage: $0 stress-ng|makedumpfile|zgetdump s390x|ppc64el|amd64|arm64" ;;
esac
DEST=$THPCHECK_CACHE/tools-$ARCH/$TOOL
SUITES="^$SUITE(-updates|-security)?\$"

dpkg -s binutils >/dev/null 2>&1 || env -u APT_CONFIG apt-get install -y --no-install-recommends binutils >&2
"$SAMPLES_DIR/setup-apt.sh" >&2
export APT_CONFIG=$APT_DIR/apt.conf

resolve() {     # names... -> resolve.py's lines
    "$SAMPLES_DIR/resolve.py" deb --suites "$SUITES" --have "$HAVE" "$@"
}
HAVE=/dev/null
if [ -x "$DEST/bin/${PROG##*/}" ] && [ -s "$DEST/.packages" ]; then
    HAVE=$DEST/.packages
    # the same names resolved again: nothing to do when the choice is the same
    CHOSEN=$(resolve $(awk '{print $1 ":" $2}' "$HAVE")) || exit 1
    if [ "$(cat "$HAVE")" = "$CHOSEN" ]; then
        log "$TOOL:$ARCH already in $DEST"
        echo "$DEST"
        exit 0
    fi
fi

t0=$(date +%s)
TREE=$(mktemp -d "$THPCHECK_CACHE/.tool-tree.XXXXXX")
trap 'rm -rf "$TREE"' EXIT
libdirs=()
find_lib() {    # soname -> path in the scratch tree
    local d
    for d in "${libdirs[@]}"; do
        [ -e "$d/$1" ] && { echo "$d/$1"; return 0; }
    done
    return 1
}
needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }
# the DT_NEEDED closure of the program: "path" lines, then "missing SONAME"
closure() {
    local todo=("$TREE/$PROG") seen=" " f so p
    while [ ${#todo[@]} -gt 0 ]; do
        f=${todo[0]}; todo=("${todo[@]:1}")
        for so in $(needed "$f"); do
            [[ $seen == *" $so "* ]] && continue
            seen+="$so "
            if p=$(find_lib "$so"); then echo "$p"; todo+=("$p"); else echo "missing $so"; fi
        done
    done
}
# the library packages among the direct Depends of PKG:ARCH=VERSION
lib_depends() {
    apt-cache depends --no-recommends --no-suggests --no-conflicts --no-breaks \
        --no-replaces --no-enhances "$1" 2>/dev/null |
        sed -n 's/^ *|\{0,1\}\(Pre\)\{0,1\}Depends: \([^< ]*\).*/\2/p' |
        grep -E '^(lib|zlib)' | sed "s/:$ARCH\$//; s/\$/:$ARCH/"
}
names="$PKG:$ARCH" unpacked=" "
for round in 1 2 3 4 5 6 7 8; do
    CHOSEN=$(resolve $names) || exit 1
    while read -r p a v _ f; do
        [[ $unpacked == *" $p "* ]] && continue
        dpkg -x "$f" "$TREE"; unpacked+="$p "
    done <<<"$CHOSEN"
    [ -f "$TREE/$PROG" ] || die "$PKG:$ARCH has no $PROG"
    libdirs=()
    for d in "$TREE/lib" "$TREE"/lib/*-linux-gnu* "$TREE/usr/lib" "$TREE"/usr/lib/*-linux-gnu*; do
        [ -d "$d" ] && libdirs+=("$d")
    done
    missing=$(closure | sed -n 's/^missing //p')
    [ -z "$missing" ] && find_lib "$LOADER" >/dev/null && break
    more=$(while read -r p a v _; do lib_depends "$p:$a=$v" || true; done <<<"$CHOSEN" | sort -u)
    new=$(comm -13 <(tr ' ' '\n' <<<"$names" | sort -u) <(echo "$more"))
    [ -n "$new" ] || die "$TOOL:$ARCH needs $(echo $missing), which no library package of its Depends has"
    names="$names $(echo $new)"
done
[ -z "$missing" ] || die "$TOOL:$ARCH: $(echo $missing) still missing after $round rounds of Depends"

rm -rf "$DEST.new"
mkdir -p "$DEST.new/bin" "$DEST.new/lib"
install -m 755 "$TREE/$PROG" "$DEST.new/bin/${PROG##*/}"
closure | while read -r p; do cp -L "$p" "$DEST.new/lib/${p##*/}"; done
cp -L "$(find_lib "$LOADER")" "$DEST.new/lib/$LOADER"
echo "$CHOSEN" > "$DEST.new/.packages"
rm -rf "$DEST"; mkdir -p "${DEST%/*}"; mv "$DEST.new" "$DEST"
log "$TOOL:$ARCH ($PKG $(awk -v p="$PKG" '$1 == p {print $3}' "$DEST/.packages")) in $DEST: $(ls "$DEST/lib" | wc -l) libraries from $(grep -c '' "$DEST/.packages") packages, $(du -sh "$DEST" | cut -f1), $(( $(date +%s) - t0 )) s"
echo "$DEST"
