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
dur=${1:-10}
conns=${2:-32}
[ "$(id -u)" = 0 ] || { echo "bench/net.sh: needs root (network namespaces, tap)" >&2; exit 2; }
if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends wrk nginx-light >&2
fi

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
inc() { ip netns exec "$nc" "$@"; }
inn() { ip netns exec "$nn" "$@"; }

# The image.
cp -r "$top/examples/http-hello/." "$work/app/" 2>/dev/null || { mkdir -p "$work/app"; cp -r "$top/examples/http-hello/." "$work/app/"; }
rm -rf "$work/app/_build"
sed -i 's/forward = { "8080:80" }/tap = "mrbtap0"/' "$work/app/app.conf"
(cd "$work/app" && "$top/bin/mirari" configure -q && "$top/bin/mirari" build >/dev/null)

# The namespaces: the client's holds the tap of http-hello (192.0.2.0/24)
# and one end of the veth to nginx's (198.51.100.0/24).
ip netns add "$nc"
ip netns add "$nn"
inc ip link set lo up
inn ip link set lo up
inc ip tuntap add dev mrbtap0 mode tap
inc ip addr add 192.0.2.1/24 dev mrbtap0
inc ip link set mrbtap0 up
inc ip link add mrbv0 type veth peer name mrbv1
inc ip link set mrbv1 netns "$nn"
inc ip addr add 198.51.100.1/24 dev mrbv0
inc ip link set mrbv0 up
inn ip addr add 198.51.100.10/24 dev mrbv1
inn ip link set mrbv1 up

# nginx: one worker, the same page, no log.
mkdir -p "$work/www" "$work/nginx"
printf '%s\n%s\n%s\n' '<!DOCTYPE html>' '<html><head><title>mirari</title></head>' \
	'<body><h1>Hello from mirari</h1></body></html>' >"$work/www/index.html"
# nginx's worker runs as nobody: it must be able to read the page.
chmod 755 "$work" "$work/www"
chmod 644 "$work/www/index.html"
cat >"$work/nginx/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
	access_log off;
	server_tokens off;
	etag off;
	keepalive_requests 1000000;
	client_body_temp_path $work/nginx/body;
	proxy_temp_path $work/nginx/proxy;
	fastcgi_temp_path $work/nginx/fastcgi;
	uwsgi_temp_path $work/nginx/uwsgi;
	scgi_temp_path $work/nginx/scgi;
	server {
		listen 198.51.100.10:80;
		root $work/www;
		default_type text/html;
	}
}
EOF
# Started directly, not through inc/inn: `ip netns exec` and taskset exec
# the server, so $! is the server's own PID (a shell function in the
# background would be a subshell, and killing it would leave the server).
ip netns exec "$nn" taskset -c 1 nginx -c "$work/nginx/nginx.conf" >"$work/nginx.out" 2>&1 &
pids="$pids $!"
ip netns exec "$nc" taskset -c 1 "$work/app/_build/http-hello" log=warn >"$work/app.log" 2>&1 &
pids="$pids $!"
i=0
until inc curl -sf --max-time 1 -o /dev/null http://192.0.2.10/ &&
	inc curl -sf --max-time 1 -o /dev/null http://198.51.100.10/; do
	i=$((i + 1))
	[ $i -lt 50 ] || { echo "bench/net.sh: the servers did not come up" >&2; cat "$work/app.log" "$work/nginx.out" >&2; exit 1; }
	sleep 0.2
done

run() { # URL
	inc taskset -c 0 timeout $((dur + 30)) wrk -t1 -c"$conns" -d"${dur}s" "$1" 2>&1
}
# The same bytes: both bodies must be the page.
[ "$(inc curl -s http://192.0.2.10/)" = "$(inc curl -s http://198.51.100.10/)" ] ||
	{ echo "bench/net.sh: the two servers do not serve the same page" >&2; exit 1; }
hh=$(run http://192.0.2.10/)
ng=$(run http://198.51.100.10/)
rate() { echo "$1" | awk '/^Requests\/sec:/ { print $2 }'; }
lat() { echo "$1" | awk '/^    Latency/ { print $2 }'; }
errs() { echo "$1" | awk '/Non-2xx|Socket errors/ { print }' | tr '\n' ' '; }
h=$(rate "$hh")
n=$(rate "$ng")
printf 'mirari net figures: wrk -t1 -c%s -d%ss keep-alive from a client namespace, servers pinned to core 1\n' "$conns" "$dur"
printf '%-40s %12s %10s\n' "server" "requests/s" "latency"
printf '%-40s %12s %10s\n' "http-hello (Unix image, lwIP, tap)" "$h" "$(lat "$hh")"
printf '%-40s %12s %10s\n' "nginx 1 worker (kernel TCP, veth)" "$n" "$(lat "$ng")"
awk -v h="$h" -v n="$n" 'BEGIN { if (n > 0) printf "%-40s %11.2fx   goal >= 1x\n", "http-hello / nginx", h / n }'
[ -z "$(errs "$hh")" ] || echo "http-hello: $(errs "$hh")"
[ -z "$(errs "$ng")" ] || echo "nginx: $(errs "$ng")"
