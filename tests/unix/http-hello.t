#!/usr/bin/env lua5.3
-- examples/http-hello on Unix over a tap device in a network namespace the
-- test makes (root only): curl fetches the page, several requests share
-- one keep-alive connection, pipelined requests are answered in order,
-- HTTP/1.0 and "Connection: close" close, and a head that never ends is
-- refused with 431.
package.path = (arg[0]:match("^(.*)/[^/]*$") or ".") .. "/../lib/?.lua;" .. package.path
local t = require("tap")
local m, q = t.quote(t.mirari), t.quote

local dir = t.tmpdir()
t.copy_app("examples/http-hello", dir)
-- app.conf's device is a slirp one with a forward; this test wants a tap.
t.write(dir .. "/app.conf", (t.read(dir .. "/app.conf"):gsub('forward = { "8080:80" }', 'tap = "mrhttp0"')))
local out, code = t.run(dir, m .. " configure -q && " .. m .. " build")
t.is(code, 0, "examples/http-hello builds for unix", out)

-- A declared net device that cannot be started stops the boot: here a
-- tap name too long for Linux, refused before anything is attached.
do
  local bout, bcode = t.run(dir, "./_build/http-hello net0.tap=mrhttp0-far-too-long")
  t.is(bcode, 1, "with a tap it cannot use, http-hello stops with status 1", bout)
  t.has(bout, "net0: device 'net0': tap name too long (at most 15 characters)", "the message says what is wrong")
  -- The platform's own line names the device; the generic "cannot
  -- open" line is for platforms that say nothing (runtime/log.c).
  t.ok(not bout:find("cannot open", 1, true), "and the reason is not said twice in vaguer words", bout)
  t.has(bout, "lwip: 1 net device of app.conf could not be started", "and why it stops")
  t.ok(not bout:find("listening", 1, true), "it never listens")
end

local root = (t.run("/", "id -u")):match("%d+") == "0"
local tools = select(2, t.run("/", "command -v ip && command -v curl && command -v python3")) == 0
if code ~= 0 or not root or not tools then
  t.ok(true, "# SKIP " .. (not root and "not root" or "no image, ip, curl or python3"))
  os.execute("rm -rf " .. q(dir))
  t.done()
end

local ns = "mrhttp" .. (t.run("/", "echo $PPID")):match("%d+")
local nsx = "ip netns exec " .. ns .. " "
local pid
local ok, err = pcall(function()
  out, code = t.netns_up(ns, "mrhttp0")
  t.is(code, 0, "a namespace with the tap mrhttp0 at 192.0.2.1/24", out)
  pid = (t.run(dir, nsx .. "./_build/http-hello >http.log 2>&1 </dev/null & echo $!")):match("%d+")
  t.ok(pid ~= nil, "http-hello started")
  t.ok(t.wait_for(dir .. "/http.log", "listening"), "http-hello listens", t.read(dir .. "/http.log"))

  local page = "<!DOCTYPE html>\n<html><head><title>mirari</title></head>\n"
    .. "<body><h1>Hello from mirari</h1></body></html>\n"
  out, code = t.run(dir, nsx .. "timeout 20 curl -s --max-time 10 http://192.0.2.10/")
  t.is(out, page, "curl gets the page")
  out = t.run(dir, nsx .. "timeout 20 curl -sv --max-time 10 http://192.0.2.10/a http://192.0.2.10/b http://192.0.2.10/c 2>&1")
  local _, pages = out:gsub("Hello from mirari", "")
  t.is(pages, 3, "three requests, three pages")
  t.has(out, "Re-using existing connection", "curl kept the connection alive")
  local _, conns = out:gsub("Connected to 192.0.2.10", "")
  t.is(conns, 1, "one TCP connection served them all")

  -- Each ask reads until the server closes (or 10 s of silence, "open");
  -- the pipeline's connection is shown kept by a fourth request on it,
  -- sent once the three answers are in, being answered too.
  t.write(dir .. "/raw.py", [[
import socket, sys
mode = sys.argv[1]
def ask(data):
    s = socket.create_connection(("192.0.2.10", 80), timeout=10)
    s.sendall(data)
    got, asked = b"", 1
    while True:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            return got, "open"
        if not chunk:
            return got, "closed"
        got += chunk
        if mode == "pipeline" and got.count(b"HTTP/1.1 200") == 3 and asked == 1:
            s.sendall(b"GET /4 HTTP/1.1\r\nHost: x\r\n\r\n")
            asked = 2
        if mode == "pipeline" and got.count(b"HTTP/1.1 200") == 4:
            return got, "open"
if mode == "pipeline":
    got, state = ask(b"GET /1 HTTP/1.1\r\nHost: x\r\n\r\n" * 3)
elif mode == "http10":
    got, state = ask(b"GET / HTTP/1.0\r\n\r\n")
elif mode == "close":
    got, state = ask(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
else:
    got, state = ask(b"GET / HTTP/1.1\r\nX: " + b"a" * 9000)
print(got.count(b"HTTP/1.1 200"), got.count(b"HTTP/1.1 431"), state)
]])
  out = t.run(dir, nsx .. "timeout 30 python3 raw.py pipeline")
  t.is(out, "4 0 open\n", "three pipelined requests, three answers, and the connection kept for a fourth")
  out = t.run(dir, nsx .. "timeout 30 python3 raw.py http10")
  t.is(out, "1 0 closed\n", "HTTP/1.0 without keep-alive: one answer, then closed")
  out = t.run(dir, nsx .. "timeout 30 python3 raw.py close")
  t.is(out, "1 0 closed\n", "Connection: close: one answer, then closed")
  out = t.run(dir, nsx .. "timeout 30 python3 raw.py huge")
  t.is(out, "0 1 closed\n", "a head over 8 KiB: 431, then closed")
  out, code = t.run("/", "kill -0 " .. pid)
  t.is(code, 0, "http-hello still serves after all that")
end)
t.ok(ok, "the namespace part ran to its end", err)
if pid then os.execute("kill " .. pid .. " 2>/dev/null") end
os.execute("ip netns del " .. ns .. " 2>/dev/null")
t.ok(select(2, t.run("/", "ip netns list | grep -q '^" .. ns .. "'")) ~= 0, "the namespace is gone")
os.execute("rm -rf " .. q(dir))
t.done()
