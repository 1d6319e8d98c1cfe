-- Sandboxed evaluation of configuration files (app.conf, manifest.lua).
--
-- A file is a Lua chunk loaded as text only (never bytecode) into a fresh
-- environment that holds the statements of its language and a safe subset
-- of the standard library: no io, os, require, load, dofile, debug,
-- pcall or metatables, and nothing survives from one file to the next. A
-- read of an unknown global and an assignment to any global are errors, so a
-- misspelt statement is caught with a suggestion instead of yielding nil. A
-- count hook stops a runaway Lua loop, with its line. Memory and the time
-- spent inside C functions (a backtracking pattern, one huge string.rep)
-- cannot be bounded from in here: isolate.lua runs the evaluation in a
-- process with limits the kernel enforces, and this file turns a failed
-- allocation into a message with the line where it failed.
local errors = require("config.errors")
local util = require("config.util")

local M = {}

local INSTRUCTION_LIMIT = 10000000
local HOOK_EVERY = 10000
-- 4 KiB, 16 of which are the memory kept aside while a file runs (made
-- of large pieces: string.rep copies its unit once per repetition).
local RESERVE_UNIT = string.rep(" ", 4096)

-- Called with the display name of each file before it is evaluated (the
-- child of isolate.lua says it aloud, so that a limit names the file).
M.on_eval = nil

local function copy(t)
  local c = {}
  for k, v in pairs(t) do c[k] = v end
  return c
end

local function base_env()
  return {
    assert = assert, error = error, ipairs = ipairs, next = next,
    pairs = pairs, select = select, tonumber = tonumber,
    tostring = tostring, type = type,
    math = copy(math), string = copy(string), table = copy(table),
    utf8 = copy(utf8),
  }
end

-- The line of (file) being executed now, found by walking up the stack
-- from a statement function to the frame of the chunk.
function M.current_line(chunkname, co)
  for level = co and 0 or 2, 50 do
    local info
    if co then info = debug.getinfo(co, level, "Sl") else info = debug.getinfo(level, "Sl") end
    if not info then break end
    if info.source == chunkname then return info.currentline end
  end
  return nil
end

-- What a Lua error raised in a file says, as a message without position,
-- and the line its message names, if any: error() may be given anything,
-- or a string with no position (level 0).
function M.message(e, display, limits)
  if type(e) == "string" and e:find("not enough memory", 1, true) then
    return ("evaluation used more than %d MiB of memory"):format(limits.memory_mib)
  elseif e == nil then
    return "error() called without a message"
  elseif type(e) ~= "string" and type(e) ~= "number" then
    return ("error() called with a %s, not a message string"):format(type(e))
  end
  e = tostring(e)
  local prefix = display .. ":"
  if e:sub(1, #prefix) == prefix then
    local line, rest = e:sub(#prefix + 1):match("^(%d+): (.*)$")
    if line then return rest, tonumber(line) end
  end
  return e
end


-- The line on which field (key) is written, searching forward from
-- (from_line), the line of the statement that holds it. Table constructors
-- keep no line numbers, so this reads the source text; when the key cannot
-- be found the statement's own line is the answer.
function M.field_line(lines, from_line, key)
  if not key or not from_line then return from_line end
  local pat = "%f[%w_]" .. key:gsub("%p", "%%%0") .. "%s*=[^=]"
  for i = from_line, math.min(#lines, from_line + 200) do
    if (lines[i] .. " "):find(pat) then return i end
  end
  return from_line
end

-- Evaluate (source), read from (path) and shown in messages as (display),
-- with the statements in (statements) (name -> function). Returns the
-- chunk's return value. Errors are raised as config errors naming
-- display:line.
function M.eval(source, display, statements)
  local chunkname = "@" .. display
  local env = base_env()
  local known = {}
  for k, v in pairs(statements) do env[k] = v end
  for k in pairs(env) do known[#known + 1] = k end
  table.sort(known)

  setmetatable(env, {
    __index = function(_, k)
      errors.raise(display, M.current_line(chunkname),
        "unknown name '%s'%s", tostring(k), util.did_you_mean(tostring(k), known))
    end,
    __newindex = function(_, k)
      errors.raise(display, M.current_line(chunkname),
        "assignment to global '%s': write 'local %s = ...' for a helper value", tostring(k), tostring(k))
    end,
    __metatable = false,
  })

  local chunk, err = load(source, chunkname, "t", env)
  if not chunk then
    local line, msg = err:match("^[^:]*:(%d+): (.*)$")
    errors.raise(display, tonumber(line), "syntax error: %s", msg or err)
  end

  if M.on_eval then M.on_eval(display) end
  local co = coroutine.create(chunk)
  local executed = 0
  debug.sethook(co, function()
    executed = executed + HOOK_EVERY
    if executed >= INSTRUCTION_LIMIT then
      errors.raise(display, M.current_line(chunkname),
        "evaluation ran for more than %d instructions (an endless loop?)", INSTRUCTION_LIMIT)
    end
  end, "", HOOK_EVERY)
  -- Memory kept aside, to be given back should the file use all there
  -- is: finding the line and making the message need some.
  local reserve = string.rep(RESERVE_UNIT, 16)
  local ok, result = coroutine.resume(co)
  reserve = nil
  if not ok then
    collectgarbage()
    if errors.is(result) then error(result, 0) end
    -- A Lua runtime error inside the file. Its stack is kept (a
    -- coroutine's is not unwound), so the line is known even when the
    -- message has none.
    local msg, line = M.message(result, display, require("config.isolate").LIMITS)
    line = line or M.current_line(chunkname, co)
    -- What the file built dies with its coroutine, before the message
    -- is made: memory may be what ran out.
    co, result = nil, nil
    collectgarbage()
    errors.raise(display, line, "%s", msg)
  end
  return result
end

-- Split source text into lines, for field_line.
function M.lines(source)
  local t = {}
  for line in (source .. "\n"):gmatch("([^\n]*)\n") do t[#t + 1] = line end
  return t
end

return M
