#!/bin/sh
# Fuzz every libFuzzer target of the libraries, found by the convention of
# docs/libraries.md#fuzzing (libs/NAME/fuzz/TARGET.c, its "sources:" line,
# corpus-TARGET/ and TARGET.dict), and the fuzzers of the host tool,
# config/fuzz/TARGET.lua (Lua scripts that take libFuzzer's options and
# print its statistics; an execution is one input, such as one name), and
# print per target the executions per second, the coverage reached and the
# corpus size.
#   sh bench/fuzz.sh [SECONDS]           each target SECONDS (default 60)
#   sh bench/fuzz.sh --list              the targets, as NAME/TARGET
#   sh bench/fuzz.sh --build [NAME/TARGET]
#                                        build one or all; prints
#                                        "NAME/TARGET BINARY" for each
#   sh bench/fuzz.sh --run NAME/TARGET SECONDS
#                                        build and run one, libFuzzer's
#                                        output as it comes and its exit
#                                        status (tests/fuzz.t uses this)
# Binaries go to tests/_build/fuzz/NAME-TARGET, rebuilt when a source of
# the library or a public header is newer. New inputs go to a temporary
# folder that is removed at the end; crash reproducers stay in it only if
# the run failed (the path is printed).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/tests/_build/fuzz

targets() {
	for f in "$top"/libs/*/fuzz/*.c; do
		[ -e "$f" ] || continue
		lib=${f%/fuzz/*}
		lib=${lib##*/}
		t=${f##*/}
		echo "$lib/${t%.c}"
	done
	for f in "$top"/config/fuzz/*.lua; do
		[ -e "$f" ] || continue
		t=${f##*/}
		echo "config/${t%.lua}"
	done
}

# build NAME/TARGET: print the binary's path, or fail with the compiler's
# messages on stderr.
build() {
	lib=${1%%/*}
	t=${1#*/}
	if [ "$lib" = config ]; then
		# A Lua script runs as it is, once it compiles.
		bin=$top/config/fuzz/$t.lua
		if [ ! -f "$bin" ]; then
			echo "fuzz: no target $1 ($bin)" >&2
			return 1
		fi
		F=$bin lua5.3 -e 'assert(loadfile(os.getenv("F")))' >&2 || return 1
		echo "$bin"
		return 0
	fi
	dir=$top/libs/$lib
	src=$dir/fuzz/$t.c
	bin=$out/$lib-$t
	if [ ! -f "$src" ]; then
		echo "fuzz: no target $1 ($src)" >&2
		return 1
	fi
	srcs=''
	# shellcheck disable=SC2013 # the line holds words, not lines
	for s in $(sed -n 's|^/\* sources: \(.*\) \*/$|\1|p' "$src"); do
		if [ ! -f "$dir/$s" ]; then
			echo "fuzz: $src names $s, which is not in $dir" >&2
			return 1
		fi
		srcs="$srcs $dir/$s"
	done
	mkdir -p "$out"
	if [ ! -x "$bin" ] || [ -n "$(find "$dir" "$top/runtime/include" \
	    -name '*.[ch]' -newer "$bin" -print | head -n 1)" ]; then
		# shellcheck disable=SC2086 # word splitting of srcs
		clang -std=gnu11 -g -O1 -fno-omit-frame-pointer \
		    -Wall -Wextra -Werror \
		    -fsanitize=fuzzer,address,undefined \
		    -fno-sanitize-recover=all \
		    -I"$dir" -I"$dir/include" -I"$top/runtime/include" \
		    -o "$bin.tmp" $srcs "$src" >&2
		mv "$bin.tmp" "$bin"
	fi
	echo "$bin"
}

# run NAME/TARGET SECONDS WORK: fuzz it in WORK, seeds read-only.
# (sh has no local variables: build's are set again after it.)
run() {
	bin=$(build "$1")
	lib=${1%%/*}
	t=${1#*/}
	fz=$top/libs/$lib/fuzz
	if [ "$lib" = config ]; then fz=$top/config/fuzz; fi
	work=$3
	mkdir -p "$work/corpus" "$work/artifacts"
	set -- "$bin" -max_total_time="$2" -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix="$work/artifacts/"
	if [ -f "$fz/$t.dict" ]; then set -- "$@" -dict="$fz/$t.dict"; fi
	set -- "$@" "$work/corpus"
	if [ -d "$fz/corpus-$t" ]; then set -- "$@" "$fz/corpus-$t"; fi
	(cd "$work" && "$@")
}

case ${1:-} in
--list)
	targets
	;;
--build)
	for target in ${2:-$(targets)}; do
		echo "$target $(build "$target")"
	done
	;;
--run)
	[ $# -eq 3 ] || { echo "usage: bench/fuzz.sh --run NAME/TARGET SECONDS" >&2; exit 2; }
	work=$(mktemp -d /tmp/mirari-fuzz.XXXXXX)
	status=0
	run "$2" "$3" "$work" || status=$?
	if [ "$status" -eq 0 ]; then
		rm -rf "$work"
	else
		echo "fuzz: $2 failed (status $status); inputs in $work/artifacts" >&2
	fi
	exit "$status"
	;;
-*)
	sed -n '2,/^set -eu/p' "$0" | sed '$d' >&2
	exit 2
	;;
*)
	secs=${1:-60}
	work=$(mktemp -d /tmp/mirari-fuzz.XXXXXX)
	printf 'libFuzzer, %s s per target, %s (%s cores)\n' "$secs" \
	    "$(clang --version | head -n 1)" "$(nproc)"
	printf '%-16s %10s %8s %8s %8s %9s %s\n' target "exec/s" cov ft \
	    corpus "rss MB" result
	failed=0
	for target in $(targets); do
		w=$work/${target%%/*}-${target#*/}
		mkdir -p "$w"
		status=0
		run "$target" "$secs" "$w" >"$w/log" 2>&1 || status=$?
		# The last status line: "#N DONE cov: C ft: F corp: U/Sb ..."
		line=$(grep -E '^#[0-9]+' "$w/log" | tail -n 1)
		cov=$(echo "$line" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
		ft=$(echo "$line" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
		corp=$(echo "$line" | sed -n 's/.* corp: \([0-9]*\).*/\1/p')
		eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$w/log")
		rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$w/log")
		if [ "$status" -eq 0 ]; then
			result=ok
		else
			result="FAILED (status $status, see $w/log)"
			failed=1
		fi
		printf '%-16s %10s %8s %8s %8s %9s %s\n' "$target" "${eps:--}" \
		    "${cov:--}" "${ft:--}" "${corp:--}" "${rss:--}" "$result"
	done
	if [ "$failed" -eq 0 ]; then rm -rf "$work"; fi
	exit "$failed"
	;;
esac
