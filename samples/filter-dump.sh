#!/bin/bash
# The filtered copy of a dump, as distributions keep them: Debian's
# makedumpfile (trixie, 1.7.6, of the dump's own architecture, under
# qemu-user, natively for x86_64: samples/fetch-tool.sh makedumpfile) with
# -d 31 -c (zero pages,
# page cache, private cache, user data and free pages left out; zlib).
#
# makedumpfile runs where kdump runs it, on /proc/vmcore: the QEMU ELF is
# first written again in that layout with the VMCOREINFO note the crashed
# kernel prepared (samples/proc-vmcore.py says why), into a scratch file
# that is removed afterwards.  makedumpfile then reads everything it needs
# from VMCOREINFO, as in a kdump kernel, and no vmlinux.
#
# Usage: samples/filter-dump.sh [--level N] DUMPDIR
#   DUMPDIR   a sample's or busy dump's directory (vmcore, vmlinux, manifest.json)
#   --level   makedumpfile's -d (default 31)
# Output, next to the vmcore:
#   vmcore.dN         the kdump-compressed file
#   vmcore.dN.json    {makedumpfile, level, elf_bytes, kdump_bytes,
#                      excluded_pages, dumped_pages, excluded_by_kind,
#                      seconds}: the page counts of makedumpfile's report
#   makedumpfile.log  its messages
# Nothing is done when vmcore.dN is newer than the vmcore and was made by
# this script and makedumpfile build.  Prints the file's path.  Exit 3:
# makedumpfile says it does not support the kernel (no copy, not an error
# of the dump).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

LEVEL=31 QCPU=
[ "${1:-}" = --level ] && { LEVEL=$2; shift 2; }
[ $# = 1 ] || die "usage: $0 [--level N] DUMPDIR"
DIR=$1
[ -s "$DIR/vmcore" ] && [ -e "$DIR/vmlinux" ] && [ -s "$DIR/manifest.json" ] ||
    die "$DIR: no vmcore, vmlinux and manifest.json"
case $(jq -r .arch "$DIR/manifest.json") in
    s390x)   ARCH=s390x   QEMU_USER=qemu-s390x-static   LOADER=ld64.so.1 ;;
    ppc64le) ARCH=ppc64el QEMU_USER=qemu-ppc64le-static LOADER=ld64.so.2 ;;
    x86_64)  ARCH=amd64   QEMU_USER=                    LOADER=ld-linux-x86-64.so.2 ;;
    # arm64: a cpu without pointer authentication, as for crash (samples/crash)
    arm64)   ARCH=arm64   QEMU_USER=qemu-aarch64-static LOADER=ld-linux-aarch64.so.1 QCPU=cortex-a72 ;;
    *) die "$DIR: no makedumpfile route for arch $(jq -r .arch "$DIR/manifest.json")" ;;
esac
[ -z "$QEMU_USER" ] || command -v "$QEMU_USER" >/dev/null ||
    die "$QEMU_USER missing (samples/install-deps.sh)"
MDF=$("$SAMPLES_DIR/fetch-tool.sh" makedumpfile "$ARCH") || die "fetch-tool.sh makedumpfile $ARCH failed"
OUT=$DIR/vmcore.d$LEVEL
KEY=$( { cat "$0" "$SAMPLES_DIR/proc-vmcore.py" "$MDF/.packages"; echo "$LEVEL"; } | sha256sum | cut -c1-32)
if [ -s "$OUT" ] && [ "$OUT" -nt "$DIR/vmcore" ] &&
   [ "$(jq -r .inputs "$OUT.json" 2>/dev/null)" = "$KEY" ]; then
    echo "$OUT"
    exit 0
fi

# ppc64: the note's address is read from the vmlinux's symbols
K=$(dirname "$(readlink -f "$DIR/vmlinux")")
SYMS=$K/symbols
if [ ! -s "$SYMS" ]; then
    nm -n --defined-only "$DIR/vmlinux" > "$SYMS.tmp" && mv "$SYMS.tmp" "$SYMS" || die "nm $DIR/vmlinux failed"
