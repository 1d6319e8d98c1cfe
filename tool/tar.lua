-- A deterministic ustar archive of a directory, for block devices built
-- from one (`device "site" { kind = "block", from = "htdocs" }`).
--
-- The same tree gives the same bytes, whoever made it and when: names in
-- byte order, every owner root (uid and gid 0), every time 0, files 0644
-- and directories 0755, whatever the disk says. Directories are entries of
-- their own. Only what ustar and libs/tarfs can hold goes in: regular files
-- under 8 GiB and directories, with paths of at most 256 bytes that split
-- into ustar's prefix and name; anything else (a symbolic link, a device,
-- a name too long) is refused with the file's name.
--
--   local ok, err = require("tool.tar").write(dir, out_path, depfile_path)
--
-- out_path is replaced only when its bytes change, through a temporary
-- file renamed over it, so an unchanged archive keeps its time and Ninja's
-- restat stops there. The depfile names every directory and file read, so
-- adding or removing a file (which changes its directory's time) or editing
-- one makes Ninja run it again.
local util = require("config.util")

local M = {}

local BLOCK = 512
local MAX_SIZE = 8 * 1024 * 1024 * 1024 -- 11 octal digits hold less
local CHUNK = 64 * 1024

-- The entries below (dir), as { path, kind, size } with (path) relative
-- and kind "f" or "d", in byte order of path; or nil and a message.
local function scan(dir)
  local errf = os.tmpname()
  -- -H: the directory itself may be a symbolic link; nothing inside it.
  local p = io.popen(("LC_ALL=C find -H %s -mindepth 1 -printf '%%y %%s %%P\\0' 2>%s")
    :format(util.quote(dir), util.quote(errf)))
  local out = p:read("a")
  local ok = p:close()
  local msg = util.read_file(errf) or ""
  os.remove(errf)
  if not ok then
    return nil, ("cannot read %s: %s"):format(dir, (msg:gsub("\n$", ""):gsub("^find: ", "")))
  end
  local list = {}
  for kind, size, path in out:gmatch("(%S) (%d+) ([^%z]*)%z") do
    local full = dir .. "/" .. path
    if kind == "l" then
      return nil, full .. ": a symbolic link; the archive holds only files and directories (copy the file instead)"
    elseif kind ~= "f" and kind ~= "d" then
      return nil, full .. ": not a regular file or directory; the archive holds only those"
    end
    if path:find("[%c]") then
      return nil, full .. ": control characters (a newline?) in the name cannot be named in a depfile"
    end
    if path:find("\\", 1, true) or path:sub(-1) == ":" then
      return nil, full .. ": a name with '\\' or ending in ':' cannot be named in a Ninja depfile"
    end
    list[#list + 1] = { path = path, kind = kind, size = tonumber(size) }
  end
  table.sort(list, function(a, b) return a.path < b.path end)
  return list
end

-- (name) as ustar's (prefix, name), or nil when it does not fit: a name of
-- up to 100 bytes stays whole; a longer one is cut at the last '/' that
-- leaves a prefix of at most 155 bytes, if the rest then fits in 100.
local function split(name)
  if #name <= 100 then return "", name end
  local cut
  for i = 1, math.min(#name - 1, 156) do
    if name:byte(i) == 47 then cut = i end -- '/'
  end
  if not cut then return nil end
  local prefix, rest = name:sub(1, cut - 1), name:sub(cut + 1)
  if #prefix > 155 or #rest > 100 or rest == "" then return nil end
  return prefix, rest
end

local function field(s, len)
  return s .. ("\0"):rep(len - #s)
end

local function octal(n, len)
  return ("%0" .. (len - 1) .. "o\0"):format(n)
end

local function header(prefix, name, size, dir)
  local h = field(name, 100)
    .. octal(dir and 493 or 420, 8) -- 0755, 0644
    .. octal(0, 8) .. octal(0, 8)   -- uid, gid
    .. octal(size, 12) .. octal(0, 12) -- size, mtime
    .. "        "                     -- checksum, counted as spaces
    .. (dir and "5" or "0")
    .. field("", 100)                 -- linkname
    .. "ustar\0" .. "00"
    .. field("root", 32) .. field("root", 32)
    .. octal(0, 8) .. octal(0, 8)     -- devmajor, devminor
    .. field(prefix, 155)
  h = field(h, BLOCK)
  local sum = 0
  for i = 1, BLOCK do sum = sum + h:byte(i) end
  return h:sub(1, 148) .. ("%06o\0 "):format(sum) .. h:sub(157)
end

-- Are the files at (a) and (b) byte for byte the same?
local function same_file(a, b)
  local fa, fb = io.open(a, "rb"), io.open(b, "rb")
  local same = fa ~= nil and fb ~= nil and fa:seek("end") == fb:seek("end")
  if same then
    fa:seek("set")
    fb:seek("set")
    repeat
      local x, y = fa:read(CHUNK), fb:read(CHUNK)
      same = x == y
    until not same or x == nil
  end
  if fa then fa:close() end
  if fb then fb:close() end
  return same
end

-- Write (list) from (dir) as an archive into the open file (f0).
local function archive(f0, dir, list)
  -- Writes go through (f), which remembers the first failure (a full disk).
  local werr
  local f = {
    write = function(_, s)
      if not werr then
        local ok, err = f0:write(s)
        if not ok then werr = err end
      end
    end,
  }
  for _, e in ipairs(list) do
    local full = dir .. "/" .. e.path
    local name = e.kind == "d" and e.path .. "/" or e.path
    local prefix, short = split(name)
    if not prefix then
      return nil, ("%s: the name is too long for a ustar archive (%d bytes; at most 100, or 155 and 100 split at a '/')")
        :format(full, #name)
    end
    if e.kind == "f" and e.size >= MAX_SIZE then
      return nil, ("%s: %d bytes; a ustar archive holds files under 8 GiB"):format(full, e.size)
    end
    local size = e.kind == "f" and e.size or 0
    f:write(header(prefix, short, size, e.kind == "d"))
    if e.kind == "f" then
      local src, err = io.open(full, "rb")
      if not src then return nil, ("cannot read %s"):format(err) end
      local left = size
      while left > 0 do
        local data = src:read(math.min(left, CHUNK))
        if not data then break end
        f:write(data)
        left = left - #data
      end
      local extra = src:read(1)
      src:close()
      if left ~= 0 or extra then
        return nil, full .. ": changed while it was read"
      end
      f:write(("\0"):rep(-size % BLOCK))
    end
  end
  f:write(("\0"):rep(2 * BLOCK))
  if werr then return nil, werr end
  return true
end

-- (path) as Ninja's depfile parser reads it back.
local function escape(path)
  return (path:gsub("%$", "$$"):gsub("([ #])", "\\%1"))
end

function M.write(dir, out_path, depfile_path)
  if not util.is_dir(dir) then
    return nil, ("%s: not a directory"):format(dir)
  end
  dir = dir:gsub("(.)/+$", "%1")
  local adir, aout = util.abspath(dir, util.cwd()), util.abspath(out_path, util.cwd())
  if aout:sub(1, #adir + 1) == adir .. "/" then
    return nil, ("%s: inside %s, the directory it would archive"):format(out_path, dir)
  end
  local list, err = scan(dir)
  if not list then return nil, err end

  local tmp = out_path .. ".tmp"
  local f, oerr = io.open(tmp, "wb")
  if not f then return nil, ("cannot write %s"):format(oerr) end
  local ok, aerr = archive(f, dir, list)
  local cok, cerr = f:close()
  if ok and not cok then ok, aerr = nil, ("cannot write %s: %s"):format(tmp, cerr) end
  if not ok then
    os.remove(tmp)
    return nil, aerr
  end
  if same_file(tmp, out_path) then
    os.remove(tmp)
  else
    local rok, rerr = os.rename(tmp, out_path)
    if not rok then
      os.remove(tmp)
      return nil, ("cannot write %s: %s"):format(out_path, rerr)
    end
  end

  if depfile_path then
    local deps = { escape(out_path) .. ":", escape(dir) }
    for _, e in ipairs(list) do deps[#deps + 1] = escape(dir .. "/" .. e.path) end
    local wok, werr = util.write_file(depfile_path, table.concat(deps, " \\\n  ") .. "\n")
    if not wok then return nil, ("cannot write %s"):format(werr) end
  end
  return true
end

return M
