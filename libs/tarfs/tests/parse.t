#!/bin/sh
# The ustar parser (libs/tarfs/parse.c) from memory, built with
# AddressSanitizer and UBSan: archives of one tree made by tool/tar.lua and
# by GNU tar must give the tree back, and bad archives (made in parse.c)
# must be refused with the entry and its offset. See parse.c.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
out=$top/tests/_build/tarfs
bin=$out/parse
mkdir -p "$out"

if [ ! -x "$bin" ] || [ -n "$(find "$top/libs/tarfs" "$top/tests/unit/tap.h" \
    -name '*.[ch]' -newer "$bin" -print | head -n 1)" ]; then
	gcc -std=gnu11 -g -O1 -fno-omit-frame-pointer -Wall -Wextra -Werror \
	    -fsanitize=address,undefined -fno-sanitize-recover=all \
	    -I"$top/libs/tarfs" -I"$top/libs/tarfs/include" \
	    -I"$top/runtime/include" -I"$top/tests/unit" \
	    -o "$bin.tmp" "$top/libs/tarfs/parse.c" "$here/parse.c"
	mv "$bin.tmp" "$bin"
fi

dir=$(mktemp -d /tmp/mirari-tarfs.XXXXXX)
trap 'rm -rf "$dir"' EXIT
t=$dir/tree
long=$(printf 'd%.0s' $(seq 1 90))/$(printf 'e%.0s' $(seq 1 60))
mkdir -p "$t/css" "$t/img/icons" "$t/empty dir" "$t/$long"
printf '<h1>hello</h1>\n' >"$t/index.html"
printf 'body { color: red }\n' >"$t/css/site.css"
head -c 70000 /dev/urandom >"$t/img/photo.jpg"
head -c 512 /dev/urandom >"$t/img/icons/one block"
: >"$t/img/empty"
printf 'deep\n' >"$t/$long/$(printf 'f%.0s' $(seq 1 99))"

cd "$top"
lua5.3 - "$t" "$dir/tool.tar" <<-'LUA'
	package.path = "./?.lua;" .. package.path
	assert(require("tool.tar").write(arg[1], arg[2]))
	LUA
tar --format=ustar -cf "$dir/ustar.tar" -C "$t" .
tar --format=gnu -cf "$dir/gnu-long.tar" -C "$t" .
tar --format=pax -cf "$dir/pax.tar" -C "$t" .
# A path longer than ustar's 256 bytes, which only pax can hold.
cp -r "$t" "$dir/deep"
mkdir -p "$dir/deep/$long/$long"
printf 'deeper\n' >"$dir/deep/$long/$long/$(printf 'g%.0s' $(seq 1 30))"
tar --format=pax -cf "$dir/pax-long.tar" -C "$dir/deep" .
mkdir "$dir/sparse"
truncate -s 1M "$dir/sparse/holes"
printf 'x' | dd of="$dir/sparse/holes" bs=1 seek=500000 conv=notrunc 2>/dev/null
tar --format=pax -S -cf "$dir/sparse.tar" -C "$dir/sparse" .
"$bin" "$dir"
