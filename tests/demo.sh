#!/bin/bash
# make demo: open a sample in crash, load thpcheck, run it.
set -euo pipefail
cd "$(dirname "$0")/.."
sample=${1:-s390x-6.1}
printf '%s\n' "extend $PWD/build/s390x/thpcheck.so" "thpcheck" "thpcheck -s -k" "quit" |
    samples/crash "$sample" -s
