-- Sandboxed evaluation of configuration files (app.conf, manifest.lua).
--
-- A file is a Lua chunk loaded as text only (never bytecode) into a fresh
-- environment that holds the statements of its language and a safe subset
-- of the standard library: no io, os, require, load, dofile, debug,
-- pcall or metatables, and nothing survives from one file to the next. A
-- read of an unknown global and an assignment to any global are errors, so a
-- misspelt statement is caught with a suggestion instead of yielding nil. A
-- count hook stops runaway loops and growing memory (one huge allocation,
-- such as string.rep, is bounded only by Lua's own limits).
local errors = require("config.errors")
local util = require("config.util")

local M = {}

local INSTRUCTION_LIMIT = 10000000
local MEMORY_LIMIT_KB = 256 * 1024
local HOOK_EVERY = 10000

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
function M.current_line(chunkname)
  for level = 2, 50 do
    local info = debug.getinfo(level, "Sl")
    if not info then break end
    if info.source == chunkname then return info.currentline end
  end
  return nil
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

  local co = coroutine.create(chunk)
  local executed, base_kb = 0, collectgarbage("count")
  debug.sethook(co, function()
    executed = executed + HOOK_EVERY
    if executed >= INSTRUCTION_LIMIT then
      errors.raise(display, M.current_line(chunkname),
        "evaluation ran for more than %d instructions (an endless loop?)", INSTRUCTION_LIMIT)
    end
    if collectgarbage("count") - base_kb > MEMORY_LIMIT_KB then
      collectgarbage()
      if collectgarbage("count") - base_kb > MEMORY_LIMIT_KB then
        errors.raise(display, M.current_line(chunkname),
          "evaluation used more than %d MiB of memory", MEMORY_LIMIT_KB // 1024)
      end
    end
  end, "", HOOK_EVERY)
  local ok, result = coroutine.resume(co)
  if not ok then
    if errors.is(result) then error(result, 0) end
    -- A Lua runtime error inside the file: its message already names
    -- display:line.
    local line, msg = tostring(result):match("^[^:]*:(%d+): (.*)$")
    errors.raise(display, tonumber(line), "%s", msg or tostring(result))
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
