#!/bin/sh
# run.sh NAME [--plain]: build the unit test NAME.c with the runtime and the
# Unix backend, then run it (its TAP output is the output of this script).
#
# Sources come from the manifests, as the real build takes them. Tests are
# built with AddressSanitizer and UBSan unless --plain is given: a test of
# what the sanitizers replace (the crash handler) needs a plain build.
# Each test builds in tests/_build/unit/NAME, so prove -j can run them in
# parallel, and only when something it is built from is newer.
set -eu

name=$1
plain=${2:-}
unit=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$unit/../.." && pwd)
out=$top/tests/_build/unit/$name
bin=$out/$name

# The sources a manifest lists, as paths.
sources() {
	lua5.3 - "$1" <<-'LUA'
	for _, s in ipairs(dofile(arg[1] .. "/manifest.lua").sources) do
		print(arg[1] .. "/" .. s)
	end
	LUA
}

# A test of code outside the runtime and the Unix backend names its other
# sources, from the top, on a line of its own:
#	/* sources: backends/xen/xs_wire.c */
# They are compiled in, and their folders join the include path.
extra_srcs=''
extra_dirs=''
extra_incs=''
# shellcheck disable=SC2013 # the line holds words, not lines
for s in $(sed -n 's|^/\* sources: \(.*\) \*/$|\1|p' "$unit/$name.c"); do
	extra_srcs="$extra_srcs $top/$s"
	extra_dirs="$extra_dirs $top/${s%/*}"
	extra_incs="$extra_incs -I$top/${s%/*}"
done

# A test that includes such code into itself (to replace what it calls)
# names the folders of its headers the same way, which also makes the test
# rebuild when they change:
#	/* includes: backends/xen backends/xen/include */
# shellcheck disable=SC2013 # the line holds words, not lines
for s in $(sed -n 's|^/\* includes: \(.*\) \*/$|\1|p' "$unit/$name.c"); do
	extra_dirs="$extra_dirs $top/$s"
	extra_incs="$extra_incs -I$top/$s"
done

# shellcheck disable=SC2086 # word splitting of extra_dirs
if [ ! -x "$bin" ] || [ -n "$(find "$top/runtime" "$top/backends/unix" \
    $extra_dirs "$unit/$name.c" "$unit"/*.h "$unit/run.sh" \
    -newer "$bin" -print | head -n 1)" ]; then
	srcs="$(sources "$top/runtime") $(sources "$top/backends/unix")"
	srcs="$srcs$extra_srcs"
	mkdir -p "$out"
	if [ "$plain" = --plain ]; then
		flags="-O1"
	else
		flags="-O1 -fsanitize=address,undefined"
		flags="$flags -fno-sanitize-recover=all"
	fi
	# shellcheck disable=SC2086 # word splitting of flags and sources
	gcc -std=gnu11 -g -fno-omit-frame-pointer -Wall -Wextra -Werror $flags \
	    -I"$top/runtime/include" -I"$top/backends/unix/include" \
	    -I"$unit" -I"$top/runtime" -I"$top/backends/unix" $extra_incs \
	    -o "$bin.tmp" \
	    $srcs "$unit/$name.c"
	mv "$bin.tmp" "$bin"
fi
exec "$bin"
