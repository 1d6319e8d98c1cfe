#!/usr/bin/env lua5.3
-- examples/http-hello on Unix over a tap with ipv4 = "dhcp": lwIP's DHCP
-- client gets its address from busybox udhcpd, run in a network namespace
-- the test makes (root only, always deleted at the end), and curl fetches
-- the page at the leased address. Needs root, ip(8), curl and busybox.
package.path = (arg[0]:match("^(.*)/[^/]*$") or ".") .. "/../lib/?.lua;" .. package.path
local t = require("tap")
local m, q = t.quote(t.mirari), t.quote

local dir = t.tmpdir()
t.copy_app("examples/http-hello", dir)
local conf = t.read(dir .. "/app.conf")
conf = conf:gsub('ipv4 = "[^"]*", forward = { "8080:80" }', 'tap = "mrdhcp0", ipv4 = "dhcp"')
t.write(dir .. "/app.conf", conf)
t.has(conf, 'tap = "mrdhcp0", ipv4 = "dhcp"', "app.conf asks for DHCP on mrdhcp0")
local out, code = t.run(dir, m .. " configure -q -t unix && " .. m .. " build 2>&1")
t.is(code, 0, "http-hello with ipv4 = \"dhcp\" builds for unix", out)

local busybox = "/bin/busybox"
local root = (t.run("/", "id -u")):match("%d+") == "0"
local tools = select(2, t.run("/", "command -v ip && command -v curl && "
  .. busybox .. " udhcpd --help")) == 0
if code ~= 0 or not root or not tools then
  t.ok(true, "# SKIP " .. (code ~= 0 and "no image" or not root and "not root"
    or "no ip, curl or busybox udhcpd"))
  os.execute("rm -rf " .. q(dir))
  t.done()
end

t.write(dir .. "/udhcpd.conf", ([[
start 192.0.2.100
end 192.0.2.150
interface mrdhcp0
lease_file %s/udhcpd.leases
pidfile %s/udhcpd.pid
opt subnet 255.255.255.0
opt router 192.0.2.1
opt lease 600
]]):format(dir, dir))

local ns = "mrdhcp" .. (t.run("/", "echo $PPID")):match("%d+")
local nsx = "ip netns exec " .. ns .. " "
local pid, dpid

-- Waits (bounded: tries x 0.1 s) until (file) holds (pattern); its text.
local function wait_for(file, pattern, tries)
  local text = ""
  for _ = 1, tries do
    text = t.read(file) or ""
    if text:find(pattern) then break end
    os.execute("sleep 0.1")
  end
  return text
end

local ok, err = pcall(function()
  out, code = t.netns_up(ns, "mrdhcp0")
  t.is(code, 0, "a namespace with the tap mrdhcp0 at 192.0.2.1/24", out)

  -- ip netns exec execs its command, so $! is udhcpd's (and the image's) PID.
  dpid = (t.run(dir, nsx .. busybox .. " udhcpd -f " .. q(dir .. "/udhcpd.conf")
    .. " >udhcpd.log 2>&1 </dev/null & echo $!")):match("%d+")
  t.ok(dpid ~= nil, "udhcpd started in the namespace")
  os.execute("sleep 0.3")
  t.is(select(2, t.run("/", "kill -0 " .. dpid)), 0, "udhcpd is running", t.read(dir .. "/udhcpd.log"))

  pid = (t.run(dir, nsx .. "./_build/http-hello >http.log 2>&1 </dev/null & echo $!")):match("%d+")
  t.ok(pid ~= nil, "http-hello started")
  -- DHCP: discover, offer, request, ack; lwIP's first discover goes out
  -- at once, retries after 2, 4, 8 s... 20 s is plenty on a local tap.
  local log = wait_for(dir .. "/http.log", "net0: address %d+%.%d+%.%d+%.%d+", 200)
  local addr = log:match("net0: address (%d+%.%d+%.%d+%.%d+)")
  t.ok(addr ~= nil, "net0 gets an address by DHCP", log .. "\nudhcpd:\n" .. (t.read(dir .. "/udhcpd.log") or ""))
  io.stdout:write("# leased address: ", tostring(addr), "\n")
  local n = addr and tonumber(addr:match("(%d+)$"))
  t.ok(addr ~= nil and addr:match("^192%.0%.2%.") and n >= 100 and n <= 150,
    "the address is in udhcpd's pool 192.0.2.100-150", addr)
  log = wait_for(dir .. "/http.log", "listening on port 80", 50)
  t.has(log, "listening on port 80", "http-hello listens")

  local page = "<!DOCTYPE html>\n<html><head><title>mirari</title></head>\n"
    .. "<body><h1>Hello from mirari</h1></body></html>\n"
  out = t.run(dir, nsx .. "timeout 20 curl -s --max-time 10 http://" .. (addr or "192.0.2.100") .. "/")
  t.is(out, page, "curl gets the page at the leased address")
  -- udhcpd writes its lease file on SIGUSR1 (otherwise every auto_time),
  -- when it next gets to it: read until the lease is there, up to 10 s.
  os.execute("kill -USR1 " .. dpid .. " 2>/dev/null")
  out = t.run(dir, ("i=0; until timeout 10 %s dumpleases -f %s 2>&1 | grep -qF %s || [ $i -gt 100 ]; do "
    .. "sleep 0.1; i=$((i+1)); done; timeout 10 %s dumpleases -f %s 2>&1"):format(busybox,
    q(dir .. "/udhcpd.leases"), q(" " .. (addr or "none") .. " "), busybox, q(dir .. "/udhcpd.leases")))
  t.ok(addr ~= nil and out:find(addr, 1, true) ~= nil, "udhcpd's lease file holds the lease", out)
  t.is(select(2, t.run("/", "kill -0 " .. pid)), 0, "http-hello is still running")
end)
t.ok(ok, "the namespace part ran to its end", err)
if pid then os.execute("kill " .. pid .. " 2>/dev/null") end
if dpid then os.execute("kill " .. dpid .. " 2>/dev/null") end
os.execute("ip netns del " .. ns .. " 2>/dev/null")
t.ok(select(2, t.run("/", "ip netns list | grep -q '^" .. ns .. "'")) ~= 0, "the namespace is gone")
os.execute("rm -rf " .. q(dir))
t.done()
