#!/usr/bin/env lua5.3
-- The lwip library on Unix: build/lwip.sh fetches Debian's lwip source
-- package through a private sources list (the machine's apt configuration
-- untouched), checks it and unpacks it once; tests/apps/lwip builds
-- without warnings, starts lwIP at boot, runs its timers from the mirari
-- timer, passes the selftest (buffers, UDP and TCP over loopback) and
-- prints "lwip ok"; libmr_lwip.a exports only mr_lwip_*, so the
-- application may define lwIP's names; option values reach lwIP; and
-- combinations lwIP cannot build fail with a message naming the app.conf
-- options. Everything runs in a private cache (MIRARI_CACHE).
package.path = (arg[0]:match("^(.*)/[^/]*$") or ".") .. "/../lib/?.lua;" .. package.path
local t = require("tap")
local m, q = t.quote(t.mirari), t.quote

local dep = dofile(t.root .. "/build/deps.lua").lwip
local work = t.tmpdir()
local cache = work .. "/cache"
local function prefix(c) return ("%s/lwip-%s-b%d"):format(c, dep.version, dep.build) end
local function recipe(c, sha256, pfx)
  return ("sh %s %s %s %s %s"):format(q(t.root .. "/build/lwip.sh"), q(c), q(dep.version),
    q(sha256 or dep.sha256), q(pfx or prefix(c)))
end
local function apt_config()
  return t.run("/", "ls -l --time-style=full-iso /etc/apt/sources.list /etc/apt/sources.list.d 2>&1; "
    .. "cat /etc/apt/sources.list.d/* /etc/apt/sources.list 2>/dev/null | md5sum")
end

-- The recipe ---------------------------------------------------------------
local apt_before = apt_config()
local out, code = t.run(work, recipe(cache) .. " 2>" .. q(work .. "/fetch.err"))
local err = t.read(work .. "/fetch.err") or ""
t.is(code, 0, "build/lwip.sh fetches lwIP", err)
t.is(out, prefix(cache) .. "\n", "it prints the prefix on stdout")
t.has(err, "mirari: lwip: fetching the source package lwip " .. dep.version, "progress on stderr")
t.ok(t.exists(prefix(cache) .. "/.complete"), "the prefix is complete")
for _, f in ipairs({ "src/core/init.c", "src/core/ipv4/dhcp.c", "src/netif/ethernet.c", "src/include/lwip/opt.h" }) do
  t.ok(t.exists(prefix(cache) .. "/" .. f), "unpacked without the top folder: " .. f)
end
t.ok(not t.exists(prefix(cache) .. "/pax_global_header"), "no tar metadata left as a file")
t.has(t.read(cache .. "/.lwip-apt/sources/mirari-src.sources") or "", "Types: deb-src\n",
  "the private sources list asks for source packages")
t.is(apt_config(), apt_before, "the machine's apt configuration is unchanged")
out, code = t.run(work, recipe(cache) .. " 2>/dev/null")
t.ok(code == 0 and out == prefix(cache) .. "\n", "a second run finds it complete", out)
local bad = work .. "/bad/lwip-bad"
out, code = t.run(work, recipe(work .. "/bad", ("0"):rep(64), bad))
t.ok(code ~= 0, "a wrong sha256: the recipe fails")
t.has(out, "has sha256 " .. dep.sha256 .. ", expected " .. ("0"):rep(64) .. ": refusing to use it", "and says why")
t.ok(not t.exists(bad .. "/.complete") and not t.exists(bad .. "/src"), "and installs nothing")

-- First use through mirari build, from an empty cache. This needs the
-- generator to make the dep_sources files outputs of the dependency's
-- build edge; without that, Ninja stops before running the recipe:
-- "src/core/init.c ... missing and no known rule to make it".
local app = work .. "/lwiptest"
t.copy_app("tests/apps/lwip", app)
local first = work .. "/first-cache"
out, code = t.run(app, "MIRARI_CACHE=" .. q(first) .. " " .. m .. " configure -q -t unix -o _first && MIRARI_CACHE="
  .. q(first) .. " " .. m .. " build -o _first")
t.ok(code == 0 and t.exists(prefix(first) .. "/.complete"),
  "first use: mirari build fetches lwIP into an empty cache (dep_sources are outputs of the recipe's edge)",
  out)

-- The test application --------------------------------------------------------
local env = "MIRARI_CACHE=" .. q(cache) .. " "
out, code = t.run(app, env .. m .. " configure -q -t unix && " .. env .. m .. " build")
t.is(code, 0, "lwiptest builds for unix", out)
t.ok(not out:find("warning:", 1, true), "lwIP and the library compile without warnings (-Wall -Wextra)", out)
out, code = t.run(app, env .. m .. " run 2>&1")
t.is(code, 0, "lwiptest exits 0", out)
t.has(out, "heap 131072 pool 64\n", "lwIP's heap and pool have the sizes of app.conf")
t.has(out, "selftest: success\n", "the selftest passes (buffers, UDP and TCP over loopback)")
-- Every 50 ms period of the second either ran lwIP's timers or was
-- skipped because the process was late (a loaded machine): counted, not
-- timed; never more runs than periods.
local ticks, ms, skipped = out:match("ticks: (%d+) in (%d+) ms, (%d+) skipped, every 50 ms\n")
ticks, ms, skipped = tonumber(ticks), tonumber(ms), tonumber(skipped)
t.ok(ticks and ms >= 1000 and ticks + skipped + 1 >= 20 and ticks <= ms // 50 + 1,
  "lwIP's timers ran periodically during a second, never more often than every 50ms (timer_interval), "
  .. "every period run or skipped", out)
