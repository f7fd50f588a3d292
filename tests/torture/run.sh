#!/bin/bash
# make torture: corrupted variants of every real sample, ELF and kdump
# (and the s390 dump format for s390x).
#
#   TORTURE_RUNS   variants per sample and format (2500: 5000 and more per
#                  architecture and format); 0: no scans, the crash
#                  sessions alone
#   TORTURE_CRASH  on top, crash sessions per architecture (3), on its
#                  first sample: extend thpcheck.so, thpcheck, sys must
#                  still answer
#   TORTURE_SAMPLES the samples (default: those samples/out/status marks ok)
#   TORTURE_SEED   seed (1); the same seed makes the same variants
#   TORTURE_TIMEOUT seconds per scan before it counts as a hang (10)
#   TORTURE_NOVML_RUNS on top, variants of the ELF copy of each sample whose
#                  kernel has BTF scanned without the vmlinux (its kallsyms
#                  and BTF, the corruptions aimed at them too; runs / 5)
#
# Each sample's vmcore and vmcore.kdump is copied once to
# $THPCHECK_CACHE/torture/ (again when the sample changes) and build/torture
# patches that copy and puts the bytes back after every variant (samples/out
# is only read; in a kdump file the memory corruptions are laid over the
# decompressed pages instead).  Two parts run at a time.  Prints a table and "N passed, N failed"
# (failed = crashes + hangs, counted per variant).
set -u
cd "$(dirname "$0")/../.."
runs=${TORTURE_RUNS:-2500}
ncrash=${TORTURE_CRASH:-3}
seed=${TORTURE_SEED:-1}
tmo=${TORTURE_TIMEOUT:-10}
cache=${THPCHECK_CACHE:-$HOME/.cache/thpcheck}/torture
read -r -a samples <<<"${TORTURE_SAMPLES:-$(awk '$1 == "ok" && $3 == "sample" {print $4}' samples/out/status 2>/dev/null | tr '\n' ' ')}"
[ ${#samples[@]} -gt 0 ] || { echo "torture: no samples (make samples)"; echo "0 passed, 1 failed"; exit 1; }
formats=(vmcore vmcore.kdump)
mkdir -p "$cache"
make -s build/torture || exit 1

# SAMPLE FORMAT [NAME [CONVERTER...]] -> path of its up-to-date working
# copy $cache/SAMPLE.NAME: the sample's FORMAT file copied, or written by
# CONVERTER SRC DST
work_copy() {
    local src=samples/out/$1/$2 dst=$cache/$1.${3:-$2}
    shift $(($# < 3 ? $# : 3))
    [ $# -gt 0 ] || set -- cp --sparse=always
    [ -f "$dst.journal" ] && build/torture restore "$dst" >&2
    # the copy's own mtime moves with every patch: the source's size and
    # mtime at copy time are kept in $dst.src
    local id; id=$(stat -L -c '%s %Y' "$src")
    if [ ! -f "$dst" ] || [ "$(cat "$dst.src" 2>/dev/null)" != "$id" ]; then
        echo "torture: $* $src $dst" >&2
        rm -f "$dst.tmp"
        "$@" "$src" "$dst.tmp" >&2 && mv "$dst.tmp" "$dst" &&
            echo "$id" >"$dst.src" || return 1
    fi
    echo "$dst"
}

# SAMPLE: its kernel has BTF and the data symbols in kallsyms that find it
# (__start_BTF: arm64-6.1 has BTF but CONFIG_KALLSYMS_ALL off)
has_btf() {
    local cfg; cfg="$(dirname "$(readlink -f "samples/out/$1/vmlinux")")/config"
    grep -qx 'CONFIG_DEBUG_INFO_BTF=y' "$cfg" 2>/dev/null &&
        grep -qx 'CONFIG_KALLSYMS_ALL=y' "$cfg"
}
declare -A work
parts=()
# TORTURE_RUNS=0: the crash sessions alone (make check's few per arch)
samples_scanned=()
[ "$runs" = 0 ] || samples_scanned=("${samples[@]}")
for s in "${samples_scanned[@]}"; do
    for f in "${formats[@]}"; do
        [ -f samples/out/$s/$f ] || { echo "torture: no samples/out/$s/$f"; echo "0 passed, 1 failed"; exit 1; }
        work[$s/$f]=$(work_copy "$s" "$f") || { echo "0 passed, 1 failed"; exit 1; }
        parts+=("$s/$f")
    done
    # s390x: the ELF dump in the s390 dump format too (as tests/formats
    # makes it: zgetdump -f s390, s390-tools' stand-alone/VM dump format)
    if [[ $s == s390x-* ]]; then
        work[$s/vmcore.s390]=$(work_copy "$s" vmcore vmcore.s390 samples/zgetdump.sh -f s390) ||
            { echo "0 passed, 1 failed"; exit 1; }
        parts+=("$s/vmcore.s390")
    fi
    # a copy of its own: the parts run two at a time
    if has_btf "$s"; then
        work[$s/vmcore-novmlinux]=$(work_copy "$s" vmcore vmcore-novmlinux) ||
            { echo "0 passed, 1 failed"; exit 1; }
        parts+=("$s/vmcore-novmlinux")
    fi
done

start=$(date +%s)
i=0
for p in "${parts[@]}"; do
    s=${p%/*}
    vml=samples/out/$s/vmlinux n=$runs
    [[ $p == */vmcore-novmlinux ]] && vml=- n=${TORTURE_NOVML_RUNS:-$((runs / 5))}
    build/torture scan "$vml" "${work[$p]}" "$n" $((seed * 100 + i)) "$tmo" \
        >"$cache/${p/\//.}.log" 2>&1 &
    i=$((i + 1))
    [ $((i % 2)) = 0 ] && wait
done
wait

# crash sessions: the first sample of each architecture, its ELF copy
ext_of() {      # SAMPLE -> the extension the crash of samples/crash loads
    case $1 in
        s390x-*) echo build/s390x/thpcheck.so ;;
        ppc64le-*) if [ -x "${THPCHECK_CACHE:-$HOME/.cache/thpcheck}/crash-ppc64/bin/crash" ]; then
                       echo build/ppc64le-native/thpcheck.so; else echo build/ppc64le/thpcheck.so; fi ;;
        x86_64-*) echo build/x86_64/thpcheck.so ;;
        arm64-*) if [ -x "${THPCHECK_CACHE:-$HOME/.cache/thpcheck}/crash-arm64/bin/crash" ]; then
                     echo build/arm64-native/thpcheck.so; else echo build/arm64/thpcheck.so; fi ;;
    esac
}
crash_samples=()
if [ "$ncrash" -gt 0 ]; then
    seen=" "
    for s in "${samples[@]}"; do
        a=${s%%-*}
        [[ $seen == *" $a "* ]] && continue
        seen+="$a "; crash_samples+=("$s")
    done
