-- Small helpers shared by the host tool: files, processes, sorted
-- iteration, spelling suggestions. Lua 5.3 has no directory API, so the few
-- directory operations go through the shell, always with quoted arguments.
local M = {}

function M.quote(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

-- Run a shell command; returns true on exit status 0.
function M.sh(cmd)
  local ok, how, code = os.execute(cmd)
  return ok == true and how == "exit" and code == 0, how, code
end

-- Run a command and return its standard output (trailing newline removed).
function M.capture(cmd)
  local p = assert(io.popen(cmd, "r"))
  local out = p:read("a")
  local ok, how, code = p:close()
  return out:gsub("\n$", ""), ok == true, how, code
end

function M.read_file(path)
  local f, err = io.open(path, "rb")
  if not f then return nil, err end
  local s = f:read("a")
  f:close()
  return s
end

function M.write_file(path, data)
  local f, err = io.open(path, "wb")
  if not f then return nil, err end
  local ok, werr = f:write(data)
  local cok, cerr = f:close()
  if not ok then return nil, werr end
  if not cok then return nil, cerr end
  return true
end

function M.exists(path)
  local f = io.open(path, "rb")
  if f then f:close() return true end
  return false
end

function M.is_dir(path)
  -- Opening a directory succeeds on Linux but reading it fails. The '/'
  -- makes the open fail at once on anything else (a FIFO would block it).
  local f = io.open(path .. "/", "rb")
  if not f then return false end
  local ok, _, code = f:read(1)
  f:close()
  return ok == nil and code == 21 -- EISDIR
end

-- A file that exists and is not a directory.
function M.is_file(path)
  return M.exists(path) and not M.is_dir(path)
end

function M.mkdir_p(path)
  return M.sh("mkdir -p " .. M.quote(path))
end

function M.rm_rf(path)
  return M.sh("rm -rf " .. M.quote(path))
end

-- Entries of a directory, sorted; empty when it does not exist.
function M.list_dir(path)
  local out = M.capture("ls -1A " .. M.quote(path) .. " 2>/dev/null")
  local t = {}
  for name in out:gmatch("[^\n]+") do t[#t + 1] = name end
  table.sort(t)
  return t
end

function M.dirname(path)
  local d = path:match("^(.*)/[^/]*$")
  if d == nil then return "." end
  if d == "" then return "/" end
  return d
end

function M.basename(path)
  return (path:match("([^/]*)/*$"))
end

function M.join(a, b)
  if b:sub(1, 1) == "/" then return b end
  if a == "." then return b end
  return (a:gsub("/+$", "")) .. "/" .. b
end

-- Make (path) absolute against (cwd) and fold "." and ".." components.
function M.abspath(path, cwd)
  if path:sub(1, 1) ~= "/" then path = cwd .. "/" .. path end
  local parts = {}
  for part in path:gmatch("[^/]+") do
    if part == ".." then
      parts[#parts] = nil
    elseif part ~= "." then
      parts[#parts + 1] = part
    end
  end
  return "/" .. table.concat(parts, "/")
end

local cwd_cache
-- The working directory. bin/mirari runs under sh, which checks $PWD
-- against the real directory at start-up, so $PWD is trusted when set.
function M.cwd()
  if not cwd_cache then
    local pwd = os.getenv("PWD")
    cwd_cache = (pwd and pwd:sub(1, 1) == "/") and pwd or M.capture("pwd")
  end
  return cwd_cache
end

-- Where third-party dependencies are built and kept.
function M.cache_dir()
  local c = os.getenv("MIRARI_CACHE")
  if c and c ~= "" then return M.abspath(c, M.cwd()) end
  local xdg = os.getenv("XDG_CACHE_HOME")
  if xdg and xdg ~= "" then return xdg .. "/mirari" end
  return (os.getenv("HOME") or "/tmp") .. "/.cache/mirari"
end

-- Iterate over a table's keys in sorted order, so every generated file is
-- deterministic.
function M.sorted_pairs(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b)
    if type(a) == type(b) then return a < b end
    return type(a) < type(b)
  end)
  local i = 0
  return function()
    i = i + 1
    local k = keys[i]
    if k ~= nil then return k, t[k] end
  end
end

function M.sorted_keys(t)
  local keys = {}
  for k in M.sorted_pairs(t) do keys[#keys + 1] = k end
  return keys
end

-- Is (s) an IPv4 address, with a /PREFIX if (prefix)?
function M.ipv4(s, prefix)
  local pat = prefix and "^(%d+)%.(%d+)%.(%d+)%.(%d+)/(%d+)$" or "^(%d+)%.(%d+)%.(%d+)%.(%d+)$"
  local t = { s:match(pat) }
  if #t == 0 then return false end
  for i = 1, 4 do
    if tonumber(t[i]) > 255 or (#t[i] > 1 and t[i]:sub(1, 1) == "0") then return false end
  end
  return not prefix or tonumber(t[5]) <= 32
end

function M.contains(list, x)
  for _, v in ipairs(list or {}) do
    if v == x then return true end
  end
  return false
end

-- Edit distance counting insertions, deletions, substitutions and swaps
-- of neighbours (optimal string alignment), the usual shapes of typos.
local function distance(a, b)
  local d = {}
  for i = 0, #a do d[i] = { [0] = i } end
  for j = 0, #b do d[0][j] = j end
  for i = 1, #a do
    for j = 1, #b do
      local cost = (a:byte(i) == b:byte(j)) and 0 or 1
      local v = math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
      if i > 1 and j > 1 and a:byte(i) == b:byte(j - 1) and a:byte(i - 1) == b:byte(j) then
        v = math.min(v, d[i - 2][j - 2] + 1)
      end
      d[i][j] = v
    end
  end
  return d[#a][#b]
end
M.distance = distance

-- The candidate closest to (word), if it is close enough to be a typo or
-- the word begins with it ("integer" for "int").
function M.suggest(word, candidates)
  local best, best_d
  local w = word:lower()
  local limit = math.max(1, math.min(3, #w // 3))
  for _, c in ipairs(candidates) do
    local lc = c:lower()
    local d = distance(w, lc)
    if #lc >= 3 and w:sub(1, #lc) == lc then d = math.min(d, limit) end
    if d <= limit and (not best_d or d < best_d or (d == best_d and c < best)) then
      best, best_d = c, d
    end
  end
  return best
end

-- " (did you mean 'x'?)" or "".
function M.did_you_mean(word, candidates)
  local s = M.suggest(word, candidates)
  if s then return (" (did you mean '%s'?)"):format(s) end
  return ""
end

-- "a, b or c"
function M.either(list, conj)
  conj = conj or "or"
  local q = {}
  for i, v in ipairs(list) do q[i] = "'" .. tostring(v) .. "'" end
  if #q <= 1 then return q[1] or "" end
  return table.concat(q, ", ", 1, #q - 1) .. " " .. conj .. " " .. q[#q]
end

-- A Lua literal for (v), deterministic, for state files.
function M.serialize(v, indent)
  indent = indent or ""
  local t = type(v)
  if t == "string" then
    return ("%q"):format(v)
  elseif t == "number" or t == "boolean" or t == "nil" then
    return tostring(v)
  elseif t == "table" then
    local inner = indent .. "  "
    local parts = {}
    local n = #v
    for i = 1, n do parts[#parts + 1] = inner .. M.serialize(v[i], inner) end
    for k, x in M.sorted_pairs(v) do
      if not (math.type(k) == "integer" and k >= 1 and k <= n) then
        local key = (type(k) == "string" and k:match("^[%a_][%w_]*$")) and k
          or "[" .. M.serialize(k) .. "]"
        parts[#parts + 1] = inner .. key .. " = " .. M.serialize(x, inner)
      end
    end
    if #parts == 0 then return "{}" end
    return "{\n" .. table.concat(parts, ",\n") .. ",\n" .. indent .. "}"
  end
  error("cannot serialize a " .. t)
end

return M
