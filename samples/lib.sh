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
# kernel, $THPCHECK_CACHE/k/ppc64le-6.1; the MMU is a boot/machine setting).
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
        *) echo "$1" ;;
    esac
}
