#!/bin/sh
# examples/website against the usual servers of the same directory, side
# by side in one run, for a 612-byte page and a 1 MiB file, with wrk
# (keep-alive):
#   Unix: the website image (lwIP behind a tap) against nginx (Debian, one
#         worker, sendfile) in a namespace behind a veth, both pinned to
#         one core, wrk from a client namespace on the other;
#   Xen:  website.xen against a Linux PV guest serving the same tar image
#         with busybox httpd, wrk from dom0 of the emulated host;
# then the size of website.xen and the smallest memory= at which it serves.
# Needs root; installs wrk and nginx-light when missing.
#   sh bench/website.sh [SECONDS] [CONNECTIONS] [unix|xen|all]
#                                      (default 10 s, 32 connections, all;
#                                       8 connections suit the emulated host)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/bench/lib.sh"
dur=${1:-10}
conns=${2:-32}
which=${3:-all}
mirari="$top/bin/mirari"
bench_root website.sh
bench_need wrk wrk nginx nginx-light curl curl

work=$(mktemp -d /tmp/mirari-bench-web.XXXXXX)
nc=mrwc$$
nn=mrwn$$
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	ip netns del "$nc" 2>/dev/null || true
	ip netns del "$nn" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

# The site: examples/website's htdocs and a 1 MiB file.
mkdir -p "$work/app"
cp -r "$top/examples/website/." "$work/app/"
rm -rf "$work/app/_build"
head -c 1048576 /dev/urandom >"$work/app/htdocs/big.bin"
chmod 755 "$work" "$work/app"
chmod -R a+rX "$work/app/htdocs"
small=/index.html
big=/big.bin

unix() {
	(cd "$work/app" && "$mirari" configure -q -t unix && "$mirari" build >/dev/null)
	bench_netns "$nc" "$nn" mrwtap0
	bench_nginx "$work/nginx" "$work/app/htdocs" "sendfile on; tcp_nopush on;"
	ip netns exec "$nn" taskset -c 1 nginx -c "$work/nginx/nginx.conf" >"$work/nginx.out" 2>&1 &
	pids="$pids $!"
	ip netns exec "$nc" taskset -c 1 "$work/app/_build/website" log=warn \
		net0.tap=mrwtap0 net0.forward= >"$work/app.log" 2>&1 &
	pids="$pids $!"
	bench_wait "$nc" http://192.0.2.10/ http://198.51.100.10/ ||
		{ cat "$work/app.log" "$work/nginx.out" >&2; exit 1; }
	for p in $small $big; do
		ip netns exec "$nc" curl -s "http://192.0.2.10$p" | cmp -s - "$work/app/htdocs$p" ||
			{ echo "bench/website.sh: the image serves $p wrong" >&2; exit 1; }
		ip netns exec "$nc" curl -s "http://198.51.100.10$p" | cmp -s - "$work/app/htdocs$p" ||
			{ echo "bench/website.sh: nginx serves $p wrong" >&2; exit 1; }
	done
	ms=$(bench_wrk "$nc" "$conns" "$dur" "http://192.0.2.10$small")
	ns=$(bench_wrk "$nc" "$conns" "$dur" "http://198.51.100.10$small")
	mb=$(bench_wrk "$nc" "$conns" "$dur" "http://192.0.2.10$big")
	nb=$(bench_wrk "$nc" "$conns" "$dur" "http://198.51.100.10$big")
	printf 'mirari website figures, Unix: wrk -t1 -c%s -d%ss keep-alive from a client namespace, servers pinned to core 1\n' "$conns" "$dur"
	printf '%-44s %12s %12s\n' "server" "612 B req/s" "1 MiB req/s"
	printf '%-44s %12s %12s\n' "website (Unix image, lwIP, tap)" "$(bench_rate "$ms")" "$(bench_rate "$mb")"
	printf '%-44s %12s %12s\n' "nginx 1 worker (kernel TCP, veth, sendfile)" "$(bench_rate "$ns")" "$(bench_rate "$nb")"
	printf '%-44s %12s %12s   goal >= 1x for the page\n' "website / nginx" \
		"$(bench_ratio "$(bench_rate "$ms")" "$(bench_rate "$ns")")" \
		"$(bench_ratio "$(bench_rate "$mb")" "$(bench_rate "$nb")")"
	[ -z "$(bench_errs "$ms")" ] || echo "website, 612 B: $(bench_errs "$ms")"
	[ -z "$(bench_errs "$mb")" ] || echo "website, 1 MiB: $(bench_errs "$mb")"
	[ -z "$(bench_errs "$ns")" ] || echo "nginx, 612 B: $(bench_errs "$ns")"
	[ -z "$(bench_errs "$nb")" ] || echo "nginx, 1 MiB: $(bench_errs "$nb")"
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	pids=""
}

