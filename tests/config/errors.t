#!/usr/bin/env lua5.3
-- Every class of configuration mistake gets one clear message naming the
-- file and line, exit status 2, and leaves no build directory behind.
package.path = (arg[0]:match("^(.*)/[^/]*$") or ".") .. "/../lib/?.lua;" .. package.path
local t = require("tap")

local GOOD_APP = [[
application "demo" {
  sources = { "demo.c" },
}
]]

-- Each case: a name, the app.conf text, the expected message (exact, as
-- printed on stderr), and optionally extra files and configure arguments.
local cases = {
  { "syntax error",
    'application "demo" {\n  sources = { "demo.c" }\n',
    "app.conf:3: syntax error: '}' expected (to close '{' at line 1) near <eof>" },
  { "misspelt statement",
    'aplication "demo" {\n  sources = { "demo.c" },\n}\n',
    "app.conf:1: unknown name 'aplication' (did you mean 'application'?)" },
  { "misspelt key",
    'application "demo" {\n  main = "demo_main",\n  sorces = { "demo.c" },\n}\n',
    "app.conf:3: unknown field 'sorces' (did you mean 'sources'?)" },
  { "wrong type",
    'application "demo" {\n  sources = { "demo.c" },\n  main = 42,\n}\n',
    "app.conf:3: main: expected a C identifier, got 42" },
  { "wrong type in a list",
    'application "demo" {\n  sources = { "demo.c", 7 },\n}\n',
    "app.conf:2: sources: item 2: expected a file name, got 7" },
  { "impossible unit",
    GOOD_APP .. 'use "runtime" {\n  stack_size = "16X",\n}\n',
    'app.conf:5: stack_size: invalid size "16X": expected bytes with an optional unit K, M or G, such as "16M"' },
  { "value out of range",
    GOOD_APP .. 'use "runtime" { stack_size = "1K" }\n',
    "app.conf:4: stack_size: 1K is below the minimum 8K" },
  { "size not a multiple",
    GOOD_APP .. 'use "runtime" { stack_size = "10K" }\n',
    "app.conf:4: stack_size: 10K is not a multiple of 4K" },
  { "memory bomb",
    GOOD_APP .. 'local t = {}\nfor i = 1, 1000000 do t[i] = ("x"):rep(1000) .. i end\n',
    "app.conf:5: evaluation used more than 256 MiB of memory" },
  { "impossible combination of a library's options",
    GOOD_APP .. 'use "lwip" {\n  udp = false,\n}\n',
    "app.conf:4: library 'lwip': dhcp = true needs udp = true: set udp = true or dhcp = false" },
  { "window smaller than a segment",
    GOOD_APP .. 'use "lwip" { tcp_wnd = "1K", tcp_mss = 1460 }\n',
    "app.conf:4: library 'lwip': tcp_wnd is smaller than one segment (tcp_mss): raise tcp_wnd or lower tcp_mss" },
  { "constraint naming an unknown option",
    GOOD_APP .. 'use "bad"\n',
    "libs/bad/manifest.lua:1: constraint 1 (not dhcp or udpp): unknown option 'udpp'",
    { ["libs/bad/manifest.lua"] = 'return { summary = "x", constraints = { { "not dhcp or udpp", "m" } },\n'
      .. '  options = { dhcp = { type = "bool", default = false }, udp = { type = "bool", default = true } } }\n' } },
  { "misspelt option",
    GOOD_APP .. 'use "runtime" {\n  stak_size = "64K",\n}\n',
    "app.conf:5: library 'runtime' has no option 'stak_size' (did you mean 'stack_size'?)" },
  { "misspelt enum value",
    GOOD_APP .. 'use "runtime" { log_level = "inf" }\n',
    "app.conf:4: log_level: \"inf\" is not one of 'error', 'warn', 'info' or 'debug' (did you mean 'info'?)" },
  { "missing source file",
    'application "demo" {\n  sources = { "demo.c", "nope.c" },\n}\n',
    "app.conf:2: source file 'nope.c' does not exist" },
  { "unknown library",
    GOOD_APP .. 'use "runtme"\n',
    "app.conf:4: unknown library 'runtme' (did you mean 'runtime'?)" },
  { "library without the target",
    GOOD_APP .. 'use "xenonly"\n',
    "app.conf:4: library 'xenonly' does not support target 'unix' (it supports 'xen')",
    { ["libs/xenonly/manifest.lua"] = 'return { summary = "only for xen", targets = { "xen" } }\n' } },
  { "library requiring one without the target",
    GOOD_APP .. 'use "wrapper"\n',
    "app.conf:4: library 'xenonly' (required by 'wrapper') does not support target 'unix' (it supports 'xen')",
    { ["libs/xenonly/manifest.lua"] = 'return { summary = "only for xen", targets = { "xen" } }\n',
      ["libs/wrapper/manifest.lua"] = 'return { summary = "needs xenonly", requires = { "xenonly" } }\n' } },
  { "misspelt field in an option declaration",
    GOOD_APP .. 'use "opts"\n',
    "libs/opts/manifest.lua:1: option n: unknown field \"defualt\" (did you mean 'default'?)",
    { ["libs/opts/manifest.lua"] = 'return { summary = "x", options = { n = { type = "int", defualt = 1 } } }\n' } },
  { "broken manifest",
    GOOD_APP .. 'use "broken"\n',
    "libs/broken/manifest.lua:2: unknown field 'sourcs' (did you mean 'sources'?)",
    { ["libs/broken/manifest.lua"] = 'return { summary = "typo",\n  sourcs = { "x.c" } }\n' } },
  { "missing source for a device kind",
    GOOD_APP .. 'use "devsrc"\n',
    "libs/devsrc/manifest.lua:2: source file gone.c does not exist",
    { ["libs/devsrc/manifest.lua"] = 'return { summary = "x",\n  device_sources = { net = { "gone.c" } } }\n' } },
  { "link words for a device kind that are not strings",
    GOOD_APP .. 'use "devlink"\n',
    "libs/devlink/manifest.lua:2: device_link.net: item 1: expected a string, got 42",
    { ["libs/devlink/manifest.lua"] = 'return { summary = "x",\n  device_link = { net = { 42 } } }\n' } },
  { "unknown device kind",
    GOOD_APP .. 'device "net0" {\n  kind = "nett",\n}\n',
    "app.conf:5: unknown device kind \"nett\" (did you mean 'net'?) (known kinds: 'block' and 'net')" },
  { "block device without an image",
    GOOD_APP .. 'device "disk0" { kind = "block" }\n',
    "app.conf:4: block device 'disk0' needs one of file = \"IMAGE\" or from = \"DIRECTORY\"" },
  { "block device with two images",
    GOOD_APP .. 'device "disk0" { kind = "block",\n  file = "app.conf", from = "." }\n',
    "app.conf:5: block device 'disk0' needs one of file = \"IMAGE\" or from = \"DIRECTORY\"" },
  { "block device image missing",
    GOOD_APP .. 'device "disk0" {\n  kind = "block",\n  file = "disk.img",\n}\n',
    "app.conf:6: file: disk.img does not exist (create it, e.g. truncate -s 1M, or use from = \"DIRECTORY\")" },
  { "block device from a file",
    GOOD_APP .. 'device "site" { kind = "block", from = "app.conf" }\n',
    "app.conf:4: from: app.conf is not a directory" },
  { "writable image from a directory",
    GOOD_APP .. 'device "site" { kind = "block", from = ".",\n  readonly = false }\n',
    "app.conf:5: readonly: an image made from a directory is read-only" },
  { "forward with a bad protocol",
    GOOD_APP .. 'device "net0" { kind = "net", forward = { "sctp:80:80" } }\n',
    "app.conf:4: forward \"sctp:80:80\": the protocol is tcp or udp" },
  { "forward to port 0",
    GOOD_APP .. 'device "net0" { kind = "net", forward = { "8080:0" } }\n',
    "app.conf:4: forward \"8080:0\": ports are 1 to 65535" },
  { "forward and tap",
    GOOD_APP .. 'device "net0" { kind = "net", tap = "tap0",\n  forward = { "8080:80" } }\n',
    "app.conf:5: forward: ports are forwarded by slirp, which a device with a tap does not use" },
  { "misspelt device field",
    GOOD_APP .. 'device "disk0" {\n  kind = "block",\n  redonly = true,\n}\n',
    "app.conf:6: unknown field 'redonly' (did you mean 'readonly'?)" },
  { "unknown parameter type",
    GOOD_APP .. 'param "count" { type = "integer", default = 1 }\n',
    "app.conf:4: type: \"integer\" is not one of 'int', 'bool', 'string', 'size' or 'duration' (did you mean 'int'?)" },
  { "parameter default of the wrong type",
    GOOD_APP .. 'param "count" {\n  type = "int",\n  default = "four",\n}\n',
    "app.conf:6: default: expected an integer, got \"four\"" },
  { "parameter default out of range",
    GOOD_APP .. 'param "count" { type = "int", default = 0, min = 1 }\n',
    "app.conf:4: default: 0 is below the minimum 1" },
  { "parameter duration unit",
    GOOD_APP .. 'param "period" { type = "duration", default = "1x" }\n',
    'app.conf:4: default: invalid duration "1x": expected a whole number with a unit ns, us, ms, s, m or h, such as "500ms"' },
  { "reserved parameter",
    GOOD_APP .. 'param "log" { type = "string", default = "x" }\n',
    "app.conf:4: parameter name 'log' is reserved for the runtime's log level" },
  { "duplicate parameter",
    GOOD_APP .. 'param "n" { type = "int", default = 1 }\nparam "n" { type = "int", default = 2 }\n',
    "app.conf:5: parameter 'n' is declared twice (first at line 4)" },
  { "assignment to a global",
    GOOD_APP .. 'count = 4\n',
    "app.conf:4: assignment to global 'count': write 'local count = ...' for a helper value" },
  { "no io in the sandbox",
    'local f = io.open("/etc/passwd")\n' .. GOOD_APP,
    "app.conf:1: unknown name 'io'" },
  { "no require in the sandbox",
    'local os = require("os")\n' .. GOOD_APP,
    "app.conf:1: unknown name 'require'" },
  { "no load in the sandbox",
    GOOD_APP .. 'load("x = 1")()\n',
    "app.conf:4: unknown name 'load'" },
  { "endless loop",
    GOOD_APP .. 'while true do end\n',
    "app.conf:4: evaluation ran for more than 10000000 instructions (an endless loop?)" },
  { "runtime error in the file",
    GOOD_APP .. 'local x = nil + 1\n',
    "app.conf:4: attempt to perform arithmetic on a nil value" },
  { "no application",
    'param "n" { type = "int", default = 1 }\n',
    "app.conf: no application statement: add application \"NAME\" { sources = { \"main.c\" } }" },
  { "two applications",
    GOOD_APP .. GOOD_APP,
    "app.conf:4: a second application statement (the first is at line 1)" },
  { "unknown target block",
    GOOD_APP .. 'target "uinx" { }\n',
    "app.conf:4: unknown target 'uinx' (did you mean 'unix'?) (targets: 'unix' and 'xen')" },
  { "misspelt target setting",
    GOOD_APP .. 'target "unix" {\n  sanitize = { "adress" },\n}\n',
    "app.conf:5: sanitize: item 1: \"adress\" is not one of 'address' or 'undefined' (did you mean 'address'?)" },
  { "not a handler set",
    GOOD_APP .. 'handlers "runtime"\n',
    "app.conf:4: library 'runtime' is not a handler set" },
  { "statement without a name",
    GOOD_APP .. 'use { stack_size = "64K" }\n',
    "app.conf:4: use expects a name in quotes: use \"NAME\" { ... }" },
  -- The limits hold inside C functions too: they are enforced from
  -- outside the evaluation (config/isolate.lua).
  { "one huge string",
    GOOD_APP .. 'local s = string.rep("x", 1e9)\n',
    "app.conf:4: evaluation used more than 256 MiB of memory" },
  { "huge strings in a loop",
    GOOD_APP .. 'local t = {}\nfor i = 1, 3 do\n  t[i] = string.rep("x", 6e8)\nend\n',
    "app.conf:6: evaluation used more than 256 MiB of memory" },
  { "a pattern that backtracks without end",
    GOOD_APP .. 'local s = string.rep("a", 3000)\nlocal x = s:find("(.-)(.-)(.-)(.-)b")\n',
    "app.conf: evaluation used more than 4 s of CPU time and was stopped "
    .. "(a pattern that backtracks without end, or a string function on a huge string?)" },
  { "a huge string in a manifest's constraint",
    GOOD_APP .. 'use "bad"\n',
    "libs/bad/manifest.lua:1: constraint 1 (x.rep(x, 1e9) ~= \"\"): evaluation used more than 256 MiB of memory",
    { ["libs/bad/manifest.lua"] = 'return { summary = "x", constraints = { { \'x.rep(x, 1e9) ~= ""\', "m" } },\n'
      .. '  options = { x = { type = "string", default = "x" } } }\n' } },
  { "a constraint that fails on the application's values",
    GOOD_APP .. 'use "bad" { n = 1000000000 }\n',
    "libs/bad/manifest.lua: constraint 1 (x.rep(x, n) ~= \"\"): evaluation used more than 256 MiB of memory",
    { ["libs/bad/manifest.lua"] = 'return { summary = "x", constraints = { { \'x.rep(x, n) ~= ""\', "m" } },\n'
      .. '  options = { x = { type = "string", default = "x" }, n = { type = "int", default = 1 } } }\n' } },
  { "a status route that is not a path",
    GOOD_APP .. 'handlers "http" { status = "status" }\n',
    'app.conf:4: library \'http\': status must be a path that starts with "/", such as "/status"' },
  { "error with a table",
    GOOD_APP .. '\nerror({})\n',
    "app.conf:5: error() called with a table, not a message string" },
  { "error without a message",
    GOOD_APP .. 'error()\n',
    "app.conf:4: error() called without a message" },
  { "error without a position",
    GOOD_APP .. 'error("no such thing", 0)\n',
    "app.conf:4: no such thing" },
  { "error blamed on the caller",
    GOOD_APP .. 'local function need(x) if not x then error("need a value", 2) end end\n\nneed(nil)\n',
    "app.conf:6: need a value" },
  { "a source listed twice",
    'application "demo" {\n  sources = { "demo.c", "demo.c" },\n}\n',
    "app.conf:2: source file 'demo.c' is listed twice (first as 'demo.c', line 2)" },
  { "a source listed twice under two names",
    'application "demo" {\n  sources = { "demo.c", "./demo.c" },\n}\n',
    "app.conf:2: source file './demo.c' is listed twice (first as 'demo.c', line 2)" },
  { "a target's source that the application lists already",
    GOOD_APP .. 'target "unix" {\n  sources = { "sub/../demo.c" },\n}\n',
    "app.conf:5: source file 'sub/../demo.c' is listed twice (first as 'demo.c', line 2)" },
  { "unknown target on the command line",
    GOOD_APP, "mirari: unknown target 'xne' (did you mean 'xen'?) (targets: 'unix' and 'xen')", nil, "-t xne" },
  { "misspelt xen setting",
    GOOD_APP .. 'target "xen" {\n  memroy = "16M",\n}\n',
    "app.conf:5: unknown field 'memroy' (did you mean 'memory'?)" },
  { "xen extra with a double quote",
    GOOD_APP .. 'target "xen" { extra = \'msg="hi"\' }\n',
    "app.conf:4: extra: \"msg=\\\"hi\\\"\" is not free of double quotes and backslashes (xl's extra= cannot carry them)" },
  { "option of the other target's backend, misspelt",
    GOOD_APP .. 'use "xen" { xenstore_timeot = "5s" }\n',
    "app.conf:4: unknown field 'xenstore_timeot' (did you mean 'xenstore_timeout'?)" },
  { "xen memory not in whole MiB",
    GOOD_APP .. 'target "xen" { memory = "1536K" }\n',
    "app.conf:4: memory: 1536K is below the minimum 2M" },
  { "unknown option",
    GOOD_APP, "mirari: configure: unknown option '--taget' (did you mean '--target'?) (see mirari configure --help)",
    nil, "--taget unix" },
}

