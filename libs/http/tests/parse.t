#!/bin/sh
# The HTTP request parser (libs/http/parse.c) from memory, built with
# AddressSanitizer and UBSan: tests/parse.c. Rebuilt when a source is newer.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
lib=$(cd "$here/.." && pwd)
top=$(cd "$lib/../.." && pwd)
out=$top/tests/_build/unit/http-parse
bin=$out/parse
if [ ! -x "$bin" ] || [ -n "$(find "$lib"/*.c "$lib"/*.h "$here/parse.c" \
    "$here/parse.t" "$top/tests/unit/tap.h" -newer "$bin" -print | head -n 1)" ]; then
	mkdir -p "$out"
	gcc -std=gnu11 -g -O1 -fno-omit-frame-pointer -Wall -Wextra -Werror \
	    -fsanitize=address,undefined -fno-sanitize-recover=all \
	    -I"$lib" -I"$top/tests/unit" -o "$bin.tmp" \
	    "$here/parse.c" "$lib/parse.c" "$lib/mime.c"
	mv "$bin.tmp" "$bin"
fi
exec "$bin"
