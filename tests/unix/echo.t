#!/usr/bin/env lua5.3
-- examples/echo on Unix over a tap: lwIP's netif on the platform's net
-- device, a static IPv4 address from app.conf, and the cooperative TCP API
-- (mr_tcp_listen, mr_tcp_read, mr_tcp_write). The tap lives in a network
-- namespace made for this test and always deleted at the end, so nothing
-- outside it is configured; the image runs inside it and a Python client
-- in the same namespace checks lines echoed on one connection, a bulk
-- transfer larger than the window and the send buffer, end of stream,
-- sequential connections and 20 concurrent ones. Needs root, ip(8) and
-- python3; without them the namespace part is skipped.
package.path = (arg[0]:match("^(.*)/[^/]*$") or ".") .. "/../lib/?.lua;" .. package.path
local t = require("tap")
local m, q = t.quote(t.mirari), t.quote

local dir = t.tmpdir()
t.copy_app("examples/echo", dir)
local conf = t.read(dir .. "/app.conf")
-- app.conf's device is a slirp one with a forward; this test wants a tap.
t.write(dir .. "/app.conf", (conf:gsub('forward = { "7007:7" }', 'tap = "mrecho0"')))
local out, code = t.run(dir, m .. " configure -q -t unix && " .. m .. " build 2>&1")
t.is(code, 0, "examples/echo builds for unix", out)
t.ok(not out:find("warning", 1, true), "it builds without warnings", out)

-- The archive exports the mirari API only: lwIP stays hidden.
local syms = t.run(dir, "nm -g --defined-only _build/lib/libmr_lwip.a | awk 'NF==3 {print $3}' | sort")
t.is(syms, "mr_lwip_init\nmr_lwip_selftest\nmr_lwip_stats\nmr_net_wait_up\n"
  .. "mr_tcp_close\nmr_tcp_connect\nmr_tcp_listen\nmr_tcp_listen_max\nmr_tcp_read\nmr_tcp_set_idle\nmr_tcp_write\n"
  .. "mr_udp_bind\nmr_udp_close\nmr_udp_dropped\nmr_udp_recvfrom\nmr_udp_sendto\n", "libmr_lwip.a exports its mr_ network API only")

local function whoami() return (t.run("/", "id -u")):match("%d+") end
local have_ip = select(2, t.run("/", "command -v ip")) == 0
local have_py = select(2, t.run("/", "command -v python3")) == 0
if code ~= 0 or whoami() ~= "0" or not have_ip or not have_py then
  t.ok(true, "# SKIP " .. (code ~= 0 and "no image" or whoami() ~= "0" and "not root"
    or "no ip(8) or python3"))
  os.execute("rm -rf " .. q(dir))
  t.done()
end

-- The client: every check prints one line "NAME ok" or "NAME FAIL why".
-- Every socket has a timeout, and the whole run is bounded by timeout(1).
t.write(dir .. "/client.py", [[
import socket, sys, threading
HOST, PORT = "192.0.2.10", 7

def conn():
    return socket.create_connection((HOST, PORT), timeout=10)

def recv_exactly(s, n):
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk:
            raise Exception("early end of stream after %d of %d bytes" % (len(data), n))
        data += chunk
    return data

def check(name, fn):
    try:
        fn()
        print(name, "ok")
    except Exception as e:
        print(name, "FAIL", repr(e))
    sys.stdout.flush()

def lines():
    s = conn()
    for i in range(10):
        line = b"line %d of the echo test\n" % i
        s.sendall(line)
        got = recv_exactly(s, len(line))
        if got != line:
            raise Exception("sent %r, got %r" % (line, got))
    s.shutdown(socket.SHUT_WR)
    if s.recv(100) != b"":
        raise Exception("no end of stream after shutdown")
    s.close()

def bulk():
    # More than the window (32K) and the send buffer (32K) of lwip's defaults,
    # sent while reading so neither side's buffers fill up.
    s = conn()
    data = bytes((i * 7 + i // 251) % 256 for i in range(300000))
    t = threading.Thread(target=lambda: (s.sendall(data), s.shutdown(socket.SHUT_WR)))
    t.start()
    got = recv_exactly(s, len(data))
    t.join(10)
    if got != data:
        raise Exception("the bytes that came back differ")
    if s.recv(100) != b"":
        raise Exception("no end of stream")
    s.close()

def sequential():
    for i in range(10):
        s = conn()
        msg = b"connection %d\n" % i
        s.sendall(msg)
        if recv_exactly(s, len(msg)) != msg:
            raise Exception("connection %d: wrong echo" % i)
        s.close()

def concurrent():
    socks = [conn() for i in range(20)]
    for rnd in range(3):
        for i, s in enumerate(socks):
            s.sendall(b"client %d round %d\n" % (i, rnd))
        for i, s in enumerate(socks):
            msg = b"client %d round %d\n" % (i, rnd)
            if recv_exactly(s, len(msg)) != msg:
                raise Exception("client %d: wrong echo" % i)
    for s in socks:
        s.shutdown(socket.SHUT_WR)
    for i, s in enumerate(socks):
        if s.recv(100) != b"":
            raise Exception("client %d: no end of stream" % i)
        s.close()

check("lines", lines)
check("bulk", bulk)
check("sequential", sequential)
check("concurrent", concurrent)
]])

local ns = "mrecho" .. (t.run("/", "echo $PPID")):match("%d+")
local nsx = "ip netns exec " .. ns .. " "
local pid

local function cleanup()
  if pid then os.execute("kill " .. pid .. " 2>/dev/null") end
  os.execute("ip netns del " .. ns .. " 2>/dev/null")
  os.execute("rm -rf " .. q(dir))
end

local ok, err = pcall(function()
  out, code = t.netns_up(ns, "mrecho0")
  t.is(code, 0, "a namespace with the tap mrecho0 at 192.0.2.1/24", out)

  -- ip netns exec execs the image, so $! is the image's PID.
  out = t.run(dir, nsx .. "./_build/echo >echo.log 2>&1 </dev/null & echo $!")
  pid = out:match("^(%d+)")
  local log = ""
  for _ = 1, 100 do
    log = t.read(dir .. "/echo.log") or ""
    if log:find("listening on port 7", 1, true) then break end
    os.execute("sleep 0.1")
  end
  t.has(log, "net0: address 192.0.2.10\n", "net0 gets its static address from app.conf")
  t.has(log, "echo: listening on port 7\n", "echo listens")

  out = t.run(dir, nsx .. "timeout 60 python3 client.py")
  t.has(out, "lines ok\n", "ten lines come back one by one on one connection, then end of stream", out)
  t.has(out, "bulk ok\n", "300000 bytes come back unchanged (more than window and send buffer)", out)
  t.has(out, "sequential ok\n", "ten connections one after the other", out)
  t.has(out, "concurrent ok\n", "20 concurrent connections, three rounds each", out)

  local alive = select(2, t.run("/", "kill -0 " .. pid))
  t.is(alive, 0, "the image is still running after the clients left", t.read(dir .. "/echo.log"))
  log = t.read(dir .. "/echo.log") or ""
  t.ok(not log:find("panic", 1, true) and not log:find("error", 1, true),
    "nothing went wrong in the image's log", log)
end)
if not ok then t.ok(false, "the test ran to its end", err) end
cleanup()
t.ok(select(2, t.run("/", "ip netns list | grep -qw " .. ns)) ~= 0, "the namespace is gone")
t.done()
