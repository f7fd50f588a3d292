#!/bin/bash
# Make sample dumps (called by "make samples").  Every step is idempotent
# and cached under $THPCHECK_CACHE, so a second run takes seconds.
#   1. setup-apt.sh          private apt config (s390x, ppc64el, trixie), no change to /etc/apt
#   2. fetch-kernels.sh      Debian kernels (vmlinuz, vmlinux, modules), busybox
#   3. fetch-crash.sh ARCH   crash 8.0.6 (s390x / ppc64el) + sysroot, run under qemu-user
#   4. s390x:   build-qemu.sh         QEMU 7.2 with EDAT-1 for TCG guests (~7 min the first time)
#      ppc64le: fetch-qemu-ppc.sh     bookworm-backports QEMU 10.0.2 (dpkg -x)
#               build-crash-ppc64.sh  native x86_64 crash for ppc64le dumps (~17 min the
#                                     first time; skipped with THPCHECK_SKIP_CRASH_BUILD=1,
#                                     samples/crash then uses the emulated one)
#   5. make-dump.sh          one dump per sample
# Usage: samples/make-samples.sh [SAMPLE...]   (default: all four samples)
#   s390x-6.1 s390x-6.12 ppc64le-6.1-radix ppc64le-6.1-hash
# Benchmark-only samples, made only when named (not by "make samples"/"make check"):
#   s390x-6.1-256m s390x-6.1-4g   (s390x-6.1's kernel, 256 MiB / 4 GiB guest,
#                                  the workload 1 / 16 times; lib.sh sample_scale)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

SAMPLES=("$@")
[ ${#SAMPLES[@]} -gt 0 ] || SAMPLES=(s390x-6.1 s390x-6.12 ppc64le-6.1-radix ppc64le-6.1-hash)

s390=0 ppc=0
for s in "${SAMPLES[@]}"; do
    case $(sample_arch "$s" || echo "?") in
        s390x)   s390=1 ;;
        ppc64el) ppc=1 ;;
        *) die "unknown sample $s (s390x-6.1 s390x-6.12 ppc64le-6.1-radix ppc64le-6.1-hash; benchmark: s390x-6.1-256m s390x-6.1-4g)" ;;
    esac
done

step() {
    local t0=$SECONDS
    log "== $*"
    "$@" || die "step failed: $*"
    log "== $1 done ($((SECONDS - t0)) s)"
}
step "$SAMPLES_DIR/setup-apt.sh"
step "$SAMPLES_DIR/fetch-kernels.sh" "${SAMPLES[@]}"
if [ $s390 = 1 ]; then
    step "$SAMPLES_DIR/fetch-crash.sh" s390x
    step "$SAMPLES_DIR/build-qemu.sh"
fi
if [ $ppc = 1 ]; then
    step "$SAMPLES_DIR/fetch-crash.sh" ppc64el
    step "$SAMPLES_DIR/fetch-qemu-ppc.sh"
    [ "${THPCHECK_SKIP_CRASH_BUILD:-0}" = 1 ] || step "$SAMPLES_DIR/build-crash-ppc64.sh"
fi
for s in "${SAMPLES[@]}"; do
    step "$SAMPLES_DIR/make-dump.sh" "$s"
done
log "all samples ready: $(cd "$SAMPLES_DIR/out" && echo "${SAMPLES[@]}") in $SAMPLES_DIR/out"
