#!/bin/bash
# The test command behind "make check": unit tests (also under ASan and
# UBSan), the sample dumps, the s390x extension and thpscan, the
# real-dump tests in crash, then thpscan against crash's results, the
# dumps in the forms users have them (filtered, s390 format), busy
# guests dumped at random instants and at panic, and the bug lab.  Every part prints
# "N passed, N failed"; this script adds them up into the last line.
set -u
cd "$(dirname "$0")/.."
P=0; F=0
part() {
    local name=$1; shift
    local log t0; log=$(mktemp); t0=$(date +%s)
    echo "== $name" >&2
    "$@" 2>&1 | tee "$log"
    local rc=${PIPESTATUS[0]}
    # every summary line of the part counts (make unit runs two suites)
    local lines; lines=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$log")
    if [ -n "$lines" ]; then
        P=$((P + $(grep -oE '[0-9]+ passed' <<<"$lines" | grep -oE '[0-9]+' | paste -sd+)))
        F=$((F + $(grep -oE '[0-9]+ failed' <<<"$lines" | grep -oE '[0-9]+' | paste -sd+)))
    elif [ "$rc" = 0 ]; then
        P=$((P + 1)); echo "ok - $name"
    else
        F=$((F + 1)); echo "not ok - $name (exit $rc)"
    fi
    echo "== $name: $(( $(date +%s) - t0 )) s" >&2
    rm -f "$log"
    return "$rc"
}
part "unit tests" make -s unit
part "unit tests (ASan+UBSan)" make -s unit-san
# make check does not build the native ppc64 crash (17+ min): samples/crash
# uses it when a "make samples" left it in the cache, else the emulated one
# (make check-arm64 sets THPCHECK_SKIP_CRASH_BUILD=0: the arm64 one is built)
# one "ok"/"not ok" line per sample; a sample that cannot be made (with the
# reason) does not stop the tests on the others
# THPCHECK_SAMPLE_SET: the samples to make and test (default: those of
# make-samples.sh; make check-arm64 names the arm64 ones)
part "sample dumps" env THPCHECK_SKIP_CRASH_BUILD="${THPCHECK_SKIP_CRASH_BUILD:-1}" \
    samples/make-samples.sh ${THPCHECK_SAMPLE_SET:-}
built=$(awk '$1 == "ok" && $3 == "sample" {print $4}' samples/out/status 2>/dev/null | tr '\n' ' ')
export THPCHECK_SAMPLES=$built
part "crash extensions" make -s build/vmcore-poke $(grep -q ' s390x-' <<<" $built" && echo ARCH=s390x ext)
if grep -q ' ppc64le-' <<<" $built"; then
    part "ppc64le extension" make -s ARCH=ppc64le ext
fi
# x86_64: built natively against the defs.h of the crash samples/crash runs
# (trixie's 8.0.6, samples/fetch-crash.sh amd64)
if grep -q ' x86_64-' <<<" $built"; then
    part "x86_64 extension" make -s ARCH=x86_64 \
        CRASH_INC="${THPCHECK_CACHE:-$HOME/.cache/thpcheck}/sysroot-amd64-trixie/usr/include/crash" ext
fi
# arm64: cross-built for Debian's arm64 crash (samples/fetch-crash.sh arm64)
if grep -q ' arm64-' <<<" $built"; then
    part "arm64 extension" make -s ARCH=arm64 ext
fi
# the x86_64 crashes of samples/build-crash-cross.sh, when built
if [ -x "${THPCHECK_CACHE:-$HOME/.cache/thpcheck}/crash-ppc64/bin/crash" ]; then
    part "ppc64 extension for the native crash" make -s ext-ppc64le-native
fi
if grep -q ' arm64-' <<<" $built" && [ -x "${THPCHECK_CACHE:-$HOME/.cache/thpcheck}/crash-arm64/bin/crash" ]; then
    part "arm64 extension for the native crash" make -s ext-arm64-native
fi
part "thpscan build" make -s thpscan build/debuginfo-compare
part "package resolver (fake mirror)" python3 tests/resolver/test_resolve.py
if [ -n "$built" ]; then
    part "real dumps in crash" python3 tests/real/test_samples.py
    # thpscan must print what thpcheck printed inside crash just now
    part "thpscan on the real dumps" env THPSCAN_NO_REFRESH=1 tests/thpscan/run.sh
    # the same thpscan tests on the ASan+UBSan build; any report fails
    part "thpscan tests (ASan+UBSan)" tests/torture/thpscan-san.sh
    # the variants of make torture that once crashed
    part "torture regressions" tests/torture/regress.sh
    # thpcheck in crash on damaged dumps (make torture's crash sessions,
    # two per architecture): an error or findings, and sys still answers
    part "damaged dumps in crash" env TORTURE_RUNS=0 TORTURE_CRASH=2 \
        TORTURE_SAMPLES="$built" tests/torture/run.sh
    # makedumpfile -d 31 copies, the s390 dump format, pages left out
    part "dump formats" python3 tests/formats/test_formats.py --crash
    # make install, the Debian packages (amd64, s390x and ppc64el) in
    # crash, one version, the fleet recipe with GNU parallel
    [ -n "${THPCHECK_SAMPLE_SET:-}" ] || part "install and packages" tests/packages/run.sh
    # dumps of busy guests at random instants and at panic (seed 1 of
    # make samples-busy), with their filtered copies; in crash and planted
    # arm64 has no busy configuration yet (samples/make-busy.sh)
    busy=$(tr ' ' '\n' <<<"$built" | grep -v '^arm64-' | tr '\n' ' ')
    [ -z "${busy// }" ] ||
        part "busy dumps" python3 tests/busy/campaign.py --check --crash --plant --formats $busy
    # seed bugs re-enacted by the guest kernel (samples/make-bug.sh), each
    # finding against the module's ground truth; some also in crash
    part "bug lab" python3 tests/bugs/test_bugs.py --crash
fi
echo "$P passed, $F failed"
[ "$F" = 0 ]
