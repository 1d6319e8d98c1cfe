-- The emulated Xen host: QEMU software emulation running the real Xen 4.17
-- hypervisor and a Debian dom0 (see shared notes/xen-under-qemu.md and
-- build/xenhost/). This module prepares it in the cache, boots it to run one
-- script inside dom0, and says what a machine lacks to do so.
--
--   local xenhost = require("tool.xenhost")
--   xenhost.prepare(root)                        -- optional: exec prepares too
--   local r = xenhost.exec(root, "/path/job.sh", { timeout = 120 })
--   r.status, r.output, r.console, r.timings.boot_to_ready_ms
--
-- (root) is always the checkout (the folder holding build/xenhost/).
--
-- How a run works. exec writes the job into a fresh run folder on the host
-- (script path, cwd, env, forwards), boots QEMU with the host's root shared
-- read-only over 9p (tag hostroot) and the job folder shared writable (tag
-- job), and polls that folder: dom0 writes "ready" when xl works, "output"
-- as the script prints, and "status" when it ends, then powers off. The
-- dom0 console (Xen on com1, Linux on hvc0) goes to RUN/console.log.
--
-- QEMU always stops. It runs in its own session under a small shell
-- supervisor; exec kills that whole process group on every way out (status
-- seen, timeout, QEMU gone, error, Ctrl-C), and the supervisor kills QEMU by
-- itself if the Lua process disappears or a hard deadline passes.
local util = require("config.util")
local proc = require("tool.proc")

local M = {}

local q = util.quote

-- Defaults of a run; each can be given in opts of exec.
M.defaults = {
  timeout = 300,      -- seconds, the whole run including the boot
  memory = 2048,      -- MiB of the emulated machine
  dom0_mem = 1024,    -- MiB given to dom0; the rest is for guests
  cpus = 2,           -- emulated CPUs (TCG threads), Xen's physical CPUs
  dom0_vcpus = 1,     -- dom0's virtual CPUs: with 2, boots to ready took
                      -- 7 to 25 s on 2-core machines, with 1, 7.5 to 9 s;
                      -- guests still get the other CPU
}

-- The mirari cache folder (config/util.lua): the emulated host lives in
-- its "xenhost" subfolder.
M.cache_dir = util.cache_dir

-- The folder holding xen.elf, vmlinuz, dom0-initrd.gz ... for (opts).
function M.host_dir(opts)
  return (opts and opts.cache) or (M.cache_dir() .. "/xenhost")
end

local function prepare_cmd(root, opts, flag)
  return ("sh %s %s%s"):format(q(root .. "/build/xenhost/prepare.sh"), q(M.host_dir(opts)),
    flag and (" " .. flag) or "")
end

-- Fetch and build the emulated host into the cache when it is missing or
-- out of date (a filled cache returns at once). Progress lines go to
-- standard output unless opts.quiet; opts.refresh resolves the Debian
-- packages anew; opts.cache overrides the folder. Returns true, or nil and
-- a message.
function M.prepare(root, opts)
  opts = opts or {}
  local cmd = prepare_cmd(root, opts, opts.refresh and "--refresh")
  if opts.quiet then
    local out, ok = util.capture(cmd .. " 2>&1")
    if not ok then return nil, (out:match("mirari: error: ([^\n]*)") or out) end
    return true
  end
  io.stdout:flush()
  if not util.sh(cmd) then
    return nil, "preparing the emulated Xen host failed (see the messages above)"
  end
  return true
end

-- True when the cache holds a complete, up-to-date emulated host.
function M.prepared(root, opts)
  return util.sh(prepare_cmd(root, opts, "--check") .. " >/dev/null 2>&1")
end

