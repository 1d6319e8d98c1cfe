#!/usr/bin/env lua5.3
-- An application built with target "unix" { sanitize = { ... } } runs
-- clean under AddressSanitizer, LeakSanitizer and UBSan: the runtime
-- leaks nothing and does nothing undefined on its normal paths.
package.path = (arg[0]:match("^(.*)/[^/]*$") or ".") .. "/../lib/?.lua;" .. package.path
local t = require("tap")
local m = t.quote(t.mirari)

local dir = t.tmpdir()
t.copy_app("examples/hello", dir)
t.write(dir .. "/app.conf", t.read(dir .. "/app.conf") ..
  '\ntarget "unix" { sanitize = { "address", "undefined" }, optimize = "debug" }\n')
local out, code = t.run(dir, m .. " configure -q && " .. m .. " build")
t.is(code, 0, "build hello with sanitizers", out)
t.has(t.read(dir .. "/_build/build.ninja") or "", "-fsanitize=address,undefined", "the flags reach the build")
for _, args in ipairs({ "count=3 interval=1ms", "", "count=0", "count=abc" }) do
  out, code = t.run(dir, "UBSAN_OPTIONS=halt_on_error=1 ./_build/hello " .. args)
  t.ok(not out:find("Sanitizer", 1, true) and not out:find("runtime error", 1, true),
    "no sanitizer report: hello " .. args, out)
  t.is(code, args == "count=abc" and 2 or 0, "exit status: hello " .. args)
end
os.execute("rm -rf " .. t.quote(dir))
t.done()
