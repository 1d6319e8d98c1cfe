#!/usr/bin/env lua5.3
-- netfront: net devices on Xen. examples/echo (lwIP's TCP echo server on
-- net0, 192.0.2.10/24) builds for xen with a vif line in its xl config;
-- under real Xen (the emulated host, booted once) the guest connects its
-- vif to netback in dom0, which is bridged on xenbr0 (192.0.2.1/24), and
-- clients in dom0 get their lines echoed back, over one connection and
-- over 100 at once; `xl shutdown` ends it with its vif closed on both
-- sides. examples/http-hello with ipv4 = "dhcp" gets its address from
-- dom0's DHCP server on the bridge and answers curl with keep-alive.
package.path = (arg[0]:match("^(.*)/[^/]*$") or ".") .. "/../lib/?.lua;" .. package.path
local t = require("tap")
package.path = t.root .. "/?.lua;" .. package.path
local xenhost = require("tool.xenhost")
local m, q = t.quote(t.mirari), t.quote

-- lwIP in the cache beforehand, as tests/xen/lwip.t does.
local _, fetched, fcode = t.dep_in_cache("lwip")
if fcode then t.is(fcode, 0, "lwIP fetched into the cache", fetched) end

local CONCURRENT = 100

local work = t.tmpdir()
local app = work .. "/echo"
t.copy_app("examples/echo", app)
local hello = work .. "/http-hello"
t.copy_app("examples/http-hello", hello)
local conf = t.read(hello .. "/app.conf")
conf = conf:match('ipv4 = "[^"]*"') and conf:gsub('ipv4 = "[^"]*"', 'ipv4 = "dhcp"')
  or conf:gsub('kind = "net"', 'kind = "net", ipv4 = "dhcp"')
t.write(hello .. "/app.conf", conf)

-- The xl config --------------------------------------------------------------
local out, code = t.run(app, m .. " configure -q -t xen")
t.is(code, 0, "echo (one net device) configures for xen", out)
local xl = t.read(app .. "/_build/echo.xl") or ""
t.has(xl, "vif = [ 'bridge=xenbr0' ]\n", "its xl config gives the guest a vif on xenbr0")
out, code = t.run(app, m .. " build")
t.is(code, 0, "echo builds for xen", out)
t.ok(not out:find("warning:", 1, true), "netfront compiles without warnings", out)
out, code = t.run(hello, m .. " configure -q -t xen && " .. m .. " build")
t.is(code, 0, "http-hello with ipv4 = \"dhcp\" builds for xen", out)

