#!/usr/bin/env lua5.3
-- examples/website on Unix, unprivileged networking (slirp) as the README
-- runs it: mirari build makes the tar image of htdocs/ (and remakes it
-- only when htdocs/ changes), the image mounts it with tarfs and serves it
-- with the http handler set on a forwarded 127.0.0.1 port, checked with
-- curl by tests/lib/sitecheck.sh: every file's bytes, HEAD, types, ranges,
-- ETag revalidation, 404, directories, keep-alive, traversal attempts;
-- the C route /uptime and the handler set's /status.
package.path = (arg[0]:match("^(.*)/[^/]*$") or ".") .. "/../lib/?.lua;" .. package.path
local t = require("tap")
local m, q = t.quote(t.mirari), t.quote

local dir = t.tmpdir()
t.copy_app("examples/website", dir)
local out, code = t.run(dir, m .. " configure -q -t unix && " .. m .. " build 2>&1")
t.is(code, 0, "examples/website builds for unix", out)
t.ok(not out:find("warning", 1, true), "without warnings", out)
local image = dir .. "/_build/images/site.tar"
t.ok(t.exists(image), "the build made the image of htdocs/ in _build/images/site.tar")

-- The image follows the directory, and only when it changes.
local listing = t.run(dir, "tar -tf _build/images/site.tar")
t.is(listing, "about/\nabout/index.html\ncss/\ncss/site.css\nimg/\nimg/mirari.png\nindex.html\n",
  "it holds htdocs/, sorted, directories included")
local before = t.run(dir, "stat -c %Y _build/images/site.tar")
out = t.run(dir, "sleep 1.1 && " .. m .. " build")
t.ok(not out:find("IMAGE", 1, true), "a build with htdocs/ unchanged leaves the image alone", out)
t.is(t.run(dir, "stat -c %Y _build/images/site.tar"), before, "and its time")
out = t.run(dir, "echo new >htdocs/new.txt && " .. m .. " build")
t.has(out, "IMAGE", "a new file in htdocs/ remakes the image", out)
t.has(t.run(dir, "tar -tf _build/images/site.tar"), "new.txt", "with the file in it")
out = t.run(dir, "rm htdocs/new.txt && " .. m .. " build && tar -tf _build/images/site.tar")
t.is(out:find("new.txt", 1, true), nil, "removing it remakes the image without it")

-- Serve it on a free loopback port.
local port = tonumber((t.run("/", "python3 -c 'import socket; s=socket.socket(); s.bind((\"127.0.0.1\", 0)); print(s.getsockname()[1])'")))
t.ok(port ~= nil, "a free port on 127.0.0.1")
local log = dir .. "/website.log"
local pid = (t.run(dir, "./_build/website net0.forward=" .. port .. ":80 >" .. q(log) .. " 2>&1 & echo $!")):match("%d+")
local base = "http://127.0.0.1:" .. port
t.run("/", "i=0; until curl -sf -o /dev/null --max-time 1 " .. base .. "/ || [ $i -gt 100 ]; do sleep 0.1; i=$((i+1)); done")
out = t.run("/", "sh " .. q(t.root .. "/tests/lib/sitecheck.sh") .. " " .. base .. " " .. q(dir .. "/htdocs"))
t.has(out, "sitecheck done", "sitecheck ran to its end", out)
t.is(out:match("files (%d+)"), "4", "it fetched the four files of htdocs/")
for name, result in out:gmatch("check (%S+[^\n]-) (ok[^\n]*)\n") do t.ok(true, name) end
for line in out:gmatch("check ([^\n]- FAIL[^\n]*)\n") do t.ok(false, line) end

local uptime = t.run("/", "curl -s --max-time 5 " .. base .. "/uptime")
t.has(uptime, '"app":"website"', "the C route /uptime answers", uptime)
t.has(uptime, '"target":"unix"', "from the Unix image")
local status = t.run("/", "curl -s --max-time 5 -D - " .. base .. "/status")
t.has(status, "Content-Type: application/json", "the handler set's /status answers JSON", status)
t.ok(status:match('\n{"uptime_ms":%d+,"threads":%d+,"threads_peak":%d+,') ~= nil, "with the runtime's counters first", status)
t.ok(status:match('"heap_used":%d+') and status:match('"lwip_pbufs":%d+') and status:match('"lwip_tcp_pcbs":%d+')
  and status:match('"http_connections":1,') and status:match('"http_requests_total":%d+}\n$'),
  "then lwIP's and the handler set's (its own connection the one open)", status)
t.has(t.read(log) or "", "GET /index.html 200", "the access log has a line per request")
if pid then t.run("/", "kill " .. pid) end
t.ok(not (t.read(log) or ""):find("crash", 1, true), "the image did not crash", t.read(log))

-- Clients that pipeline requests and never read, then close with the
-- answers unread: the kernel resets their connections under libslirp's
-- send(2) of the answers, which killed the image with SIGPIPE when a
-- send came after the reset was reported (timing-dependent: most runs of
-- a fresh image by hand, fewer here; tests/unix/run.t makes a console
-- write fail with EPIPE every time). It must go on serving.
t.write(dir .. "/pipeline.py", [[
import socket, sys, time
port = int(sys.argv[1])
req = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
for _ in range(3):
    a = socket.create_connection(("127.0.0.1", port), timeout=10)
    a.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    b = socket.create_connection(("127.0.0.1", port), timeout=10)
    a.setblocking(False)
    sent, t0 = 0, time.time()
    while sent < 20000 and time.time() - t0 < 10:
        try:
            a.send(req)
            sent += 1
        except BlockingIOError:
            time.sleep(0.01)
    b.sendall(req)
    time.sleep(1)
    a.close()
    b.close()
    print("pipelined", sent)
]])
pid = (t.run(dir, "./_build/website net0.forward=" .. port .. ":80 >" .. q(log) .. " 2>&1 & echo $!")):match("%d+")
t.run("/", "i=0; until curl -sf -o /dev/null --max-time 1 " .. base .. "/ || [ $i -gt 100 ]; do sleep 0.1; i=$((i+1)); done")
out = t.run(dir, "timeout 60 python3 pipeline.py " .. port .. " 2>&1")
t.ok(out:match("pipelined %d+") ~= nil, "clients pipelined 20,000 requests each without reading, then reset", out)
t.run("/", "sleep 0.3")
t.ok(pid and os.execute("kill -0 " .. pid .. " 2>/dev/null"), "the image survives the resets (SIGPIPE is ignored)",
  t.read(log))
t.is(t.run("/", "curl -s -o /dev/null -w '%{http_code}' --max-time 5 " .. base .. "/"), "200",
  "and serves the next client")
if pid then t.run("/", "kill " .. pid) end
os.execute("rm -rf " .. q(dir))
t.done()