fi
mkdir -p "$THPCHECK_CACHE/work"
ELF=$(mktemp "$THPCHECK_CACHE/work/proc-vmcore.XXXXXX")
trap 'rm -f "$ELF" "$OUT.tmp"' EXIT
t0=$(date +%s.%N)
"$SAMPLES_DIR/proc-vmcore.py" --symbols "$SYMS" "$DIR/vmcore" "$ELF" || die "proc-vmcore.py $DIR/vmcore failed"
rm -f "$OUT.tmp"
# --message-level 23: progress, common, error and the report of what was
# left out by kind (print_report() in makedumpfile.c)
# its own loader and libraries: under qemu-user, or natively (x86_64)
if [ -n "$QEMU_USER" ]; then
    RUN=("$QEMU_USER" ${QCPU:+-cpu "$QCPU"} -E LD_LIBRARY_PATH="$MDF/lib" "$MDF/lib/$LOADER")
else
    RUN=("$MDF/lib/$LOADER" --library-path "$MDF/lib")
fi
if ! "${RUN[@]}" "$MDF/bin/makedumpfile" \
    -d "$LEVEL" -c --message-level 23 "$ELF" "$OUT.tmp" > "$DIR/makedumpfile.log" 2>&1; then
    # a kernel configuration makedumpfile does not handle (1.7.6 on arm64
    # with CONFIG_ARM64_VA_BITS=52: "PAGE SIZE 0x1000 and VA Bits 52 not
    # supported", arch/arm64.c calculate_plat_config): exit 3, no copy
    unsup=$(grep -m1 ' not supported' "$DIR/makedumpfile.log" || true)
    if [ -n "$unsup" ]; then
        echo "${0##*/}: makedumpfile cannot filter this kernel's dumps: $unsup" >&2
        exit 3
    fi
    die "makedumpfile -d $LEVEL failed on $DIR/vmcore: $(grep -v '^$' "$DIR/makedumpfile.log" | tail -1)"
fi
mv "$OUT.tmp" "$OUT"
t1=$(date +%s.%N)
python3 - "$DIR/makedumpfile.log" "$OUT" "$DIR/vmcore" "$LEVEL" "$KEY" \
    "$(awk '$1 == "makedumpfile" {print $3}' "$MDF/.packages")" "$t0" "$t1" > "$OUT.json" <<'EOF' ||
import json, os, re, sys
logf, out, elf, level, key, version, t0, t1 = sys.argv[1:]
report = {m.group(1).strip(): int(m.group(2), 16) for m in
          re.finditer(r"^\s*([A-Za-z ]+?)\s*: (0x[0-9a-f]+)$", open(logf).read(), re.M)}
kinds = {"zero": "Pages filled with zero", "cache": "Non-private cache pages",
         "private_cache": "Private cache pages", "user": "User process data pages",
         "free": "Free pages", "hwpoison": "Hwpoison pages", "offline": "Offline pages"}
if "Excluded pages" not in report or "Remaining pages" not in report:
    sys.exit(f"no page report in {logf}")
print(json.dumps({"makedumpfile": version, "level": int(level), "compression": "zlib",
                  "elf_bytes": os.path.getsize(elf), "kdump_bytes": os.path.getsize(out),
                  "dumped_pages": report["Remaining pages"],
                  "excluded_pages": report["Excluded pages"],
                  "excluded_by_kind": {k: report.get(v, 0) for k, v in kinds.items()},
                  "seconds": round(float(t1) - float(t0), 1), "inputs": key}))
EOF
    die "makedumpfile's report unreadable"
log "$OUT: $(jq -r '"\(.kdump_bytes) bytes, \(.excluded_pages) of \(.excluded_pages + .dumped_pages) pages left out, \(.seconds) s"' "$OUT.json")"
echo "$OUT"
