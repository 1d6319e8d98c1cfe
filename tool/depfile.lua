-- Depfiles that Ninja reads back exactly, whatever the names in them.
--
-- Ninja's depfile parser has no spelling for many bytes that file names
-- may hold: a quote, '&', ';', a tab... (config/ninja.lua, depfile_name).
-- GCC writes them as they are, and Ninja then reads `it's.h` as two files
-- that do not exist, so the object is rebuilt on every build. Such a name
-- is written here as an alias instead: a symbolic link in a folder beside
-- the depfile (DEPFILE.alias/HASH-NAME), made when the depfile is written.
-- Ninja stats the link, which follows it, so editing or removing the file
-- makes the output out of date as it should. An alias is named by a hash
-- of what it points to, so it is made once and kept while it is needed:
-- Lua cannot make a link, and a process for each would be slow for a
-- tree of many such names.
--
--   local ok, err = require("tool.depfile").write(path, output, inputs)
--
-- As a script, the compile rule of build.ninja runs it on each depfile
-- GCC wrote:  lua5.3 tool/depfile.lua GCC_DEPFILE NINJA_DEPFILE
-- (When required as a module, (...) is the module's name.)
local script = ... ~= "tool.depfile"
if script then
  -- The checkout's modules by file name: package.path cannot hold a
  -- folder whose name has ';' or '?'.
  local root = arg[0]:match("^(.*)/tool/[^/]*$") or "."
  for _, m in ipairs({ "config.util", "config.ninja" }) do
    package.loaded[m] = dofile(root .. "/" .. m:gsub("%.", "/") .. ".lua")
  end
end
local ninja = require("config.ninja")
local util = require("config.util")

local M = {}

-- The prerequisites of the rule in (text), a depfile as GCC writes it
-- (mkdeps.cc): '$$' is '$', '\#' is '#', a blank after 2N+1 backslashes
-- is N backslashes and the blank, a backslash before a newline goes on
-- with the next line, any other byte stands for itself. The names before
-- the first one that ends in ':' are its targets, returned second.
function M.read_gcc(text)
  local names, targets, cur, targets_done = {}, {}, {}, false
  local function finish()
    local name = table.concat(cur)
    cur = {}
    if name == "" then return end
    if targets_done then
      names[#names + 1] = name
    elseif name:sub(-1) == ":" then
      targets_done = true
      if #name > 1 then targets[#targets + 1] = name:sub(1, -2) end
    else
      targets[#targets + 1] = name
    end
  end
  local i, n = 1, #text
  while i <= n do
    local c = text:sub(i, i)
    if c == "\\" then
      local j = i
      while text:sub(j + 1, j + 1) == "\\" do j = j + 1 end
      local k, after = j - i + 1, text:sub(j + 1, j + 1)
      if after == " " or after == "\t" then
        cur[#cur + 1] = ("\\"):rep(k // 2)
        if k % 2 == 1 then cur[#cur + 1] = after else finish() end
        i = j + 2
      elseif after == "#" then
        cur[#cur + 1] = ("\\"):rep(k - 1) .. "#"
        i = j + 2
      elseif after == "\n" then
        cur[#cur + 1] = ("\\"):rep(k - 1)
        finish()
        i = j + 2
      else
        cur[#cur + 1] = ("\\"):rep(k)
        i = j + 1
      end
    elseif c == "$" and text:sub(i + 1, i + 1) == "$" then
      cur[#cur + 1] = "$"
      i = i + 2
    elseif c == " " or c == "\t" or c == "\n" then
      finish()
      i = i + 1
    else
      local s, e = text:find("^[^\\$ \t\n]+", i)
      if s then
        cur[#cur + 1] = text:sub(s, e)
        i = e + 1
      else
        cur[#cur + 1] = c
        i = i + 1
      end
    end
  end
  finish()
  return names, targets
end

-- FNV-1a, 64 bits: a stable name for an alias.
local function hash(s)
  local h = -3750763034362895579 -- 0xcbf29ce484222325
  for i = 1, #s do h = (h ~ s:byte(i)) * 1099511628211 end
  return ("%016x"):format(h)
end

-- Write the depfile (path) saying that (output) depends on (inputs), a
-- list of names as the filesystem knows them. Names Ninja's parser cannot
-- read go through aliases in (path).alias/; those no longer needed are
-- removed. Returns true, or nil and a message.
function M.write(path, output, inputs)
  local out = ninja.depfile_name(output)
  if not out then
    return nil, ("%s: Ninja cannot read this name in a depfile"):format(output)
  end
  local aliases = path .. ".alias"
  local lines, wanted, missing = { out .. ":" }, {}, {}
  for _, name in ipairs(inputs) do
    local spelt = ninja.depfile_name(name)
    if not spelt then
      local target = name:sub(1, 1) == "/" and name or util.cwd() .. "/" .. name
      -- The hash keeps aliases apart; the name, tamed, tells a reader of
      -- `ninja -t deps` which file it is.
      local alias = hash(target) .. "-" .. util.basename(name):gsub("[^%w._+-]", "_"):sub(1, 40)
      spelt = ninja.depfile_name(aliases .. "/" .. alias)
      if not spelt then
        return nil, ("%s: Ninja cannot read this name in a depfile"):format(path)
      end
      if not wanted[alias] then
        wanted[alias] = true
        missing[#missing + 1] = { alias, target }
      end
    end
    lines[#lines + 1] = spelt
  end
  if util.exists(aliases) then
    for _, alias in ipairs(util.list_dir(aliases)) do
      if not wanted[alias] then
        os.remove(aliases .. "/" .. alias)
      else
        wanted[alias] = "kept"
      end
    end
  end
  -- The links not there yet, made by one shell that reads its commands
  -- (a command line has a limit).
  local script = {}
  for _, m in ipairs(missing) do
    if wanted[m[1]] ~= "kept" then
      script[#script + 1] = ("ln -s -- %s %s\n"):format(util.quote(m[2]), util.quote(aliases .. "/" .. m[1]))
    end
  end
  if #script > 0 then
    local sh = io.popen("sh -e", "w")
    sh:write(("mkdir -p -- %s\n"):format(util.quote(aliases)), table.concat(script))
    if not sh:close() then
      return nil, ("cannot make the aliases in %s"):format(aliases)
    end
  end
  local ok, err = util.write_file(path, table.concat(lines, " \\\n  ") .. "\n")
  if not ok then return nil, ("cannot write %s"):format(err) end
  return true
end

-- As a script: turn GCC's depfile (arg 1) into one for Ninja (arg 2).
if script then
  local from, to = ...
  local text, err = util.read_file(from)
  if not text then
    io.stderr:write("mirari: depfile: cannot read ", err, "\n")
    os.exit(1)
  end
  local inputs, targets = M.read_gcc(text)
  local ok, werr = M.write(to, targets[1] or "", inputs)
  if not ok then
    io.stderr:write("mirari: depfile: ", werr, "\n")
    os.exit(1)
  end
  os.remove(from)
end

return M