for _, c in ipairs(cases) do
  local name, conf, want, files, args = c[1], c[2], c[3], c[4], c[5]
  local dir = t.tmpdir()
  t.write(dir .. "/app.conf", conf)
  t.write(dir .. "/demo.c", "void app_main(void) {}\n")
  for path, text in pairs(files or {}) do t.write(dir .. "/" .. path, text) end
  -- (timeout: should a limit ever stop holding, this fails, not hangs)
  local out, code = t.run(dir, "timeout 60 " .. t.quote(t.mirari) .. " configure " .. (args or "") .. " app.conf")
  t.is(out, want .. "\n", name .. ": message")
  t.is(code, 2, name .. ": exit status 2")
  t.ok(not t.exists(dir .. "/_build"), name .. ": no build directory written")
  os.execute("rm -rf " .. t.quote(dir))
end

-- The evaluation's memory stays under its limit whatever the file does:
-- the largest process of a configure that asks for 1.8 GB, measured by
-- the kernel (getrusage of the children, in KiB).
do
  local dir = t.tmpdir()
  t.write(dir .. "/app.conf", GOOD_APP .. 'local t = {}\nfor i = 1, 3 do t[i] = string.rep("x", 6e8) end\n')
  t.write(dir .. "/demo.c", "void app_main(void) {}\n")
  local out = t.run(dir, "python3 -c 'import resource, subprocess, sys; "
    .. "subprocess.run(sys.argv[1:], stderr=subprocess.DEVNULL); "
    .. "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' " .. t.quote(t.mirari) .. " configure -q")
  local kib = tonumber(out:match("%d+"))
  t.ok(kib and kib < 256 * 1024, "a memory bomb's peak stays under 256 MiB (" .. tostring(kib) .. " KiB)", out)
  os.execute("rm -rf " .. t.quote(dir))
