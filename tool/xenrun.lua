-- Running a Xen image: on the emulated Xen host (--emulate) or on the Xen
-- host mirari runs on, through the same dom0 script
-- (build/xenhost/run-guest.sh). The guest's console is streamed to the
-- terminal; a crash report's backtrace is turned into function names with
-- the image's symbols; the exit status says how the guest ended.
local util = require("config.util")
local xenhost = require("tool.xenhost")

local M = {}

-- The dom0 script that runs one guest.
function M.script(root, xl, name, extra, timeout)
  return table.concat({
    "#!/bin/sh",
    ". " .. util.quote(root .. "/build/xenhost/run-guest.sh"),
    ("mirari_run_guest %s %s %s %d"):format(util.quote(xl), util.quote(name),
      util.quote(extra or ""), timeout),
    "",
  }, "\n")
end

-- Function names for the addresses of a crash report's backtrace line.
function M.symbolize(image, line)
  local addrs = {}
  for a in line:gmatch("0x%x+") do addrs[#addrs + 1] = a end
  if #addrs == 0 or not util.sh("command -v addr2line >/dev/null 2>&1") then return nil end
  local out = util.capture(("addr2line -f -s -e %s %s 2>/dev/null"):format(util.quote(image),
    table.concat(addrs, " ")))
  local lines, i = {}, 0
  for l in (out .. "\n"):gmatch("([^\n]*)\n") do lines[#lines + 1] = l end
  local frames = {}
  for n, a in ipairs(addrs) do
    i = (n - 1) * 2 + 1
    local fn, where = lines[i] or "?", lines[i + 1] or "?"
    frames[#frames + 1] = ("  #%d %s %s (%s)"):format(n - 1, a, fn, where)
  end
  return table.concat(frames, "\n")
end

-- A filter for the script's output (build/xenhost/run-guest.sh): console
-- lines go to (out) as they come, "@mirari diag:" lines (what the domain
-- was doing at a timeout, a console log that may lack its end) to (err)
-- as "mirari: ...", and the fields of the other "@mirari" lines into
-- (result). Returns feed(chunk) and finish().
function M.filter(out, err, result)
  local pending = ""
  local function line(l)
    local diag = l:match("^@mirari diag: (.*)$")
    if diag then
      err:write("mirari: ", diag, "\n")
      err:flush()
      return
    end
    local fields = l:match("^@mirari (.*)$")
    if fields then
      for k, v in fields:gmatch("(%w[%w_]*)=(%S+)") do result[k] = v end
      if fields:match("^created=") and result.on_created then result.on_created() end
      return
    end
    result.lines[#result.lines + 1] = l
    local status = l:match("^mirari: exit status (%d+)")
    if status then result.exit = tonumber(status) end
    if l:match("^%s*backtrace: ") then result.backtrace = l end
    out:write(l, "\n")
    out:flush()
  end
  return function(chunk)
    pending = pending .. chunk
    while true do
      local l, rest = pending:match("^([^\n]*)\n(.*)$")
      if not l then break end
      pending = rest
      line(l)
    end
  end, function()
    if pending ~= "" then line(pending) end
  end
end

-- The exit status for how the guest ended (see `mirari run --help`).
local function status_of(result, image, err)
  if result["end"] == "poweroff" then return 0 end
  if result["end"] == "crash" then
    if result.exit then return result.exit == 2 and 2 or 1 end
    if result.backtrace then
      local frames = M.symbolize(image, result.backtrace)
      if frames then err:write("mirari: the guest crashed; its backtrace:\n", frames, "\n") end
    else
      err:write("mirari: the guest crashed\n")
    end
    return 1
  end
  if result["end"] == "timeout" then
    err:write("mirari: the guest did not end in time; it was destroyed\n")
  elseif result["end"] == "error" then
    err:write("mirari: xl could not create the guest (its message is above)\n")
  end
  return 1
end

-- Forwards "HOST:GUEST" without an address reach the latest DHCP guest of
-- the emulated host; when the image's first net device has a static
-- address (app.conf's, or a NAME.ipv4= boot parameter in (args)), they go
-- to that address instead.
function M.forwards_to_static(state, args, forwards)
  local net
  for _, d in ipairs(state.devices or {}) do
    if d.kind == "net" then net = d break end
  end
  if not net or not forwards then return forwards end
  local ipv4 = net.ipv4
  for _, a in ipairs(args) do
    ipv4 = a:match("^" .. net.name:gsub("%p", "%%%0") .. "%.ipv4=(.*)$") or ipv4
  end
  local addr = ipv4 and ipv4:match("^(%d+%.%d+%.%d+%.%d+)/%d+$")
  if not addr then return forwards end
  local out = {}
  for i, f in ipairs(forwards) do
    local host, guest = f:match("^(%d+):(%d+)$")
    out[i] = host and ("%s:%s:%s"):format(host, addr, guest) or f
  end
  return out
end

-- Run the image of (state) (a configured, built Xen build directory
-- (dir)) with runtime parameters (args). opts: emulate, forwards,
-- timeout, out and err (files). Returns the exit status, or nil and a
-- message for a usage error.
function M.run(root, state, dir, args, opts)
  local out, err = opts.out or io.stdout, opts.err or io.stderr
  local xl = dir .. "/" .. state.app .. ".xl"
  local image = dir .. "/" .. state.image
  local words = {}
  if state.extra and state.extra ~= "" then words[1] = state.extra end
  for _, a in ipairs(args) do
    if a:find('["\\]') then
      return nil, ("parameter %s: a double quote or backslash cannot pass through xl's extra="):format(a)
    end
    if a:find("%s") then
      return nil, ("parameter '%s': a value with blanks cannot pass through xl's extra= yet"):format(a)
    end
    words[#words + 1] = a
  end
  local forwards = M.forwards_to_static(state, args, opts.forwards)
  local timeout = opts.timeout or 600
  local script_path = os.tmpname()
  util.write_file(script_path, M.script(root, xl, state.app, table.concat(words, " "), timeout))
  local result = { lines = {} }
  local feed, finish = M.filter(out, err, result)
  if opts.emulate then
    -- The host takes 10 to 20 s to boot under emulation: say what happens.
    local t0 = os.time()
    result.on_created = function()
      err:write(("mirari: guest %s created, %d s after the start\n"):format(state.app, os.time() - t0))
    end
    local r, e = xenhost.exec(root, script_path, {
      timeout = timeout + 120, forwards = forwards, on_output = feed,
      on_start = function() err:write("mirari: booting the emulated Xen host\n") end,
      on_ready = function(ms) err:write(("mirari: dom0 ready after %.1f s\n"):format(ms / 1000)) end,
    })
    os.remove(script_path)
    if not r then return nil, e end
    finish()
    if r.error == "interrupted" then
      err:write("mirari: interrupted: the guest was destroyed with the emulated Xen host\n")
      xenhost.forget(r)
      return 130
    end
    if r.status == nil then
      err:write("mirari: the emulated Xen host failed: ", r.error or "?",
        "\nmirari: its console log is ", r.console or "?", "\n")
      return 1
    end
    xenhost.forget(r)
  else
    if opts.forwards and #opts.forwards > 0 then
      os.remove(script_path)
      return nil, "--forward is for the emulated Xen host (--emulate)"
    end
    if not util.exists("/proc/xen/capabilities") or not util.sh("command -v xl >/dev/null 2>&1") then
      os.remove(script_path)
      return nil, "this machine is not a Xen host: add --emulate to run the image on the emulated Xen host"
    end
    local p = io.popen("sh " .. util.quote(script_path) .. " 2>&1", "r")
    for chunk in function() return p:read(4096) end do feed(chunk) end
    p:close()
    finish()
    os.remove(script_path)
  end
  return status_of(result, image, err)
end

return M
