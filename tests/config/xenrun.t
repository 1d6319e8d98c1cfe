#!/usr/bin/env lua5.3
-- tool/xenrun.lua's choice of where `mirari run --emulate --forward H:G`
-- sends a forward: the static address of the image's first net device
-- (app.conf's, or a NAME.ipv4= boot parameter), else dom0's latest DHCP
-- guest (the forward is left without an address); and its filter of the
-- dom0 script's output.
package.path = (arg[0]:match("^(.*)/[^/]*$") or ".") .. "/../lib/?.lua;" .. package.path
local t = require("tap")
package.path = t.root .. "/?.lua;" .. package.path
local xenrun = require("tool.xenrun")

local static = { devices = { { kind = "block", name = "site" },
                             { kind = "net", name = "net0", ipv4 = "192.0.2.10/24" } } }
local f = xenrun.forwards_to_static(static, {}, { "8080:80" })
t.is(f[1], "8080:192.0.2.10:80", "a static address in app.conf is where H:G goes")
f = xenrun.forwards_to_static(static, { "net0.ipv4=192.0.2.33/24" }, { "8080:80" })
t.is(f[1], "8080:192.0.2.33:80", "a net0.ipv4= boot parameter takes precedence")
f = xenrun.forwards_to_static(static, { "net0.ipv4=dhcp" }, { "8080:80" })
t.is(f[1], "8080:80", "a boot parameter asking for DHCP leaves it to the latest lease")
f = xenrun.forwards_to_static(static, {}, { "9000:198.51.100.7:90" })
t.is(f[1], "9000:198.51.100.7:90", "a forward naming its address is kept")
f = xenrun.forwards_to_static({ devices = { { kind = "net", name = "net0", ipv4 = "dhcp" } } }, {}, { "8080:80" })
t.is(f[1], "8080:80", "with DHCP in app.conf, the latest lease")
t.is(xenrun.forwards_to_static({ devices = {} }, {}, nil), nil, "no forwards, nothing")

-- The filter of the dom0 script's output: the console to standard output,
-- "@mirari diag:" lines to standard error, the other "@mirari" lines'
-- fields kept (never a diag's words, which may hold "=").
local function sink()
  local parts = {}
  return { write = function(self, ...) for _, v in ipairs({ ... }) do parts[#parts + 1] = v end return self end,
           flush = function() end, text = function() return table.concat(parts) end }
end
local out, err, result = sink(), sink(), { lines = {} }
local created = 0
result.on_created = function() created = created + 1 end
local feed, finish = xenrun.filter(out, err, result)
feed("@mirari created=hello\nHello from mirari (xen)\nHel")
feed("lo again\n@mirari diag: xenconsoled (pid 7) did not settle in 10 s (state T); end=crash\n")
feed("@mirari end=poweroff ms_to_first_output=812")
finish()
t.is(out.text(), "Hello from mirari (xen)\nHello again\n", "console lines reach standard output whole, and only they")
t.is(err.text(), "mirari: xenconsoled (pid 7) did not settle in 10 s (state T); end=crash\n",
  "a diag line reaches standard error, as a mirari message")
t.is(result["end"], "poweroff", "the end comes from the end line, not from a diag's words")
t.is(result.ms_to_first_output, "812", "a last line without a newline is read at the finish")
t.is(created, 1, "created is said once")
t.done()