-- What the emulated host needs, present or not: a list of
-- { what = ..., ok = bool, how_to_get = ..., detail = ... (optional) }.
function M.doctor(root, opts)
  local dir = M.host_dir(opts)
  local function file(p) return util.exists(p) end
  local items = {}
  local function item(what, ok, how, detail)
    items[#items + 1] = { what = what, ok = ok and true or false, how_to_get = how, detail = detail }
  end
  local install = "apt-get install %s (as root)"
  item("QEMU (qemu-system-x86_64)", file("/usr/bin/qemu-system-x86_64"),
    install:format("qemu-system-x86"))
  item("Xen tools 4.17 (xl, xenstored, xenconsoled)", file("/usr/lib/xen-4.17/bin/xl"),
    install:format("xen-utils-4.17"))
  item("Xen public headers (/usr/include/xen)", file("/usr/include/xen/xen.h"),
    install:format("libxen-dev"))
  item("busybox-static, cpio, kmod (to build dom0's initramfs)",
    file("/bin/busybox") and file("/usr/bin/cpio") and file("/sbin/depmod"),
    install:format("busybox-static cpio kmod") .. "; prepare installs them when missing")
  local manifest = util.read_file(dir .. "/manifest") or ""
  local function pinned(pattern)
    for line in manifest:gmatch("[^\n]+") do
      local pkg, ver = line:match("^(" .. pattern .. ")%s+(%S+)")
      if pkg then return pkg .. " " .. ver end
    end
  end
  local how = ("prepared on first use, or: sh %s %s"):format(
    root .. "/build/xenhost/prepare.sh", dir)
  item("cached Xen hypervisor (" .. dir .. "/xen.elf)", file(dir .. "/xen.elf"), how,
    pinned("xen%-hypervisor%-%S+"))
  item("cached dom0 kernel (" .. dir .. "/vmlinuz, vmlinux)", file(dir .. "/vmlinuz") and file(dir .. "/vmlinux"), how,
    pinned("linux%-image%-%S+"))
  local initrd = file(dir .. "/dom0-initrd.gz")
  item("dom0 initramfs (" .. dir .. "/dom0-initrd.gz)", initrd and M.prepared(root, opts), how,
    initrd and not M.prepared(root, opts) and "out of date" or nil)
  return items
end

-- "HOSTPORT:GUESTPORT" or "HOSTPORT:GUESTIP:GUESTPORT" (or a table with
-- host, ip, guest) as { host = n, ip = "a.b.c.d" or "-", guest = n }; "-"
-- is the guest that got the latest DHCP lease on xenbr0.
function M.parse_forward(f)
  local hp, ip, gp
  if type(f) == "table" then
    hp, ip, gp = tostring(f.host or ""), f.ip or "-", tostring(f.guest or "")
  else
    hp, ip, gp = tostring(f):match("^(%d+):(%d+%.%d+%.%d+%.%d+):(%d+)$")
    if not hp then
      hp, gp = tostring(f):match("^(%d+):(%d+)$")
      ip = "-"
    end
  end
  local h, g = tonumber(hp), tonumber(gp)
  local function port(n) return n and math.type(n) == "integer" and n >= 1 and n <= 65535 end
  if not (port(h) and port(g)) or not (ip == "-" or ip:match("^%d+%.%d+%.%d+%.%d+$")) then
    return nil, ("bad forward '%s': want HOSTPORT:GUESTPORT or HOSTPORT:GUESTIP:GUESTPORT")
      :format(type(f) == "table" and util.serialize(f) or tostring(f))
  end
  return { host = h, ip = ip, guest = g }
end

-- The QEMU command line (a list of words) for a run folder (run) with the
-- console log (console), under (opts). Exposed for tests and debugging.
function M.qemu_argv(opts, run, console)
  opts = opts or {}
  local d = M.defaults
  local dir = M.host_dir(opts)
  local dom0 = opts.dom0_mem or d.dom0_mem
  -- bootscrub=0: no scrubbing of free memory in the background, which
  -- competes with dom0 for the host's CPUs; this host holds no secrets.
  local xen_args = ("console=com1 com1=115200 dom0_mem=%dM,max:%dM dom0_max_vcpus=%d bootscrub=0"
    .. " loglvl=all guest_loglvl=all%s")
    :format(dom0, dom0, opts.dom0_vcpus or d.dom0_vcpus, opts.xen_args and (" " .. opts.xen_args) or "")
  local argv = {
    "qemu-system-x86_64", "-M", "pc",
    -- Plain "-cpu max" crashes dom0 in Xen's bounce-frame code; these
    -- four features are what makes it work (notes/xen-under-qemu.md).
    "-cpu", "max,-smap,-smep,-pku,-la57",
    "-m", tostring(opts.memory or d.memory), "-smp", tostring(opts.cpus or d.cpus),
    "-accel", "tcg,thread=multi",
    "-nodefaults", "-display", "none", "-monitor", "none",
    "-serial", "file:" .. console,
    -- A crash reboots, and a reboot ends QEMU: failures never hang.
    "-no-reboot",
    "-kernel", dir .. "/xen.elf",
    "-append", xen_args,
    -- Multiboot modules: dom0's kernel (the uncompressed ELF: Xen would
    -- spend seconds decompressing the bzImage) with its command line, then
    -- its initramfs.
    "-initrd", dir .. "/vmlinux console=hvc0 earlyprintk=xen," .. dir .. "/dom0-initrd.gz",
    "-virtfs", "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap",
    "-virtfs", "local,path=" .. run .. "/job,mount_tag=job,security_model=none,multidevs=remap",
  }
  local fwd = {}
  for _, f in ipairs(opts.forwards or {}) do
    local p = assert(M.parse_forward(f))
    -- Bound to loopback only; dom0 listens on the same port and relays.
    fwd[#fwd + 1] = ("hostfwd=tcp:127.0.0.1:%d-:%d"):format(p.host, p.host)
  end
  if #fwd > 0 then
    argv[#argv + 1] = "-netdev"
    argv[#argv + 1] = "user,id=n0,restrict=off," .. table.concat(fwd, ",")
    argv[#argv + 1] = "-device"
    argv[#argv + 1] = "virtio-net-pci,netdev=n0"
  end
  return argv
end

-- Milliseconds of wall time (date(1): Lua 5.3 has no sub-second clock).
local function now_ms()
  local p = io.popen("date +%s%N")
  local ns = p:read("l")
  p:close()
  return (tonumber(ns) or 0) // 1000000
end

-- True while process (pid) runs; a zombie (dead, not yet reaped) is not.
local function alive(pid)
  return not proc.ended(pid)
end
M.alive = alive

-- Stop the process group (pgid): TERM, then KILL after (grace) seconds.
local function stop_group(pgid, qpid, grace)
  if not pgid then return end
  os.execute(("kill -TERM -%d 2>/dev/null"):format(pgid))
  local waited = 0
  while (alive(pgid) or (qpid and alive(qpid))) and waited < grace * 10 do
    proc.sleep(0.1)
    waited = waited + 1
  end
  os.execute(("kill -KILL -%d 2>/dev/null"):format(pgid))
end

-- The supervisor: QEMU in the background of a shell that is the leader of
-- its own session and process group. It waits for QEMU and kills it when
-- the Lua process (its first argument) is gone or the hard deadline (its
-- second, in seconds) has passed.
local SUPERVISOR = [[
parent=$1 limit=$2 run=$3; shift 3
echo $$ >"$run/supervisor.pid"
"$@" </dev/null >"$run/qemu.log" 2>&1 &
qemu=$!
echo $qemu >"$run/qemu.pid"
n=0
while kill -0 $qemu 2>/dev/null; do
	if ! kill -0 "$parent" 2>/dev/null || [ $n -ge "$limit" ]; then
		kill -TERM $qemu 2>/dev/null; sleep 2; kill -KILL $qemu 2>/dev/null
		break
	fi
	sleep 1
	n=$((n + 1))
done
wait $qemu
echo $? >"$run/qemu.exit"
]]


local function read_from(path, offset)
  local f = io.open(path, "rb")
  if not f then return nil end
  f:seek("set", offset)
  local s = f:read("a")
  f:close()
  return s
end

local function new_run_dir(opts)
  local base = opts.run_dir_base or os.getenv("TMPDIR") or "/tmp"
  local dir = util.capture("mktemp -d " .. q(base .. "/mirari-xenhost.XXXXXX"))
  if dir == "" or not util.is_dir(dir) then return nil, "cannot create a run folder in " .. base end
  util.mkdir_p(dir .. "/job")
  return dir
end

-- Boot the emulated Xen host, run (script_path) inside dom0 and stop.
-- (script_path) is a path on this machine: dom0 sees the host's root at
-- the same paths (read-only, with a tmpfs overlay: dom0's writes stay in
-- dom0). It runs with MIRARI_JOB set to a folder shared writable with the
-- host (the run's "job" folder), in opts.cwd (default: the current folder),
-- executed directly when executable, else with sh.
--
-- opts (all optional):
--   timeout    seconds for the whole run (default 300); QEMU is killed then
--   env        { NAME = "value" } exported to the script
--   cwd        folder to run the script in, default the current folder
--   forwards   { "HOSTPORT:GUESTPORT" | "HOSTPORT:GUESTIP:GUESTPORT" ... }:
--              127.0.0.1:HOSTPORT on this machine reaches the guest's port
--              (GUESTIP default: the guest with the latest DHCP lease)
--   on_output  function(chunk) called with the script's output as it comes
--   on_start   function() called when QEMU is about to boot (after prepare)
--   on_ready   function(ms) called once dom0 is ready, ms since the start
--   prepare    false to skip preparing the cache first (default: prepare,
--              which is instant when the cache is filled)
--   quiet      no progress lines from prepare
--   cache, memory, dom0_mem, cpus, dom0_vcpus: the machine (see defaults)
--   xen_args   more words for Xen's command line
--   run_dir_base  where the run folder is made (default $TMPDIR or /tmp)
--   keep       keep the whole run folder (else only console.log stays)
--
-- Returns nil and a message for bad input, found before anything boots.
-- Otherwise a table:
--   output    everything the script printed (stdout and stderr)
--   status    its exit status, or nil when it did not end (see error)
--   error     nil, or why there is no status: "timeout after N s",
--             "interrupted" (Ctrl-C), "dom0 stopped before the script
--             ended ..." (a crash: see the console log)
--   console   path of the dom0 console log (kept: M.forget(result) removes
--             it with its folder, run_dir)
--   run_dir   the run folder
--   qemu_pid  the pid QEMU had (it is not running any more)
--   timings   { boot_to_ready_ms, total_ms, dom0_ready_uptime_ms }
function M.exec(root, script_path, opts)
  opts = opts or {}
  local t0 = now_ms()
  if type(script_path) ~= "string" or script_path == "" then
    return nil, "no script to run in dom0"
  end
  local script = util.abspath(script_path, util.cwd())
  if not util.exists(script) or util.is_dir(script) then
    return nil, ("no script %s to run in dom0"):format(script)
  end
  local forwards = {}
  for _, f in ipairs(opts.forwards or {}) do
    local p, err = M.parse_forward(f)
    if not p then return nil, err end
    forwards[#forwards + 1] = p
  end
  local env_lines = {}
  for k, v in util.sorted_pairs(opts.env or {}) do
    if type(k) ~= "string" or not k:match("^[%a_][%w_]*$") then
      return nil, ("bad environment variable name '%s'"):format(tostring(k))
    end
    env_lines[#env_lines + 1] = ("export %s=%s\n"):format(k, q(v))
  end
  local timeout = opts.timeout or M.defaults.timeout
  if opts.prepare ~= false then
    local ok, err = M.prepare(root, { cache = opts.cache, quiet = opts.quiet })
    if not ok then return nil, err end
  elseif not M.prepared(root, opts) then
    return nil, "the emulated Xen host is not prepared in " .. M.host_dir(opts)
  end
  if not util.exists("/usr/bin/qemu-system-x86_64") then
    return nil, "qemu-system-x86_64 is missing: apt-get install qemu-system-x86"
  end

  local run, err = new_run_dir(opts)
  if not run then return nil, err end
  local job = run .. "/job"
  local console = run .. "/console.log"
  util.write_file(job .. "/script", script .. "\n")
  util.write_file(job .. "/cwd", util.abspath(opts.cwd or util.cwd(), util.cwd()) .. "\n")
  if #env_lines > 0 then util.write_file(job .. "/env", table.concat(env_lines)) end
  local fl = {}
  for _, p in ipairs(forwards) do fl[#fl + 1] = ("%d %s %d\n"):format(p.host, p.ip, p.guest) end
  if #fl > 0 then util.write_file(job .. "/forwards", table.concat(fl)) end

  if opts.on_start then opts.on_start() end
  local argv = M.qemu_argv(opts, run, console)
  local words = {}
  for i, w in ipairs(argv) do words[i] = q(w) end
  -- The hard deadline of the supervisor: a little after ours, so ours
  -- normally acts first and reports the timeout.
  local cmd = ("setsid sh -c %s sh %d %d %s %s </dev/null >/dev/null 2>&1 & echo $!")
    :format(q(SUPERVISOR), proc.self_pid(), math.ceil(timeout) + 15, q(run), table.concat(words, " "))
  local p = io.popen(cmd)
  local pgid = tonumber(p:read("l"))
  p:close()

  local result = { console = console, run_dir = run, timings = {} }
  local output, offset = {}, 0
  local qpid
  local deadline = t0 + math.floor(timeout * 1000)
  local function poll()
    while true do
      qpid = qpid or tonumber(util.read_file(run .. "/qemu.pid") or "")
      local t = now_ms()
      if not result.timings.boot_to_ready_ms and util.exists(job .. "/ready") then
        result.timings.boot_to_ready_ms = t - t0
        local up = tonumber((util.read_file(job .. "/ready") or ""):match("[%d.]+") or "")
        result.timings.dom0_ready_uptime_ms = up and math.floor(up * 1000)
        if opts.on_ready then opts.on_ready(t - t0) end
      end
      local chunk = read_from(job .. "/output", offset)
      if chunk and #chunk > 0 then
        offset = offset + #chunk
        output[#output + 1] = chunk
        if opts.on_output then opts.on_output(chunk) end
      end
      local st = util.read_file(job .. "/status")
      if st and st:match("%d") then
        result.status = tonumber(st:match("%d+"))
        -- Catch the last output written before the status.
        chunk = read_from(job .. "/output", offset)
        if chunk and #chunk > 0 then
          offset = offset + #chunk
          output[#output + 1] = chunk
          if opts.on_output then opts.on_output(chunk) end
        end
        return
      end
      if not pgid or not alive(pgid) or (qpid and not alive(qpid)) then
        local log = util.read_file(run .. "/qemu.log") or ""
        result.error = "dom0 stopped before the script ended (see " .. console .. ")"
        if log:match("%S") then result.error = result.error .. ": " .. log:gsub("%s+$", "") end
        return
      end
      if t >= deadline then
        result.error = ("timeout after %s s"):format(timeout)
        return
      end
      -- Not os.execute: system(3) would ignore a SIGINT sent to mirari
      -- alone (tool/proc.lua).
      proc.sleep(0.1)
    end
  end
  -- Ctrl-C reaches this process (QEMU has a session of its own) as
  -- lua5.3's "interrupted!" error, raised when the sleep returns: it ends
  -- the poll with error "interrupted", and QEMU is stopped below. A
  -- SIGTERM kills this process, and the supervisor stops QEMU then.
  local ok, perr = pcall(poll)
  if not ok then
    result.error = require("config.errors").is_interrupt(perr) and "interrupted" or tostring(perr)
  end
  -- After a status dom0 powers off by itself; give it a moment, so the
  -- console log is complete, then make sure.
  if result.status and pgid then
    local limit = math.min(deadline, now_ms() + 20000)
    while alive(pgid) and now_ms() < limit do proc.sleep(0.1) end
  end
  stop_group(pgid, qpid, 3)
  result.qemu_pid = qpid
  result.output = table.concat(output)
  result.timings.total_ms = now_ms() - t0
  if not opts.keep then
    util.rm_rf(job)
    for _, f in ipairs({ "qemu.pid", "supervisor.pid", "qemu.exit", "qemu.log" }) do
      os.remove(run .. "/" .. f)
    end
  end
  return result
end

-- Remove the run folder of (result), console log included, once the caller
-- has no more use for it.
function M.forget(result)
  if result and result.run_dir and result.run_dir:match("/mirari%-xenhost%.[%w]+$") then
    util.rm_rf(result.run_dir)
  end
end

return M
