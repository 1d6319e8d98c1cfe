#!/bin/sh
# The README's first command: install what is missing, then configure,
# build and run examples/website as a Unix process: a unikernel serving
# the files of examples/website/htdocs at http://127.0.0.1:8080/ through
# slirp, with no root needed. Ctrl-C stops it.
#   sh scripts/demo.sh [PARAM=VALUE ...]     (given to the image at boot)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
sh "$top/scripts/deps.sh"
cd "$top/examples/website"
mirari configure -t unix app.conf
mirari build
echo "mirari: serving examples/website/htdocs: open http://127.0.0.1:8080/ (Ctrl-C stops it)"
exec mirari run "$@"