-- One boot -------------------------------------------------------------------
local client = work .. "/client.py"
t.write(client, [[
import socket, sys, threading, time
ADDR = ("192.0.2.10", 7)

def connect():
    # The first connection may wait for ARP and the bridge's learning.
    end = time.time() + 20
    while True:
        try:
            return socket.create_connection(ADDR, timeout=10)
        except OSError as e:
            if time.time() > end:
                raise
            time.sleep(0.5)

def exchange(s, data):
    s.sendall(data)
    got = b""
    while len(got) < len(data):
        chunk = s.recv(65536)
        if not chunk:
            break
        got += chunk
    return got

try:
    s = connect()
    s.settimeout(10)
    ok = 0
    for i in range(5):
        line = ("line %d from dom0\n" % i).encode()
        if exchange(s, line) == line:
            ok += 1
    print("single: %d/5 lines echoed" % ok)
    big = bytes(range(256)) * 64     # 16 KB, more than one segment
    print("bulk: %s" % ("echoed" if exchange(s, big) == big else "corrupt"))
    s.close()
except Exception as e:
    print("single: failed: %r" % e)

results = {}
def worker(n):
    try:
        c = connect()
        c.settimeout(10)
        good = 0
        for i in range(3):
            line = ("conn %d line %d\n" % (n, i)).encode()
            if exchange(c, line) == line:
                good += 1
        c.close()
        results[n] = good
    except Exception as e:
        results[n] = repr(e)

N = int(sys.argv[1])
threads = [threading.Thread(target=worker, args=(n,)) for n in range(N)]
for th in threads:
    th.start()
for th in threads:
    th.join(60)
good = sum(1 for v in results.values() if v == 3)
print("concurrent: %d/%d connections echoed all lines" % (good, N))
for n in sorted(results):
    if results[n] != 3:
        print("concurrent %d: %r" % (n, results[n]))
]])
-- The same image with no vif: its device check must say what is missing.
t.write(work .. "/novif.xl", (t.read(app .. "/_build/echo.xl") or ""):gsub("\nvif = [^\n]*", ""))
local script = work .. "/dom0.sh"
t.write(script, ([[
#!/bin/sh
. %s
log=/var/log/xen/console/guest-echo.log
rm -f "$log"
echo '@@@ create'
xl create -q %s 'on_crash="preserve"' 2>&1
i=0; until grep -q listening "$log" 2>/dev/null || [ $i -gt 600 ]; do sleep 0.1; i=$((i+1)); done
grep -q listening "$log" && echo "guest listening"
echo '@@@ client'
timeout 150 python3 %s %d 2>&1
echo '@@@ second'
# The same image again, at the address of a boot parameter.
xl create -q %s 'name="echo2"' 'extra="net0.ipv4=192.0.2.31/24"' 2>&1
i=0; until grep -q listening /var/log/xen/console/guest-echo2.log 2>/dev/null || [ $i -gt 600 ]; do sleep 0.1; i=$((i+1)); done
timeout 60 python3 -c '
import socket, time
for host in ("192.0.2.31", "192.0.2.10"):
    end = time.time() + 20
    while True:
        try:
            s = socket.create_connection((host, 7), timeout=5)
            break
        except OSError:
            if time.time() > end: raise
            time.sleep(0.5)
    s.sendall(b"which\n")
    print(host, "echoes", s.recv(100) == b"which\n")
    s.close()
' 2>&1
grep "net0: address" /var/log/xen/console/guest-echo2.log
xl destroy echo2 2>&1
echo '@@@ shutdown'
domid=$(xl domid echo)
t0=$(date +%%s%%N)
timeout 60 xl shutdown -w echo >/dev/null 2>&1 && echo "xl shutdown returned"
echo "shutdown_ms=$(( ($(date +%%s%%N) - t0) / 1000000 ))"
# xl shutdown -w returns once the domain has shut down; the toolstack
# then destroys it and removes its devices.
i=0; while xl list echo >/dev/null 2>&1 && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
xl list echo >/dev/null 2>&1 || echo "domain gone"
i=0; while xenstore-exists /local/domain/0/backend/vif/$domid 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
xenstore-exists /local/domain/0/backend/vif/$domid 2>/dev/null || echo "backend entries gone"
ip -o link show | grep -q "vif$domid\." || echo "vif$domid.0 gone"
echo '@@@ console'
mirari_console_settled
cat "$log"
echo
echo '@@@ dhcp'
hlog=/var/log/xen/console/guest-http-hello.log
rm -f "$hlog"
xl create -q %s 2>&1
i=0; until grep -q "net0: address" "$hlog" 2>/dev/null || [ $i -gt 600 ]; do sleep 0.1; i=$((i+1)); done
addr=$(sed -n 's/.*net0: address \([0-9.]*\).*/\1/p' "$hlog" | head -n 1)
echo "address=$addr"
# udhcpd writes its lease file on SIGUSR1, when it next gets to it.
kill -USR1 "$(cat /run/mirari/udhcpd.pid)"
i=0; until [ -z "$addr" ] || /run/mirari/busybox dumpleases -a -f /run/mirari/udhcpd.leases 2>/dev/null | grep -q " $addr " || [ $i -gt 100 ]; do sleep 0.1; i=$((i+1)); done
[ -n "$addr" ] && /run/mirari/busybox dumpleases -a -f /run/mirari/udhcpd.leases | grep -q " $addr " && echo "lease in dom0's udhcpd"
curl -sv --max-time 20 "http://$addr/" "http://$addr/again" "http://$addr/third" 2>&1
echo
echo '@@@ dhcpconsole'
cat "$hlog"
xl destroy http-hello 2>&1
echo '@@@ novif'
mirari_run_guest %s novif "" 60
echo '@@@ end'
]]):format(q(t.root .. "/build/xenhost/run-guest.sh"), q(app .. "/_build/echo.xl"), q(client), CONCURRENT,
  q(app .. "/_build/echo.xl"), q(hello .. "/_build/http-hello.xl"), q(work .. "/novif.xl")))
