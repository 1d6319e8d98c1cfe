#!/bin/sh
# The README's first command: install what is missing, then configure,
# build and run examples/website as a Unix process: a unikernel serving
# the files of examples/website/htdocs at http://127.0.0.1:8080/ through
# slirp, with no root needed. Ctrl-C stops it.
#   sh scripts/demo.sh [--forward H:80] [PARAM=VALUE ...]   (given to mirari run)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
sh "$top/scripts/deps.sh"
mirari=$top/bin/mirari
cd "$top/examples/website"
"$mirari" configure -t unix app.conf
"$mirari" build
echo "mirari: serving examples/website/htdocs: open http://127.0.0.1:8080/ (Ctrl-C stops it)"
echo "mirari: if 8080 is taken: sh scripts/demo.sh --forward 8081:80" >&2
exec "$mirari" run "$@"
