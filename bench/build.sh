#!/bin/sh
# How fast mirari configures and builds hello on Unix, and how big the
# image is, against the targets of the foundation issue. Prints a table.
#   sh bench/build.sh [RUNS]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-20}
mirari="$top/bin/mirari"
work=$(mktemp -d /tmp/mirari-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
cp -r "$top/examples/hello/." "$work/"
rm -rf "$work/_build"
cd "$work"

now() { date +%s%N; }
# mean wall time in ms of running "$@" $runs times
mean_ms() {
	n=$1; shift
	t0=$(now)
	i=0
	while [ $i -lt "$n" ]; do "$@" >/dev/null; i=$((i + 1)); done
	t1=$(now)
	awk -v a="$t0" -v b="$t1" -v n="$n" 'BEGIN { printf "%.1f", (b - a) / n / 1e6 }'
}

configure() { rm -rf _build; "$mirari" configure -q -t unix app.conf; }
clean_build() { rm -rf _build/obj _build/lib _build/hello _build/.ninja_log _build/.ninja_deps; "$mirari" build; }

cfg=$(mean_ms "$runs" configure)
build=$(mean_ms 3 clean_build)
noop=$(mean_ms "$runs" "$mirari" build)
ninja_noop=$(mean_ms "$runs" ninja -C _build)
size=$(stat -c %s _build/hello)
strip -o hello.stripped _build/hello
ssize=$(stat -c %s hello.stripped)
text=$(size _build/hello | awk 'NR==2 {print $1 + $2 + $3}')

printf 'mirari build figures: examples/hello, target unix, %s cores (%s)\n' "$(nproc)" "$(gcc -dumpfullversion)"
printf '%-34s %10s   %s\n' "step" "measured" "target"
printf '%-34s %7s ms   %s\n' "mirari configure (mean of $runs)" "$cfg" "< 100 ms"
printf '%-34s %7s ms   %s\n' "clean mirari build (mean of 3)" "$build" "< 2000 ms"
printf '%-34s %7s ms   %s\n' "no-op mirari build (mean of $runs)" "$noop" "< 100 ms"
printf '%-34s %7s ms   %s\n' "  of which ninja itself" "$ninja_noop" ""
printf '%-34s %7s B\n' "image _build/hello" "$size"
printf '%-34s %7s B\n' "image stripped" "$ssize"
printf '%-34s %7s B\n' "text+data+bss" "$text"
