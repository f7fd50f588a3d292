#!/bin/bash
# make bench: thpscan's benchmark.  Prints figures and ratios measured in
# this one run on this machine; there is no pass/fail.
#
#   floor   reading every page-table page of a dump once through
#           libkdumpfile vs thpscan's full validation of it (bench_floor)
#   scan    thpscan end to end per sample dump (ELF and kdump), best of 3
#   forest  a synthetic forest of 10^4, 10^5, 10^6 page tables through the
#           synthetic backend: time and peak RSS per page-table page
#           (BENCH_FOREST="10000 100000" to skip the big one)
#   sources thpscan -s per sample and format for each layout source:
#           DWARF cold / warm (memo), no VMLINUX (the dump's BTF and
#           kallsyms) cold / warm, peak RSS (bench/sources.py)
#   batch   8 dumps with --jobs 1 vs --jobs 2
#   jobs    --jobs 1..CPUs on copies of the 4 GiB benchmark sample, ELF
#           and kdump, where the scan dominates (bench/jobs.py)
#   scaling thpscan on the benchmark samples s390x-6.1-256m and
#           s390x-6.1-4g (the workload 1x / 16x; made here by
#           samples/make-samples.sh when missing, about 1 min with a warm
#           cache): time and peak RSS per page-table page above a -k run
#           of the same dump (BENCH_SCALING=0 skips it)
#   crash   thpcheck -u vs "foreach vm -p" in one crash session (s390x-6.1):
#           the same user mms, so per mapped page
set -u
cd "$(dirname "$0")/.."
CACHE=${THPCHECK_CACHE:-$HOME/.cache/thpcheck}
SAMPLES="s390x-6.1 s390x-6.12"
FOREST=${BENCH_FOREST:-"10000 100000 1000000"}

echo "== machine: $(nproc) cpus, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(free -g | awk '/Mem:/{print $2}') GiB, $(date -u '+%Y-%m-%d %H:%M UTC')"

wall() {   # best wall time of N runs of a command, in seconds
    local n=$1 best=1e9 t0 t1; shift
    for _ in $(seq "$n"); do
        t0=$(date +%s.%N)
        "$@" >/dev/null 2>&1
        t1=$(date +%s.%N)
        best=$(python3 -c "print('%.3f' % min($t1 - $t0, $best))")
    done
    echo "$best"
}

echo "== floor: read every page-table page once (libkdumpfile) vs full validation"
for s in $SAMPLES; do
    for f in vmcore vmcore.kdump; do
        [ -f "samples/out/$s/$f" ] || continue
        build/bench_floor "samples/out/$s/vmlinux" "samples/out/$s/$f" 5
    done
done

# the layout memo (docs/thpscan.md): "cold" runs without it (the DWARF
# index is built), "warm" with one that a first run filled
MEMO=$(mktemp -d /tmp/thpscan-bench-memo.XXXXXX)
trap 'rm -rf "$MEMO"' EXIT
echo "== scan: thpscan -s end to end (vmlinux open, DWARF index or layout memo, fork, scan), best of 3"
for s in $SAMPLES; do
    for f in vmcore vmcore.kdump; do
        [ -f "samples/out/$s/$f" ] || continue
        cold=$(THPSCAN_LAYOUT_CACHE=off wall 3 build/thpscan -q -s "samples/out/$s/vmlinux" "samples/out/$s/$f")
        warm=$(THPSCAN_LAYOUT_CACHE=$MEMO wall 3 build/thpscan -q -s "samples/out/$s/vmlinux" "samples/out/$s/$f")
        python3 -c "print('$s/$f: cold %.3f s, warm (layout memo) %.3f s: %.1fx' % ($cold, $warm, $cold / $warm))"
    done
done

echo "== sources: where the layouts come from (DWARF, the dump's BTF and kallsyms, the memo), best of 5"
srcs=()
for s in s390x-6.1 s390x-6.12 ppc64le-6.1-radix x86_64-6.1 x86_64-6.12; do
    [ -f "samples/out/$s/vmcore" ] && srcs+=("samples/out/$s")
done
python3 bench/sources.py "${srcs[@]}"

echo "== forest: synthetic tables through tests/support/synth.c (time and peak RSS per table)"
for n in $FOREST; do
    printf 'N=%s: ' "$n"
    build/bench_synth "$n"
done

echo "== batch: 8 dumps (both samples, ELF + kdump, twice), --debuginfo-dir"
dumps=()
for _ in 1 2; do
    for s in $SAMPLES; do
        for f in vmcore vmcore.kdump; do
            [ -f "samples/out/$s/$f" ] && dumps+=("samples/out/$s/$f")
        done
    done
