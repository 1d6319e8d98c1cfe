#!/usr/bin/env lua5.3
-- The static archives of an image export nothing outside the mr_
-- namespace: internal symbols are hidden and localised when each archive is
-- built, so they cannot clash with the application's.
package.path = (arg[0]:match("^(.*)/[^/]*$") or ".") .. "/../lib/?.lua;" .. package.path
local t = require("tap")
local m = t.quote(t.mirari)

local dir = t.tmpdir()
t.copy_app("examples/hello", dir)
local out, code = t.run(dir, m .. " configure -q && " .. m .. " build")
t.is(code, 0, "build hello", out)

local archives = t.run(dir, "ls _build/lib/*.a")
t.ok(#archives > 0, "there are archives")
for a in archives:gmatch("[^\n]+") do
  local syms = t.run(dir, "nm -g --defined-only " .. a .. " | awk 'NF==3 {print $3}'")
  local bad, n = {}, 0
  for s in syms:gmatch("[^\n]+") do
    n = n + 1
    if not s:match("^mr_") then bad[#bad + 1] = s end
  end
  t.ok(n > 0, a .. " exports symbols")
  t.ok(#bad == 0, a .. " exports only mr_ symbols", table.concat(bad, " "))
end

-- An application may use names the runtime uses internally.
t.write(dir .. "/clash.c", "int sched; void heap_insert(void) {}\nvoid sched_run(void) {}\n"
  .. "void ctx_switch(void) {}\nvoid source_signal(void) {}\nint param_install;\n")
local conf = t.read(dir .. "/app.conf")
t.write(dir .. "/app.conf", (conf:gsub('"hello.c"', '"hello.c", "clash.c"')))
out, code = t.run(dir, m .. " build")
t.is(code, 0, "an application defining internal-sounding names links", out)
os.execute("rm -rf " .. t.quote(dir))
t.done()