end

-- A failed configure leaves an existing build directory exactly as it was.
do
  local dir = t.tmpdir()
  t.write(dir .. "/app.conf", GOOD_APP)
  t.write(dir .. "/demo.c", "void app_main(void) {}\n")
  local _, code = t.run(dir, t.quote(t.mirari) .. " configure -q")
  t.is(code, 0, "reconfigure: first configure succeeds")
  local before = t.run(dir, "cat _build/* | cksum; ls -l --time-style=full-iso _build")
  t.write(dir .. "/app.conf", GOOD_APP .. 'use "runtime" { stack_size = "16X" }\n')
  _, code = t.run(dir, t.quote(t.mirari) .. " configure -q")
  t.is(code, 2, "reconfigure: a broken app.conf fails with 2")
  t.is(t.run(dir, "cat _build/* | cksum; ls -l --time-style=full-iso _build"), before,
    "reconfigure: the build directory is untouched")
  os.execute("rm -rf " .. t.quote(dir))
end

-- Usage mistakes exit 2 as well.
do
  local out, code = t.run("/", t.quote(t.mirari) .. " confgure")
  t.is(out, "mirari: unknown command 'confgure' (did you mean 'configure'?) (see mirari --help)\n", "unknown command: message")
  t.is(code, 2, "unknown command: exit status 2")
  out, code = t.run("/tmp", t.quote(t.mirari) .. " configure /nonexistent/app.conf")
  t.is(out, "mirari: /nonexistent/app.conf: no such file\n", "missing app.conf: message")
  t.is(code, 2, "missing app.conf: exit status 2")
  out, code = t.run("/tmp", t.quote(t.mirari) .. " build -o /nonexistent/_build")
  t.is(out, "mirari: no configured build directory /nonexistent/_build: run 'mirari configure' first\n", "build unconfigured: message")
  t.is(code, 2, "build unconfigured: exit status 2")
end

t.done()
