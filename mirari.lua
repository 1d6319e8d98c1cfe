-- mirari: the host tool. `mirari` on PATH (bin/mirari) runs this file with
-- lua5.3. It parses the command line and dispatches to tool/commands.lua;
-- the configuration language, resolver and generator live in config/.
--
-- Exit status: 0 success, 1 the application or a build step failed,
-- 2 a usage or configuration error.

local VERSION = "0.1.0"

local root = (arg and arg[0] or ""):match("^(.*)/[^/]*$") or "."
if root:sub(1, 1) ~= "/" then
  local pwd = os.getenv("PWD") or io.popen("pwd"):read("l")
  root = (root == "." and pwd) or (pwd .. "/" .. root)
end
-- mirari's own modules are found by file name first: package.path cannot
-- hold a folder whose name has ';' or '?'.
table.insert(package.searchers, 2, function(name)
  local file = root .. "/" .. name:gsub("%.", "/") .. ".lua"
  local f = io.open(file, "rb")
  if not f then return "\n\tno file '" .. file .. "'" end
  f:close()
  return assert(loadfile(file)), file
end)

-- The evaluation of app.conf runs in a child under resource limits
-- (config/isolate.lua), started as `mirari.lua --isolated-resolve ...`:
-- not a command, and it answers in a form only the parent reads.
if arg[1] == "--isolated-resolve" then
  require("config.isolate").child(table.unpack(arg, 2))
  os.exit(0)
end

local errors = require("config.errors")
-- Loaded by main, where an interrupt (SIGINT) is caught like any other.
local util, commands

local PROGRAM_HELP = [[
usage: mirari [--version] [--help] COMMAND [OPTIONS] [ARGS]

mirari builds unikernels. An application is a few C files and an app.conf;
mirari resolves the libraries it chooses, generates the glue and a Ninja
file, and links one image specialised for it: an ordinary Unix process for
testing and debugging, or a Xen guest.

    mirari configure -t unix app.conf && mirari build && mirari run

Commands:
%s
Run 'mirari COMMAND --help' for the options of a command.
The configuration language is documented in docs/config.md.

Exit status: 0 success, 1 the application or a build step failed,
2 a usage or configuration error.
]]

local function program_help()
  local lines = {}
  for _, c in ipairs(commands.list) do
    lines[#lines + 1] = ("  %-11s %s"):format(c.name, c.summary)
  end
  return PROGRAM_HELP:format(table.concat(lines, "\n"))
end

local function command_help(c)
  local out = { ("usage: mirari %s %s\n\n%s\n"):format(c.name, c.usage, c.help) }
  if c.options and #c.options > 0 then
    out[#out + 1] = "\nOptions:\n"
    for _, o in ipairs(c.options) do
      local flags = o.short and (o.short .. ", " .. o.long) or ("    " .. o.long)
      if o.arg then flags = flags .. " " .. o.arg end
      out[#out + 1] = ("  %-24s %s\n"):format(flags, o.doc)
    end
  end
  out[#out + 1] = ("  %-24s %s\n"):format("-h, --help", "show this help")
  return table.concat(out)
end

-- Parse (args) against the options of command (c): returns a map from
-- option key to value (true for flags) and the positional arguments.
-- Everything after "--" is positional.
local function parse(c, args)
  local opts, rest = {}, {}
  local by_flag = {}
  for _, o in ipairs(c.options or {}) do
    by_flag[o.long] = o
    if o.short then by_flag[o.short] = o end
  end
  local i = 1
  while i <= #args do
    local a = args[i]
    if a == "--" then
      table.move(args, i + 1, #args, #rest + 1, rest)
      break
    elseif a == "-h" or a == "--help" then
      opts.help = true
    elseif a:sub(1, 1) == "-" and #a > 1 then
      local flag, inline = a:match("^(%-%-[^=]+)=(.*)$")
      flag = flag or a
      local o = by_flag[flag]
      if not o then
        local known = {}
        for f in pairs(by_flag) do known[#known + 1] = f end
        table.sort(known)
        errors.usage("%s: unknown option '%s'%s (see mirari %s --help)", c.name, flag,
          util.did_you_mean(flag, known), c.name)
      end
      if o.arg then
        local v = inline
        if v == nil then
          i = i + 1
          v = args[i]
        end
        if v == nil then errors.usage("%s: option %s needs a value %s", c.name, flag, o.arg) end
        if o.repeated then
          opts[o.key] = opts[o.key] or {}
          table.insert(opts[o.key], v)
        else
          opts[o.key] = v
        end
      elseif inline ~= nil then
        errors.usage("%s: option %s takes no value", c.name, flag)
      else
        opts[o.key] = true
      end
    else
      rest[#rest + 1] = a
    end
    i = i + 1
  end
  return opts, rest
end

local function main(args)
  util, commands = require("config.util"), require("tool.commands")
  local first = args[1]
  if first == nil or first == "-h" or first == "--help" or first == "help" then
    if first == "help" and args[2] then
      local c = commands.by_name[args[2]]
      if c then io.stdout:write(command_help(c)) return 0 end
    end
    io.stdout:write(program_help())
    return first == nil and 2 or 0
  end
  if first == "--version" or first == "-V" then
    print("mirari " .. VERSION)
    return 0
  end
  local c = commands.by_name[first]
  if not c then
    errors.usage("unknown command '%s'%s (see mirari --help)", first,
      util.did_you_mean(first, commands.names))
  end
  local opts, rest = parse(c, table.move(args, 2, #args, 1, {}))
  if opts.help then
    io.stdout:write(command_help(c))
    return 0
  end
  return c.run(opts, rest, { root = root, version = VERSION })
end

math.randomseed(os.time() + math.floor(os.clock() * 1e6))
-- A SIGINT where nothing waits for a child (mirari run passes one on to
-- its image) ends mirari calmly, with the conventional status; os.exit
-- leaves the Lua state as it is, so a child that io.popen started is not
-- waited for (an image follows its parent: backends/unix/stop.c).
local caught, ok, status = pcall(errors.catch, main, { table.unpack(arg) })
if not caught then
  if not errors.is_interrupt(ok) then error(ok, 0) end
  io.stdout:flush()
  io.stderr:write("mirari: interrupted\n")
  os.exit(130)
end
if ok then
  io.stdout:flush()
  os.exit(status or 0)
end
io.stdout:flush()
-- Errors about a file read "FILE:LINE: message", like a compiler's, so
-- editors can jump to them; the others are prefixed with the program name.
io.stderr:write(status.file and "" or "mirari: ", errors.format(status), "\n")
os.exit(2)
