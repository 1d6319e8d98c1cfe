-- A small template engine for the files mirari generates.
--
-- A template is text in which
--   a line whose first non-blank character is % is Lua code, and
--   {{ expression }} is replaced by the value of the expression.
-- Everything else is copied. Templates see the data they are given, a few
-- helpers, and no globals of the tool, so their output depends on nothing but
-- that data: the same configuration gives byte-identical files.
local util = require("config.util")

local M = {}

local cache = {}

local function compile(text, name)
  local code = { "local _out = ...\n" }
  for line in (text .. (text:sub(-1) == "\n" and "" or "\n")):gmatch("([^\n]*)\n") do
    local lua = line:match("^%s*%%(.*)$")
    if lua then
      code[#code + 1] = lua .. "\n"
    else
      local pos = 1
      while true do
        local s, e, expr = line:find("{{(.-)}}", pos)
        if not s then break end
        code[#code + 1] = ("_out[#_out+1] = %q\n"):format(line:sub(pos, s - 1))
        code[#code + 1] = ("_out[#_out+1] = tostring(%s)\n"):format(expr)
        pos = e + 1
      end
      code[#code + 1] = ("_out[#_out+1] = %q\n"):format(line:sub(pos) .. "\n")
    end
  end
  return table.concat(code), "=" .. name
end

-- Render the template file (path) with the values in (data).
function M.render(path, data)
  local fn = cache[path]
  if not fn then
    local text = assert(util.read_file(path))
    local code, chunkname = compile(text, util.basename(path))
    fn = { code = code, chunkname = chunkname }
    cache[path] = fn
  end
  local env = setmetatable({}, { __index = function(_, k)
    local v = data[k]
    if v == nil then v = _ENV[k] end
    if v == nil then error(("template %s: unknown name '%s'"):format(path, k), 2) end
    return v
  end })
  local chunk = assert(load(fn.code, fn.chunkname, "t", env))
  local out = {}
  chunk(out)
  return table.concat(out)
end

return M
