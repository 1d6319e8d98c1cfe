#!/usr/bin/env lua5.3
-- Net devices on Unix: tests/apps/netframes attaches to a tap through the
-- platform interface (mr_plat_net_*) and echoes raw Ethernet frames with
-- the addresses swapped. The tap lives in a network namespace of its own,
-- made for this test and always deleted at the end, so nothing outside it
-- is configured. A net device without `tap` is a slirp one (tests/unix/
-- slirp.t), and a tap name Linux cannot take fails at boot with a message
-- saying so, as does a user refused the tap or /dev/net/tun itself. The
-- namespace part needs root and ip(8); without them it is skipped.
package.path = (arg[0]:match("^(.*)/[^/]*$") or ".") .. "/../lib/?.lua;" .. package.path
local t = require("tap")
local m, q = t.quote(t.mirari), t.quote

local dir = t.tmpdir()
t.copy_app("tests/apps/netframes", dir)
local out, code = t.run(dir, m .. " configure -q && " .. m .. " build 2>&1")
t.is(code, 0, "build netframes", out)
t.ok(not out:find("warning", 1, true), "it builds without warnings", out)

-- Without a tap (net0.tap= at boot) the device is a slirp one, which
-- opens without privilege; a tap name too long for Linux is refused
-- before anything is attached.
out, code = t.run(dir, "timeout 10 ./_build/netframes net0.tap= count=0")
t.is(code, 0, "without tap the device opens (slirp)", out)
t.has(out, "net0: slirp 192.0.2.0/24, host 192.0.2.2, static", "without tap: slirp on app.conf's subnet")
t.has(out, " mtu 1500\n", "without tap: slirp's MTU")
out, code = t.run(dir, "timeout 10 ./_build/netframes net0.tap=mrtap0-far-too-long count=1 wait=1s")
t.is(code, 1, "with a tap name too long the application fails")
t.has(out, "net0: device 'net0': tap name too long (at most 15 characters)", "the message says why")
t.has(out, "net0: invalid argument", "mr_plat_net_open gives MR_EINVAL")

local function whoami() return (t.run("/", "id -u")):match("%d+") end
local have_ip = select(2, t.run("/", "command -v ip")) == 0
local have_py = select(2, t.run("/", "command -v python3")) == 0
if whoami() ~= "0" or not have_ip or not have_py then
  t.ok(true, "# SKIP " .. (whoami() ~= "0" and "not root" or "no ip(8) or python3"))
  os.execute("rm -rf " .. q(dir))
  t.done()
end

-- Sends three frames from the kernel's side of the tap to the
-- application's MAC (argv[2]) and prints each frame that comes back:
-- "SRC DST ETHERTYPE PAYLOAD". Bounded against a hang: 20 s in all.
t.write(dir .. "/send.py", [[
import socket, sys, time
ifname, peer = sys.argv[1], bytes.fromhex(sys.argv[2].replace(":", ""))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x88b5))
s.bind((ifname, 0))
own = s.getsockname()[4]
for i in range(3):
    payload = b"mirari-netframes-%d" % i
    s.send(peer + own + b"\x88\xb5" + payload.ljust(46, b"\0"))
end = time.time() + 20
got = 0
while got < 3 and time.time() < end:
    s.settimeout(max(0.01, end - time.time()))
    try:
        data, addr = s.recvfrom(65536)
    except socket.timeout:
        break
    if addr[2] == socket.PACKET_OUTGOING:
        continue
    got += 1
    print(data[0:6].hex(":"), data[6:12].hex(":"), data[12:14].hex(),
          data[14:].rstrip(b"\0").decode("ascii", "replace"), flush=True)
print("own", own.hex(":"), flush=True)
]])

local ns = "mrtest" .. (t.run("/", "echo $PPID")):match("%d+")
local function inns(cmd) return "ip netns exec " .. ns .. " " .. cmd end