fi
for s in "${crash_samples[@]}"; do
    [ -n "${work[$s/vmcore]:-}" ] || work[$s/vmcore]=$(work_copy "$s" vmcore) ||
        { echo "0 passed, 1 failed"; exit 1; }
    ext=$(ext_of "$s")
    case $ext in
        build/s390x/*) make -s ARCH=s390x ext ;;
        build/*-native/*) d=${ext#build/}; make -s "ext-${d%%/*}" ;;
        build/ppc64le/*) make -s ARCH=ppc64le ext ;;
        build/x86_64/*) make -s ARCH=x86_64 \
            CRASH_INC="${THPCHECK_CACHE:-$HOME/.cache/thpcheck}/sysroot-amd64-trixie/usr/include/crash" ext ;;
        build/arm64/*) make -s ARCH=arm64 ext ;;
    esac || exit 1
    TORTURE_LOG=$cache/crash-session-$s.log TORTURE_SAMPLE=$s TORTURE_EXT=$PWD/$ext \
        build/torture crash "samples/out/$s/vmlinux" "${work[$s/vmcore]}" "$ncrash" $((seed * 100 + 99)) 900 \
        tests/torture/crash-session.sh >"$cache/crash-$s.log" 2>&1
done
secs=$(( $(date +%s) - start ))

printf '%-30s %7s %9s %7s %7s %8s %7s %9s\n' part runs findings clean errors crashes hangs "rss(MB)"
tot_f=0; tot_p=0
row() {  # NAME LOG
    local line; line=$(grep -E '^torture: runs ' "$2" | tail -1)
    if [ -z "$line" ]; then
        printf '%-30s %s\n' "$1" "driver failed, see $2"
        tot_f=$((tot_f + 1)); return
    fi
    set -- "$1" $line
    # torture: runs R findings F clean C errors E crashes X hangs H maxrss_kb M secs S
    printf '%-30s %7s %9s %7s %7s %8s %7s %9s\n' "$1" "$4" "$6" "$8" "${10}" "${12}" "${14}" $(( ${16} / 1024 ))
    tot_f=$((tot_f + ${12} + ${14}))
    tot_p=$((tot_p + $4 - ${12} - ${14}))
}
for p in "${parts[@]}"; do row "${p/\// }" "$cache/${p/\//.}.log"; done
# crash: "findings" = sessions where sys answered after thpcheck
for s in "${crash_samples[@]}"; do row "crash $s (*)" "$cache/crash-$s.log"; done
[ ${#crash_samples[@]} -gt 0 ] && echo "(*) crash sessions: findings = sessions in which sys answered after thpcheck"
echo
for p in "${parts[@]}"; do grep -E '^torture: error ' "$cache/${p/\//.}.log" | sed "s|^torture: |$p: |"; done | sort -t'x' -k1,1 | head -30
grep -hE '^torture: (CRASH|HANG|signal|exit [0-9]+ without)|FAILED' "$cache"/*.log | head -20
echo "torture: $secs s; logs in $cache"
echo "$tot_p passed, $tot_f failed"
[ "$tot_f" = 0 ]
