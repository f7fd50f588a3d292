#!/bin/bash
# The variants of make torture that crashed before a fix, run again (each
# alone: TORTURE_ONLY) on a working copy of their sample's file in
# $THPCHECK_CACHE/torture/regress/.  Lines of tests/torture/regressions:
#   SAMPLE FILE SEED RUN   what crashed, and the fix
# A sample not in samples/out is skipped.  Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
make -s build/torture || { echo "0 passed, 1 failed"; exit 1; }
work=${THPCHECK_CACHE:-$HOME/.cache/thpcheck}/torture/regress
mkdir -p "$work"
P=0 F=0
while read -r s f seed run why; do
    case $s in ''|'#'*) continue ;; esac
    if [ ! -f "samples/out/$s/$f" ]; then
        echo "# skip - torture $s $f seed $seed run $run: no samples/out/$s/$f"
        continue
    fi
    w=$work/$s.$f
    cp --sparse=always "samples/out/$s/$f" "$w" || { F=$((F + 1)); continue; }
    out=$(TORTURE_ONLY=$run build/torture scan "samples/out/$s/vmlinux" "$w" 1 "$seed" 60 2>&1)
    line=$(grep -E '^torture: runs ' <<<"$out" | tail -1)
    if [[ $line == *" crashes 0 hangs 0 "* ]]; then
        P=$((P + 1)); echo "ok - torture $s $f seed $seed run $run ($why): no crash, no hang"
    else
        F=$((F + 1)); echo "not ok - torture $s $f seed $seed run $run ($why):"
        sed 's/^/#   /' <<<"$out" | tail -5
    fi
    rm -f "$w" "$w.journal"
done < tests/torture/regressions
echo "torture regressions: $P passed, $F failed"
[ "$F" = 0 ]
