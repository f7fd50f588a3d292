#!/bin/bash
# The thpscan tests (tests/thpscan/test_thpscan.py) on build/thpscan-san,
# thpscan built with -fsanitize=address,undefined -fno-sanitize-recover=all.
# Every sanitizer report, in the parent or in a per-dump child (whose
# death the tests might otherwise take for an expected exit 2), is
# written to a log file; any such file fails the run.  Run by tests/run.sh
# after the normal thpscan tests, with THPSCAN_NO_REFRESH=1 (the crash
# reference JSON was just made).  Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
make -s build/thpscan-san || { echo "0 passed, 1 failed"; exit 1; }
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
export THPSCAN=build/thpscan-san THPSCAN_NO_REFRESH=1
export ASAN_OPTIONS=log_path=$logs/asan:detect_leaks=1:abort_on_error=1
export LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=log_path=$logs/ubsan:halt_on_error=1:print_stacktrace=1
out=$(python3 tests/thpscan/test_thpscan.py 2>&1)
rc=$?
grep -v -E '^[a-z]+: [0-9]+ passed, [0-9]+ failed( \([0-9]+ skipped\))?$|^[0-9]+ passed, [0-9]+ failed$' <<<"$out"
line=$(grep -E '[0-9]+ passed, [0-9]+ failed' <<<"$out" | tail -1)
P=$(grep -oE '[0-9]+ passed' <<<"$line" | grep -oE '[0-9]+'); P=${P:-0}
F=$(grep -oE '[0-9]+ failed' <<<"$line" | grep -oE '[0-9]+'); F=${F:-1}
[ -n "$line" ] || { [ $rc = 0 ] && F=0; }
# the inputs that crashed or hung before the guards of tools/backend_kdump.c
# (tests/fuzz/corpus/open/regress-*): one clear line each, exit 2
# (s390x files: with s390x-6.1's vmlinux when it is built; else, in a
# sample set without it, the first sample's, and those that need the
# vmlinux to get to their guard stop at the arch check instead)
reg=(tests/fuzz/corpus/open/regress-*)
vml=""
for s in s390x-6.1 ${THPCHECK_SAMPLES:-}; do
    [ -e samples/out/$s/vmlinux ] && { vml=samples/out/$s/vmlinux; break; }
done
if [ -z "$vml" ]; then
    echo "# skip - regression inputs of fuzz_open: no sample's vmlinux"
else
    err=$(build/thpscan-san -q "$vml" "${reg[@]}" 2>&1 >/dev/null)
    rc=$?
    if [ $rc = 2 ] && [ "$(grep -c '' <<<"$err")" = ${#reg[@]} ] &&
       ! grep -q 'scanner died' <<<"$err"; then
        P=$((P + 1)); echo "ok - ${#reg[@]} regression inputs of fuzz_open: one error line each, exit 2 ($vml)"
    else
        F=$((F + 1)); echo "not ok - regression inputs of fuzz_open (exit $rc):"; sed 's/^/#   /' <<<"$err"
    fi
fi
reports=$(ls "$logs")
if [ -z "$reports" ]; then
    P=$((P + 1)); echo "ok - no ASan/UBSan/LSan report from build/thpscan-san"
else
    F=$((F + 1)); echo "not ok - sanitizer reports from build/thpscan-san:"
    for f in "$logs"/*; do sed 's/^/#   /' "$f" | head -40; done
fi
echo "thpscan-san: $P passed, $F failed"
[ "$F" = 0 ]
