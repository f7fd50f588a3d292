#!/bin/bash
# thpscan tests (make check-thpscan): build/thpscan against crash's
# thpcheck JSON on the real samples, bad inputs, batch mode, man pages.
# Ends with one "N passed, N failed" line.
set -u
cd "$(dirname "$0")/../.."
exec python3 tests/thpscan/test_thpscan.py "$@"
