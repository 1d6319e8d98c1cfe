#!/bin/sh
# The README's second command: install what is missing, then run the whole
# test suite under prove (tests/ and each library's tests in libs/*/tests).
# Extra arguments go to prove (e.g. tests/unix).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
sh "$top/scripts/deps.sh"
cd "$top"
if [ $# -eq 0 ]; then set -- tests libs; fi
exec prove -r -j2 "$@"
