-- The evaluation of a configuration, in a process of its own.
--
-- app.conf and the manifests of an application's own libraries are code
-- from whoever wrote them. The sandbox (sandbox.lua) takes away what they
-- may reach, and its count hook stops an endless Lua loop with the line it
-- is on; but a hook cannot run inside a C function, so neither a pattern
-- that backtracks for ever nor one huge string.rep can be stopped from
-- within. They are stopped from outside: resolve.resolve runs in a child
-- (mirari.lua --isolated-resolve) under setrlimit(2) (the shell's ulimit), with LIMITS.memory_mib
-- of address space and LIMITS.cpu_seconds of CPU time. An allocation past
-- the first fails at once (Lua raises "not enough memory", which the
-- sandbox reports with its line); the second ends the child with SIGXCPU,
-- and the message names the file that was being evaluated, which the
-- child announces on its way.
--
-- The child writes its answer on stdout as a Lua chunk that rebuilds the
-- resolved configuration, tables shared or not, and that the parent loads
-- with an empty environment. Functions stay behind: the only ones are the
-- compiled constraints of manifests, which resolve has already run.
--
--   local cfg = require("config.isolate").resolve(root, path, display, target)
local M = {}

M.LIMITS = { memory_mib = 256, cpu_seconds = 4 }

local SIGXCPU, SIGKILL = 24, 9

-- A Lua chunk (text) that returns a copy of (value): tables keep their
-- sharing and cycles, functions become nil.
function M.dump(value)
  local ids, out, n = {}, { "local t = {}" }, 0
  local function atom(v)
    local ty = type(v)
    if ty == "string" then return ("%q"):format(v)
    elseif ty == "boolean" then return tostring(v)
    elseif ty == "number" then
      if math.type(v) == "integer" then return ("%d"):format(v) end
      if v ~= v then return "(0/0)" end
      if v == math.huge then return "(1/0)" elseif v == -math.huge then return "(-1/0)" end
      return ("%a"):format(v)
    end
  end
  local function ref(v)
    if type(v) ~= "table" then return atom(v) end
    if ids[v] then return "t[" .. ids[v] .. "]" end
    n = n + 1
    local id = n
    ids[v] = id
    out[#out + 1] = ("t[%d] = {}"):format(id)
    for k, x in pairs(v) do
      local key, val = ref(k), ref(x)
      if key and val then out[#out + 1] = ("t[%d][%s] = %s"):format(id, key, val) end
    end
    return "t[" .. id .. "]"
  end
  local top = ref(value)
  out[#out + 1] = "return " .. (top or "nil")
  return table.concat(out, "\n") .. "\n"
end

-- The value of a chunk made by dump.
function M.undump(text)
  local chunk, err = load(text, "=isolate", "t", {})
  if not chunk then error("isolate: the evaluation's answer does not load: " .. err, 0) end
  return chunk()
end

-- The parent: resolve (path), shown as (display), for (target) in a child
-- under the limits. Returns what resolve.resolve returns; raises the same
-- configuration errors, and one more for a limit the child hit.
function M.resolve(root, path, display, target)
  local errors = require("config.errors")
  local util = require("config.util")
  local q = util.quote
  -- SIGXCPU at the soft limit; SIGKILL a second later, should it be
  -- caught (a hard limit already lower is kept: tighter is no harm).
  local cmd = ("ulimit -v %d && ulimit -S -t %d && { ulimit -H -t %d 2>/dev/null || :; } && exec lua5.3 %s --isolated-resolve %s %s %s %s"):format(
    M.LIMITS.memory_mib * 1024, M.LIMITS.cpu_seconds, M.LIMITS.cpu_seconds + 1,
    q(root .. "/mirari.lua"), q(root), q(path), q(display), q(target))
  local p = assert(io.popen(cmd, "r"))
  local text = p:read("a")
  local _, how, code = p:close()
  -- What the child said before its answer: the file it was evaluating.
  local current = display
  for file in text:gmatch("%-%- evaluating ([^\n]*)\n") do current = file end
  if how == "exit" and code == 0 then
    local answer = M.undump(text)
    local kind, v = answer.kind, answer.value
    if kind == "ok" then return v end
    if kind == "error" then errors.raise(v.file, v.line, "%s", v.msg) end
    error(v, 0)
  end
  if how == "signal" and code == SIGXCPU or how == "signal" and code == SIGKILL then
    errors.raise(current, nil,
      "evaluation used more than %d s of CPU time and was stopped "
      .. "(a pattern that backtracks without end, or a string function on a huge string?)",
      M.LIMITS.cpu_seconds)
  end
  if how == "signal" then
    error(("isolate: the evaluation of %s was killed by signal %d"):format(current, code), 0)
  end
  error(("isolate: the evaluation of %s failed (status %d):\n%s"):format(current, code, text), 0)
end

-- The child (mirari.lua --isolated-resolve ROOT PATH DISPLAY TARGET):
-- resolve, then print the answer, { kind = "ok", value = cfg }, "error"
-- with { file, line, msg }, or "bug" with a traceback. Memory that runs out outside
-- the sandbox (in resolve's own work on what the file built) is reported
-- as the limit too.
function M.child(root, path, display, target)
  local errors = require("config.errors")
  local sandbox = require("config.sandbox")
  local current = display
  sandbox.on_eval = function(file)
    current = file
    io.stdout:write("-- evaluating ", (file:gsub("\n", " ")), "\n")
    io.stdout:flush()
  end
  local answer = table.pack(xpcall(require("config.resolve").resolve, function(e)
    -- (Lua calls no handler for a failed allocation: that message
    -- arrives as it is.)
    if errors.is(e) then return e end
    return debug.traceback(tostring(e), 2)
  end, root, path, display, target))
  local text
  if answer[1] then
    text = M.dump({ kind = "ok", value = answer[2] })
  elseif errors.is(answer[2]) then
    local e = answer[2]
    text = M.dump({ kind = "error", value = { file = e.file, line = e.line, msg = e.msg } })
  elseif answer[2] == "not enough memory" then
    text = M.dump({ kind = "error", value = { file = current,
      msg = ("evaluation used more than %d MiB of memory"):format(M.LIMITS.memory_mib) } })
  else
    text = M.dump({ kind = "bug", value = answer[2] })
  end
  io.stdout:write(text)
end

return M
