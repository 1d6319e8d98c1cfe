#!/usr/bin/env lua5.3
-- tool/xenrun.lua's choice of where `mirari run --emulate --forward H:G`
-- sends a forward: the static address of the image's first net device
-- (app.conf's, or a NAME.ipv4= boot parameter), else dom0's latest DHCP
-- guest (the forward is left without an address).
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
t.done()
