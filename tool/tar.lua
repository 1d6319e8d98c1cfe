-- A deterministic ustar archive of a directory, for block devices built
-- from one (`device "site" { kind = "block", from = "htdocs" }`).
--
-- The same tree gives the same bytes, whoever made it and when: names in
-- byte order, every owner root (uid and gid 0), every time 0, files 0644
-- and directories 0755, whatever the disk says. Directories are entries of
-- their own. Only what ustar and libs/tarfs can hold goes in: regular files
-- under 8 GiB and directories, with paths of at most 256 bytes that split
-- into ustar's prefix and name; anything else (a symbolic link, a device,
-- a name too long, what this user cannot read, anything on /proc, /sys or
-- /dev) is refused with the file's name, as soon as the walk meets it.
-- Names may hold any byte.
--
--   local ok, err = require("tool.tar").write(dir, out_path, depfile_path)
--   local ok, err = require("tool.tar").check(dir)   -- the same refusals
--
-- out_path is replaced only when its bytes change, through a temporary
-- file renamed over it, so an unchanged archive keeps its time and Ninja's
-- restat stops there. The depfile names every directory and file read, so
-- adding or removing a file (which changes its directory's time) or editing
-- one makes Ninja run it again; tool/depfile.lua spells each name for Ninja.
local depfile = require("tool.depfile")
local util = require("config.util")

local M = {}

local BLOCK = 512
local MAX_SIZE = 8 * 1024 * 1024 * 1024 -- 11 octal digits hold less
local CHUNK = 64 * 1024

-- File systems whose entries are not files of data: proc says 0 bytes for
-- a file that reads 4K, reading sysfs or a device has effects, and none
-- of them is meant to be copied. A tree that reaches one (from = "/")
-- is refused there, before it is walked any further.
local VIRTUAL = {}
for fs in ("proc sysfs devtmpfs devpts cgroup cgroup2 debugfs tracefs securityfs pstore "
    .. "bpf configfs fusectl mqueue hugetlbfs binfmt_misc autofs efivarfs selinuxfs"):gmatch("%S+") do
  VIRTUAL[fs] = true
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

-- The entry (path) of the tree (dir), by its name on disk.
local function under(dir, path)
  if path == "" then return dir end
  return (dir:gsub("/$", "")) .. "/" .. path
end

-- What is wrong with entry (e) of the tree (dir) for an archive, or nil.
-- (e.path is "" for dir itself.) Sets e.prefix and e.name, ustar's split.
local function problem(dir, e)
  local full = under(dir, e.path)
  if VIRTUAL[e.fs] then
    return ("%s: on a %s file system, whose files are not data to copy into an image"):format(full, e.fs)
  end
  if e.path == "" then
    if e.kind ~= "d" then return full .. ": not a directory" end
  elseif e.kind == "l" then
    return full .. ": a symbolic link; the archive holds only files and directories (copy the file instead)"
  elseif e.kind ~= "f" and e.kind ~= "d" then
    return full .. ": not a regular file or directory; the archive holds only those"
  end
  if not e.readable then
    return full .. ": cannot be read" .. (e.kind == "d" and " or entered" or "") .. " by this user"
  end
  if e.path == "" then return nil end
  local name = e.kind == "d" and e.path .. "/" or e.path
  e.prefix, e.name = split(name)
  if not e.prefix then
    return ("%s: the name is too long for a ustar archive (%d bytes; at most 100, or 155 and 100 split at a '/')")
      :format(full, #name)
  end
  if e.kind == "f" and e.size >= MAX_SIZE then
    return ("%s: %d bytes; a ustar archive holds files under 8 GiB"):format(full, e.size)
  end
end

-- find prints each entry as "R T FS SIZE PATH\0": R is 'u' for what this
-- user cannot read (or, for a directory, enter), which it does not enter,
-- T its type (find's %y), FS its file system. -H: the directory itself
-- may be a symbolic link; nothing inside it.
local FIND = "LC_ALL=C find -H %s"
  .. [[ \( -type d \( ! -readable -o ! -executable \) -o ! -type d ! -readable \)]]
  .. [[ -printf 'u %%y %%F %%s %%P\0' -prune -o -printf 'r %%y %%F %%s %%P\0' 2>%s]]

-- The entries below (dir), as { path, kind, size, prefix, name } with
-- (path) relative and kind "f" or "d", in byte order of path; or nil and
-- a message about the first entry that cannot go into the archive. The
-- walk stops there, so a tree that is not one to archive (/, /proc, /dev)
-- is refused at once, not after it was read to its end.
local function scan(dir)
  local errf = os.tmpname()
  -- A relative name that starts with '-' would be an option of find.
  local p = io.popen(FIND:format(util.quote(dir:sub(1, 1) == "/" and dir or "./" .. dir), util.quote(errf)))
  local list, rest, root, bad = {}, "", nil, nil
  while not bad do
    local chunk = p:read(CHUNK)
    if not chunk then break end
    rest = rest .. chunk
    local pos = 1
    while not bad do
      local nul = rest:find("\0", pos, true)
      if not nul then break end
      local r, kind, fs, size, path = rest:sub(pos, nul - 1):match("^(%a) (%S) (%S+) (%d+) (.*)$")
      local e = { path = path, kind = kind, fs = fs, size = tonumber(size), readable = r == "r" }
      bad = problem(dir, e)
      if path == "" then root = e else list[#list + 1] = e end
      pos = nul + 1
    end
    rest = rest:sub(pos)
  end
  -- Stopped early, find ends on its next write to the closed pipe.
  local ok = p:close()
  local msg = util.read_file(errf) or ""
  os.remove(errf)
  if bad then return nil, bad end
  if not ok or not root then
    -- "find: 'DIR': No such file or directory": the reason, once.
    local why = msg:match("^[^\n]*: ([^:\n]+)\n") or msg:gsub("\n$", "")
    return nil, ("%s: %s"):format(dir, why ~= "" and why or "cannot be read")
  end
  table.sort(list, function(a, b) return a.path < b.path end)
  return list
end

-- Is the tree (dir) one that write() can archive? True, or nil and why.
-- mirari configure asks, so that the mistake is reported before a build.
function M.check(dir)
  local list, err = scan(dir)
  return list ~= nil, err
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
    local full = under(dir, e.path)
    local size = e.kind == "f" and e.size or 0
    f:write(header(e.prefix, e.name, size, e.kind == "d"))
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

function M.write(dir, out_path, depfile_path)
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
    local deps = { dir }
    for _, e in ipairs(list) do deps[#deps + 1] = under(dir, e.path) end
    return depfile.write(depfile_path, out_path, deps)
  end
  return true
end

return M
