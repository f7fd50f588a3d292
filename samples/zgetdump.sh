#!/bin/bash
# Debian's zgetdump (s390-tools, trixie) under qemu-user: copies and
# converts s390x dumps between the s390 format the stand-alone and VM dump
# tools write (-f s390) and ELF (-f elf); -i prints a dump's header.
# The program and its libraries come from samples/fetch-tool.sh zgetdump.
#
# Usage: samples/zgetdump.sh ZGETDUMP-ARGS...   e.g. -f s390 vmcore vmcore.s390
set -euo pipefail
. "$(dirname "$0")/lib.sh"
command -v qemu-s390x-static >/dev/null || die "qemu-s390x-static missing (samples/install-deps.sh)"
Z=$("$SAMPLES_DIR/fetch-tool.sh" zgetdump s390x) || die "fetch-tool.sh zgetdump s390x failed"
exec qemu-s390x-static -E LD_LIBRARY_PATH="$Z/lib" "$Z/lib/ld64.so.1" "$Z/bin/zgetdump" "$@"
