# bench/lib.sh: what the network benchmarks share, sourced by them.
# Each benchmark makes its own namespaces and work directory and removes
# them on exit; nothing here touches the machine's own network.

# bench_root NAME: stop unless root (namespaces, taps).
bench_root() {
	[ "$(id -u)" = 0 ] || { echo "bench/$1: needs root (network namespaces, tap)" >&2; exit 2; }
}

# bench_need COMMAND PACKAGE ...: install the Debian packages of the
# commands that are missing (no service is started).
bench_need() {
	_missing=""
	while [ $# -ge 2 ]; do
		command -v "$1" >/dev/null || _missing="$_missing $2"
		shift 2
	done
	[ -z "$_missing" ] ||
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $_missing >&2
}

# bench_netns CLIENT SERVER TAP: namespace CLIENT holds the tap TAP at
# 192.0.2.1/24 (the image's link) and a veth at 198.51.100.1/24 to
# namespace SERVER, where the kernel's server listens on 198.51.100.10.
bench_netns() {
	ip netns add "$1"
	ip netns add "$2"
	ip netns exec "$1" ip link set lo up
	ip netns exec "$2" ip link set lo up
	ip netns exec "$1" ip tuntap add dev "$3" mode tap
	ip netns exec "$1" ip addr add 192.0.2.1/24 dev "$3"
	ip netns exec "$1" ip link set "$3" up
	ip netns exec "$1" ip link add "$3v0" type veth peer name "$3v1"
	ip netns exec "$1" ip link set "$3v1" netns "$2"
	ip netns exec "$1" ip addr add 198.51.100.1/24 dev "$3v0"
	ip netns exec "$1" ip link set "$3v0" up
	ip netns exec "$2" ip addr add 198.51.100.10/24 dev "$3v1"
	ip netns exec "$2" ip link set "$3v1" up
}

# bench_nginx DIR ROOT [DIRECTIVES]: write DIR/nginx.conf for one worker
# serving ROOT on 198.51.100.10:80 with no access log, plus DIRECTIVES
# in its http block. Its worker runs as nobody: ROOT must be readable.
bench_nginx() {
	mkdir -p "$1"
	cat >"$1/nginx.conf" <<EOC
worker_processes 1;
daemon off;
pid $1/nginx.pid;
error_log $1/error.log;
events { worker_connections 1024; }
http {
	access_log off;
	server_tokens off;
	keepalive_requests 1000000;
	client_body_temp_path $1/body;
	proxy_temp_path $1/proxy;
	fastcgi_temp_path $1/fastcgi;
	uwsgi_temp_path $1/uwsgi;
	scgi_temp_path $1/scgi;
	${3:-}
	server {
		listen 198.51.100.10:80;
		root $2;
		default_type text/html;
	}
}
EOC
}

# bench_wait NS URL...: wait until every URL answers from namespace NS.
bench_wait() {
	_ns=$1
	shift
	_i=0
	for _u in "$@"; do
		until ip netns exec "$_ns" curl -sf --max-time 1 -o /dev/null "$_u"; do
			_i=$((_i + 1))
			[ $_i -lt 50 ] || { echo "bench: $_u did not come up" >&2; return 1; }
			sleep 0.2
		done
	done
}

# bench_wrk NS CONNECTIONS SECONDS URL: wrk's report, from NS on core 0.
bench_wrk() {
	ip netns exec "$1" taskset -c 0 timeout $(($3 + 30)) wrk -t1 -c"$2" -d"$3s" "$4" 2>&1
}

# Figures out of a wrk report.
bench_rate() { echo "$1" | awk '/^Requests\/sec:/ { print $2 }'; }
bench_lat() { echo "$1" | awk '/^    Latency/ { print $2 }'; }
bench_errs() { echo "$1" | awk '/Non-2xx|Socket errors/ { print }' | tr '\n' ' '; }
bench_ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "?" }'; }

# bench_xen_cache: prepare the emulated Xen host in the cache (the first
# time, a few minutes) and print where it is.
bench_xen_cache() {
	_cache=$(lua5.3 -e "package.path='$top/?.lua;'..package.path print(require('tool.xenhost').host_dir())")
	sh "$top/build/xenhost/prepare.sh" "$_cache" >&2
	echo "$_cache"
}
