#!/usr/bin/env lua5.3
-- tests/apps/udp on Unix over a tap: the UDP calls of <mirari/net.h>
-- (mr_udp_bind, mr_udp_recvfrom, mr_udp_sendto) as an echo on port 7 in a
-- thread, and the client TCP calls (mr_tcp_connect, mr_tcp_close) with
-- connect=1. The tap lives in a network namespace made for this test and
-- always deleted at the end; the image runs inside it, a Python UDP client
-- checks the echoed datagrams (sizes from 0 to 1472 bytes, several
-- sockets, a burst) and a Python TCP server accepts the image's connection
-- and answers its line; a connection to a closed port ends with the
-- image's clean error. Needs root, ip(8) and python3; without them the
-- namespace part is skipped.
package.path = (arg[0]:match("^(.*)/[^/]*$") or ".") .. "/../lib/?.lua;" .. package.path
local t = require("tap")
local m, q = t.quote(t.mirari), t.quote

local dir = t.tmpdir()
t.copy_app("tests/apps/udp", dir)
local conf = t.read(dir .. "/app.conf")
t.write(dir .. "/app.conf", (conf:gsub('tap = "tap0"', 'tap = "mrudp0"')))
local out, code = t.run(dir, m .. " configure -q -t unix && " .. m .. " build 2>&1")
t.is(code, 0, "tests/apps/udp builds for unix", out)
t.ok(not out:find("warning", 1, true), "it builds without warnings", out)

local function whoami() return (t.run("/", "id -u")):match("%d+") end
local have_ip = select(2, t.run("/", "command -v ip")) == 0
local have_py = select(2, t.run("/", "command -v python3")) == 0
if code ~= 0 or whoami() ~= "0" or not have_ip or not have_py then
  t.ok(true, "# SKIP " .. (code ~= 0 and "no image" or whoami() ~= "0" and "not root"
    or "no ip(8) or python3"))
  os.execute("rm -rf " .. q(dir))
  t.done()
end

-- The UDP client: every check prints one line "NAME ok" or "NAME FAIL why".
-- Every socket has a timeout, and the whole run is bounded by timeout(1).
t.write(dir .. "/client.py", [[
import socket, sys
HOST, PORT = "192.0.2.10", 7

def sock():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(5)
    return s

def echo(s, data):
    s.sendto(data, (HOST, PORT))
    got, addr = s.recvfrom(65536)
    if got != data:
        raise Exception("sent %d bytes, got %d bytes back: %r" % (len(data), len(got), got[:40]))
    if addr != (HOST, PORT):
        raise Exception("answer from %r" % (addr,))

def check(name, fn):
    try:
        fn()
        print(name, "ok")
    except Exception as e:
        print(name, "FAIL", repr(e))
    sys.stdout.flush()

def first():
    # The first datagram may wait for ARP on both sides: try a few times.
    s = sock()
    s.settimeout(2)
    for i in range(5):
        try:
            echo(s, b"hello")
            return
        except socket.timeout:
            pass
    raise Exception("no echo in 5 tries")

def sizes():
    s = sock()
    for n in (0, 1, 100, 512, 1000, 1472):
        echo(s, bytes((i * 13 + n) % 256 for i in range(n)))

def sockets():
    socks = [sock() for i in range(5)]
    for rnd in range(3):
        for i, s in enumerate(socks):
            s.sendto(b"socket %d round %d" % (i, rnd), (HOST, PORT))
        for i, s in enumerate(socks):
            got, addr = s.recvfrom(65536)
            if got != b"socket %d round %d" % (i, rnd):
                raise Exception("socket %d got %r" % (i, got))

def burst():
    # 200 datagrams at once: some may be dropped (the queue holds 32), the
    # rest come back unchanged, and the echo still answers afterwards.
    s = sock()
    s.settimeout(1)
    sent = set(b"burst %d" % i for i in range(200))
    for d in sent:
        s.sendto(d, (HOST, PORT))
    back = 0
    try:
        while True:
            got, addr = s.recvfrom(65536)
            if got not in sent:
                raise Exception("unknown datagram %r" % got)
            back += 1
    except socket.timeout:
        pass
    if back == 0:
        raise Exception("none came back")
    print("burst: %d of 200 came back" % back)
    # A straggler of the burst may still come after the quiet second: the
    # echo's answer is the first datagram that is not one of the burst.
    s.settimeout(5)
    s.sendto(b"after the burst", (HOST, PORT))
    while True:
        got, addr = s.recvfrom(65536)
        if got not in sent:
            break
    if got != b"after the burst":
        raise Exception("after the burst, got %r" % got[:40])

check("first", first)
check("sizes", sizes)
check("sockets", sockets)
check("burst", burst)
]])

