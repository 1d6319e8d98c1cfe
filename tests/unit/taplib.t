#!/usr/bin/env lua5.3
-- The test library itself: a check skipped for want of a tool passes as a
-- TAP skip, except under MIRARI_NO_SKIP (as CI runs), where it fails and
-- says what was skipped, in a form TAP does not read as a skip.
package.path = (arg[0]:match("^(.*)/[^/]*$") or ".") .. "/../lib/?.lua;" .. package.path
local t = require("tap")
local q = t.quote

local dir = t.tmpdir()
t.write(dir .. "/skips.lua", ("package.path = %q .. package.path\n"):format(t.root .. "/tests/lib/?.lua;")
  .. 'local t = require("tap")\nt.ok(true, "# SKIP no frobnicator")\nt.ok(true, "a check that ran")\nt.done()\n')
local function run(env)
  return t.run(dir, ("env %s lua5.3 skips.lua 2>&1"):format(env))
end
local out, code = run("-u MIRARI_NO_SKIP")
t.is(code, 0, "a skip passes without MIRARI_NO_SKIP", out)
t.has(out, "ok 1 - # SKIP no frobnicator\n", "as a TAP skip")
out, code = run("MIRARI_NO_SKIP=1")
t.is(code, 1, "with MIRARI_NO_SKIP=1 a skip fails the file", out)
t.has(out, "not ok 1 - skipped where nothing may be (MIRARI_NO_SKIP): no frobnicator\n",
  "it says what was skipped, not as a TAP skip directive")
t.has(out, "ok 2 - a check that ran\n", "the other checks run on")
out, code = t.run(dir, "MIRARI_NO_SKIP=1 prove -e lua5.3 skips.lua 2>&1")
t.ok(code ~= 0 and out:find("Result: FAIL", 1, true) ~= nil, "prove fails it", out)
os.execute("rm -rf " .. q(dir))
t.done()
