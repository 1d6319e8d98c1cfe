#!/bin/sh
# A bounded soak of the tests that wait on the network, a backend or a
# ring: the Xen test group and the Unix network tests, RUNS times in a row,
# on a machine loaded on purpose (CPU hogs beside the suite's own -j2, each
# ended by timeout(1) and by this script). It prints, per test file, the
# failures out of the runs, and the load average it saw; each run's
# verbose output is kept under the log folder it names (nothing is run
# again: a failure is counted as it happened).
#
#   sh bench/soak.sh [RUNS] [TEST.t ...]       (default 20 runs, the group)
#   SOAK_HOGS=N      CPU hogs beside the tests (default 3: load above 4 on
#                    2 cores with the suite's own jobs)
#   SOAK_JOBS=N      prove -j (default 2, as scripts/check.sh)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
runs=${1:-20}
[ $# -gt 0 ] && shift
case $runs in *[!0-9]*|'') echo "usage: sh bench/soak.sh [RUNS] [TEST.t ...]" >&2; exit 2 ;; esac
if [ $# -eq 0 ]; then
	set -- tests/xen/*.t libs/tarfs/tests/xen.t
	for f in tap slirp echo http-hello badtraffic udp dhcp website lwip keepalive run; do
		[ -f "tests/unix/$f.t" ] && set -- "$@" "tests/unix/$f.t"
	done
fi
hogs=${SOAK_HOGS:-3}
jobs=${SOAK_JOBS:-2}
sh scripts/deps.sh
logs=$(mktemp -d "${TMPDIR:-/tmp}/mirari-soak.XXXXXX")
echo "soak: $runs runs of $# files, $hogs CPU hogs, prove -j$jobs; logs in $logs"

hog_pids=""
stop_hogs() {
	for p in $hog_pids; do kill "$p" 2>/dev/null || true; done
	hog_pids=""
}
trap 'stop_hogs' EXIT
trap 'stop_hogs; exit 130' INT TERM

for f in "$@"; do echo 0 >"$logs/$(echo "$f" | tr / _).fail"; done
loads=""
i=1
while [ "$i" -le "$runs" ]; do
	# Hogs for this run only, bounded by an hour whatever happens.
	n=0
	while [ "$n" -lt "$hogs" ]; do
		timeout 3600 sh -c 'while :; do :; done' &
		hog_pids="$hog_pids $!"
		n=$((n + 1))
	done
	out="$logs/run-$i.tap"
	prove -v -j"$jobs" "$@" >"$out" 2>&1 || true
	loads="$loads $(cut -d' ' -f1 /proc/loadavg)"
	stop_hogs
	for f in $(sed -n 's/^\([^ ]*\.t\) *(Wstat:.*/\1/p' "$out"); do
		c="$logs/$(echo "$f" | tr / _).fail"
		echo $(($(cat "$c") + 1)) >"$c"
	done
	echo "soak: run $i of $runs: $(tail -n 1 "$out") (load $(cut -d' ' -f1 /proc/loadavg))"
	i=$((i + 1))
done

echo "soak: load average at the end of each run:$loads"
printf '%-32s %s\n' "file" "failures/runs"
total=0
for f in "$@"; do
	n=$(cat "$logs/$(echo "$f" | tr / _).fail")
	total=$((total + n))
	printf '%-32s %d/%d\n' "$f" "$n" "$runs"
done
echo "soak: $total failures in $runs runs"
[ "$total" -eq 0 ]