io.stdout:write("# ", tostring(ticks), " runs of lwIP's timers in ", tostring(ms), " ms, ",
  tostring(skipped), " periods skipped\n")
t.has(out, "own names: 156\n", "the application's definitions of lwIP's names are its own")
t.has(out, "lwip ok\n", "lwip ok")

local syms = t.run(app, "nm -g --defined-only _build/lib/libmr_lwip.a | awk 'NF==3 {print $3}' | sort")
t.is(syms, "mr_lwip_init\nmr_lwip_selftest\nmr_lwip_stats\nmr_net_wait_up\nmr_tcp_close\nmr_tcp_connect\nmr_tcp_listen\nmr_tcp_listen_max\nmr_tcp_read\nmr_tcp_set_idle\nmr_tcp_write\nmr_udp_bind\nmr_udp_close\nmr_udp_dropped\nmr_udp_recvfrom\nmr_udp_sendto\n",
  "libmr_lwip.a exports only its mr_lwip_ and network API")
local locals = t.run(app, "nm _build/lib/libmr_lwip.a | awk '$3 == \"lwip_init\" || $3 == \"tcp_input\" {print $2}'")
t.is(locals, "t\nt\n", "lwIP's functions are in the archive, local")

-- Options ---------------------------------------------------------------------
local function build_with(name, opts)
  local dir = work .. "/" .. name
  os.execute(("mkdir -p %s && cp %s/tests/apps/lwip/*.c %s/"):format(q(dir), q(t.root), q(dir)))
  t.write(dir .. "/app.conf", 'application "lwiptest" { sources = { "lwiptest.c", "clash.c" }, main = "lwiptest_main" }\n'
    .. "use \"lwip\" { " .. opts .. " }\n")
  local cout, ccode = t.run(dir, env .. m .. " configure -q -t unix")
  if ccode ~= 0 then return cout, ccode, nil end
  local bout, bcode = t.run(dir, env .. m .. " build")
  return bout, bcode, dir
end

out, code, dir = build_with("small", "tcp = false, udp = false, dhcp = false, loopback = false")
t.is(code, 0, "a stack without TCP, UDP, DHCP and loopback builds", out)
t.ok(not out:find("warning:", 1, true), "and without warnings", out)
if dir then
  out, code = t.run(dir, "./_build/lwiptest 2>&1")
  t.ok(code == 0 and out:find("lwip ok", 1, true), "and passes", out)
end
out, code, dir = build_with("wide", 'tcp_wnd = "1M", tcp_snd_buf = "256K", pbuf_pool_size = 1024')
t.is(code, 0, "a 1M window (scaled) builds", out)
if dir then
  out, code = t.run(dir, "./_build/lwiptest 2>&1")
  t.ok(code == 0 and out:find("lwip ok", 1, true), "and passes", out)
end

-- Impossible combinations: mirari configure refuses them (the manifest's
-- constraints) before any compiler runs, naming the options to change;
-- lwipopts.h would refuse them again at compile time.
local impossible = {
  { "udp = false", "app.conf:2: library 'lwip': dhcp = true needs udp = true: set udp = true or dhcp = false" },
  { "dhcp = false, dns = true, udp = false", "library 'lwip': dns = true needs udp = true" },
  { 'pbuf_pool_size = 8, tcp_wnd = "64K"', "library 'lwip': tcp_wnd is more than the receive buffers hold (pbuf_pool_size * tcp_mss): raise pbuf_pool_size or lower tcp_wnd" },
  { "tcp_mss = 1460, tcp_wnd = 1000", "library 'lwip': tcp_wnd is smaller than one segment (tcp_mss)" },
  { "tcp_mss = 1460, tcp_snd_buf = 2000", "library 'lwip': tcp_snd_buf must hold at least two segments (2 * tcp_mss)" },
}
for i, c in ipairs(impossible) do
  out, code = build_with("impossible" .. i, c[1])
  t.is(code, 2, "{ " .. c[1] .. " }: configure refuses it", out)
  t.has(out, c[2], "{ " .. c[1] .. " }: and names the options")
end
out, code = build_with("range", "tcp_mss = 100")
t.is(code, 2, "an option out of range fails at configure")
t.has(out, "tcp_mss: 100 is below the minimum 536", "and says so")

os.execute("rm -rf " .. q(work))
t.done()
