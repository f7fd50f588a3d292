#!/bin/bash
# Make all sample dumps (called by "make samples").  Every step is idempotent
# and cached under $THPCHECK_CACHE, so a second run takes seconds.
#   1. setup-apt.sh     private apt config (s390x + trixie), no change to /etc/apt
#   2. fetch-kernels.sh Debian s390x kernels (vmlinuz, vmlinux, modules), busybox
#   3. fetch-crash.sh   crash 8.0.6 (s390x) + sysroot, run under qemu-user
#   4. build-qemu.sh    QEMU 7.2 with EDAT-1 for TCG guests (~7 min the first time)
#   5. make-dump.sh     one dump per sample
# Usage: samples/make-samples.sh [SAMPLE...]   (default: s390x-6.1 s390x-6.12)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

SAMPLES=("$@")
[ ${#SAMPLES[@]} -gt 0 ] || SAMPLES=(s390x-6.1 s390x-6.12)

step() {
    local t0=$SECONDS
    log "== $*"
    "$@" || die "step failed: $*"
    log "== $1 done ($((SECONDS - t0)) s)"
}
step "$SAMPLES_DIR/setup-apt.sh"
step "$SAMPLES_DIR/fetch-kernels.sh"
step "$SAMPLES_DIR/fetch-crash.sh"
step "$SAMPLES_DIR/build-qemu.sh"
for s in "${SAMPLES[@]}"; do
    step "$SAMPLES_DIR/make-dump.sh" "$s"
done
log "all samples ready: $(cd "$SAMPLES_DIR/out" && echo "${SAMPLES[@]}") in $SAMPLES_DIR/out"
