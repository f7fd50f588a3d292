#!/bin/bash
# make fuzz: run every libFuzzer target for FUZZ_SECONDS each.  The
# working corpus grows in $THPCHECK_CACHE/fuzz/TARGET (outside the
# checkout), seeded from tests/fuzz/corpus/TARGET; crashes are kept there.
# Prints one line per target and "N passed, N failed" (failed = targets
# that found a crash).
set -u
cd "$(dirname "$0")/../.."
secs=${1:-60}
cache=${THPCHECK_CACHE:-$HOME/.cache/thpcheck}/fuzz
P=0; F=0
for bin in build/fuzz_*; do
    t=${bin#build/fuzz_}
    mkdir -p "$cache/$t/corpus" "$cache/$t/crashes"
    [ -d tests/fuzz/corpus/$t ] && cp -n tests/fuzz/corpus/$t/* "$cache/$t/corpus/" 2>/dev/null
    log=$cache/$t/last.log
    "$bin" -max_total_time="$secs" -rss_limit_mb=4096 -timeout=10 \
        -artifact_prefix="$cache/$t/crashes/" "$cache/$t/corpus" >"$log" 2>&1
    rc=$?
    runs=$(grep -oE 'Done [0-9]+ runs' "$log" | grep -oE '[0-9]+' | tail -1)
    if [ $rc = 0 ]; then
        P=$((P + 1)); echo "ok - fuzz_$t: ${runs:-?} runs in ${secs} s, no crash"
    else
        F=$((F + 1)); echo "not ok - fuzz_$t: crash or hang, see $log and $cache/$t/crashes"
    fi
done
echo "fuzz: $P passed, $F failed"
[ $F = 0 ]
