#!/bin/bash
# make torture: corrupted variants of the real samples' ELF vmcores.
#
#   TORTURE_RUNS   variants in all, split between the samples (10000)
#   TORTURE_CRASH  of those on top, crash sessions on s390x-6.1 (3):
#                  extend thpcheck.so, thpcheck, sys must still answer
#   TORTURE_SEED   seed (1); the same seed makes the same variants
#   TORTURE_TIMEOUT seconds per scan before it counts as a hang (10)
#
# Each sample's vmcore is copied once to $THPCHECK_CACHE/torture/ (again
# when the sample changes) and build/torture patches that copy and puts
# the bytes back after every variant (samples/out is only read).  The
# samples run in parallel.  Prints a table and "N passed, N failed"
# (failed = crashes + hangs, counted per variant).
set -u
cd "$(dirname "$0")/../.."
runs=${TORTURE_RUNS:-10000}
ncrash=${TORTURE_CRASH:-3}
seed=${TORTURE_SEED:-1}
tmo=${TORTURE_TIMEOUT:-10}
cache=${THPCHECK_CACHE:-$HOME/.cache/thpcheck}/torture
samples=(s390x-6.1 s390x-6.12)
mkdir -p "$cache"
make -s build/torture || exit 1

work_copy() {   # SAMPLE -> path of its up-to-date working copy
    local src=samples/out/$1/vmcore dst=$cache/$1.vmcore
    [ -f "$dst.journal" ] && build/torture restore "$dst" >&2
    # the copy's own mtime moves with every patch: the source's size and
    # mtime at copy time are kept in $dst.src
    local id; id=$(stat -L -c '%s %Y' "$src")
    if [ ! -f "$dst" ] || [ "$(cat "$dst.src" 2>/dev/null)" != "$id" ]; then
        echo "torture: copying $src to $dst" >&2
        cp --reflink=auto "$src" "$dst.tmp" && mv "$dst.tmp" "$dst" &&
            echo "$id" >"$dst.src" || return 1
    fi
    echo "$dst"
}

declare -A work
for s in "${samples[@]}"; do
    [ -f samples/out/$s/vmcore ] || { echo "torture: no sample $s (make samples)"; echo "0 passed, 1 failed"; exit 1; }
    work[$s]=$(work_copy "$s") || { echo "0 passed, 1 failed"; exit 1; }
done

start=$(date +%s)
i=0
for s in "${samples[@]}"; do
    n=$(( runs / ${#samples[@]} + (i < runs % ${#samples[@]} ? 1 : 0) ))
    build/torture scan "samples/out/$s/vmlinux" "${work[$s]}" "$n" $((seed * 10 + i)) "$tmo" \
        >"$cache/$s.log" 2>&1 &
    i=$((i + 1))
done
wait

if [ "$ncrash" -gt 0 ]; then
    make -s ARCH=s390x ext || exit 1
    s=s390x-6.1
    TORTURE_LOG=$cache/crash-session.log TORTURE_SAMPLE=$s \
        build/torture crash "samples/out/$s/vmlinux" "${work[$s]}" "$ncrash" $((seed * 10 + 9)) 900 \
        tests/torture/crash-session.sh >"$cache/crash.log" 2>&1
fi
secs=$(( $(date +%s) - start ))

printf '%-22s %7s %9s %7s %7s %8s %7s %9s\n' part runs findings clean errors crashes hangs "rss(MB)"
tot_f=0; tot_p=0
row() {  # NAME LOG
    local line; line=$(grep -E '^torture: runs ' "$2" | tail -1)
    if [ -z "$line" ]; then
        printf '%-22s %s\n' "$1" "driver failed, see $2"
        tot_f=$((tot_f + 1)); return
    fi
    set -- "$1" $line
    # torture: runs R findings F clean C errors E crashes X hangs H maxrss_kb M secs S
    printf '%-22s %7s %9s %7s %7s %8s %7s %9s\n' "$1" "$4" "$6" "$8" "${10}" "${12}" "${14}" $(( ${16} / 1024 ))
    tot_f=$((tot_f + ${12} + ${14}))
    tot_p=$((tot_p + $4 - ${12} - ${14}))
}
for s in "${samples[@]}"; do row "thpscan $s" "$cache/$s.log"; done
# crash: "findings" = sessions where sys answered after thpcheck
[ "$ncrash" -gt 0 ] && row "crash s390x-6.1 (*)" "$cache/crash.log"
[ "$ncrash" -gt 0 ] && echo "(*) crash sessions: findings = sessions in which sys answered after thpcheck"
echo
for s in "${samples[@]}"; do grep -E '^torture: error ' "$cache/$s.log" | sed "s/^torture: /$s: /"; done | sort -t'x' -k1,1 | head -30
grep -hE 'CRASH|HANG|signal|FAILED|without' "$cache"/*.log | head -20
echo "torture: $secs s; logs in $cache"
echo "$tot_p passed, $tot_f failed"
[ "$tot_f" = 0 ]
