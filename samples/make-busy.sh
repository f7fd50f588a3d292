#!/bin/bash
# Dumps as users get them: a busy guest caught at random instants, and at
# panic.  Boots SAMPLE's kernel and machine (the same as make-dump.sh) with
# the busy initramfs (guest/busy.sh: stress-ng memory stressors from Debian,
# khugepaged at aggressive settings, compaction every 0.5 s, reclaim into
# zram, on top of the thpwork processes), then samples/busy.py stops the VM
# at N random instants (delays from the seed) and dumps it, and dumps it
# once more after the guest's sysrq-c panic.
#
# Usage: samples/make-busy.sh [--force] [--seed S] [--dumps N] SAMPLE
#   SAMPLE  s390x-6.1 s390x-6.12 ppc64le-6.1-radix ppc64le-6.1-hash
#           x86_64-6.1 x86_64-6.12 x86_64-6.1-la57
#   --seed  default 1; --dumps  random-instant dumps, default 3
# Output: $THPCHECK_CACHE/busy/SAMPLE/sS-r1 .. sS-rN, sS-panic (listed in
# sS.dirs; fewer random ones when the guest panics early), each with
#   vmcore         ELF dump (paging off; the s390x section headers fixed;
#                  zero blocks given back to the file system: sparse_zeros)
#   vmlinux        symlink to the kernel's
#   manifest.json  config, arch, kernel release, seed, kind (random|panic),
#                  delay, seconds of load so far, QEMU's run state, the load,
#                  and per CPU where it was (System.map symbol or user space)
# and $THPCHECK_CACHE/busy/SAMPLE/sS.console.log.  Nothing is done if the
# set is complete and made from the same inputs (--force remakes it).
# Prints the dump directories on stdout, one a line.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

FORCE=0 SEED=1 NDUMPS=3
while [ $# -gt 1 ]; do
    case $1 in
        --force) FORCE=1; shift ;;
        --seed)  SEED=$2; shift 2 ;;
        --dumps) NDUMPS=$2; shift 2 ;;
        *) die "usage: $0 [--force] [--seed S] [--dumps N] SAMPLE" ;;
    esac
done
[ $# = 1 ] || die "usage: $0 [--force] [--seed S] [--dumps N] SAMPLE"
SAMPLE=$1
case $SAMPLE in
    s390x-6.1|s390x-6.12|ppc64le-6.1-radix|ppc64le-6.1-hash) ;;
    x86_64-6.1|x86_64-6.12|x86_64-6.1-la57) ;;
    *) die "no busy configuration for $SAMPLE (s390x-6.1 s390x-6.12 ppc64le-6.1-radix ppc64le-6.1-hash x86_64-6.1 x86_64-6.12 x86_64-6.1-la57)" ;;
esac
K=$THPCHECK_CACHE/k/$(sample_kernel "$SAMPLE")
OUT=$THPCHECK_CACHE/busy/$SAMPLE
HUGEPAGES=16 COPIES= SCALE_MEM=    # 8 for thpwork + 8 for stress-ng's mmaphuge
machine_config "$SAMPLE"
# the load runs this long before the panic: every random dump fits in it
# (a delay of at most 6 s, a dump of 2-4 s)
BUSY_S=$((10 * NDUMPS + 30))
APPEND="$APPEND thpcheck.busy=$BUSY_S"
guest_inputs
# the image package's System.map is a placeholder ("The real System.map is
# in the -dbg package"): the symbols come from the vmlinux
[ -s "$K/symbols" ] || { nm -n --defined-only "$K/vmlinux" > "$K/symbols.tmp" && mv "$K/symbols.tmp" "$K/symbols"; } ||
    die "nm $K/vmlinux failed"

INITRD=$("$SAMPLES_DIR/guest/mkinitrd.sh" --busy "$SAMPLE") || die "mkinitrd failed"
KEY=$( { echo "$RELEASE $MEM $APPEND ${MACHINE[*]} $SEED $NDUMPS ${INITRD##*/}";
         cat "$0" "$SAMPLES_DIR/busy.py" "$SAMPLES_DIR/fix-qemu-elf.py"; } | sha256sum | cut -c1-32)
