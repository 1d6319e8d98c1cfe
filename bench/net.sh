#!/bin/sh
# http-hello against nginx, side by side in one run: requests per second
# measured with wrk (keep-alive) from a client network namespace, each
# server one hop away over a virtual link and pinned to one core:
#   http-hello  (Unix image, lwIP) behind a tap device
#   nginx       (Debian, one worker) in its own namespace behind a veth pair
# serving the same page. Needs root; installs wrk and nginx-light when they
# are missing (no service is started). Everything lives in namespaces this
# script makes and removes; nothing touches the machine's own network.
#   sh bench/net.sh [SECONDS] [CONNECTIONS]      (default 10 s, 32)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/bench/lib.sh"
dur=${1:-10}
conns=${2:-32}
bench_root net.sh
bench_need wrk wrk nginx nginx-light curl curl

work=$(mktemp -d /tmp/mirari-bench-net.XXXXXX)
nc=mrbc$$
nn=mrbn$$
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	ip netns del "$nc" 2>/dev/null || true
	ip netns del "$nn" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

# The image, on the tap mrbtap0 given at boot instead of slirp.
mkdir -p "$work/app"
cp -r "$top/examples/http-hello/." "$work/app/"
rm -rf "$work/app/_build"
(cd "$work/app" && "$top/bin/mirari" configure -q && "$top/bin/mirari" build >/dev/null)

# The namespaces: the client's holds the tap of http-hello (192.0.2.0/24)
# and one end of the veth to nginx's (198.51.100.0/24).
bench_netns "$nc" "$nn" mrbtap0

# nginx: one worker, the same page, no log, no ETag (neither has one).
mkdir -p "$work/www"
printf '%s\n%s\n%s\n' '<!DOCTYPE html>' '<html><head><title>mirari</title></head>' \
	'<body><h1>Hello from mirari</h1></body></html>' >"$work/www/index.html"
chmod 755 "$work" "$work/www"
chmod 644 "$work/www/index.html"
bench_nginx "$work/nginx" "$work/www" "etag off;"
# Started directly, not through a shell function: `ip netns exec` and
# taskset exec the server, so $! is the server's own PID.
ip netns exec "$nn" taskset -c 1 nginx -c "$work/nginx/nginx.conf" >"$work/nginx.out" 2>&1 &
pids="$pids $!"
ip netns exec "$nc" taskset -c 1 "$work/app/_build/http-hello" log=warn \
	net0.tap=mrbtap0 net0.forward= >"$work/app.log" 2>&1 &
pids="$pids $!"
bench_wait "$nc" http://192.0.2.10/ http://198.51.100.10/ ||
	{ cat "$work/app.log" "$work/nginx.out" >&2; exit 1; }

# The same bytes: both bodies must be the page.
[ "$(ip netns exec "$nc" curl -s http://192.0.2.10/)" = "$(ip netns exec "$nc" curl -s http://198.51.100.10/)" ] ||
	{ echo "bench/net.sh: the two servers do not serve the same page" >&2; exit 1; }
hh=$(bench_wrk "$nc" "$conns" "$dur" http://192.0.2.10/)
ng=$(bench_wrk "$nc" "$conns" "$dur" http://198.51.100.10/)
h=$(bench_rate "$hh")
n=$(bench_rate "$ng")
printf 'mirari net figures: wrk -t1 -c%s -d%ss keep-alive from a client namespace, servers pinned to core 1\n' "$conns" "$dur"
printf '%-40s %12s %10s\n' "server" "requests/s" "latency"
printf '%-40s %12s %10s\n' "http-hello (Unix image, lwIP, tap)" "$h" "$(bench_lat "$hh")"
printf '%-40s %12s %10s\n' "nginx 1 worker (kernel TCP, veth)" "$n" "$(bench_lat "$ng")"
printf '%-40s %12s   goal >= 1x\n' "http-hello / nginx" "$(bench_ratio "$h" "$n")"
[ -z "$(bench_errs "$hh")" ] || echo "http-hello: $(bench_errs "$hh")"
[ -z "$(bench_errs "$ng")" ] || echo "nginx: $(bench_errs "$ng")"
