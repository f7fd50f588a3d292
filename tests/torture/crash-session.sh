#!/bin/bash
# One crash session on a corrupted working copy ($TORTURE_VMCORE, set by
# build/torture crash): extend thpcheck.so, thpcheck, then sys.  Exit 0
# when crash answered sys after thpcheck (the session survived), else 1.
# Prints one line; the session's output is kept in $TORTURE_LOG.
set -u
cd "$(dirname "$0")/../.."
log=${TORTURE_LOG:-/dev/null}
printf 'set scroll off\nextend %s\nthpcheck\np 900000001\nsys\np 900000002\nquit\n' \
    "${TORTURE_EXT:-$PWD/build/s390x/thpcheck.so}" |
    SAMPLE_DUMP=$TORTURE_VMCORE timeout 500 samples/crash "${TORTURE_SAMPLE:-s390x-6.1}" -s \
    >"$log" 2>&1
rc=$?
after=$(sed -n '/= 900000001$/,$p' "$log")
if grep -q '= 900000001$' "$log" && grep -q 'RELEASE:' <<<"$after" &&
   grep -q '= 900000002$' <<<"$after"; then
    th=$(sed -n '/SUMMARY:/p;/^thpcheck: /p' "$log" | head -1)
    echo "session ok (crash exit $rc): ${th:-no thpcheck summary}"
    exit 0
fi
echo "session FAILED (crash exit $rc), see $log"
exit 1
