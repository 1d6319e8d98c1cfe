#!/usr/bin/env lua5.3
-- What configure generates: constants with their origin, parameters and
-- the link of only the selected libraries.
package.path = (arg[0]:match("^(.*)/[^/]*$") or ".") .. "/../lib/?.lua;" .. package.path
local t = require("tap")
local m = t.quote(t.mirari)

local dir = t.tmpdir()
t.write(dir .. "/app.conf", [[
application "gen" {
  sources = { "gen.c", "../shared/util.c" },
}
param "name" { type = "string", default = "a \"quoted\" word", max = 32 }
param "big" { type = "size", default = "1M", max = "1G" }
use "runtime" {
  stack_size = "1M",
  log_level = "debug",
}
use "empty"
use "xen" { xenstore_timeout = "5s" }
]])
t.write(dir .. "/gen.c", "void app_main(void) {}\n")
t.write(dir .. "/../shared/util.c", "int util;\n")
t.write(dir .. "/libs/empty/manifest.lua", 'return { summary = "headers only", include = { "." } }\n')
local out, code = t.run(dir, m .. " configure -q")
t.is(code, 0, "configure", out)
local h = t.read(dir .. "/_build/mirari_config.h") or ""
t.has(h, "/* runtime.stack_size = 1M (app.conf:7): ", "an option set in app.conf names its line")
t.has(h, "#ifndef MR_CFG_RUNTIME_STACK_SIZE\n#define MR_CFG_RUNTIME_STACK_SIZE 1048576\n#endif", "sizes are integer constants, guarded")
t.has(h, "#define MR_CFG_RUNTIME_LOG_LEVEL 3 /* debug */", "enums are their index")
t.has(h, "/* runtime.max_threads = 4096 (default): ", "an option left alone says default")
local c = t.read(dir .. "/_build/main.c") or ""
t.has(c, '{ "name", MR_PARAM_STRING, { .s = "a \\"quoted\\" word" }, 0, 32, "" },', "string parameter with escapes")
t.has(c, '{ "big", MR_PARAM_SIZE, { .i = 1048576 }, 0, 1073741824, "" },', "size parameter in bytes")
local n = t.read(dir .. "/_build/build.ninja") or ""
t.ok(not n:find("libmr_empty", 1, true), "a library without sources has no archive")
t.ok(not n:find("libmr_xen", 1, true), "options of another target's backend do not select it")
t.has(n, "obj/app/ext/2-util.c.o", "a source outside the application folder gets a unique object")
t.ok(not n:find(dir .. "/app.conf:", 1, true), "generated files do not depend on how app.conf was named")
out, code = t.run(dir, m .. " describe")
t.is(code, 0, "describe")
t.has(out, "empty        use at app.conf:10", "describe says why a library is there")
t.has(out, "big          size      default 1M [..1G]", "describe shows parameters in their units")
t.has(out, "target settings (target \"unix\" { ... } in app.conf):\n", "describe shows the target's settings")
t.has(out, "  sanitize     {}\n", "an empty list is {}")
out, code = t.run(dir, m .. " describe -t xen")
t.is(code, 0, "describe -t xen")
t.has(out, "  memory       8M\n", "describe shows the xen settings in their units")
os.execute("rm -rf " .. t.quote(dir) .. " " .. t.quote(dir .. "/../shared"))
t.done()
