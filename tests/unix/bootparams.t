#!/usr/bin/env lua5.3
-- Device settings overridden at boot: DEVICE.KEY=VALUE words (net0.ipv4=,
-- net0.tap=, ...) replace what app.conf says, so one image runs as several
-- instances. examples/echo, whose app.conf gives net0 192.0.2.10/24, is
-- started with net0.ipv4=192.0.2.30/24 on a tap in a network namespace
-- made for this test (deleted at the end) and must answer there and not
-- at .10; a misspelt key is refused before the application runs (status
-- 2), and a value its driver cannot use stops the boot naming the
-- parameter (status 1).
package.path = (arg[0]:match("^(.*)/[^/]*$") or ".") .. "/../lib/?.lua;" .. package.path
local t = require("tap")
local m, q = t.quote(t.mirari), t.quote

local dir = t.tmpdir()
t.copy_app("examples/echo", dir)
local out, code = t.run(dir, m .. " configure -q -t unix && " .. m .. " build 2>&1")
t.is(code, 0, "examples/echo builds for unix", out)

out, code = t.run(dir, "./_build/echo --help")
t.has(out, "net0.ipv4", "--help lists the device's boot parameters")
t.has(out, '"192.0.2.10/24"', "with app.conf's value as their default")

out, code = t.run(dir, "./_build/echo net0.ipvv4=192.0.2.30/24")
t.is(code, 2, "a misspelt device parameter: exit status 2", out)
t.has(out, "net0.ipvv4", "the message names the word", out)
t.has(out, "net0.ipv4", "and suggests the right one", out)

out, code = t.run(dir, "./_build/echo nic0.ipv4=192.0.2.30/24")
t.is(code, 2, "a device app.conf does not declare: exit status 2", out)

local ns, tap = "mrbootp" .. (t.run("/", "echo $PPID")):match("%d+"), "mrbootp0"
local root = (t.run("/", "id -u")):match("%d+") == "0"
local tools = select(2, t.run("/", "command -v ip && command -v python3")) == 0
if code ~= 2 or not root or not tools then
  t.ok(true, "# SKIP " .. (not root and "not root" or "no ip or python3"))
  os.execute("rm -rf " .. q(dir))
  t.done()
end

local x = "ip netns exec " .. ns .. " "
t.run("/", "ip netns del " .. ns .. " 2>/dev/null")
out, code = t.netns_up(ns, tap)
t.is(code, 0, "a namespace with the tap " .. tap .. " at 192.0.2.1/24", out)

out, code = t.run(dir, x .. "timeout 10 ./_build/echo net0.tap=" .. tap .. " net0.ipv4=banana")
t.is(code, 1, "an unusable net0.ipv4 stops the boot with status 1", out)
t.has(out, 'net0: ipv4 "banana" (from app.conf or the boot parameter net0.ipv4): expected ADDRESS/PREFIX or "dhcp"',
  "naming the parameter")

t.write(dir .. "/probe.py", [[
import socket, sys, time
def echo(host, seconds):
    try:
        s = socket.create_connection((host, 7), timeout=seconds)
        s.settimeout(seconds)
        s.sendall(b"ping\n")
        got = s.recv(100)
        s.close()
        return got == b"ping\n"
    except OSError:
        return False
# Where it is, it answers: asked until it does, up to 20 s. Where it is
# not, nothing answers, so a connection that was refused or timed out in
# 2 s is the answer.
end = time.monotonic() + 20
at30 = echo("192.0.2.30", 5)
while not at30 and time.monotonic() < end:
    time.sleep(0.2)
    at30 = echo("192.0.2.30", 5)
print("at30", at30)
print("at10", echo("192.0.2.10", 2))
]])
local log = dir .. "/echo.log"
local pid = (t.run(dir, x .. "sh -c " .. q("./_build/echo net0.tap=" .. tap
  .. " net0.ipv4=192.0.2.30/24 >" .. log .. " 2>&1 & echo $!"))):match("%d+")
t.ok(pid ~= nil, "echo started with net0.ipv4=192.0.2.30/24")
t.ok(t.wait_for(log, "listening"), "and listens", t.read(log))
out = t.run(dir, x .. "timeout 45 python3 probe.py")
t.has(out, "at30 True", "it answers at the address of the boot parameter", out)
t.has(out, "at10 False", "and not at app.conf's", out)
t.has(t.read(log) or "", "net0: address 192.0.2.30", "lwIP logs the overriding address")
if pid then t.run("/", "kill " .. pid .. " 2>/dev/null") end

t.run("/", "ip netns del " .. ns)
t.ok(select(2, t.run("/", "ip netns list | grep -q '^" .. ns .. "'")) ~= 0, "the namespace is gone")
os.execute("rm -rf " .. q(dir))
t.done()
