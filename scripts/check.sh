#!/bin/sh
# The README's second command: install what is missing, then run the whole
# test suite under prove. Extra arguments go to prove (e.g. tests/unix).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
sh "$top/scripts/deps.sh"
cd "$top"
if [ $# -eq 0 ]; then set -- tests; fi
exec prove -r -j2 "$@"