local function body()
  out, code = t.run("/", "ip netns add " .. ns)
  assert(code == 0, "ip netns add: " .. out)
  out, code = t.run("/", inns("ip tuntap add dev mrtap0 mode tap") .. " && "
    .. inns("ip addr add 192.0.2.1/24 dev mrtap0") .. " && "
    .. inns("ip link set mrtap0 up"))
  t.is(code, 0, "make tap mrtap0 in namespace " .. ns, out)

  -- The application in the background; its PID and status land in files.
  os.execute(("cd %s && ( %s > app.out 2>&1 & echo $! > app.pid; wait $!; echo $? > app.status ) "
    .. ">/dev/null 2>&1 &"):format(q(dir), inns("./_build/netframes count=3 wait=10s")))
  local mac
  for _ = 1, 600 do
    mac = (t.read(dir .. "/app.out") or ""):match("mac (%x%x:%x%x:%x%x:%x%x:%x%x:%x%x) mtu")
    if mac or t.exists(dir .. "/app.status") then break end
    os.execute("sleep 0.05")
  end
  t.ok(mac ~= nil, "the application opened net0 and printed its MAC", t.read(dir .. "/app.out"))
  if not mac then return end
  t.ok(mac:match("^%x[26ae]:") ~= nil, "the MAC is locally administered and unicast", mac)
  t.has(t.read(dir .. "/app.out"), " mtu 1500\n", "the MTU is the tap's")

  out, code = t.run(dir, inns("timeout 30 python3 send.py mrtap0 " .. mac))
  t.is(code, 0, "send and receive frames", out)
  local own = out:match("own (%S+)") or "?"
  local n = 0
  for src, dst, etype, payload in out:gmatch("(%S+) (%S+) (%x+) ([^\n]*)\n") do
    if src ~= "own" then
      t.is(("%s %s %s %s"):format(src, dst, etype, payload),
        ("%s %s 88b5 mirari-netframes-%d"):format(own, mac, n),
        "frame " .. n .. " came back with the addresses swapped")
      n = n + 1
    end
  end
  t.is(n, 3, "three frames came back")

  for _ = 1, 600 do
    if t.exists(dir .. "/app.status") then break end
    os.execute("sleep 0.05")
  end
  t.is((t.read(dir .. "/app.status") or "none"):match("%S+"), "0", "the application exits 0 after three frames",
    t.read(dir .. "/app.out"))
  t.has(t.read(dir .. "/app.out") or "", "echoed 60 bytes\necho", "it echoed whole frames")

  -- Without CAP_NET_ADMIN the tap is refused, with a message that says
  -- why. The tap is deleted first: making one always needs the capability,
  -- while some kernels let anyone attach to an existing one.
  if select(2, t.run("/", "command -v setpriv")) ~= 0 then
    t.ok(true, "# SKIP no setpriv to drop root")
    return
  end
  os.execute("chmod 755 " .. q(dir) .. " " .. q(dir .. "/_build"))
  out, code = t.run("/", inns("ip tuntap del dev mrtap0 mode tap"))
  t.is(code, 0, "delete the tap", out)
  out, code = t.run(dir, inns("timeout 10 setpriv --reuid=65534 --regid=65534 --clear-groups "
    .. "./_build/netframes count=1 wait=1s"))
  t.is(code, 1, "unprivileged: the application fails")
  t.has(out, "net0: attaching to tap mrtap0 needs CAP_NET_ADMIN (run as root)", "unprivileged: the message says why")
  t.ok(not out:find("cannot open: unspecified error", 1, true),
    "unprivileged: no vague second line after the reason", out)

  -- /dev/net/tun itself refused to the user (its mode, a container's
  -- device policy): the same remedy is named. A root-only file is bound
  -- over it in a mount namespace of this command alone.
  if select(2, t.run("/", "command -v unshare")) ~= 0 then
    t.ok(true, "# SKIP no unshare for a private /dev/net/tun")
    return
  end
  t.write(dir .. "/tun", "")
  os.execute("chmod 600 " .. q(dir .. "/tun"))
  out, code = t.run(dir, inns("timeout 10 unshare -m sh -c 'mount --bind tun /dev/net/tun && exec "
    .. "setpriv --reuid=65534 --regid=65534 --clear-groups ./_build/netframes count=1 wait=1s'"))
  t.is(code, 1, "/dev/net/tun refused: the application fails", out)
  t.has(out, "net0: attaching to tap mrtap0 needs CAP_NET_ADMIN (run as root), or a tap made for this user "
    .. "(ip tuntap add dev mrtap0 mode tap user $USER), and this user cannot open /dev/net/tun (Permission denied)",
    "/dev/net/tun refused: the message names the remedy and the refusal", out)
end

local ok, err = pcall(body)
t.ok(ok, "the namespace part ran to its end", err)
-- Cleanup, whatever happened: the application by its PID, then the namespace.
local pid = (t.read(dir .. "/app.pid") or ""):match("^%d+")
if pid and not t.exists(dir .. "/app.status") then os.execute("kill " .. pid .. " 2>/dev/null") end
out, code = t.run("/", "ip netns del " .. ns)
t.is(code, 0, "delete namespace " .. ns, out)
os.execute("rm -rf " .. q(dir))
t.done()
