-- Value types of the configuration language and of library options.
--
-- A spec is a table { type = T, ... } that says what a field accepts:
--   int       integer, with optional min, max and multiple
--   bool      true or false
--   string    any string, with optional max (length) and pattern
--   ident     a C identifier
--   name      a lower-case name: letters, digits, '-' and '_'
--   size      bytes: an integer or a string with unit K, M or G ("16M")
--   duration  nanoseconds: a string with unit ns, us, ms, s, m or h ("1s")
--   enum      one of the strings in values
--   list      a sequence of values of spec `of`
--   path      a file name relative to the configuration file, that Ninja
--             can name: no newline, carriage return or '|' (config/ninja.lua)
-- and may carry default, doc and required. Sizes and durations take min,
-- max and multiple too, written in their own units. check() turns a value written by
-- the user into its normal form (sizes in bytes, durations in nanoseconds)
-- or returns nil and a message that says what was expected.
local ninja = require("config.ninja")
local util = require("config.util")

local M = {}

local SIZE_UNITS = { [""] = 1, K = 1 << 10, M = 1 << 20, G = 1 << 30 }
local DURATION_UNITS = {
  ns = 1, us = 1000, ms = 1000000, s = 1000000000,
  m = 60 * 1000000000, h = 3600 * 1000000000,
}
M.DURATION_UNITS = DURATION_UNITS

local MAX_INT = math.maxinteger

-- Multiply with a check against 64-bit overflow.
local function scale(n, unit)
  if n > MAX_INT // unit then return nil end
  return n * unit
end

function M.parse_size(v)
  if math.type(v) == "integer" and v >= 0 then return v end
  if type(v) ~= "string" then return nil end
  local digits, unit = v:match("^(%d+)([KMG]?)$")
  if not digits then return nil end
  local n = math.tointeger(tonumber(digits))
  return n and scale(n, SIZE_UNITS[unit])
end

function M.parse_duration(v)
  if type(v) ~= "string" then return nil end
  local digits, unit = v:match("^(%d+)(%a+)$")
  if not digits or not DURATION_UNITS[unit] then return nil end
  local n = math.tointeger(tonumber(digits))
  return n and scale(n, DURATION_UNITS[unit])
end