-- The TCP server for the image's client: one connection, one line, an
-- answer; it prints what it got. Nothing listens on 9001.
t.write(dir .. "/server.py", [[
import socket, sys
l = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("192.0.2.1", 9000))
l.listen(1)
l.settimeout(30)
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
c.close()
]])

local ns = "mrudp" .. (t.run("/", "echo $PPID")):match("%d+")
local nsx = "ip netns exec " .. ns .. " "
local pid, spid

local function cleanup()
  if pid then os.execute("kill " .. pid .. " 2>/dev/null") end
  if spid then os.execute("kill " .. spid .. " 2>/dev/null") end
  os.execute("ip netns del " .. ns .. " 2>/dev/null")
  os.execute("rm -rf " .. q(dir))
end

local ok, err = pcall(function()
  out, code = t.netns_up(ns, "mrudp0")
  t.is(code, 0, "a namespace with the tap mrudp0 at 192.0.2.1/24", out)

  -- ip netns exec execs timeout, which runs python: $! is timeout's PID.
  out = t.run(dir, nsx .. "timeout 60 python3 server.py ready >server.log 2>&1 </dev/null & echo $!")
  spid = out:match("^(%d+)")
  for _ = 1, 100 do
    if t.exists(dir .. "/ready") then break end
    os.execute("sleep 0.1")
  end
  t.ok(t.exists(dir .. "/ready"), "the TCP server listens on 192.0.2.1:9000", t.read(dir .. "/server.log"))

  -- ip netns exec execs the image, so $! is the image's PID.
  out = t.run(dir, nsx .. "./_build/udptest connect=1 >udp.log 2>&1 </dev/null & echo $!")
  pid = out:match("^(%d+)")
  local log = ""
  for _ = 1, 300 do
    log = t.read(dir .. "/udp.log") or ""
    if log:find("tcp: 9001:", 1, true) then break end
    os.execute("sleep 0.1")
  end
  t.has(log, "net0: address 192.0.2.10\n", "net0 gets its static address from app.conf")
  t.has(log, "udp: echo on port 7\n", "the UDP echo is bound")
  t.has(log, "tcp: got answer to hello from mirari\n",
    "mr_tcp_connect reaches the server; the line and its answer go through", log)
  t.has(log, "tcp: 9001: unspecified error\n",
    "a connection to a closed port is refused with MR_EUNSPEC (reset)", log)
  for _ = 1, 50 do
    if (t.read(dir .. "/server.log") or ""):find("server got", 1, true) then break end
    os.execute("sleep 0.1")
  end
  t.has(t.read(dir .. "/server.log") or "", "server got b'hello from mirari\\n' from 192.0.2.10\n",
    "the server got the image's line from 192.0.2.10")

  out = t.run(dir, nsx .. "timeout 60 python3 client.py")
  t.has(out, "first ok\n", "a datagram comes back to its sender from port 7", out)
  t.has(out, "sizes ok\n", "datagrams of 0 to 1472 bytes come back unchanged", out)
  t.has(out, "sockets ok\n", "five client sockets, three rounds, each gets its own answers", out)
  io.stdout:write("# ", out:match("burst: [^\n]*") or "burst: no count", "\n")
  t.has(out, "burst ok\n", "a burst of 200: what comes back is unchanged, the echo still answers", out)

  local alive = select(2, t.run("/", "kill -0 " .. pid))
  t.is(alive, 0, "the image is still running after the clients left", t.read(dir .. "/udp.log"))
  -- The refused connection's line says "unspecified error" on purpose.
  log = (t.read(dir .. "/udp.log") or ""):gsub("tcp: 9001: unspecified error\n", "")
  t.ok(not log:find("panic", 1, true) and not log:find("error", 1, true)
    and not log:find("truncated", 1, true), "nothing went wrong in the image's log", log)
end)
if not ok then t.ok(false, "the test ran to its end", err) end
cleanup()
t.ok(select(2, t.run("/", "ip netns list | grep -qw " .. ns)) ~= 0, "the namespace is gone")
t.done()
