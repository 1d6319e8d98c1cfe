#!/usr/bin/env lua5.3
-- examples/website as a Xen guest under the emulated host (booted once):
-- its generated xl config attaches the tar image of htdocs/ as a read-only
-- disk and a vif on xenbr0; blkfront reads the image, tarfs mounts it and
-- the http handler set serves it. dom0 runs tests/lib/sitecheck.sh against
-- it (every file's bytes, HEAD, types, ranges, ETag, 404, directories,
-- keep-alive, traversal attempts) and asks the C route /uptime and the handler set's /status; then
-- libs/http/tests/keepalive.py holds twice tcp_connections (256) idle
-- keep-alive connections open against it, beside a request and an answer
-- in progress, and times a new client (as tests/unix/keepalive.t does on
-- Unix; the handler set's timers are set to an hour, so that only room
-- closes connections); then `xl shutdown` ends the guest with its devices closed.
package.path = (arg[0]:match("^(.*)/[^/]*$") or ".") .. "/../lib/?.lua;" .. package.path
local t = require("tap")
package.path = t.root .. "/?.lua;" .. package.path
local xenhost = require("tool.xenhost")
local m, q = t.quote(t.mirari), t.quote

local _, fetched, fcode = t.dep_in_cache("lwip")
if fcode then t.is(fcode, 0, "lwIP fetched into the cache", fetched) end

local work = t.tmpdir()
local app = work .. "/website"
t.copy_app("examples/website", app)
-- An answer longer than the windows, for keepalive.py; sitecheck checks
-- the example's own files (the checkout's htdocs/), which the image has too.
local BIG = 1024 * 1024
t.run(app, "head -c " .. BIG .. " /dev/urandom >htdocs/big.bin")
-- The handler set's timers out of the way (an hour), so that every
-- connection closed while keepalive.py runs is closed for room, however
-- slow the emulated host (the timers have tests of their own, in libs/http).
local TIMERS = 'keepalive_timeout = "1h", request_timeout = "1h"'
local conf = (t.read(app .. "/app.conf") or ""):gsub('handlers "http" {([^}]*)}', 'handlers "http" {%1, ' .. TIMERS .. ' }')
t.ok(conf:find(TIMERS, 1, true), "examples/website with its timers at an hour")
t.write(app .. "/app.conf", conf)
local out, code = t.run(app, m .. " configure -q -t xen && " .. m .. " build")
t.is(code, 0, "examples/website builds for xen", out)
local xl = t.read(app .. "/_build/website.xl") or ""
t.has(xl, ("disk = [ 'format=raw,vdev=xvda,access=ro,target=%s/_build/images/site.tar' ]"):format(app),
  "its xl config attaches the image of htdocs/ read-only", xl)
t.has(xl, "vif = [ 'bridge=xenbr0' ]", "and a vif on xenbr0")

local script = work .. "/dom0.sh"
t.write(script, ([[
#!/bin/sh
log=/var/log/xen/console/guest-website.log
rm -f "$log"
echo '@@@ create'
xl create -q %s 2>&1
i=0; until curl -sf -o /dev/null --max-time 1 http://192.0.2.10/ || [ $i -gt 300 ]; do sleep 0.2; i=$((i+1)); done
echo '@@@ check'
sh %s http://192.0.2.10 %s 2>&1
echo '@@@ status'
curl -s --max-time 10 http://192.0.2.10/uptime
echo
curl -s --max-time 10 http://192.0.2.10/status
echo
echo '@@@ keepalive'
timeout 120 python3 %s 192.0.2.10 80 256 32 /big.bin %d 2>&1
echo '@@@ shutdown'
timeout 60 xl shutdown -w website >/dev/null 2>&1 && echo "xl shutdown returned"
echo '@@@ console'
cat "$log"
echo '@@@ end'
]]):format(q(app .. "/_build/website.xl"), q(t.root .. "/tests/lib/sitecheck.sh"),
  q(t.root .. "/examples/website/htdocs"), q(t.root .. "/libs/http/tests/keepalive.py"), BIG))
local r, err = xenhost.exec(t.root, script, { timeout = 400 })
t.ok(r ~= nil and r.status == 0, "the dom0 script ran", r and (r.error or r.output) or err)
out = r and r.output or ""
local section = t.sections(out)
local check, console = section.check or "", section.console or ""
t.has(check, "sitecheck done", "sitecheck ran to its end from dom0", out)
t.is(check:match("files (%d+)"), "4", "it fetched the four files of htdocs/")
for name in check:gmatch("check (%S+[^\n]-) ok[^\n]*\n") do t.ok(true, name) end
for line in check:gmatch("check ([^\n]- FAIL[^\n]*)\n") do t.ok(false, line) end
t.has(section.status or "", '"target":"xen"', "the C route /uptime answers from the Xen guest", section.status)
t.ok((section.status or ""):match('"xen_grants":%d+,"xen_event_channels":%d+') ~= nil,
  "the handler set's /status has the Xen backend's counters", section.status)

-- Idle keep-alive clients: the handler set serves 32 connections at once
-- (max_connections), and the 33rd closes the one idle the longest.
local kv = {}
for k, v in (section.keepalive or ""):gmatch("(%S+) ([^\n]*)") do kv[k] = v end
io.stdout:write("# keepalive:\n# ", ((section.keepalive or ""):gsub("\n$", ""):gsub("\n", "\n# ")), "\n")
t.is(kv.held, "256", "256 idle keep-alive connections held, each served once")
t.is(kv.hold_failures, "0", "none of them was kept out")
t.is(kv.new_client, "True", "a new client is answered while they are held")
io.stdout:write(("# xen: new client answered in %s ms\n"):format(kv.new_client_ms))
local fin, still = tonumber(kv.closed_fin or ""), tonumber(kv.still_open or "")
t.ok(fin and fin >= 256 - 32, "at least 224 held connections were closed for room", kv.closed_fin)
t.is(kv.closed_reset, "0", "each of them ended with a FIN, none with a reset")
t.ok(still and still > 0 and fin + still == 256, "the others are still open", kv.still_open)
t.is(kv.partial_answered, "True", "a request in progress was not closed, and is answered")
t.is(kv.big_answer, "True", "an answer in progress was not closed, and arrives whole")
t.is(kv.held_again, "True", "a held connection still open is answered again")
t.is(kv.served_after, "20", "twenty new clients are served afterwards")
t.has(console, "tcp port 80: at its limit of 32 connections: closing the one idle the longest; 1 so far",
  "the guest logs the first connection closed for room", console)
t.ok(not console:find("no memory", 1, true), "and never ran out of memory", console)
t.has(section.shutdown or "", "xl shutdown returned", "xl shutdown ends it")
t.has(console, "shutdown requested: poweroff", "the guest saw the request", console)
t.ok(not console:find("crash", 1, true) and not console:find("panic", 1, true),
  "the guest neither crashed nor panicked", console)
if r then xenhost.forget(r) end
os.execute("rm -rf " .. q(work))
t.done()