done
export THPSCAN_LAYOUT_CACHE=off     # batch: the DWARF index, shared by the jobs
j1=$(wall 1 build/thpscan -q -s --jobs 1 --debuginfo-dir "$CACHE/k" "${dumps[@]}")
j2=$(wall 1 build/thpscan -q -s --jobs 2 --debuginfo-dir "$CACHE/k" "${dumps[@]}")
python3 -c "print('${#dumps[@]} dumps: --jobs 1 %.2f s, --jobs 2 %.2f s, speed-up %.2fx' % ($j1, $j2, $j1 / $j2))"
j1=$(wall 1 build/thpscan -q -s --jobs 1 samples/out/s390x-6.1/vmlinux "${dumps[@]}")
j2=$(wall 1 build/thpscan -q -s --jobs 2 samples/out/s390x-6.1/vmlinux "${dumps[@]}")
python3 -c "print('same 8 with one VMLINUX (6.1; the 6.12 dumps fail fast): --jobs 1 %.2f s, --jobs 2 %.2f s, speed-up %.2fx' % ($j1, $j2, $j1 / $j2))"
export THPSCAN_LAYOUT_CACHE=$MEMO
j1=$(wall 1 build/thpscan -q -s --jobs 1 --debuginfo-dir "$CACHE/k" "${dumps[@]}")
j2=$(wall 1 build/thpscan -q -s --jobs 2 --debuginfo-dir "$CACHE/k" "${dumps[@]}")
python3 -c "print('the 8 with --debuginfo-dir and a warm layout memo: --jobs 1 %.2f s, --jobs 2 %.2f s, speed-up %.2fx' % ($j1, $j2, $j1 / $j2))"
unset THPSCAN_LAYOUT_CACHE

echo "== scaling: thpscan per page-table page, 256 MiB guest (workload 1x) vs 4 GiB (16x)"
if [ "${BENCH_SCALING:-1}" = 1 ] && samples/make-samples.sh s390x-6.1-256m s390x-6.1-4g >/dev/null 2>&1; then
    python3 bench/scaling.py samples/out/s390x-6.1-256m samples/out/s390x-6.1-4g
    echo "== jobs: --jobs N on 4 copies of the 4 GiB sample (ELF, kdump), warm memo, best of 3"
    python3 bench/jobs.py samples/out/s390x-6.1-4g 4
else
    echo "skipped (BENCH_SCALING=0, or samples/make-samples.sh s390x-6.1-256m s390x-6.1-4g failed)"
fi

echo "== crash: thpcheck -u vs foreach vm -p in one crash session (s390x-6.1), per mapped page"
# Both cover the same user mms, so the ratio of their times is the ratio
# per mapped page.  Each is run 5 times after a warm-up (gdb's one-time
# struct look-ups are not counted for either); the clock is "!date" in
# the session, and an empty interval (one "!date" after another)
# measures what the clock itself costs (a process start under qemu-user):
# the net ratio subtracts it from both.
if [ -f samples/out/s390x-6.1/manifest.json ] && [ -f build/s390x/thpcheck.so ]; then
    out=$( {
        printf '%s\n' "set scroll off" "extend $PWD/build/s390x/thpcheck.so" \
            "thpcheck -u -s" "foreach vm -p > /dev/null"
        for _ in 1 2 3 4 5; do
            printf '%s\n' '!date +T0=%s.%N' "thpcheck -u -s > /dev/null" \
                '!date +T1=%s.%N' "foreach vm -p > /dev/null" \
                '!date +T2=%s.%N' '!date +T3=%s.%N'
        done
        printf '%s\n' "thpcheck -u -s" "foreach vm -p | wc -l" "quit"
    } | samples/crash s390x-6.1 -s 2>/dev/null)
    python3 - "$out" <<'PY'
import re, sys
t = sys.argv[1]
ts = [float(v) for _, v in re.findall(r"^(T\d)=([\d.]+)$", t, re.M)]
if len(ts) < 4:
    sys.exit("crash session failed")
runs = [ts[i:i + 4] for i in range(0, len(ts) - 3, 4)]
a = min(r[1] - r[0] for r in runs)
b = min(r[2] - r[1] for r in runs)
e = min(r[3] - r[2] for r in runs)
m = re.search(r"(\d+) present ptes.*?(\d+) THP pmds, (\d+) hugetlb pmds", t)
lines = [l for l in t.splitlines() if l.strip().isdigit()]
print(f"thpcheck -u {a:.3f} s, foreach vm -p {b:.3f} s, clock {e:.3f} s (best of {len(runs)}): "
      f"thpcheck {b / a:.1f}x faster, {(b - e) / (a - e):.1f}x net of the clock")
if m:
    print(f"mapped: {m.group(1)} present ptes + {m.group(2)} THP pmds + {m.group(3)} hugetlb pmds "
          f"in the user mms; foreach vm -p printed {lines[-1] if lines else '?'} lines")
PY
else
    echo "skipped: no s390x-6.1 sample or extension"
fi
