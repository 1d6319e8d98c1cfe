#!/usr/bin/env lua5.3
-- The emulated Xen host (tool/xenhost.lua, build/xenhost/): QEMU running
-- the real Xen 4.17 and a Debian dom0. On a fresh machine the first run
-- prepares the cache (downloads, initramfs), with its progress shown as
-- TAP comments. Then three boots:
--   1. dom0 runs `xl info`, creates a Linux PV guest on xenbr0 that gets an
--      address by DHCP and answers one TCP connection, which this test makes
--      from the real host through --forward (127.0.0.1 only); the guest
--      prints a marker to its console log and powers off;
--   2. a dom0 script that exits 3: the status comes back;
--   3. a dom0 script that outlives its timeout: QEMU is killed, none left;
--   4. a dom0 that crashes: reported at once, with its console log.
package.path = (arg[0]:match("^(.*)/[^/]*$") or ".") .. "/../lib/?.lua;" .. package.path
local t = require("tap")
package.path = t.root .. "/?.lua;" .. package.path
local xenhost = require("tool.xenhost")
local q = t.quote

local function diag(s) io.stdout:write("# ", (tostring(s):gsub("\n$", ""):gsub("\n", "\n# ")), "\n") end

-- No stray QEMU: no process left that was started for (run_dir).
local function qemu_left(r)
  local p = io.popen("ps -eo pid=,args= 2>/dev/null")
  local ps = p:read("a")
  p:close()
  local left = {}
  for line in ps:gmatch("[^\n]+") do
    if line:find(r.run_dir, 1, true) and line:find("qemu-system", 1, true) then left[#left + 1] = line end
  end
  return (r.qemu_pid and xenhost.alive(r.qemu_pid)) or #left > 0, table.concat(left, "\n")
end

local runs = {}
local function forget(r) if r then runs[#runs + 1] = r.run_dir end end

local function show(r)
  return ("status=%s error=%s\noutput:\n%s\nconsole: %s"):format(tostring(r.status),
    tostring(r.error), r.output, r.console)
end

local function tail(path, n)
  local s = t.read(path) or ""
  local lines = {}
  for l in s:gmatch("[^\n]*") do lines[#lines + 1] = l end
  return table.concat(lines, "\n", math.max(1, #lines - n))
end

-- Checks that need no boot -------------------------------------------------
local dir = t.tmpdir()
local r, err = xenhost.exec(t.root, dir .. "/missing.sh", { prepare = false })
t.ok(r == nil and err:find("no script " .. dir .. "/missing.sh", 1, true),
  "a missing script is an error before anything boots", err)
t.write(dir .. "/true.sh", "exit 0\n")
r, err = xenhost.exec(t.root, dir .. "/true.sh", { prepare = false, forwards = { "80" } })
t.ok(r == nil and err:find("bad forward '80'", 1, true), "a bad forward is an error before anything boots", err)
local argv = xenhost.qemu_argv({ forwards = { "8080:80", "9090:192.0.2.7:90" } }, "/r", "/r/c.log")
local all = table.concat(argv, " ")
t.has(all, "hostfwd=tcp:127.0.0.1:8080-:8080,hostfwd=tcp:127.0.0.1:9090-:9090",
  "forwards bind 127.0.0.1 only")
t.ok(not table.concat(xenhost.qemu_argv({}, "/r", "/r/c.log"), " "):find("netdev", 1, true),
  "no network device without forwards")
local out = t.run(dir, ("MIRARI_CACHE=/x/y lua5.3 -e %s"):format(q(
  ("package.path=%q..package.path print(require('tool.xenhost').cache_dir())"):format(t.root .. "/?.lua;"))))
t.is(out, "/x/y\n", "MIRARI_CACHE names the cache")
out = t.run(dir, ("env -u MIRARI_CACHE XDG_CACHE_HOME=/c HOME=/h lua5.3 -e %s"):format(q(
  ("package.path=%q..package.path print(require('tool.xenhost').cache_dir())"):format(t.root .. "/?.lua;"))))
t.is(out, "/c/mirari\n", "else XDG_CACHE_HOME/mirari")

-- Prepare (instant when the cache is filled) --------------------------------
local host = xenhost.host_dir()
local p = io.popen(("sh %s %s 2>&1; echo \"@exit=$?\""):format(q(t.root .. "/build/xenhost/prepare.sh"), q(host)))
local code
for line in p:lines() do
  code = line:match("^@exit=(%d+)$") or code
  if not line:match("^@exit=") then diag(line) end
end
p:close()
if not t.is(code, "0", "prepare the emulated Xen host in " .. host) then
  t.done()
end
local missing = {}
for _, item in ipairs(xenhost.doctor(t.root)) do
  if not item.ok then missing[#missing + 1] = item.what .. ": " .. item.how_to_get end
end
t.is(table.concat(missing, "\n"), "", "doctor finds everything after prepare")

-- Boot 1: xl info, a Linux PV guest, DHCP, a forward -------------------------
local marker = ("m%d"):format(os.time())
local hostport = 20000 + os.time() % 10000
t.write(dir .. "/pv.sh", [[
#!/bin/sh
# Runs in dom0 of the emulated Xen host (tests/xen/host.t).
set -u
xl info >/tmp/xlinfo 2>&1 || { cat /tmp/xlinfo; echo "xl info failed"; exit 10; }
grep -E '^(xen_version|xen_caps|virt_caps)' /tmp/xlinfo
cat >/tmp/pv.cfg <<EOF
name = "mirari-pv"
type = "pv"
kernel = "$CACHE/vmlinuz"
ramdisk = "$CACHE/pv-initrd.gz"
extra = "console=hvc0 mirari.marker=$MARKER mirari.net=1 mirari.serve=7 mirari.disk=1"
memory = 256
vif = [ "bridge=xenbr0" ]
disk = [ "file:/tmp/disk.img,xvda,w" ]
EOF
# A file-backed disk (loop device and blkback in dom0).
echo "disk-$MARKER" >/tmp/disk.img
truncate -s 8M /tmp/disk.img
xl create /tmp/pv.cfg || exit 11
log=/var/log/xen/console/guest-mirari-pv.log
n=0
while xl domid mirari-pv >/dev/null 2>&1; do
	if [ ! -e /tmp/said ] && grep -q 'listening on' "$log" 2>/dev/null; then
		echo "guest is listening"
		touch /tmp/said
	fi
	sleep 0.5
	n=$((n + 1))
	if [ $n -ge 400 ]; then echo "guest still running after 200 s"; xl destroy mirari-pv; exit 12; fi
done
echo "--- guest console"
cat "$log"
echo "--- end of guest console"
xl list
]])
os.execute("chmod +x " .. q(dir .. "/pv.sh"))
local seen, reply = "", nil
r, err = xenhost.exec(t.root, dir .. "/pv.sh", {
  timeout = 300, quiet = true,
  env = { CACHE = host, MARKER = marker },
  forwards = { hostport .. ":7" },
  on_output = function(chunk)
    seen = seen .. chunk
    if not reply and seen:find("guest is listening", 1, true) then
      local c = io.popen(("timeout 30 bash -c 'exec 3<>/dev/tcp/127.0.0.1/%d && cat <&3' 2>&1"):format(hostport))
      reply = c:read("a")
      c:close()
    end
  end,
})
forget(r)
if not t.ok(r ~= nil, "boot 1 runs", err) then t.done() end
t.is(r.status, 0, "boot 1: the dom0 script's exit status comes back")
if r.status ~= 0 then diag(show(r)); diag(tail(r.console, 40)) end
t.ok(r.output:match("virt_caps%s*:[^\n]*hvm") and r.output:match("virt_caps%s*:[^\n]*hap"),
  "xl info works: HVM with HAP, what PVH guests need", r.output)
t.ok(r.output:match("xen_caps%s*:[^\n]*hvm%-3%.0%-x86_64"), "xl info: 64-bit HVM/PVH guests", r.output)
t.has(r.output, "--- guest console\n", "the guest's console log is shown")
-- The console log keeps the guest's tty line ends (\r\n).
local console = (r.output:match("%-%-%- guest console\n(.-)%-%-%- end of guest console") or ""):gsub("\r", "")
t.has(console, "mirari-pv-guest: " .. marker .. "\n", "the Linux PV guest printed its marker")
t.ok(console:match("mirari%-pv%-guest: dhcp 192%.0%.2%.%d+\n"), "the guest got an address from dom0's DHCP server", console)
t.has(console, "mirari-pv-guest: disk xvda 16384 sectors, disk-" .. marker .. "\n",
  "the guest reads its file-backed disk")
t.is(reply, "mirari-pv-guest: reply " .. marker .. "\n", "127.0.0.1:" .. hostport .. " reaches the guest through the forward")
local after = r.output:match("%-%-%- end of guest console\n(.*)$") or ""
t.ok(after:find("Domain-0", 1, true) and not after:find("mirari-pv", 1, true), "the guest domain is gone", after)
t.ok(r.timings.boot_to_ready_ms and r.timings.boot_to_ready_ms > 0, "boot to ready is measured")
local function timings(r, what)
  diag(("%s: dom0 ready after %s ms (dom0 uptime %s ms), whole run %s ms"):format(what,
    r.timings.boot_to_ready_ms, r.timings.dom0_ready_uptime_ms, r.timings.total_ms))
end
timings(r, "boot 1")
t.has(t.read(r.console) or "", "mirari-dom0: job ended with status 0", "the dom0 console log is kept")
t.ok(not qemu_left(r), "boot 1: QEMU has stopped")

-- Boot 2: a failing dom0 script --------------------------------------------------
t.write(dir .. "/exit3.sh", "echo about to fail\nexit 3\n")
r, err = xenhost.exec(t.root, dir .. "/exit3.sh", { timeout = 200, quiet = true })
forget(r)
if t.ok(r ~= nil, "boot 2 runs", err) then
  t.is(r.status, 3, "exit status 3 of a dom0 script (run with sh) comes back")
  t.is(r.output, "about to fail\n", "its output comes back")
  t.ok(not qemu_left(r), "boot 2: QEMU has stopped")
  timings(r, "boot 2")
end

-- Boot 3: a timeout --------------------------------------------------------------
t.write(dir .. "/sleep.sh", "echo sleeping\nsleep 600\n")
r, err = xenhost.exec(t.root, dir .. "/sleep.sh", { timeout = 25, quiet = true })
forget(r)
if t.ok(r ~= nil, "boot 3 runs", err) then
  t.is(r.status, nil, "a script that outlives the timeout has no status")
  -- The script would sleep 600 s: this error is said only by the wait at
  -- its deadline (the supervisor's own, 15 s later, would leave "dom0
  -- stopped"), so it was acted on then, whatever the machine's speed.
  t.has(tostring(r.error), "timeout after 25 s", "the timeout is reported, and acted on at its deadline")
  local left, which = qemu_left(r)
  t.ok(r.qemu_pid and not left, "QEMU (pid " .. tostring(r.qemu_pid) .. ") was killed", which)
end

-- Boot 4: dom0 itself crashes ------------------------------------------------------
t.write(dir .. "/panic.sh", "echo panicking\necho c >/proc/sysrq-trigger\nsleep 600\n")
r, err = xenhost.exec(t.root, dir .. "/panic.sh", { timeout = 200, quiet = true })
forget(r)
if t.ok(r ~= nil, "boot 4 runs", err) then
  t.is(r.status, nil, "a crashed dom0 gives no status")
  -- Said only when QEMU ended before the deadline (200 s), which would
  -- have said "timeout": the crash was acted on when it came.
  t.has(tostring(r.error), "dom0 stopped before the script ended", "the crash is reported, not waited out")
  t.has(t.read(r.console) or "", "sysrq: Trigger a crash", "the console log shows the crash")
  t.ok(not qemu_left(r), "boot 4: QEMU has stopped")
end

for _, d in ipairs(runs) do xenhost.forget({ run_dir = d }) end
os.execute("rm -rf " .. q(dir))
t.done()