-- Human forms, for describe and for messages.
function M.format_size(n)
  for _, u in ipairs({ "G", "M", "K" }) do
    if n ~= 0 and n % SIZE_UNITS[u] == 0 then return (n // SIZE_UNITS[u]) .. u end
  end
  return tostring(n)
end

function M.format_duration(n)
  for _, u in ipairs({ "h", "m", "s", "ms", "us" }) do
    if n ~= 0 and n % DURATION_UNITS[u] == 0 then return (n // DURATION_UNITS[u]) .. u end
  end
  return n .. "ns"
end

-- (v) for a message, on one line: %q writes a newline as '\' and a newline.
local function show(v)
  if type(v) == "string" then return (("%q"):format(v):gsub("\\\n", "\\n")) end
  if type(v) == "table" then return "a table" end
  return tostring(v)
end
M.show = show

local check

-- The normal form of a bound (min, max), which manifests may write as
-- strings ("4K").
local function bound(spec, b)
  if b == nil then return nil end
  if spec.type == "size" then return M.parse_size(b) end
  if spec.type == "duration" then return M.parse_duration(b) end
  return b
end

local function in_range(spec, n, fmt)
  local lo, hi, mult = bound(spec, spec.min), bound(spec, spec.max), bound(spec, spec.multiple)
  fmt = fmt or tostring
  if lo and n < lo then return nil, ("%s is below the minimum %s"):format(fmt(n), fmt(lo)) end
  if hi and n > hi then return nil, ("%s is above the maximum %s"):format(fmt(n), fmt(hi)) end
  if mult and n % mult ~= 0 then return nil, ("%s is not a multiple of %s"):format(fmt(n), fmt(mult)) end
  return n
end

local checkers = {}

function checkers.int(spec, v)
  if math.type(v) ~= "integer" then
    return nil, ("expected an integer, got %s"):format(show(v))
  end
  return in_range(spec, v)
end

function checkers.bool(_, v)
  if type(v) ~= "boolean" then
    return nil, ("expected true or false, got %s"):format(show(v))
  end
  return v
end

function checkers.string(spec, v)
  if type(v) ~= "string" then
    return nil, ("expected a string, got %s"):format(show(v))
  end
  if spec.max and #v > spec.max then
    return nil, ("%s is longer than %d characters"):format(show(v), spec.max)
  end
  if spec.pattern and not v:match(spec.pattern) then
    return nil, ("%s is not %s"):format(show(v), spec.what or "valid")
  end
  return v
end

function checkers.ident(_, v)
  if type(v) ~= "string" or not v:match("^[%a_][%w_]*$") then
    return nil, ("expected a C identifier, got %s"):format(show(v))
  end
  return v
end

function checkers.name(_, v)
  if type(v) ~= "string" or not v:match("^[a-z][a-z0-9_-]*$") then
    return nil, ("expected a name of lower-case letters, digits, '-' and '_', got %s"):format(show(v))
  end
  return v
end

function checkers.path(_, v)
  if type(v) ~= "string" or v == "" then
    return nil, ("expected a file name, got %s"):format(show(v))
  end
  local _, why = ninja.path(v)
  if why then
    return nil, ("%s: a file name with %s cannot be built (Ninja cannot name it)"):format(show(v), why)
  end
  return v
end

function checkers.size(spec, v)
  local n = M.parse_size(v)
  if not n then
    return nil, ("invalid size %s: expected bytes with an optional unit K, M or G, such as \"16M\""):format(show(v))
  end
  return in_range(spec, n, M.format_size)
end

function checkers.duration(spec, v)
  local n = M.parse_duration(v)
  if not n then
    return nil, ("invalid duration %s: expected a whole number with a unit ns, us, ms, s, m or h, such as \"500ms\""):format(show(v))
  end
  return in_range(spec, n, M.format_duration)
end

function checkers.enum(spec, v)
  for _, allowed in ipairs(spec.values) do
    if v == allowed then return v end
  end
  local hint = type(v) == "string" and util.did_you_mean(v, spec.values) or ""
  return nil, ("%s is not one of %s%s"):format(show(v), util.either(spec.values), hint)
end

function checkers.list(spec, v)
  if type(v) ~= "table" then
    return nil, ("expected a list such as { ... }, got %s"):format(show(v))
  end
  local out = {}
  for k in pairs(v) do
    if math.type(k) ~= "integer" or k < 1 or k > #v then
      return nil, "expected a list, but it has a field " .. show(k)
    end
  end
  for i, x in ipairs(v) do
    local y, err = check(spec.of, x)
    if y == nil then return nil, ("item %d: %s"):format(i, err) end
    out[i] = y
  end
  return out
end

-- The types a user may declare; "any" is for the schema's own use.
M.TYPES = util.sorted_keys(checkers)

function checkers.any(_, v)
  return v
end

-- The normal form of (v) for (spec), or nil and a message.
function check(spec, v)
  local f = checkers[spec.type]
  if not f then error("spec of unknown type " .. tostring(spec.type)) end
  return f(spec, v)
end
M.check = check

-- Check the fields of (tbl) against (fields), a map from name to spec.
-- (fail)(key, message) is called for the first mistake (it raises). Fields
-- left out take their default. Returns the normalised table.
function M.check_fields(tbl, fields, fail)
  local names = util.sorted_keys(fields)
  for k in util.sorted_pairs(tbl) do
    if type(k) ~= "string" then
      fail(nil, ("unexpected value %s without a name: fields are written name = value"):format(show(tbl[k])))
    elseif not fields[k] then
      fail(k, ("unknown field '%s'%s"):format(k, util.did_you_mean(k, names)))
    end
  end
  local out = {}
  for _, k in ipairs(names) do
    local spec, v = fields[k], tbl[k]
    if v == nil then
      if spec.required then fail(nil, ("missing field '%s'"):format(k)) end
      if spec.default ~= nil then
        local d, err = check(spec, spec.default)
        if d == nil then error(("default of %s: %s"):format(k, err)) end
        out[k] = d
      end
    else
      local x, err = check(spec, v)
      if x == nil then fail(k, ("%s: %s"):format(k, err)) end
      out[k] = x
    end
  end
  return out
end

-- The spec that describes a spec, for option declarations in manifests and
-- parameter declarations in app.conf.
local SPEC_FIELDS = { "default", "doc", "max", "min", "multiple", "of", "pattern", "type", "values", "what" }

function M.valid_spec(spec)
  if type(spec) ~= "table" then return nil, "expected a table such as { type = \"int\", default = 1 }" end
  for k in pairs(spec) do
    if not util.contains(SPEC_FIELDS, k) then
      return nil, ("unknown field %s%s"):format(show(k), type(k) == "string" and util.did_you_mean(k, SPEC_FIELDS) or "")
    end
  end
  if not checkers[spec.type] then
    return nil, ("type %s is not one of %s%s"):format(show(spec.type), util.either(M.TYPES),
      type(spec.type) == "string" and util.did_you_mean(spec.type, M.TYPES) or "")
  end
  if spec.type == "enum" then
    if type(spec.values) ~= "table" or #spec.values == 0 then
      return nil, "an enum needs values = { \"a\", \"b\", ... }"
    end
  end
  if spec.type == "list" then
    local ok, err = M.valid_spec(spec.of)
    if not ok then return nil, "of: " .. err end
  end
  for _, b in ipairs({ "min", "max", "multiple" }) do
    local v = spec[b] ~= nil and bound(spec, spec[b])
    if spec[b] ~= nil and math.type(v) ~= "integer" then
      return nil, ("%s: %s is not a valid %s"):format(b, show(spec[b]), spec.type)
    end
  end
  if spec.default ~= nil then
    local _, err = check(spec, spec.default)
    if err then return nil, "default: " .. err end
  end
  return true
end

return M
