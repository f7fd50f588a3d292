# Common settings for the sample-dump scripts; sourced, not run.
# Everything large (debs, kernels, sysroots, QEMU, dumps) lives in the cache,
# outside the checkout, so a fresh clone on the same machine reuses it.
THPCHECK_CACHE=${THPCHECK_CACHE:-$HOME/.cache/thpcheck}
SAMPLES_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$SAMPLES_DIR/.." && pwd)
APT_DIR=$THPCHECK_CACHE/apt
export THPCHECK_CACHE
die() { echo "${0##*/}: $*" >&2; exit 1; }
log() { echo "${0##*/}: $*" >&2; }
# Sample name -> Debian architecture, and -> kernel directory under
# $THPCHECK_CACHE/k (ppc64le-6.1-radix and ppc64le-6.1-hash boot the same
# kernel, $THPCHECK_CACHE/k/ppc64le-6.1; the MMU is a boot/machine setting;
# the benchmark samples s390x-6.1-256m and s390x-6.1-4g boot s390x-6.1's).
sample_arch() {
    case $1 in
        s390x-*)   echo s390x ;;
        ppc64le-*) echo ppc64el ;;
        *) return 1 ;;
    esac
}
sample_kernel() {
    case $1 in
        ppc64le-*-radix|ppc64le-*-hash) echo "${1%-*}" ;;
        s390x-6.1-256m|s390x-6.1-4g) echo s390x-6.1 ;;
        *) echo "$1" ;;
    esac
}
# Benchmark-only samples (scaling: time and memory of a scanner per page-table
# page; not in make-samples.sh's default list): sample -> "GUEST_MIB COPIES",
# COPIES = independent thpwork instances (4 processes each) in the guest.
# Fails (status 1) for every other sample: they run the workload once, in the
# guest size make-dump.sh gives them.
sample_scale() {
    case $1 in
        s390x-6.1-256m) echo "256 1" ;;
        s390x-6.1-4g)   echo "4096 16" ;;
        *) return 1 ;;
    esac
}
