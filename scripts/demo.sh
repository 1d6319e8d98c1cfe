#!/bin/sh
# The README's first command: install what is missing, then configure,
# build and run the hello example as a Unix process.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
sh "$top/scripts/deps.sh"
cd "$top/examples/hello"
mirari configure -t unix app.conf
mirari build
mirari run