xen() {
	(cd "$work/app" && "$mirari" configure -q -t xen && "$mirari" build >/dev/null)
	xl="$work/app/_build/website.xl"
	image="$work/app/_build/images/site.tar"
	strip -o "$work/stripped" "$work/app/_build/website.xen"
	cache=$(bench_xen_cache)
	cat >"$work/dom0.sh" <<EOS
#!/bin/sh
set -u
. "$top/bench/dom0.sh"
linux_httpd "$cache" "mirari.net=1 mirari.disk=1 mirari.httpd=disk" "$image"
xl create -q "$xl" 'extra="log=warn"'
i=0; until curl -sf --max-time 1 -o /dev/null http://192.0.2.10/ || [ \$i -gt 300 ]; do sleep 0.2; i=\$((i + 1)); done
for p in $small $big; do
	curl -s --max-time 30 "http://192.0.2.10\$p" | cmp -s - "$work/app/htdocs\$p" || echo "@fail mirari \$p"
	curl -s --max-time 30 "http://\$lip\$p" | cmp -s - "$work/app/htdocs\$p" || echo "@fail linux \$p"
done
for p in $small $big; do
	echo "@@ mirari \$p"
	timeout $((dur + 60)) wrk -t1 -c$conns -d${dur}s "http://192.0.2.10\$p" 2>&1
	echo "@@ linux \$p"
	timeout $((dur + 60)) wrk -t1 -c$conns -d${dur}s "http://\$lip\$p" 2>&1
done
xl destroy website
xl destroy linux
for mem in 2 3 4 5 6 8; do
	sed "s/^memory = .*/memory = \$mem/; s/^name = .*/name = \"mem\$mem\"/" "$xl" >/tmp/mem\$mem.xl
	xl create -q /tmp/mem\$mem.xl
	i=0; until curl -sf --max-time 1 -o /dev/null http://192.0.2.10/ || [ \$i -gt 100 ]; do sleep 0.2; i=\$((i + 1)); done
	if curl -s --max-time 5 http://192.0.2.10/ | cmp -s - "$work/app/htdocs/index.html"; then echo "@serves \$mem"; fi
	xl destroy mem\$mem
	sleep 1
done
EOS
	lua5.3 - "$top" "$work/dom0.sh" "$(stat -c %s "$work/stripped")" "$dur" "$conns" <<'EOS'
local top, script, stripped, dur, conns = arg[1], arg[2], arg[3], arg[4], arg[5]
package.path = top .. "/?.lua;" .. package.path
local xenhost = require("tool.xenhost")
local r, err = xenhost.exec(top, script, { timeout = 1800, quiet = true })
if not r or r.status ~= 0 then
  io.stderr:write("mirari: the benchmark failed: ", tostring(err or r.error or r.status), "\n",
    r and r.output or "", "\n")
  os.exit(1)
end
local rates, what, smallest = {}, nil, nil
for line in r.output:gmatch("[^\n]+") do
  local w = line:match("^@@ (%w+ %S+)$")
  what = w or what
  local rps = line:match("^Requests/sec:%s+([%d.]+)")
  if rps and what then rates[what] = tonumber(rps) end
  local mem = tonumber(line:match("^@serves (%d+)$"))
  if mem and not smallest then smallest = mem end
  if line:match("^@fail") then io.stderr:write("mirari: ", line, "\n") end
end
local function ratio(a, b)
  return (a and b and b > 0) and ("%.2fx"):format(a / b) or "?"
end
print(("mirari website figures, Xen: wrk -t1 -c%s -d%ss from dom0 over xenbr0, emulated host (QEMU TCG)"):format(conns, dur))
print(("%-44s %12s %12s"):format("server", "612 B req/s", "1 MiB req/s"))
print(("%-44s %12s %12s"):format("website (mirari PVH guest)", rates["mirari /index.html"] or "?", rates["mirari /big.bin"] or "?"))
print(("%-44s %12s %12s"):format("busybox httpd (Linux PV guest, 256 MiB)", rates["linux /index.html"] or "?", rates["linux /big.bin"] or "?"))
print(("%-44s %12s %12s   goal 2x"):format("website / Linux",
  ratio(rates["mirari /index.html"], rates["linux /index.html"]), ratio(rates["mirari /big.bin"], rates["linux /big.bin"])))
print(("%-44s %10d B"):format("website.xen stripped", tonumber(stripped)))
print(("%-44s %10s MiB"):format("smallest memory= at which it serves", smallest or "none"))
xenhost.forget(r)
EOS
}

case $which in
unix) unix ;;
xen) xen ;;
all) unix; xen ;;
*) echo "usage: sh bench/website.sh [SECONDS] [CONNECTIONS] [unix|xen|all]" >&2; exit 2 ;;
esac
