-- The commands of the mirari tool. Each has a name, a one-line summary, a
-- usage line, a help text, its options and a run(opts, args, ctx) function
-- that returns the exit status. Usage and configuration mistakes are raised
-- as config errors (status 2) by the caller's handler.
local errors = require("config.errors")
local generate = require("config.generate")
local isolate = require("config.isolate")
local util = require("config.util")
local describe = require("tool.describe")

local M = { list = {}, by_name = {}, names = {} }

local DEFAULT_BUILD = "_build"
-- In a build directory: why its last reconfigure failed (see mark_stale).
local STALE = "mirari.stale"

local function command(c)
  M.list[#M.list + 1] = c
  M.by_name[c.name] = c
  M.names[#M.names + 1] = c.name
end

local OUTPUT = { short = "-o", long = "--output", key = "output", arg = "DIR",
                 doc = "build directory (default: " .. DEFAULT_BUILD .. ")" }
local TARGET = { short = "-t", long = "--target", key = "target", arg = "TARGET",
                 doc = "target to build for (default: unix); a target is a folder in backends/" }

local function say(opts, fmt, ...)
  if not opts.quiet then io.stdout:write(fmt:format(...), "\n") end
end

local function build_dir(opts)
  return util.abspath(opts.output or DEFAULT_BUILD, util.cwd())
end

-- The state a configure left in (dir); a usage error when there is none.
local function load_state(dir, shown)
  local path = dir .. "/mirari.state"
  local source = util.read_file(path)
  if not source then
    errors.usage("no configured build directory %s: run 'mirari configure' first", shown)
  end
  local chunk = load(source, "=" .. path, "t", {})
  local ok, state = pcall(chunk)
  if not ok or type(state) ~= "table" then
    errors.usage("%s is damaged: run 'mirari configure' again", path)
  end
  return state
end

-- The app.conf named by (args), its display name and absolute path.
local function conf_arg(c, args)
  if #args > 1 then errors.usage("%s: one app.conf at most, got %d arguments", c, #args) end
  local display = args[1] or "app.conf"
  local path = util.abspath(display, util.cwd())
  if util.is_dir(path) then
    display, path = util.join(display, "app.conf"), path .. "/app.conf"
  end
  if not util.exists(path) then
    errors.usage("%s: no such file%s", display,
      args[1] and "" or " (give the path of an app.conf, or create an application with mirari new NAME)")
  end
  return display, path
end

-- Resolve app.conf (path, shown as display) for (target) and write the
-- build directory (dir); returns the resolved configuration. A directory
-- configured anew is no longer stale (see mark_stale).
local function configure_into(ctx, path, display, target, dir)
  local cfg = isolate.resolve(ctx.root, path, display, target)
  local files = generate.files(cfg, dir, ctx.version)
  local ok, err = generate.write(dir, files)
  if not ok then errors.usage("cannot write the build directory: %s", err) end
  os.remove(dir .. "/" .. STALE)
  return cfg
end

-- False when Ninja would do work in (dir) for (target) (default: all);
-- true when it has nothing to do or cannot tell (it fails, as it does for
-- a user who may not read the cache the build used).
local function up_to_date(dir, target)
  local out, ok = util.capture(("ninja -C %s -n %s 2>&1"):format(util.quote(dir), target or ""))
  return not ok or out:find("ninja: no work to do.", 1, true) ~= nil
end

-- Configure the build directory (dir) of (state) again when app.conf, a
-- manifest or mirari itself changed since (Ninja would, but its failure
-- would be a failed build step, status 1, with the absolute path of
-- app.conf), so that a mistake reads as it does from mirari configure,
-- status 2. The failure is kept in the directory: mirari run refuses the
-- stale image until a configure succeeds.
local function reconfigure(ctx, state, dir)
  if up_to_date(dir, "build.ninja") then return end
  local ok, e = errors.catch(configure_into, ctx, state.conf, state.conf_display, state.target, dir)
  if not ok then
    util.write_file(dir .. "/" .. STALE, errors.format(e) .. "\n")
    error(e, 0)
  end
  io.stdout:write("configured again: app.conf, a manifest or mirari changed\n")
end

command {
  name = "configure",
  summary = "check app.conf and generate the build directory",
  usage = "[-t TARGET] [-o DIR] [APP.CONF]",
  help = [[
Evaluate APP.CONF (default: ./app.conf) in the sandbox of the configuration
language, resolve the libraries it selects for TARGET, and generate the
build directory: main.c (the glue), mirari_config.h (the compile-time
constants), build.ninja, and for Xen NAME.xl, the xl config of the image. Every mistake is reported as FILE:LINE: message
with exit status 2, and then nothing is written. Configuring twice gives
byte-identical files.]],
  options = { TARGET, OUTPUT,
              { short = "-q", long = "--quiet", key = "quiet", doc = "print nothing on success" } },
  run = function(opts, args, ctx)
    local display, path = conf_arg("configure", args)
    local target = opts.target or "unix"
    local cfg = configure_into(ctx, path, display, target, build_dir(opts))
    local names = {}
    for i, lib in ipairs(cfg.libs) do names[i] = lib.name end
    say(opts, "configured %s for %s in %s (libraries: %s)", cfg.app.name, target,
      opts.output or DEFAULT_BUILD, table.concat(names, ", "))
    say(opts, "next: mirari build%s", opts.output and (" -o " .. opts.output) or "")
    return 0
  end,
}

command {
  name = "build",
  summary = "compile and link the image",
  usage = "[-o DIR] [-j N] [-v]",
  help = [[
Build the image of a configured build directory with Ninja: only the
sources of the selected libraries are compiled, each library into its own
static archive, then the image is linked. Ninja shows progress and
configures again by itself when app.conf or a manifest has changed.
Exit status 1 when a build step fails.]],
  options = { OUTPUT,
              { short = "-j", long = "--jobs", key = "jobs", arg = "N", doc = "run N jobs at once (default: Ninja's choice)" },
              { short = "-v", long = "--verbose", key = "verbose", doc = "show every command" } },
  run = function(opts, args, ctx)
    if #args > 0 then errors.usage("build: unexpected argument '%s'", args[1]) end
    local dir = build_dir(opts)
    local state = load_state(dir, opts.output or DEFAULT_BUILD)
    if not util.sh("command -v ninja >/dev/null 2>&1") then
      errors.usage("ninja is not installed (Debian package ninja-build)")
    end
    reconfigure(ctx, state, dir)
    local cmd = { "ninja", "-C", util.quote(dir) }
    if opts.jobs then
      if not opts.jobs:match("^%d+$") or tonumber(opts.jobs) < 1 then
        errors.usage("build: -j needs a positive number, got '%s'", opts.jobs)
      end
      cmd[#cmd + 1] = "-j" .. opts.jobs
    end
    if opts.verbose then cmd[#cmd + 1] = "-v" end
    local ok = util.sh(table.concat(cmd, " "))
    if not ok then
      io.stderr:write("mirari: build failed\n")
      return 1
    end
    io.stdout:write(("built %s/%s\n"):format(opts.output or DEFAULT_BUILD, state.image))
    return 0
  end,
}

local SIGNALS = { [1] = "SIGHUP", [2] = "SIGINT", [3] = "SIGQUIT", [4] = "SIGILL", [6] = "SIGABRT",
                  [7] = "SIGBUS", [8] = "SIGFPE", [9] = "SIGKILL", [11] = "SIGSEGV", [13] = "SIGPIPE",
                  [15] = "SIGTERM" }

-- Signals that stop an image cleanly (backends/unix/stop.c): it exits
-- with 128 + the signal's number, as a shell reports a process it stopped.
local STOPS = { [128 + 1] = "SIGHUP", [128 + 2] = "SIGINT", [128 + 15] = "SIGTERM" }

-- Status 0 and 2 (a bad parameter) pass through, and so does the status of
-- an image stopped by a signal; every other failure is 1.
local function exit_status(app, how, code)
  if how == "exit" then
    if code == 0 or code == 2 then return code end
    if STOPS[code] then
      io.stderr:write(("mirari: %s stopped (%s)\n"):format(app, STOPS[code]))
      return code
    end
    io.stderr:write(("mirari: %s exited with status %d\n"):format(app, code))
    return 1
  end
  io.stderr:write(("mirari: %s was killed by signal %d%s\n"):format(app, code,
    SIGNALS[code] and (" (" .. SIGNALS[code] .. ")") or ""))
  return 1
end

-- The runtime parameters (args) with mirari run's --forward words
-- (forwards) as the first net device's NAME.forward: in place of app.conf's
-- forwards (a second copy of an application must be able to leave its
-- port alone), after a NAME.forward= given in (args).
local function unix_forwards(state, forwards, args)
  local dev
  for _, d in ipairs(state.devices or {}) do
    if d.kind == "net" then dev = d break end
  end
  if not dev then errors.usage("run: --forward: %s has no net device", state.app) end
  local tap = dev.tap
  for _, a in ipairs(args) do
    local v = a:match("^" .. dev.name:gsub("%p", "%%%0") .. "%.tap=(.*)$")
    if v then tap = v ~= "" and v or nil end
  end
  if tap then
    errors.usage("run: --forward: device %s uses tap %s; forwards are slirp's (add %s.tap= to use slirp)",
      dev.name, tap, dev.name)
  end
  for _, f in ipairs(forwards) do
    local proto, h, g = f:match("^(%a+):(%d+):(%d+)$")
    if not proto then h, g = f:match("^(%d+):(%d+)$") end
    h, g = tonumber(h), tonumber(g)
    if not h or (proto and proto ~= "tcp" and proto ~= "udp") or h < 1 or h > 65535 or g < 1 or g > 65535 then
      errors.usage("run: --forward %s: expected [tcp:|udp:]HOST:GUEST with ports 1 to 65535, such as 8080:80", f)
    end
  end
  local key = dev.name .. ".forward="
  local out, base, at = {}, "", nil
  for _, a in ipairs(args) do
    if a:sub(1, #key) == key then base, at = a:sub(#key + 1), #out + 1 else out[#out + 1] = a end
  end
  local list = table.concat(forwards, ",")
  if base ~= "" then list = base .. "," .. list end
  table.insert(out, at or #out + 1, key .. list)
  return out
end

command {
  name = "run",
  summary = "run the image",
  usage = "[-o DIR] [--emulate] [--forward H:G] [--timeout S] [--] [KEY=VALUE ...]",
  help = [[
Run the image of a built build directory. KEY=VALUE words are runtime
parameters, checked at boot against the ones app.conf declares (see
mirari describe). The exit status is the application's: 0 for a clean
exit (on Xen: poweroff), 2 for a bad parameter, 1 for any other failure or
a crash.

A Unix image runs as a process of the calling user. Its net devices
without a tap are slirp ones (no privilege needed), and --forward H:G
forwards 127.0.0.1:H (TCP; udp:H:G for UDP) to the image's port G on the
first net device, in place of the forwards app.conf gives it (so that a
second copy can run beside the first: mirari run --forward 8081:80); it
is the boot parameter NET.forward=..., and adds to one given as a
parameter. SIGINT, SIGTERM and SIGHUP stop the image cleanly, with
status 128 + the signal's number; if mirari run itself is killed, the
image is stopped too.

A Xen image runs with xl on the Xen host mirari runs on, or with --emulate
on the emulated Xen host: QEMU running the real Xen hypervisor and a
Debian dom0, prepared in the cache on first use (see mirari doctor). The
guest's console is shown as it comes; a crash report's backtrace is
printed again with function names. Ctrl-C destroys the guest and stops
the emulator. There, --forward H:G (with --emulate) makes the guest's
port G reachable at 127.0.0.1:H of this machine: at the static address
of its first net device, or else at the address dom0's DHCP server gave
last (H:IP:G names the address).]],
  options = { OUTPUT,
              { long = "--emulate", key = "emulate", doc = "run a Xen image on the emulated Xen host" },
              { long = "--forward", key = "forward", arg = "H:G", repeated = true,
                doc = "make port G of the image reachable at 127.0.0.1:H (Unix: slirp; Xen: with --emulate)" },
              { long = "--timeout", key = "timeout", arg = "SECONDS",
                doc = "Xen: destroy the guest after this long (default 600)" } },
  run = function(opts, args, ctx)
    local dir = build_dir(opts)
    local shown = opts.output or DEFAULT_BUILD
    local state = load_state(dir, shown)
    local image = dir .. "/" .. state.image
    local build = "mirari build" .. (opts.output and (" -o " .. opts.output) or "")
    if not util.exists(image) then
      errors.usage("%s/%s is not built yet: run '%s' first", shown, state.image, build)
    end
    local stale = util.read_file(dir .. "/" .. STALE)
    if stale then
      errors.usage("%s is out of date: its configuration failed (%s); fix it and run '%s'",
        shown, stale:gsub("%s+$", ""), build)
    end
    if not up_to_date(dir) then
      errors.usage("%s is out of date: app.conf or a source changed since it was built; run '%s' first",
        shown, build)
    end
    if state.target == "xen" then
      local timeout = opts.timeout and tonumber(opts.timeout)
      if opts.timeout and (not timeout or timeout < 1 or math.type(timeout) ~= "integer") then
        errors.usage("run: --timeout needs a whole number of seconds, got '%s'", opts.timeout)
      end
      local status, err = require("tool.xenrun").run(ctx.root, state, dir, args, {
        emulate = opts.emulate, forwards = opts.forward, timeout = timeout,
      })
      if not status then errors.usage("run: %s", err) end
      return status
    end
    if opts.emulate then
      errors.usage("run: --emulate is for Xen images; this one is for %s", state.target)
    end
    if opts.forward then args = unix_forwards(state, opts.forward, args) end
    local words = { "exec", util.quote(image) }
    for _, a in ipairs(args) do words[#words + 1] = util.quote(a) end
    io.stdout:flush()
    -- The image stops by itself when this process dies (SIGTERM, SIGKILL)
    -- and ends cleanly on SIGINT, which a Ctrl-C sends it too; a SIGINT
    -- sent to this process alone is passed on.
    local proc = require("tool.proc")
    local how, code = proc.run(table.concat(words, " "), function(child) proc.kill(child, "INT") end)
    if how == nil and code == "interrupted" then
      io.stderr:write("mirari: interrupted\n")
      return 130
    elseif how == nil then
      io.stderr:write(("mirari: %s: %s\n"):format(state.app, code))
      return 1
    end
    return exit_status(state.app, how, code)
  end,
}

command {
  name = "describe",
  summary = "show the resolved configuration",
  usage = "[-t TARGET] [-o DIR] [APP.CONF]",
  help = [[
Resolve APP.CONF as configure would, write nothing, and show the result:
the target, the libraries chosen and why, the devices, every compile-time
constant with its value and where it comes from, and the runtime
parameters with their types and defaults. Without APP.CONF, describe the
configuration of the build directory, or ./app.conf.]],
  options = { TARGET, OUTPUT },
  run = function(opts, args, ctx)
    local target = opts.target
    if #args == 0 then
      local dir = build_dir(opts)
      if util.exists(dir .. "/mirari.state") then
        local state = load_state(dir, opts.output or DEFAULT_BUILD)
        local cwd = util.cwd() .. "/"
        args = { state.conf:sub(1, #cwd) == cwd and state.conf:sub(#cwd + 1) or state.conf }
        target = target or state.target
      end
    end
    local display, path = conf_arg("describe", args)
    local cfg = isolate.resolve(ctx.root, path, display, target or "unix")
    io.stdout:write(describe.text(cfg))
    return 0
  end,
}

command {
  name = "clean",
  summary = "remove the build directory",
  usage = "[-o DIR]",
  help = [[
Remove a build directory made by mirari configure. A directory that
mirari did not make is left alone.]],
  options = { OUTPUT },
  run = function(opts, args)
    if #args > 0 then errors.usage("clean: unexpected argument '%s'", args[1]) end
    local dir = build_dir(opts)
    local shown = opts.output or DEFAULT_BUILD
    if not util.exists(dir) then
      io.stdout:write(("nothing to clean: %s does not exist\n"):format(shown))
      return 0
    end
    if not util.exists(dir .. "/mirari.state") then
      errors.usage("%s was not made by mirari configure; not removing it", shown)
    end
    if not util.rm_rf(dir) then
      io.stderr:write(("mirari: cannot remove %s\n"):format(shown))
      return 1
    end
    io.stdout:write(("removed %s\n"):format(shown))
    return 0
  end,
}

command {
  name = "dom0",
  summary = "run a script in dom0 of the emulated Xen host",
  usage = "[--forward H:G] [--timeout SECONDS] SCRIPT",
  help = [[
Boot the emulated Xen host (QEMU running the real Xen 4.17 and a Debian
dom0; prepared in the cache on first use), run SCRIPT in dom0 as root, and
stop the emulator. The host's files are visible in dom0 at the same paths
(read-only, with a scratch layer on top), so SCRIPT can xl create the
images and xl configs of build directories, xl list, xl destroy, reach
guests on the bridge xenbr0 (192.0.2.1/24, DHCP for guests) and time
things. Its output is shown as it comes; the exit status is SCRIPT's.]],
  options = { { long = "--forward", key = "forward", arg = "H:G", repeated = true,
                doc = "make port G of the latest DHCP guest (or G as IP:PORT) reachable at 127.0.0.1:H" },
              { long = "--timeout", key = "timeout", arg = "SECONDS", doc = "stop after this long (default 300)" } },
  run = function(opts, args, ctx)
    if #args ~= 1 then errors.usage("dom0: give one script to run, e.g. mirari dom0 ./job.sh") end
    local timeout = opts.timeout and tonumber(opts.timeout)
    if opts.timeout and (not timeout or math.type(timeout) ~= "integer" or timeout < 1) then
      errors.usage("dom0: --timeout needs a whole number of seconds, got '%s'", opts.timeout)
    end
    local xenhost = require("tool.xenhost")
    local r, err = xenhost.exec(ctx.root, args[1], {
      forwards = opts.forward, timeout = timeout,
      on_output = function(chunk) io.stdout:write(chunk) io.stdout:flush() end,
    })
    if not r then errors.usage("dom0: %s", err) end
    if r.status == nil then
      io.stderr:write("mirari: ", r.error or "the emulated Xen host failed",
        "\nmirari: its console log is ", r.console or "?", "\n")
      return 1
    end
    xenhost.forget(r)
    return r.status
  end,
}

command {
  name = "image",
  summary = "write a directory as a read-only tar image (build does this)",
  usage = "[--depfile FILE] DIRECTORY IMAGE",
  help = [[
Write the files under DIRECTORY as a ustar archive IMAGE, the content of a
block device declared with from = "DIRECTORY" in app.conf (mirari build
runs this for each such device, into BUILD/images/NAME.tar). The archive
is deterministic: names sorted, owner root, times 0, modes 0644 and 0755,
so the same directory gives the same bytes on any machine. IMAGE is
replaced only when its bytes change. Symbolic links, special files and
names ustar cannot hold are refused, naming the file.]],
  options = { { long = "--depfile", key = "depfile", arg = "FILE",
                doc = "also write the files and directories read, for Ninja" } },
  run = function(opts, args)
    if #args ~= 2 then errors.usage("image: give a directory and an image file, e.g. mirari image htdocs site.tar") end
    local ok, err = require("tool.tar").write(args[1], args[2], opts.depfile)
    if not ok then
      io.stderr:write("mirari: image: ", err, "\n")
      return 1
    end
    return 0
  end,
}

-- What a target needs on this machine, as doctor items.
local function doctor_items(root)
  local deps = dofile(root .. "/build/deps.lua")
  local function cmd(c) return util.sh("command -v " .. c .. " >/dev/null 2>&1") end
  local install = "apt-get install %s (as root; scripts/deps.sh installs it)"
  local unix = {
    { what = "Lua 5.3 (lua5.3)", ok = cmd("lua5.3"), how_to_get = install:format("lua5.3") },
    { what = "Ninja (ninja)", ok = cmd("ninja"), how_to_get = install:format("ninja-build") },
    { what = "GCC (gcc)", ok = cmd("gcc"), how_to_get = install:format("gcc") },
    { what = "binutils (ld, objcopy, ar)", ok = cmd("objcopy") and cmd("ld"), how_to_get = install:format("binutils") },
    -- Every image with a net device that has no tap links it.
    { what = "libslirp (libslirp-dev), for net devices without a tap",
      ok = util.exists("/usr/include/slirp/libslirp.h"),
      how_to_get = install:format("libslirp-dev") },
  }
  local d = deps.newlib
  local prefix = ("%s/newlib-%s-b%d"):format(util.cache_dir(), d.version, d.build)
  local xen = {
    { what = ("newlib %s, built for guests (%s)"):format(d.version, prefix),
      ok = util.exists(prefix .. "/.complete"),
      how_to_get = "built by the first mirari build of a Xen image (about a minute)" },
  }
  for _, item in ipairs(require("tool.xenhost").doctor(root)) do xen[#xen + 1] = item end
  return { { "unix", unix }, { "xen", xen } }
end

command {
  name = "doctor",
  summary = "say what each target needs and what is missing",
  usage = "",
  help = [[
Check, for each target, what building and running its images needs on
this machine: the host tools, the guest C library in the cache, and for
Xen the emulated Xen host (QEMU, Xen's tools, the cached hypervisor and
dom0 kernel). Each missing piece comes with how to get it. Exit status 0
when everything is there, 1 otherwise.]],
  options = {},
  run = function(_, args, ctx)
    if #args > 0 then errors.usage("doctor: unexpected argument '%s'", args[1]) end
    local missing = 0
    for _, target in ipairs(doctor_items(ctx.root)) do
      io.stdout:write(("target %s:\n"):format(target[1]))
      for _, item in ipairs(target[2]) do
        io.stdout:write(("  [%s] %s%s\n"):format(item.ok and "ok" or "missing", item.what,
          item.detail and (" (" .. item.detail .. ")") or ""))
        if not item.ok then
          missing = missing + 1
          io.stdout:write("         get it: ", item.how_to_get, "\n")
        end
      end
    end
    io.stdout:write(missing == 0 and "everything is there\n" or ("%d missing\n"):format(missing))
    return missing == 0 and 0 or 1
  end,
}

command {
  name = "new",
  summary = "create an application to start from",
  usage = "NAME",
  help = [[
Create the folder NAME with an app.conf and a C file that registers a
timer handler and declares a runtime parameter, ready for
  cd NAME && mirari configure && mirari build && mirari run
The application's name is the last component of NAME.]],
  options = {},
  run = function(_, args, ctx)
    if #args ~= 1 then errors.usage("new: give the name of the application, e.g. mirari new myapp") end
    local dir = util.abspath(args[1], util.cwd())
    local name = util.basename(dir)
    if not name:match("^[a-z][a-z0-9_]*$") then
      errors.usage("new: '%s' is not a valid application name: lower-case letters, digits and '_', starting with a letter", name)
    end
    if util.exists(dir) then errors.usage("new: %s already exists", args[1]) end
    local template = require("config.template")
    local data = { name = name }
    local files = {
      ["app.conf"] = template.render(ctx.root .. "/templates/new/app.conf", data),
      [name .. ".c"] = template.render(ctx.root .. "/templates/new/app.c", data),
      [".gitignore"] = "_build/\n",
    }
    local ok, err = generate.write(dir, files)
    if not ok then errors.usage("new: %s", err) end
    io.stdout:write(("created %s: now cd %s && mirari configure && mirari build && mirari run\n"):format(args[1], args[1]))
    return 0
  end,
}

return M
