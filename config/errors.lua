-- Configuration errors. They travel as tables through error(), carry the
-- file and line they are about, and are printed once at the top level as
-- "FILE:LINE: message" with exit status 2. Anything else that reaches the
-- top level is a bug in mirari and is reported as one.
local M = {}

local ConfigError = {}
ConfigError.__index = ConfigError
ConfigError.__tostring = function(e) return M.format(e) end

-- Raise an error about (file) at (line); both may be nil.
function M.raise(file, line, fmt, ...)
  local msg = select("#", ...) > 0 and fmt:format(...) or fmt
  error(setmetatable({ file = file, line = line, msg = msg }, ConfigError), 0)
end

-- Raise an error not tied to a file (usage mistakes, missing directories).
function M.usage(fmt, ...)
  M.raise(nil, nil, fmt, ...)
end

function M.is(e)
  return getmetatable(e) == ConfigError
end

function M.format(e)
  local where = ""
  if e.file then
    where = e.file .. (e.line and (":" .. e.line) or "") .. ": "
  end
  return where .. e.msg
end

-- lua5.3's SIGINT handler raises "interrupted!" in whatever Lua code runs.
function M.is_interrupt(e)
  return type(e) == "string" and e:match("interrupted!$") ~= nil
end

-- Call f(...); return true plus its results, or false plus a ConfigError.
-- Errors that are not ConfigErrors propagate with a traceback, except an
-- interrupt (SIGINT), which propagates as it is.
function M.catch(f, ...)
  local r = table.pack(xpcall(f, function(e)
    if M.is(e) or M.is_interrupt(e) then return e end
    return debug.traceback(tostring(e), 2)
  end, ...))
  if r[1] then return table.unpack(r, 1, r.n) end
  if M.is(r[2]) then return false, r[2] end
  error(r[2], 0)
end

return M
