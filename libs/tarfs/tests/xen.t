#!/usr/bin/env lua5.3
-- libs/tarfs under real Xen (the emulated host, booted once): tests/app
-- (tarls) built for xen mounts the archive GNU tar made of the site (see
-- site.lua) through blkfront, its disk attached by the generated xl
-- config, and must print what mount.t checks on Unix: every node with a
-- hash of its bytes, read in chunks of 1000 bytes (from odd offsets) and
-- of 64 KiB, lookups and one file's text. A bad archive (a symbolic link in it) stops the mount
-- with the entry, its offset and the reason on the guest's console.
local here = arg[0]:match("^(.*)/[^/]*$") or "."
package.path = here .. "/../../../tests/lib/?.lua;" .. package.path
local t = require("tap")
t.root = (function()
  local d = here:sub(1, 1) == "/" and here or (os.getenv("PWD") .. "/" .. here)
  return (d:gsub("/libs/tarfs/tests/?$", ""))
end)()
t.mirari = t.root .. "/bin/mirari"
package.path = t.root .. "/?.lua;" .. package.path
local xenhost = require("tool.xenhost")
local m, q = t.quote(t.mirari), t.quote
local site = dofile(t.root .. "/libs/tarfs/tests/site.lua")
local MTIME = 1234567890

local work = t.tmpdir()
local app = work .. "/tarls"
t.copy_app("libs/tarfs/tests/app", app)
site.make(app .. "/tree")
t.run(app, ("tar --format=ustar --mtime=@%d -cf site.tar -C tree ."):format(MTIME))
-- The bad archive: the site and a symbolic link.
t.run(app, "cp -r tree badtree && ln -s index.html badtree/link && "
  .. "tar --format=ustar --sort=name -cf bad.tar -C badtree .")

local out, code = t.run(app, m .. " configure -q -t xen && " .. m .. " build 2>&1")
t.is(code, 0, "tarls builds for xen", out)
t.ok(not out:find("warning:", 1, true), "tarfs compiles for xen without warnings", out)
local xl = t.read(app .. "/_build/tarls.xl") or ""
t.has(xl, ("disk = [ 'format=raw,vdev=xvda,access=ro,target=%s/site.tar' ]"):format(app),
  "its xl config attaches site.tar read-only", xl)
if code ~= 0 then
  os.execute("rm -rf " .. q(work))
  t.done()
end
t.write(work .. "/bad.xl", (xl:gsub("/site%.tar'", "/bad.tar'")))

local script = work .. "/dom0.sh"
t.write(script, ([[
#!/bin/sh
. %s
echo '@@@ small'
mirari_run_guest %s tarls1 chunk=1000 120
echo '@@@ large'
mirari_run_guest %s tarls2 chunk=65536 120
echo '@@@ bad'
mirari_run_guest %s tarls3 "" 60
echo '@@@ end'
]]):format(q(t.root .. "/build/xenhost/run-guest.sh"), q(app .. "/_build/tarls.xl"),
  q(app .. "/_build/tarls.xl"), q(work .. "/bad.xl")))
local r, err = xenhost.exec(t.root, script, { timeout = 400 })
t.ok(r ~= nil and r.status == 0, "the dom0 script ran", r and (r.error or r.output) or err)
local section = t.sections(r and r.output or "")
local want = site.expected(MTIME, "755")

for _, run in ipairs({ { "small", 1000 }, { "large", 65536 } }) do
  local console = (section[run[1]] or ""):gsub("\r\n", "\n")
  t.has(console, want, ("chunks of %d bytes: every node, its bytes, lookups and text"):format(run[2]), console)
  t.has(console, "@mirari end=poweroff", ("chunks of %d bytes: the guest powers off"):format(run[2]), console)
  local us = console:match("tarls: mounted %d+ nodes in (%d+) us")
  if us then io.stdout:write("# mount (", run[1], " run): ", us, " us\n") end
end
local bad = (section.bad or ""):gsub("\r\n", "\n")
t.has(bad, "error main: tarfs site: entry \"./link\" at byte 76800: symbolic links are not supported (type '2')",
  "a bad archive: the console names the entry, its offset and why", bad)
t.has(bad, "FAIL mount: invalid argument", "a bad archive: the mount returns MR_EINVAL", bad)
t.has(bad, "@mirari end=crash", "a bad archive: the guest ends with its failure", bad)

if r then
  io.stdout:write("# dom0 ready after ", tostring(r.timings.boot_to_ready_ms), " ms, whole run ",
    tostring(r.timings.total_ms), " ms\n")
  xenhost.forget(r)
end
os.execute("rm -rf " .. q(work))
t.done()
