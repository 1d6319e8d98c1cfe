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
t.has(out, "mirari: booting the emulated Xen host\n", "run --emulate says it boots the host", out)
t.ok(out:match("mirari: dom0 ready after %d+%.%d s\n") ~= nil, "when dom0 is ready", out)
t.ok(out:match("mirari: guest hello created, %d+ s after the start\n") ~= nil, "and when the guest is created", out)

-- What ends mirari ends the emulator: SIGTERM (kill, timeout, systemd)
-- through the supervisor, SIGINT sent to mirari alone through the wait.
-- The run folders of the emulator, and so its processes' command lines,
-- are under (tmp): nothing of them may be left.
local tmp = work .. "/tmp"
os.execute("mkdir -p " .. q(tmp))
local function left()
  -- "[/]..." matches the path but not this shell's own command line.
  local l = t.run("/", "pgrep -f " .. q("[/]" .. tmp:sub(2)) .. " || true")
  return l:match("%d") and l or nil
end
local function within(seconds, cond)
  for _ = 1, seconds * 10 do
    if cond() then return true end
    os.execute("sleep 0.1")
  end
  return cond()
end
local function start()
  for _, f in ipairs({ "run.status", "run.pid", "run.out" }) do os.remove(work .. "/" .. f) end
  local inner = q("echo $$ >../run.pid; TMPDIR=" .. q(tmp) .. " exec " .. m
    .. " run --emulate count=10000 interval=100ms >../run.out 2>&1")
  t.run(hello, ("(sh -c %s; echo $? >../run.status) >/dev/null 2>&1 & :"):format(inner))
  -- Until the guest greets or mirari has ended; the bound is for a hang
  -- alone (the emulated host boots in under a minute, slower under load),
  -- and the caller checks that the guest was running.
  local running = within(600, function()
    return (t.read(work .. "/run.out") or ""):find("Hello from mirari", 1, true) or t.exists(work .. "/run.status")
  end) and not t.exists(work .. "/run.status")
  return (t.read(work .. "/run.pid") or ""):match("%d+"), running
end
local function status()
  local st
  within(30, function()
    st = (t.read(work .. "/run.status") or ""):match("^(%d+)\n")
    return st
  end)
  return tonumber(st)
end
local pid, running = start()
t.ok(pid and running and left(), "run --emulate runs the emulator and the guest", t.read(work .. "/run.out"))
os.execute("kill -TERM " .. (pid or "0"))
t.is(status(), 143, "SIGTERM ends mirari run --emulate")
t.ok(within(15, function() return not left() end), "and the emulator with it", left())
pid, running = start()
t.ok(pid and running, "run --emulate again, its guest running", t.read(work .. "/run.out"))
os.execute("kill -INT " .. (pid or "0"))
t.is(status(), 130, "SIGINT to mirari alone ends run --emulate with 130")
t.has(t.read(work .. "/run.out") or "", "mirari: interrupted: the guest was destroyed with the emulated Xen host",
  "saying so calmly", t.read(work .. "/run.out"))
t.ok(within(15, function() return not left() end), "and the emulator is gone", left())

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
