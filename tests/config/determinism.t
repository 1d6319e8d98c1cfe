#!/usr/bin/env lua5.3
-- Configuring twice gives byte-identical files, whether into a fresh
-- directory or over an existing one; configure writes nothing it does not
-- need to (unchanged files keep their times, so Ninja rebuilds nothing).
package.path = (arg[0]:match("^(.*)/[^/]*$") or ".") .. "/../lib/?.lua;" .. package.path
local t = require("tap")

local dir = t.tmpdir()
os.execute(("cp -r %s/examples/hello/. %s/"):format(t.quote(t.root), t.quote(dir)))
os.execute("rm -rf " .. t.quote(dir .. "/_build"))
local m = t.quote(t.mirari)

local _, code = t.run(dir, m .. " configure -q -o a app.conf")
t.is(code, 0, "first configure")
_, code = t.run(dir, m .. " configure -q -o b app.conf")
t.is(code, 0, "second configure into another directory")
-- The two differ only where they name their own directory.
local diff = t.run(dir, ("diff -r a b | grep '^[<>]' | grep -v '%s/[ab]' ; true"):format(dir))
t.is(diff, "", "two fresh directories differ only in their own path")

local before = t.run(dir, "ls -l --time-style=full-iso a; cksum a/*")
os.execute("sleep 0.01")
_, code = t.run(dir, m .. " configure -q -o a app.conf")
t.is(code, 0, "configure again over the first")
local after = t.run(dir, "ls -l --time-style=full-iso a; cksum a/*")
-- build.ninja is always rewritten (Ninja compares its time with app.conf's)
-- but its bytes are the same.
local strip = function(s) return (s:gsub("[^\n]*build%.ninja\n", "")) end
t.is(strip(after), strip(before), "reconfigure: same bytes, unchanged files keep their times")
t.is(t.run(dir, "cksum < a/build.ninja"), t.run(dir, ("sed 's#%s/b#%s/a#g' b/build.ninja | cksum"):format(dir, dir)),
  "build.ninja identical up to the directory name")

os.execute("rm -rf " .. t.quote(dir))
t.done()
