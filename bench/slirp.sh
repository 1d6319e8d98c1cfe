#!/bin/sh
# http-hello over slirp against nginx, side by side in one run: requests
# per second measured with wrk (keep-alive) from 127.0.0.1, each server
# pinned to one core and wrk to the other:
#   http-hello  (Unix image, lwIP, slirp) behind its forward of 127.0.0.1
#   nginx       (Debian, one worker) listening on 127.0.0.1 itself
# serving the same page. slirp is the path a newcomer gets without root:
# every byte crosses the kernel's loopback, libslirp's own TCP and lwIP,
# so it is not expected to match nginx; the figure says by how much. Needs
# no root; installs wrk and nginx-light when they are missing and root can
# (no service is started). Both listen on free ports of 127.0.0.1 only.
#   sh bench/slirp.sh [SECONDS] [CONNECTIONS]      (default 10 s, 32)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
dur=${1:-10}
conns=${2:-32}
if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null; then
	[ "$(id -u)" = 0 ] || { echo "bench/slirp.sh: needs wrk and nginx-light" >&2; exit 2; }
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends wrk nginx-light >&2
fi

work=$(mktemp -d /tmp/mirari-bench-slirp.XXXXXX)
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT INT TERM
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
hport=$(free_port)
nport=$(free_port)
[ "$hport" != "$nport" ] || nport=$(free_port)

# The image, as examples/http-hello is: slirp, its forward given at boot.
mkdir -p "$work/app"
cp -r "$top/examples/http-hello/." "$work/app/"
rm -rf "$work/app/_build"
(cd "$work/app" && "$top/bin/mirari" configure -q && "$top/bin/mirari" build >/dev/null)

# nginx: one worker, the same page, no log.
mkdir -p "$work/www" "$work/nginx"
printf '%s\n%s\n%s\n' '<!DOCTYPE html>' '<html><head><title>mirari</title></head>' \
	'<body><h1>Hello from mirari</h1></body></html>' >"$work/www/index.html"
# nginx's worker may run as nobody: it must be able to read the page.
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
		listen 127.0.0.1:$nport;
		root $work/www;
		default_type text/html;
	}
}
EOF
# taskset execs the server, so $! is the server's own PID.
taskset -c 1 nginx -c "$work/nginx/nginx.conf" >"$work/nginx.out" 2>&1 &
pids="$pids $!"
taskset -c 1 "$work/app/_build/http-hello" log=warn "net0.forward=$hport:80" >"$work/app.log" 2>&1 &
pids="$pids $!"
i=0
until curl -sf --max-time 1 -o /dev/null "http://127.0.0.1:$hport/" &&
	curl -sf --max-time 1 -o /dev/null "http://127.0.0.1:$nport/"; do
	i=$((i + 1))
	[ $i -lt 50 ] || { echo "bench/slirp.sh: the servers did not come up" >&2; cat "$work/app.log" "$work/nginx.out" >&2; exit 1; }
	sleep 0.2
done

run() { # URL
	taskset -c 0 timeout $((dur + 30)) wrk -t1 -c"$conns" -d"${dur}s" "$1" 2>&1
}
[ "$(curl -s "http://127.0.0.1:$hport/")" = "$(curl -s "http://127.0.0.1:$nport/")" ] ||
	{ echo "bench/slirp.sh: the two servers do not serve the same page" >&2; exit 1; }
hh=$(run "http://127.0.0.1:$hport/")
ng=$(run "http://127.0.0.1:$nport/")
rate() { echo "$1" | awk '/^Requests\/sec:/ { print $2 }'; }
lat() { echo "$1" | awk '/^    Latency/ { print $2 }'; }
errs() { echo "$1" | awk '/Non-2xx|Socket errors/ { print }' | tr '\n' ' '; }
h=$(rate "$hh")
n=$(rate "$ng")
printf 'mirari slirp figures: wrk -t1 -c%s -d%ss keep-alive from 127.0.0.1 (core 0), servers pinned to core 1\n' "$conns" "$dur"
printf '%-40s %12s %10s\n' "server" "requests/s" "latency"
printf '%-40s %12s %10s\n' "http-hello (Unix image, lwIP, slirp)" "$h" "$(lat "$hh")"
printf '%-40s %12s %10s\n' "nginx 1 worker (kernel TCP, loopback)" "$n" "$(lat "$ng")"
awk -v h="$h" -v n="$n" 'BEGIN { if (n > 0) printf "%-40s %11.2fx\n", "http-hello over slirp / nginx", h / n }'
[ -z "$(errs "$hh")" ] || echo "http-hello: $(errs "$hh")"
[ -z "$(errs "$ng")" ] || echo "nginx: $(errs "$ng")"
[ -z "${BENCH_VERBOSE:-}" ] || printf "%s\n%s\n" "$hh" "$ng"
