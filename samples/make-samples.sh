#!/bin/bash
# Make sample dumps (called by "make samples").  Every step is idempotent
# and cached under $THPCHECK_CACHE, so a second run takes seconds.
#   1. setup-apt.sh          private apt config (s390x, ppc64el, trixie), no change to /etc/apt
#   2. fetch-kernels.sh      Debian kernels (vmlinuz, vmlinux, modules), busybox
#   3. fetch-crash.sh ARCH   crash 8.0.6 (s390x / ppc64el / arm64) + sysroot, run under
#                            qemu-user; amd64: run natively with the sysroot's loader
#   4. s390x:   build-qemu.sh         QEMU 7.2 with EDAT-1 for TCG guests (~7 min the first time)
#      x86_64:  fetch-qemu-x86.sh     bookworm QEMU 7.2 (dpkg -x)
#      arm64:   fetch-qemu-arm.sh     bookworm-backports QEMU 10.0.2 (dpkg -x)
#      ppc64le: fetch-qemu-ppc.sh     bookworm-backports QEMU 10.0.2 (dpkg -x)
#      ppc64le, arm64: build-crash-cross.sh ppc64|arm64  native x86_64 crash for
#                                     their dumps (~17 min each the first time;
#                                     skipped with THPCHECK_SKIP_CRASH_BUILD=1,
#                                     samples/crash then uses the emulated one)
#   5. make-dump.sh          one dump per sample
# Every download goes through samples/resolve.py (samples/versions.lock first,
# then the private index, newest first; a 404 moves on to the next version).
# Usage: samples/make-samples.sh [SAMPLE...]   (default: the seven samples below)
#   s390x-6.1 s390x-6.12 ppc64le-6.1-radix ppc64le-6.1-hash
#   x86_64-6.1 x86_64-6.12 x86_64-6.1-la57 (5-level paging, x86_64-6.1's kernel)
# Made only when named (make check-arm64; their crash runs under qemu-user,
# minutes per session on a 3 GiB dump):
#   arm64-6.1 arm64-6.12
# Benchmark-only samples, made only when named (not by "make samples"/"make check"):
#   s390x-6.1-256m s390x-6.1-4g   (s390x-6.1's kernel, 256 MiB / 4 GiB guest,
#                                  the workload 1 / 16 times; lib.sh sample_scale)
set -uo pipefail
. "$(dirname "$0")/lib.sh"

SAMPLES=("$@")
[ ${#SAMPLES[@]} -gt 0 ] || SAMPLES=(s390x-6.1 s390x-6.12 ppc64le-6.1-radix ppc64le-6.1-hash
                                    x86_64-6.1 x86_64-6.12 x86_64-6.1-la57)

s390=0 ppc=0 x86=0 arm=0
for s in "${SAMPLES[@]}"; do
    case $(sample_arch "$s" || echo "?") in
        s390x)   s390=1 ;;
        ppc64el) ppc=1 ;;
        amd64)   x86=1 ;;
        arm64)   arm=1 ;;
        *) die "unknown sample $s (s390x-6.1 s390x-6.12 ppc64le-6.1-radix ppc64le-6.1-hash x86_64-6.1 x86_64-6.12 x86_64-6.1-la57 arm64-6.1 arm64-6.12; benchmark: s390x-6.1-256m s390x-6.1-4g)" ;;
    esac
done

