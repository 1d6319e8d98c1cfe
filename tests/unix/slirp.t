#!/usr/bin/env lua5.3
-- Unprivileged networking on Unix: a net device without a tap is a slirp
-- one (backends/unix/slirp.c on Debian's libslirp). examples/http-hello is
-- configured, built and run as nobody without any capability; curl fetches
-- its page through the forwarded port of 127.0.0.1, several requests on
-- one keep-alive connection; the forward listens on 127.0.0.1 only;
-- ipv4 = "dhcp" gets 10.0.2.15 from slirp's DHCP server; mirari run
-- --forward adds a forward; a UDP forward reaches tests/apps/udp's echo; a
-- host port that is taken, a bad forward and a bad gateway stop the boot
-- with a message that names them; the image's own TCP connections go out
-- through slirp's NAT (in a namespace of the test's own, unshare -n);
-- examples/echo answers through its
-- forward. Only images with a net device link libslirp. Nothing is
-- configured on the machine: every port is a free one of 127.0.0.1,
-- chosen when the test runs, and every process is killed by its PID.
package.path = (arg[0]:match("^(.*)/[^/]*$") or ".") .. "/../lib/?.lua;" .. package.path
local t = require("tap")
local m, q = t.quote(t.mirari), t.quote

local have = function(cmd) return select(2, t.run("/", "command -v " .. cmd)) == 0 end
if not t.exists("/usr/include/slirp/libslirp.h") or not have("curl") or not have("python3")
    or not have("ss") then
  t.ok(true, "# SKIP no libslirp-dev, curl, python3 or ss (scripts/deps.sh installs them)")
  t.done()
end

-- A free TCP (or UDP) port of 127.0.0.1, as the kernel hands them out.
local function free_port(udp)
  local out = t.run("/", ("python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.%s); "
    .. "s.bind((\"127.0.0.1\", 0)); print(s.getsockname()[1])'"):format(udp and "SOCK_DGRAM" or "SOCK_STREAM"))
  return tonumber(out:match("%d+"))
end

