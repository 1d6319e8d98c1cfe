#!/usr/bin/env lua5.3
-- Idle keep-alive connections must not lock new clients out (issue 10).
-- examples/website runs on a tap in a network namespace the test makes
-- (root only, deleted at the end), and libs/http/tests/keepalive.py holds
-- twice its tcp_connections idle connections open from there, with a
-- request and an answer in progress beside them, then times a new client.
--
-- Two builds, one per limit that makes room, both with the handler set's
-- timers at an hour (so that only room closes a connection): the website's
-- limits as they are, where the http handler set's max_connections (32)
-- is reached first and its listener closes its connection idle the
-- longest (libs/lwip/net.c); and one with fewer lwIP connections than
-- max_connections, where lwIP's pool fills first and a SYN that finds it
-- full has the connection idle the longest closed (libs/lwip/netif.c).
-- Either way the new client is answered (its latency is printed), the
-- connections closed for it see a FIN, what was in progress is finished,
-- and the server keeps serving.
package.path = (arg[0]:match("^(.*)/[^/]*$") or ".") .. "/../lib/?.lua;" .. package.path
local t = require("tap")
local m, q = t.quote(t.mirari), t.quote

local BIG = 1024 * 1024                 -- an answer longer than the windows

local dir = t.tmpdir()
t.copy_app("examples/website", dir)
t.run(dir, "head -c " .. BIG .. " /dev/urandom >htdocs/big.bin")
-- The site with the handler set's timers out of the way (an hour): every
-- connection closed while keepalive.py runs is closed for room, however
-- slow the machine (the timers have tests of their own, in libs/http).
local TIMERS = 'keepalive_timeout = "1h", request_timeout = "1h"'
local conf = t.read(dir .. "/app.conf")
local site = conf:gsub('handlers "http" {([^}]*)}', 'handlers "http" {%1, ' .. TIMERS .. ' }')
t.ok(site:find(TIMERS, 1, true), "examples/website with its timers at an hour")
t.write(dir .. "/site.conf", site)
-- The same site with 24 lwIP connections and room for 64 in the handler set.
local pool = conf:gsub('handlers "http" {[^}]*}', 'handlers "http" { root = "site", max_connections = 64, '
  .. TIMERS .. ' }'):gsub("tcp_connections = %d+", "tcp_connections = 24")
t.ok(pool ~= conf and pool:find("tcp_connections = 24", 1, true), "a variant with lwIP's pool the tighter limit")
t.write(dir .. "/pool.conf", pool)
local out, code = t.run(dir, m .. " configure -q -t unix site.conf && " .. m .. " build 2>&1 && "
  .. m .. " configure -q -t unix -o _pool pool.conf && " .. m .. " build -o _pool 2>&1")
t.is(code, 0, "examples/website and its variant build for unix", out)

local root = (t.run("/", "id -u")):match("%d+") == "0"
local tools = select(2, t.run("/", "command -v ip && command -v python3")) == 0
if code ~= 0 or not root or not tools then
  t.ok(true, "# SKIP " .. (code ~= 0 and "no image" or not root and "not root" or "no ip or python3"))
  os.execute("rm -rf " .. q(dir))
  t.done()
end

local ns = "mrkeep" .. (t.run("/", "echo $PPID")):match("%d+")
local nsx = "ip netns exec " .. ns .. " "
local script = t.root .. "/libs/http/tests/keepalive.py"
local pid

local function diag(text) io.stdout:write("# ", (text:gsub("\n$", ""):gsub("\n", "\n# ")), "\n") end

-- Runs (image) on the tap, holds (hold) idle connections against it and
-- checks what keepalive.py saw; (room) is how many connections the
-- binding limit lets be open at once.
local function run(name, image, hold, room, logged)
  local log = dir .. "/" .. name .. ".log"
  pid = (t.run(dir, nsx .. image .. " net0.tap=mrkeep0 >" .. q(log) .. " 2>&1 </dev/null & echo $!")):match("%d+")
  t.ok(pid ~= nil, name .. ": started")
  t.ok(t.wait_for(log, "listening"), name .. ": listening", t.read(log))
  local o = t.run(dir, nsx .. "timeout 90 python3 " .. q(script) .. " 192.0.2.10 80 " .. hold
    .. " " .. room .. " /big.bin " .. BIG .. " 2>&1")
  diag(name .. ":\n" .. o)
  local kv = {}
  for k, v in o:gmatch("(%S+) ([^\n]*)") do kv[k] = v end
  t.is(kv.held, tostring(hold), name .. ": " .. hold .. " idle connections held, each served once")
  t.is(kv.hold_failures, "0", name .. ": none of them was kept out")
  t.is(kv.new_client, "True", name .. ": a new client is answered while they are held")
  diag(("%s: new client answered in %s ms"):format(name, kv.new_client_ms))
  local fin, still = tonumber(kv.closed_fin or ""), tonumber(kv.still_open or "")
  t.ok(fin and fin >= hold - room, name .. ": the held connections closed for room number at least "
    .. (hold - room), kv.closed_fin)
  t.is(kv.closed_reset, "0", name .. ": each of them ended with a FIN, none with a reset")
  t.ok(still and still > 0 and fin + still == hold, name .. ": the others are still open", kv.still_open)
  t.is(kv.partial_answered, "True", name .. ": a request in progress was not closed, and is answered")
  t.is(kv.big_answer, "True", name .. ": an answer in progress was not closed, and arrives whole")
  t.is(kv.held_again, "True", name .. ": a held connection still open is answered again")
  t.is(kv.served_after, "20", name .. ": twenty new clients are served afterwards")
  t.is(select(2, t.run("/", "kill -0 " .. pid)), 0, name .. ": the image is alive")
  t.run("/", "kill " .. pid .. "; for i in $(seq 50); do kill -0 " .. pid .. " 2>/dev/null || break; sleep 0.1; done")
  pid = nil
  local text = t.read(log) or ""
  t.has(text, logged .. ": closing the one idle the longest; 1 so far",
    name .. ": the first connection closed for room is logged, with the limit", text:sub(-2000))
  t.ok(not text:find("panic", 1, true) and not text:find("crash", 1, true)
    and not text:find("no memory", 1, true), name .. ": no panic, crash or want of memory", text:sub(-2000))
end

local ok, err = pcall(function()
  out, code = t.netns_up(ns, "mrkeep0")
  t.is(code, 0, "a namespace with the tap mrkeep0 at 192.0.2.1/24", out)
  -- website: tcp_connections = 128, max_connections = 32 (the default).
  run("website", "./_build/website", 256, 32, "tcp port 80: at its limit of 32 connections")
  -- the variant: tcp_connections = 24, max_connections = 64.
  run("pool", "./_pool/website", 48, 24, "tcp: all 24 connections (tcp_connections) in use")
end)
t.ok(ok, "the namespace part ran to its end", err)
if pid then os.execute("kill " .. pid .. " 2>/dev/null") end
os.execute("ip netns del " .. ns .. " 2>/dev/null")
t.ok(select(2, t.run("/", "ip netns list | grep -q '^" .. ns .. "'")) ~= 0, "the namespace is gone")
os.execute("rm -rf " .. q(dir))
t.done()
