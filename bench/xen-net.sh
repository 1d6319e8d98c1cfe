#!/bin/sh
# http-hello as a Xen guest against a Linux PV guest serving the same page
# with busybox httpd, side by side in one boot of the emulated Xen host:
# requests per second with wrk from dom0 over the bridge xenbr0, then the
# image size of http-hello.xen and the smallest memory= at which it serves.
#   sh bench/xen-net.sh [SECONDS] [CONNECTIONS]      (default 10 s, 8)
# Everything runs inside the emulated machine (QEMU TCG): the figures are
# far below hardware, and only their ratio means something.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/bench/lib.sh"
dur=${1:-10}
conns=${2:-8}
mirari="$top/bin/mirari"
bench_need wrk wrk curl curl
work=$(mktemp -d /tmp/mirari-bench-xnet.XXXXXX)
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/app"
cp -r "$top/examples/http-hello/." "$work/app/"
rm -rf "$work/app/_build"
(cd "$work/app" && "$mirari" configure -q -t xen && "$mirari" build >/dev/null)
xl="$work/app/_build/http-hello.xl"
strip -o "$work/stripped" "$work/app/_build/http-hello.xen"
cache=$(bench_xen_cache)

cat >"$work/dom0.sh" <<EOS
#!/bin/sh
set -u
. "$top/bench/dom0.sh"
linux_httpd "$cache" "mirari.net=1 mirari.httpd=1"
xl create -q "$xl"
wait_for /var/log/xen/console/guest-http-hello.log listening
for url in http://192.0.2.10/ http://\$lip/; do
	curl -s --max-time 10 "\$url" | grep -q "Hello from mirari" || echo "@fail \$url"
done
echo "@@ mirari"
timeout $((dur + 60)) wrk -t1 -c$conns -d${dur}s http://192.0.2.10/ 2>&1
echo "@@ linux"
timeout $((dur + 60)) wrk -t1 -c$conns -d${dur}s http://\$lip/ 2>&1
xl destroy http-hello
xl destroy linux
for mem in 2 3 4 5 6 8; do
	sed "s/^memory = .*/memory = \$mem/; s/^name = .*/name = \"mem\$mem\"/" "$xl" >/tmp/mem\$mem.xl
	xl create -q /tmp/mem\$mem.xl
	wait_for /var/log/xen/console/guest-mem\$mem.log "listening\\|exit status\\|crash"
	if curl -s --max-time 5 http://192.0.2.10/ | grep -q "Hello from mirari"; then echo "@serves \$mem"; fi
	xl destroy mem\$mem
	sleep 1
done
EOS

lua5.3 - "$top" "$work/dom0.sh" "$(stat -c %s "$work/stripped")" "$dur" "$conns" <<'EOS'
local top, script, stripped, dur, conns = arg[1], arg[2], arg[3], arg[4], arg[5]
package.path = top .. "/?.lua;" .. package.path
local xenhost = require("tool.xenhost")
local r, err = xenhost.exec(top, script, { timeout = 1200, quiet = true })
if not r or r.status ~= 0 then
  io.stderr:write("mirari: the benchmark failed: ", tostring(err or r.error or r.status), "\n",
    r and r.output or "", "\n")
  os.exit(1)
end
local rates, what, smallest = {}, nil, nil
for line in r.output:gmatch("[^\n]+") do
  what = line:match("^@@ (%w+)$") or what
  local rps = line:match("^Requests/sec:%s+([%d.]+)")
  if rps and what then rates[what] = tonumber(rps) end
  local mem = tonumber(line:match("^@serves (%d+)$"))
  if mem and not smallest then smallest = mem end
  if line:match("^@fail") then io.stderr:write("mirari: ", line, "\n") end
end
print(("mirari Xen net figures: wrk -t1 -c%s -d%ss from dom0 over xenbr0, emulated host (QEMU TCG)"):format(conns, dur))
print(("%-44s %12s"):format("server", "requests/s"))
print(("%-44s %12s"):format("http-hello (mirari PVH guest, lwIP)", rates.mirari or "?"))
print(("%-44s %12s"):format("busybox httpd (Linux PV guest, 256 MiB)", rates.linux or "?"))
if rates.mirari and rates.linux and rates.linux > 0 then
  print(("%-44s %11.2fx   goal 2x"):format("http-hello / Linux", rates.mirari / rates.linux))
end
print(("%-44s %10d B   target < 300 KB"):format("http-hello.xen stripped", tonumber(stripped)))
print(("%-44s %10s MiB"):format("smallest memory= at which it serves", smallest or "none"))
xenhost.forget(r)
EOS