-- World-readable copies, so that nobody (65534) may run the images.
local dirs = {}
local function app(src)
  local dir = t.tmpdir()
  dirs[#dirs + 1] = dir
  t.copy_app(src, dir)
  os.execute("chmod 755 " .. q(dir))
  return dir
end

-- Processes this test started, by PID; all killed at the end.
local pids = {}
local root = (t.run("/", "id -u")):match("%d+") == "0"
local nobody = root and have("setpriv")
  and "setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all " or ""

-- Start (cmd) in (dir) in the background, output in (log); wait until
-- (ready) shows in the log or the process ends. Returns its PID.
local function start(dir, cmd, log, ready)
  local pid = (t.run(dir, cmd .. " >" .. log .. " 2>&1 </dev/null & echo $!")):match("%d+")
  pids[#pids + 1] = pid
  -- Up to 30 s: the caller checks the log, so this bounds only a hang.
  t.run(dir, ("for i in $(seq 600); do grep -q %s %s && break; kill -0 %s 2>/dev/null || break; sleep 0.05; done")
    :format(q(ready), log, pid))
  return pid
end
local function stop(pid) if pid then os.execute("kill " .. pid .. " 2>/dev/null") end end

local page = "<!DOCTYPE html>\n<html><head><title>mirari</title></head>\n"
  .. "<body><h1>Hello from mirari</h1></body></html>\n"

local ok, err = pcall(function()
  -- hello has no device: it neither builds slirp.c nor links libslirp.
  local hello = app("examples/hello")
  local out, code = t.run(hello, m .. " configure -q && " .. m .. " build 2>&1")
  t.is(code, 0, "examples/hello builds", out)
  t.ok(not t.read(hello .. "/_build/build.ninja"):find("slirp", 1, true),
    "hello's build.ninja names neither slirp.c nor -lslirp")
  out = t.run(hello, "ldd _build/hello")
  t.ok(not out:find("libslirp", 1, true), "hello's image does not load libslirp", out)

  -- http-hello, built as app.conf says: net0 has no tap, so it is slirp.
  local dir = app("examples/http-hello")
  out, code = t.run(dir, m .. " configure -q && " .. m .. " build 2>&1")
  t.is(code, 0, "examples/http-hello builds for unix", out)
  t.ok(not out:find("warning", 1, true), "it builds without warnings", out)
  os.execute("chmod 755 " .. q(dir .. "/_build"))
  out = t.run(dir, "ldd _build/http-hello")
  t.has(out, "libslirp.so.0", "http-hello's image loads libslirp")

  -- Unprivileged, with a forward from a free port.
  local port = free_port()
  local pid = start(dir, nobody .. "./_build/http-hello net0.forward=" .. port .. ":80", "http.log", "listening")
  local log = t.read(dir .. "/http.log") or ""
  t.has(log, ("net0: slirp 192.0.2.0/24, host 192.0.2.2, static, mac "), "net0 is a slirp device on app.conf's subnet")
  t.has(log, ("forward 127.0.0.1:%d->80/tcp"):format(port), "with the forward from the boot parameter")
  t.has(log, "listening on port 80", "http-hello listens", log)
  if nobody ~= "" then
    local status = t.read("/proc/" .. pid .. "/status") or ""
    t.ok(status:match("\nUid:%s+65534") ~= nil, "it runs as nobody", status)
    t.is(status:match("\nCapEff:%s+(%x+)"), "0000000000000000", "with no capability (no CAP_NET_ADMIN)")
  else
    t.ok(true, "# SKIP not root or no setpriv: ran as the calling user")
    t.ok(true, "# SKIP not root or no setpriv: ran as the calling user")
  end
  local url = ("http://127.0.0.1:%d"):format(port)
  out = t.run(dir, "timeout 20 curl -s --max-time 10 " .. url .. "/")
  t.is(out, page, "curl gets the page through the forward")
  out = t.run(dir, ("timeout 20 curl -sv --max-time 10 %s/a %s/b %s/c %s/d 2>&1"):format(url, url, url, url))
  local _, pages = out:gsub("Hello from mirari", "")
  t.is(pages, 4, "four requests, four pages")
  t.has(out, "Re-using existing connection", "curl kept the connection alive")
  local _, conns = out:gsub("Connected to 127.0.0.1", "")
  t.is(conns, 1, "one TCP connection served them all", out)
  out = t.run("/", ("ss -Hltn 'sport = :%d'"):format(port))
  local n, loopback = 0, 0
  for line in out:gmatch("[^\n]+") do
    n = n + 1
    if line:find(" 127%.0%.0%.1:" .. port .. " ") then loopback = loopback + 1 end
  end
  t.ok(n == 1 and loopback == 1, "the forward listens on 127.0.0.1 only", out)
  -- libslirp listens with a backlog of 1; slirp.c widens it (ss: Send-Q).
  local backlog = tonumber(out:match("^LISTEN%s+%d+%s+(%d+)") or "0")
  t.ok(backlog >= 128, "the forward's backlog is widened beyond libslirp's 1", out)

  -- The same port again: taken, and the boot stops saying so.
  out, code = t.run(dir, "timeout 10 ./_build/http-hello net0.forward=" .. port .. ":80")
  t.is(code, 1, "a second instance on the same host port exits 1", out)
  t.has(out, ("net0: forward %d:80: cannot listen on 127.0.0.1:%d/tcp: the port is taken by another socket")
    :format(port, port), "and names the forward and the port")
  t.has(out, "forward another host port: mirari run --forward PORT:80, or the boot parameter "
    .. "net0.forward=PORT:80", "and the way out")
  t.ok(not out:find("cannot open", 1, true), "with no vague second line after the reason", out)
  t.has(out, "lwip: 1 net device of app.conf could not be started", "and why it stops")
  stop(pid)

  -- Bad settings given at boot are refused with their name.
  out, code = t.run(dir, "timeout 10 ./_build/http-hello net0.forward=80")
  t.is(code, 1, "a forward without a host port stops the boot")
  t.has(out, "net0: forward \"80\": expected [tcp:|udp:]HOST:GUEST", "the message shows the form", out)
  out, code = t.run(dir, "timeout 10 ./_build/http-hello net0.forward=sctp:1:2")
  t.is(code, 1, "a forward of another protocol stops the boot")
  t.has(out, "net0: forward \"sctp:1:2\": expected", "the message names it", out)
  out, code = t.run(dir, "timeout 10 ./_build/http-hello net0.forward= net0.gateway=198.51.100.1")
  t.is(code, 1, "a gateway outside the subnet stops the boot")
  t.has(out, "net0: gateway 198.51.100.1: slirp's host must be another address of 192.0.2.10/24",
    "the message names the gateway", out)

  -- ipv4 = "dhcp": slirp's usual network and DHCP server.
  port = free_port()
  pid = start(dir, nobody .. "./_build/http-hello net0.ipv4=dhcp net0.forward=" .. port .. ":80",
    "dhcp.log", "listening")
  log = t.read(dir .. "/dhcp.log") or ""
  t.has(log, "net0: slirp 10.0.2.0/24, host 10.0.2.2, dhcp", "dhcp: slirp's network 10.0.2.0/24", log)
  t.run(dir, "for i in $(seq 600); do grep -q 'address 10' dhcp.log && break; sleep 0.05; done")
  log = t.read(dir .. "/dhcp.log") or ""
  t.has(log, "net0: address 10.0.2.15", "dhcp: lwIP gets 10.0.2.15 from slirp", log)
  out = t.run(dir, ("timeout 20 curl -s --max-time 10 http://127.0.0.1:%d/"):format(port))
  t.is(out, page, "dhcp: curl gets the page through the forward")
  stop(pid)

  -- mirari run --forward, in place of app.conf's 8080: a second copy of
  -- an application (or the demo beside the tests) leaves 8080 alone.
  -- As nobody when nobody can reach this checkout's mirari (a clone in a
  -- private folder, such as one from mktemp -d, is not): otherwise as
  -- the calling user, the image still run by mirari run.
  port = free_port()
  local runner = nobody
  if nobody ~= "" and select(2, t.run("/", nobody .. "test -x " .. m)) ~= 0 then
    runner = ""
    io.stdout:write("# mirari run --forward runs as the calling user: nobody cannot reach ", t.mirari, "\n")
  end
  local runpid = start(dir, runner .. m .. " run --forward " .. port .. ":80", "run.log", "listening")
  log = t.read(dir .. "/run.log") or ""
  t.has(log, ("forward 127.0.0.1:%d->80/tcp\n"):format(port), "mirari run --forward: the image forwards that port only", log)
  out = t.run(dir, ("timeout 20 curl -s --max-time 10 http://127.0.0.1:%d/"):format(port))
  t.is(out, page, "mirari run --forward: curl gets the page")
  -- mirari run execs the image from a shell: kill the image, then it.
  for child in t.run("/", "pgrep -P " .. runpid):gmatch("%d+") do stop(child) end
  stop(runpid)
  out, code = t.run(dir, m .. " run --forward 80")
  t.is(code, 2, "mirari run --forward without a host port is a usage error", out)
  t.has(out, "run: --forward 80: expected [tcp:|udp:]HOST:GUEST", "and says the form")
  out, code = t.run(dir, m .. " run --forward 8081:80 net0.tap=mrnotap0")
  t.is(code, 2, "mirari run --forward with a tap is a usage error", out)
  t.has(out, "run: --forward: device net0 uses tap mrnotap0; forwards are slirp's", "and says why")
  out, code = t.run(hello, m .. " run --forward 8081:80")
  t.is(code, 2, "mirari run --forward without a net device is a usage error", out)
  t.has(out, "run: --forward: hello has no net device", "and says so")

  -- UDP: tests/apps/udp's echo on port 7 behind a udp: forward.
  local udp = app("tests/apps/udp")
  port = free_port(true)
  t.write(udp .. "/app.conf", (t.read(udp .. "/app.conf"):gsub('tap = "tap0"', ('forward = { "udp:%d:7" }'):format(port))))
  out, code = t.run(udp, m .. " configure -q && " .. m .. " build 2>&1")
  t.is(code, 0, "tests/apps/udp builds with a UDP forward", out)
  os.execute("chmod 755 " .. q(udp .. "/_build"))
  pid = start(udp, nobody .. "./_build/udptest", "udp.log", "echo on port")
  t.has(t.read(udp .. "/udp.log") or "", ("forward 127.0.0.1:%d->7/udp"):format(port), "the UDP forward is set up")
  out = t.run(udp, ([[timeout 20 python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
for size in (1, 100, 1400):
    data = bytes(range(256)) * 6
    data = data[:size]
    for attempt in range(5):
        s.sendto(data, ("127.0.0.1", %d))
        try:
            got = s.recv(65536)
            break
        except socket.timeout:
            got = None
    print("udp", size, "ok" if got == data else "FAIL %%r" %% (got,))
']]):format(port))
  for _, size in ipairs({ 1, 100, 1400 }) do
    t.has(out, ("udp %d ok"):format(size), ("a datagram of %d bytes comes back through the forward"):format(size))
  end
  stop(pid)

  -- Outgoing TCP through slirp's NAT: with gateway 192.0.2.1, slirp's host
  -- is that address, which stands for the machine's 127.0.0.1. In a
  -- network namespace of the test's own (unshare -n: its own loopback,
  -- nothing else), a server on 127.0.0.1:9000 answers the image's line,
  -- and 9001, where nothing listens, refuses its connection.
  if root and have("unshare") then
    t.write(udp .. "/server.py", [[
import socket, sys
l = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
l.bind(("127.0.0.1", 9000))
l.listen(1)
l.settimeout(20)
open(sys.argv[1], "w").close()
c, addr = l.accept()
c.settimeout(10)
data = b""
while not data.endswith(b"\n"):
    chunk = c.recv(100)
    if not chunk:
        break
    data += chunk
c.sendall(b"answer to " + data)
print("server got %r from %s" % (data, addr[0]))
]])
    out = t.run(udp, "timeout 90 unshare -n sh -c " .. q([[
ip link set lo up
python3 server.py ready >server.log 2>&1 & s=$!
for i in $(seq 600); do [ -e ready ] && break; sleep 0.05; done
]] .. nobody .. [[./_build/udptest connect=1 net0.gateway=192.0.2.1 net0.forward= >nat.log 2>&1 & p=$!
for i in $(seq 600); do grep -q "tcp: 9001:" nat.log && break; sleep 0.05; done
kill $p $s 2>/dev/null; wait
cat nat.log server.log]]))
    t.has(out, "net0: slirp 192.0.2.0/24, host 192.0.2.1, static", "slirp's host is the gateway", out)
    t.has(out, "tcp: got answer to hello from mirari\n", "the image's connection reaches 127.0.0.1:9000 and back")
    t.has(out, "server got b'hello from mirari\\n' from 127.0.0.1", "the server sees it come from 127.0.0.1")
    t.has(out, "tcp: 9001: ", "a connection to a closed port ends")
    t.ok(out:find("tcp: 9001: ", 1, true) and not out:find("tcp: 9001: success", 1, true)
      and not out:find("tcp: 9001: timed out", 1, true), "refused at once, not connected nor timed out", out)
    -- A tap given at boot replaces slirp, and app.conf's forwards with it
    -- (the transient tap lives and dies in the test's namespace).
    out = t.run(dir, "timeout 60 unshare -n sh -c " .. q([[
./_build/http-hello net0.tap=mrslirp0 >tap.log 2>&1 & p=$!
for i in $(seq 600); do grep -q listening tap.log && break; sleep 0.05; done
kill $p; wait; cat tap.log]]))
    t.has(out, "net0: device 'net0' is on tap mrslirp0: its forwards are slirp's and do not apply",
      "net0.tap= at boot: app.conf's forwards are dropped with a warning", out)
    t.has(out, "net0: tap mrslirp0, mac ", "and the device is the tap")
  else
    for _ = 1, 7 do t.ok(true, "# SKIP not root or no unshare: no namespace for the outgoing TCP and tap parts") end
  end

  -- examples/echo answers through its forward.
  local echo = app("examples/echo")
  out, code = t.run(echo, m .. " configure -q && " .. m .. " build 2>&1")
  t.is(code, 0, "examples/echo builds for unix", out)
  os.execute("chmod 755 " .. q(echo .. "/_build"))
  port = free_port()
  pid = start(echo, nobody .. "./_build/echo net0.forward=" .. port .. ":7", "echo.log", "listening")
  out = t.run(echo, ([[timeout 20 python3 -c '
import socket
s = socket.create_connection(("127.0.0.1", %d), timeout=10)
data = b"".join(b"line %%d of the echo through slirp\n" %% i for i in range(2000))
s.sendall(data)
s.shutdown(socket.SHUT_WR)
got = b""
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    got += chunk
print("echo", len(data), "ok" if got == data else "FAIL got %%d bytes" %% len(got))
']]):format(port))
  t.ok(out:match("echo %d+ ok") ~= nil, "examples/echo sends back 70 KB through its forward", out)
  stop(pid)
end)
t.ok(ok, "the test ran to its end", err)
for _, pid in ipairs(pids) do stop(pid) end
for _, d in ipairs(dirs) do os.execute("rm -rf " .. q(d)) end
t.done()