local r, err = xenhost.exec(t.root, script, { timeout = 400 })
t.ok(r ~= nil and r.status == 0, "the dom0 script ran", r and (r.error or r.output) or err)
out = r and r.output or ""
local section = t.sections(out)
local console = section.console or ""
local client_out = section.client or ""
t.has(section.create or "", "guest listening", "the guest came up and listens", out)
t.has(console, "net0: device/vif/0 connected to /local/domain/0/backend/vif/", "netfront connected to netback")
t.has(console, "net0: address 192.0.2.10", "lwIP has the address of app.conf")
t.has(client_out, "single: 5/5 lines echoed\n", "five lines over one connection come back", out)
t.has(client_out, "bulk: echoed\n", "16 KB over one connection come back intact")
t.has(client_out, ("concurrent: %d/%d connections echoed all lines\n"):format(CONCURRENT, CONCURRENT),
  CONCURRENT .. " connections at once are each echoed")
local second = section.second or ""
t.has(second, "192.0.2.31 echoes True", "a second instance with extra=\"net0.ipv4=192.0.2.31/24\" answers there", second)
t.has(second, "192.0.2.10 echoes True", "while the first still answers at app.conf's address")
t.has(second, "net0: address 192.0.2.31", "its lwIP has the address of the boot parameter")
local shut = section.shutdown or ""
t.has(shut, "xl shutdown returned", "xl shutdown -w ends the guest", shut)
t.has(console, "shutdown requested: poweroff", "the guest saw the request")
t.has(console, "net0: device/vif/0 closed", "netfront closed its vif with netback before the domain ended")
t.has(shut, "domain gone", "the domain is gone")
t.has(shut, "backend entries gone", "netback's xenstore entries for it are gone")
t.ok(shut:find("vif%d+%.0 gone") ~= nil, "its vif interface is gone from dom0", shut)
local dhcp = section.dhcp or ""
local addr = dhcp:match("address=(192%.0%.2%.%d+)")
t.ok(addr ~= nil, "http-hello got an address on xenbr0 by DHCP", section.dhcpconsole)
t.ok(addr ~= "192.0.2.10" and (tonumber(addr and addr:match("%d+$")) or 0) >= 100,
  "from dom0's udhcpd pool, not a static address", addr)
t.has(dhcp, "lease in dom0's udhcpd", "dom0's udhcpd holds its lease")
local _, pages = dhcp:gsub("Hello from mirari", "")
t.is(pages, 3, "curl from dom0 gets the page three times", dhcp)
t.has(dhcp, "Re-using existing connection", "over one keep-alive connection")
t.ok(not console:find("crash", 1, true) and not console:find("panic", 1, true),
  "the guest neither crashed nor panicked", console)
local novif = section.novif or ""
t.has(novif, "mirari: device net0 (net) is missing: this domain has 0 entries in device/vif in xenstore, it needs 1 (is there a vif= line in its xl config?)",
  "without a vif the guest names the missing device", novif)
t.has(novif, "@mirari end=crash", "and ends as a crash")
io.stdout:write("# ", (client_out:gsub("\n$", ""):gsub("\n", "\n# ")), "\n")
if r then
  io.stdout:write("# dom0 ready after ", r.timings.boot_to_ready_ms, " ms\n")
  xenhost.forget(r)
end
os.execute("rm -rf " .. q(work))
t.done()
