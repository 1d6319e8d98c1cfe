#!/usr/bin/env lua5.3
-- Failures of the application: a panic, a NULL dereference, a stack
-- overflow into the guard page, a deadlock and a failing exit status each
-- end the process with a message, and `mirari run` reports status 1.
package.path = (arg[0]:match("^(.*)/[^/]*$") or ".") .. "/../lib/?.lua;" .. package.path
local t = require("tap")
local m = t.quote(t.mirari)

local dir = t.tmpdir()
os.execute(("cp -r %s/tests/apps/crash/. %s/"):format(t.quote(t.root), t.quote(dir)))
local out, code = t.run(dir, m .. " configure -q && " .. m .. " build")
t.is(code, 0, "build the crash application", out)

out, code = t.run(dir, m .. " run")
t.is(out, "no crash\n", "how=none runs normally")
t.is(code, 0, "how=none exits 0")

local cases = {
  { "panic", "panic main: on purpose, 42", "crash was killed by signal 6 (SIGABRT)" },
  { "null", "mirari: crash: segmentation fault at 0x0\n", "crash was killed by signal 6 (SIGABRT)" },
  { "overflow", "(stack overflow: guard page of thread main)", "crash was killed by signal 6 (SIGABRT)" },
  { "deadlock", "panic -: deadlock: 1 threads blocked and nothing can wake them (one is 'main')",
    "crash was killed by signal 6 (SIGABRT)" },
  { "writetext", "mirari: crash: segmentation fault at 0x", "crash was killed by signal 6 (SIGABRT)" },
  { "execdata", "mirari: crash: segmentation fault at 0x", "crash was killed by signal 6 (SIGABRT)" },
  { "exit3", "", "crash exited with status 3" },
}
for _, c in ipairs(cases) do
  out, code = t.run(dir, m .. " run how=" .. c[1])
  t.is(code, 1, c[1] .. ": mirari run exits 1")
  t.has(out, c[2], c[1] .. ": the crash says what happened")
  t.has(out, "mirari: " .. c[3], c[1] .. ": mirari run reports how it ended")
end
os.execute("rm -rf " .. t.quote(dir))
t.done()
