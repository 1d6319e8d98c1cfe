#!/bin/sh
# Every libFuzzer target of the libraries (libs/NAME/fuzz/TARGET.c, found
# by bench/fuzz.sh as docs/libraries.md#fuzzing says) and every fuzzer of
# the host tool (config/fuzz/TARGET.lua) builds, and runs
# FUZZ_TIME seconds (15) from its seeds without a crash, a leak, a
# sanitizer report, a slow input or too much memory. On failure the
# fuzzer's report is shown, with where the input that caused it was kept.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
secs=${FUZZ_TIME:-15}
n=0
failed=0

result() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=1
	fi
}

targets=$(sh "$top/bench/fuzz.sh" --list)
[ -n "$targets" ]
result $? "fuzzing targets found"

log=$(mktemp /tmp/mirari-fuzz-log.XXXXXX)
for t in $targets; do
	sh "$top/bench/fuzz.sh" --build "$t" >"$log" 2>&1
	status=$?
	result $status "$t: builds"
	if [ $status -ne 0 ]; then
		sed 's/^/# /' "$log"
		continue
	fi
	sh "$top/bench/fuzz.sh" --run "$t" "$secs" >"$log" 2>&1
	status=$?
	result $status "$t: $secs s of fuzzing, no crash, leak or timeout"
	if [ $status -ne 0 ]; then
		# The report from its first line (a sanitizer's ERROR, a
		# timeout's ALARM, libFuzzer's out-of-memory or deadly
		# signal), without ASan's shadow byte legend, then where the
		# input was written.
		awk '/ERROR:|ALARM:|out-of-memory|deadly signal/ { on = 1 }
		    /^Shadow bytes around/ { on = 0 }
		    on && n++ < 40' "$log" | sed 's/^/# /'
		grep -E 'Test unit written|^fuzz:' "$log" | sed 's/^/# /'
	else
		grep -E '^#[0-9]+.*DONE|^stat::average_exec_per_sec' "$log" | sed 's/^/# /'
	fi
done
rm -f "$log"
echo "1..$n"
exit $failed
