#!/usr/bin/env lua5.3
-- The command line around the emulated Xen host: `mirari run --emulate`
-- streams a guest's console and exits with how it ended (0 for poweroff, 1
-- for a crash, whose backtrace it names with the image's symbols), and
-- `mirari dom0 SCRIPT` gives back the script's output and status. Usage
-- mistakes are found before anything boots.
package.path = (arg[0]:match("^(.*)/[^/]*$") or ".") .. "/../lib/?.lua;" .. package.path
local t = require("tap")
local m, q = t.quote(t.mirari), t.quote

local work = t.tmpdir()
local function copy(app, src)
  local dir = work .. "/" .. app
  t.copy_app(src, dir)
  return dir
end
local hello, crash = copy("hello", "examples/hello"), copy("crash", "tests/apps/crash")

-- Before anything boots.
local out, code = t.run(hello, m .. " configure -q -t unix && " .. m .. " build >/dev/null && " .. m .. " run --emulate")
t.is(code, 2, "run --emulate of a Unix image: status 2")
t.has(out, "mirari: run: --emulate is for Xen images; this one is for unix", "and says why")
out, code = t.run(work, m .. " dom0 " .. q(work .. "/missing.sh"))
t.is(code, 2, "dom0 with a missing script: status 2")
t.has(out, "no script " .. work .. "/missing.sh", "and names it")

for _, dir in ipairs({ hello, crash }) do
  out, code = t.run(dir, m .. " configure -q -t xen && " .. m .. " build")
  t.is(code, 0, "build for xen: " .. dir, out)
end

out, code = t.run(hello, m .. " run --emulate count=2 interval=10ms 2>&1")
t.is(code, 0, "run --emulate: a guest that powers off gives 0", out)
t.has(out, ("Hello from mirari (xen)\n"):rep(2), "its console is shown")

out, code = t.run(crash, m .. " run --emulate how=null 2>&1")
t.is(code, 1, "run --emulate: a crash gives 1")
t.has(out, "mirari: crash: page fault (#PF) at 0x0", "the crash report is shown")
t.ok(out:match("#0 0x%x+ crash_main %(crash%.c:%d+%)") ~= nil, "its backtrace names crash_main", out)

t.write(work .. "/job.sh", "#!/bin/sh\nxl info | grep '^virt_caps'\nexit 3\n")
out, code = t.run(work, m .. " dom0 job.sh")
t.is(code, 3, "dom0: the script's exit status comes back")
t.has(out, "virt_caps", "dom0: its output comes back")
t.ok(out:find("pvh", 1, true) or out:find("hvm", 1, true), "dom0: the host runs HVM/PVH guests", out)

os.execute("rm -rf " .. q(work))
t.done()
