#!/usr/bin/env lua5.3
-- examples/website as a Xen guest under the emulated host (booted once):
-- its generated xl config attaches the tar image of htdocs/ as a read-only
-- disk and a vif on xenbr0; blkfront reads the image, tarfs mounts it and
-- the http handler set serves it. dom0 runs tests/lib/sitecheck.sh against
-- it (every file's bytes, HEAD, types, ranges, ETag, 404, directories,
-- keep-alive, traversal attempts) and asks the C route /status, then
-- `xl shutdown` ends the guest with its devices closed.
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
curl -s --max-time 10 http://192.0.2.10/status
echo
echo '@@@ shutdown'
timeout 60 xl shutdown -w website >/dev/null 2>&1 && echo "xl shutdown returned"
echo '@@@ console'
cat "$log"
echo '@@@ end'
]]):format(q(app .. "/_build/website.xl"), q(t.root .. "/tests/lib/sitecheck.sh"), q(app .. "/htdocs")))
local r, err = xenhost.exec(t.root, script, { timeout = 400 })
t.ok(r ~= nil and r.status == 0, "the dom0 script ran", r and (r.error or r.output) or err)
out = r and r.output or ""
local section = t.sections(out)
local check, console = section.check or "", section.console or ""
t.has(check, "sitecheck done", "sitecheck ran to its end from dom0", out)
t.is(check:match("files (%d+)"), "4", "it fetched the four files of htdocs/")
for name in check:gmatch("check (%S+[^\n]-) ok[^\n]*\n") do t.ok(true, name) end
for line in check:gmatch("check ([^\n]- FAIL[^\n]*)\n") do t.ok(false, line) end
t.has(section.status or "", '"target":"xen"', "the C route /status answers from the Xen guest", section.status)
t.has(section.shutdown or "", "xl shutdown returned", "xl shutdown ends it")
t.has(console, "shutdown requested: poweroff", "the guest saw the request", console)
t.ok(not console:find("crash", 1, true) and not console:find("panic", 1, true),
  "the guest neither crashed nor panicked", console)
if r then xenhost.forget(r) end
os.execute("rm -rf " .. q(work))
t.done()
