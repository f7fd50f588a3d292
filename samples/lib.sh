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