# A sample that cannot be made never hides the others: each step that fails
# marks the samples that need it as failed, with the step's last line of
# stderr as the reason, and the rest go on.  At the end, one line per sample
# ("ok - sample S" / "not ok - sample S: REASON"), the same lines in
# samples/out/status (this run's samples only: tests/run.sh tests the ones
# marked ok), and "N passed, N failed"; exit 1 if any failed.
declare -A REASON=()
STATUS=$SAMPLES_DIR/out/status
mkdir -p "$SAMPLES_DIR/out"
step() {    # step "SAMPLES THE STEP SERVES" CMD...: 0 if it ran (or they had failed already)
    local for=$1; shift
    local t0=$SECONDS s todo=() err rc
    for s in $for; do [ -n "${REASON[$s]:-}" ] || todo+=("$s"); done
    [ ${#todo[@]} -gt 0 ] || return 0
    log "== $*"
    err=$(mktemp)
    { "$@" 2>&1 1>&3 | tee "$err" >&2; } 3>&1
    rc=${PIPESTATUS[0]}
    if [ $rc != 0 ]; then
        local why
        why=$(grep -v '^[[:space:]]*$' "$err" | tail -1 | cut -c1-400)
        for s in "${todo[@]}"; do REASON[$s]="${1##*/} failed: ${why:-exit $rc}"; done
        log "== ${1##*/} FAILED (exit $rc) for ${todo[*]}: $why"
    else
        log "== ${1##*/} done ($((SECONDS - t0)) s)"
    fi
    rm -f "$err"
}
S390=() PPC=() X86=() ARM=()
for s in "${SAMPLES[@]}"; do
    case $(sample_arch "$s") in
        s390x)   S390+=("$s") ;;
        ppc64el) PPC+=("$s") ;;
        amd64)   X86+=("$s") ;;
        arm64)   ARM+=("$s") ;;
    esac
done
step "${SAMPLES[*]}" "$SAMPLES_DIR/setup-apt.sh"
# one kernel fetch per sample, so that one kernel's failure is its own
for s in "${SAMPLES[@]}"; do
    step "$s" "$SAMPLES_DIR/fetch-kernels.sh" "$s"
done
if [ $s390 = 1 ]; then
    step "${S390[*]}" "$SAMPLES_DIR/fetch-crash.sh" s390x
    step "${S390[*]}" "$SAMPLES_DIR/build-qemu.sh"
fi
if [ $ppc = 1 ]; then
    step "${PPC[*]}" "$SAMPLES_DIR/fetch-crash.sh" ppc64el
    step "${PPC[*]}" "$SAMPLES_DIR/fetch-qemu-ppc.sh"
    # the native crash is a speed-up, not a need: its failure fails no sample
    if [ "${THPCHECK_SKIP_CRASH_BUILD:-0}" != 1 ]; then
        "$SAMPLES_DIR/build-crash-cross.sh" ppc64 ||
            log "WARNING: build-crash-cross.sh ppc64 failed; samples/crash uses the emulated crash for ppc64le"
    fi
fi
if [ $x86 = 1 ]; then
    step "${X86[*]}" "$SAMPLES_DIR/fetch-crash.sh" amd64
    step "${X86[*]}" "$SAMPLES_DIR/fetch-qemu-x86.sh"
fi
if [ $arm = 1 ]; then
    step "${ARM[*]}" "$SAMPLES_DIR/fetch-crash.sh" arm64
    step "${ARM[*]}" "$SAMPLES_DIR/fetch-qemu-arm.sh"
    if [ "${THPCHECK_SKIP_CRASH_BUILD:-0}" != 1 ]; then
        "$SAMPLES_DIR/build-crash-cross.sh" arm64 ||
            log "WARNING: build-crash-cross.sh arm64 failed; samples/crash uses the emulated crash for arm64"
    fi
fi
for s in "${SAMPLES[@]}"; do
    step "$s" "$SAMPLES_DIR/make-dump.sh" "$s"
done
pass=0 fail=0
: > "$STATUS.new"
for s in "${SAMPLES[@]}"; do
    if [ -n "${REASON[$s]:-}" ]; then
        echo "not ok - sample $s: ${REASON[$s]}" | tee -a "$STATUS.new"; fail=$((fail + 1))
    else
        echo "ok - sample $s" | tee -a "$STATUS.new"; pass=$((pass + 1))
    fi
done
mv "$STATUS.new" "$STATUS"
echo "samples: $pass passed, $fail failed"
[ $fail = 0 ]
