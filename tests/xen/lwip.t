#!/usr/bin/env lua5.3
-- The lwip library on Xen: tests/apps/lwip builds against newlib without
-- warnings, its archive exports only mr_lwip_*, and under real Xen (the
-- emulated host, booted once) the guest starts lwIP at boot, runs lwIP's
-- timers from the mirari timer, passes the selftest (buffers, UDP and TCP
-- over loopback), prints "lwip ok" and powers off.
package.path = (arg[0]:match("^(.*)/[^/]*$") or ".") .. "/../lib/?.lua;" .. package.path
local t = require("tap")
package.path = t.root .. "/?.lua;" .. package.path
local xenhost = require("tool.xenhost")
local m, q = t.quote(t.mirari), t.quote

-- lwIP in the cache, as the first build would fetch it. Fetching on first
-- use through `mirari build` is tested by tests/unix/lwip.t; here it is
-- done beforehand so that this test is about Xen only.
local _, fetched, fcode = t.dep_in_cache("lwip")
if fcode then t.is(fcode, 0, "lwIP fetched into the cache", fetched) end

local work = t.tmpdir()
local app = work .. "/lwiptest"
t.copy_app("tests/apps/lwip", app)
local out, code = t.run(app, m .. " configure -q -t xen && " .. m .. " build")
t.is(code, 0, "lwiptest builds for xen", out)
t.ok(not out:find("warning:", 1, true), "lwIP and the library compile without warnings against newlib", out)
local syms = t.run(app, "nm -g --defined-only _build/lib/libmr_lwip.a | awk 'NF==3 {print $3}' | sort")
t.is(syms, "mr_lwip_init\nmr_lwip_selftest\nmr_lwip_stats\nmr_net_wait_up\nmr_tcp_close\nmr_tcp_connect\nmr_tcp_listen\nmr_tcp_listen_max\nmr_tcp_read\nmr_tcp_set_idle\nmr_tcp_write\nmr_udp_bind\nmr_udp_close\nmr_udp_dropped\nmr_udp_recvfrom\nmr_udp_sendto\n",
  "libmr_lwip.a (xen) exports only its mr_lwip_ and network API")
local size = tonumber((t.run(app, "strip -o _build/stripped _build/lwiptest.xen && stat -c %s _build/stripped")))
t.ok(size and size < 256 * 1024, "lwiptest.xen stripped, with TCP, UDP and DHCP, is under 256 KB", size)
io.stdout:write("# lwiptest.xen stripped: ", tostring(size), " bytes\n")

-- One boot -----------------------------------------------------------------
local script = work .. "/dom0.sh"
t.write(script, table.concat({
  "#!/bin/sh",
  ". " .. q(t.root .. "/build/xenhost/run-guest.sh"),
  ("mirari_run_guest %s lwiptest '' 60"):format(q(app .. "/_build/lwiptest.xl")),
}, "\n") .. "\n")
local r, err = xenhost.exec(t.root, script, { timeout = 300 })
t.ok(r ~= nil and r.status == 0, "the dom0 script ran", r and (r.error or r.output) or err)
out = r and r.output or ""
t.has(out, "@mirari end=poweroff", "the guest powered off (mr_exit(0))")
t.has(out, "heap 131072 pool 64\n", "lwIP's heap and pool have the sizes of app.conf")
t.has(out, "selftest: success\n", "the selftest passes (buffers, UDP and TCP over loopback)")
-- Every period ran or was skipped (counted, not timed: the emulated
-- guest is often late); never more runs than periods.
local ticks, ms, skipped = out:match("ticks: (%d+) in (%d+) ms, (%d+) skipped, every 50 ms\n")
ticks, ms, skipped = tonumber(ticks), tonumber(ms), tonumber(skipped)
t.ok(ticks and ms >= 1000 and ticks + skipped + 1 >= 20 and ticks <= ms // 50 + 1,
  "lwIP's timers ran periodically in the guest, never more often than every 50ms, every period run or skipped", out)
io.stdout:write("# ", tostring(ticks), " runs of lwIP's timers in ", tostring(ms), " ms, ",
  tostring(skipped), " periods skipped\n")
t.has(out, "own names: 156\n", "the application's definitions of lwIP's names are its own")
t.has(out, "lwip ok\n", "lwip ok")
if r then
  io.stdout:write("# dom0 ready after ", r.timings.boot_to_ready_ms, " ms\n")
  xenhost.forget(r)
end
os.execute("rm -rf " .. q(work))
t.done()