# the set busy.py made (fewer random dumps when the guest panicked early)
complete() {
    local d
    [ -s "$OUT/s$SEED.dirs" ] || return 1
    while read -r d; do
        [ -s "$d/vmcore" ] && [ -s "$d/manifest.json" ] && [ -e "$d/vmlinux" ] || return 1
    done < "$OUT/s$SEED.dirs"
    [ "$(cat "$OUT/s$SEED.inputs" 2>/dev/null)" = "$KEY" ]
}
if [ $FORCE = 0 ] && complete; then
    log "$SAMPLE seed $SEED: up to date in $OUT"
    cat "$OUT/s$SEED.dirs"
    exit 0
fi

mkdir -p "$OUT"
rm -rf "$OUT/s$SEED"-r* "$OUT/s$SEED-panic" "$OUT/s$SEED.inputs" "$OUT/s$SEED.dirs"
CONSOLE=$OUT/s$SEED.console.log
SOCKDIR=$(mktemp -d /tmp/thpcheck-qmp.XXXXXX)
QPID=
cleanup() {
    if [ -n "$QPID" ] && kill -0 "$QPID" 2>/dev/null; then
        kill "$QPID" 2>/dev/null || true; sleep 1; kill -9 "$QPID" 2>/dev/null || true
    fi
    rm -rf "$SOCKDIR"
}
trap cleanup EXIT
# -no-shutdown and -action panic=pause: the machine stays for the dump when
# the kernel panics (ppc64: ibm,os-term -> guest-panicked; s390x: every CPU
# stopped by the on_panic "stop" action; x86_64: no pvpanic driver in the
# guest, busy.py stops the VM at the console's "end Kernel panic")
log "$SAMPLE: booting $RELEASE busy (seed $SEED, $NDUMPS random dumps, panic after $BUSY_S s of load)"
"$QEMU" "${MACHINE[@]}" -m "$MEM" -smp 2 -nodefaults -display none \
    -serial "file:$CONSOLE" -qmp "unix:$SOCKDIR/qmp.sock,server=on,wait=off" \
    -no-shutdown -action panic=pause \
    -kernel "$K/vmlinuz" -initrd "$INITRD" -append "$APPEND" 2>"$OUT/s$SEED.qemu.log" &
QPID=$!

META=$(SAMPLE=$SAMPLE ARCH=$MANIFEST_ARCH MMU=$MMU RELEASE=$RELEASE MEM=$MEM BUSY_S=$BUSY_S \
       APPEND=$APPEND MACHINE="${MACHINE[*]:2}" \
       PACKAGES="$(cat "$K/packages" "$THPCHECK_CACHE/tools-$(sample_arch "$SAMPLE")/stress-ng/.packages" 2>/dev/null)" \
       python3 -c '
import json, os
e = os.environ
m = {"config": e["SAMPLE"], "arch": e["ARCH"], "kernel_release": e["RELEASE"],
     "guest_mem_mib": int(e["MEM"]), "guest_cpus": 2, "machine": e["MACHINE"],
     "cmdline": e["APPEND"], "busy_seconds": int(e["BUSY_S"]),
     "load": "stress-ng (guest/busy.sh) + khugepaged 10 ms/4096 pages + compaction 0.5 s + zram reclaim, over thpwork",
     "packages": [dict(zip(("package", "arch", "version", "sha256"), l.split()[:4]))
                  for l in e["PACKAGES"].splitlines() if len(l.split()) >= 4]}
if e["MMU"]:
    m["mmu"] = e["MMU"]
print(json.dumps(m))')
python3 "$SAMPLES_DIR/busy.py" --sock "$SOCKDIR/qmp.sock" --console "$CONSOLE" --out "$OUT" \
    --seed "$SEED" --dumps "$NDUMPS" --busy-seconds "$BUSY_S" --system-map "$K/symbols" \
    --meta "$META" || { tail -15 "$CONSOLE" | sed 's/^/  console: /' >&2; die "$SAMPLE: busy dumps failed"; }
python3 "$SAMPLES_DIR/qmp.py" "$SOCKDIR/qmp.sock" quit >/dev/null 2>&1 || true
cleanup; QPID=
n=0
while read -r d; do
    python3 "$SAMPLES_DIR/fix-qemu-elf.py" "$d/vmcore" >&2 || die "fix-qemu-elf.py $d/vmcore failed"
    sparse_zeros "$d/vmcore"
    ln -sfn "$K/vmlinux" "$d/vmlinux"
    n=$((n + 1))
done < "$OUT/s$SEED.dirs"
echo "$KEY" > "$OUT/s$SEED.inputs"
log "$SAMPLE seed $SEED: $n dumps in $OUT"
cat "$OUT/s$SEED.dirs"
