-- Library manifests.
--
-- A library is a folder with a manifest.lua that returns a table:
--
--   return {
--     summary  = "one line",
--     sources  = { "a.c", "b.S" },         -- relative to the folder
--     include  = { "include" },            -- public headers, for dependants
--     requires = { "other" },              -- libraries it needs
--     provides = { "handlers" },           -- capabilities ("handlers": a handler set)
--     targets  = { "unix", "xen" },        -- targets it supports (default: all)
--     init     = "mr_x_init",              -- C function run at boot, before main
--     options  = { name = { type = "int", default = 1, doc = "..." } },
--     constraints = { { "not dhcp or udp", "dhcp = true needs udp = true" } },
--                                          -- combinations it cannot build
--     cflags   = { ... }, ldflags = { ... },
--     target_sources = { xen = { "x.c" } },-- sources only for one target
--     device_sources = { net = { "n.c" } },-- sources only for images with such a device
--     device_link = { net = { "-lslirp" } },-- linked only into images with such a device
--     deps     = { "newlib" },             -- third-party code (build/deps.lua)
--     dep_sources = { lwip = { "src/core/init.c" } }, -- its sources built in here
--     exports  = { "_write" },             -- symbols outside mr_ it must export
--     -- backends only:
--     backend  = "unix",                   -- the target this backend implements
--     image    = "%s",                     -- image file name from the app name
--     devices  = { "net" },                -- device kinds it drives
--     settings = { name = spec },          -- what a target "unix" { } block may set
--     target_cflags = { ... },             -- flags for every source of the image
--     link     = { ... },                  -- what the image links after the archives
--     files    = { ["xl.cfg"] = "%s.xl" }, -- more files from templates/, by name pattern
--   }
--
-- In flags and link words, {dir} is the library's folder, {NAME} the
-- installation of dependency NAME, and {gccinc} GCC's own include folder.
--
-- The runtime (runtime/) and the backends (backends/NAME/) are libraries
-- like any other; runtime is linked into every image and the backend of the
-- chosen target is always selected.
local errors = require("config.errors")
local sandbox = require("config.sandbox")
local types = require("config.types")
local util = require("config.util")

local M = {}

local list_of = function(t) return { type = "list", of = { type = t }, default = {} } end

M.SCHEMA = {
  summary = { type = "string", required = true },
  sources = list_of("path"),
  include = list_of("path"),
  requires = list_of("name"),
  provides = list_of("name"),
  targets = { type = "list", of = { type = "name" } },
  init = { type = "ident" },
  options = { type = "any", default = {} },
  cflags = list_of("string"),
  ldflags = list_of("string"),
  backend = { type = "name" },
  image = { type = "string", pattern = "^[^/]*%%s[^/]*$", what = "a file name with one %s" },
  devices = list_of("name"),
  settings = { type = "any", default = {} },
  target_sources = { type = "any", default = {} },
  device_sources = { type = "any", default = {} },
  device_link = { type = "any", default = {} },
  dep_sources = { type = "any", default = {} },
  constraints = { type = "any", default = {} },
  deps = list_of("name"),
  exports = list_of("string"),
  target_cflags = list_of("string"),
  files = { type = "any", default = {} },
  link = list_of("string"),
}

-- Check a map of option (or setting) declarations.
local function check_specs(specs, fail, what)
  if type(specs) ~= "table" then
    fail(what, ("%s: expected a table of declarations"):format(what))
  end
  for name, spec in util.sorted_pairs(specs) do
    if type(name) ~= "string" or not name:match("^[a-z][a-z0-9_]*$") then
      fail(what, ("%s: %s is not a valid name (lower-case letters, digits, '_')"):format(what, types.show(name)))
    end
    local ok, err = types.valid_spec(spec)
    if not ok then fail(name, ("%s %s: %s"):format(what, name, err)) end
    if spec.default == nil then fail(name, ("%s %s: needs a default"):format(what, name)) end
  end
end

-- A constraint is a Lua expression over the library's option values
-- (sizes in bytes, durations in ns) that must hold, and the message that
-- says which options to change when it does not. Returns a function of the
-- values that gives true or false, or nil and why it is not valid.
function M.constraint(expr, options)
  local values = {}
  local env = setmetatable({}, { __index = function(_, k)
    if options[k] == nil then error(("unknown option '%s'"):format(tostring(k)), 0) end
    return values[k]
  end, __newindex = function() error("a constraint cannot assign", 0) end })
  local chunk, err = load("return (" .. expr .. ")", "=constraint", "t", env)
  if not chunk then return nil, err end
  -- Every name must be an option, even where `and`/`or` would skip it.
  local keywords = { ["and"] = true, ["or"] = true, ["not"] = true, ["true"] = true,
                     ["false"] = true, ["nil"] = true }
  local code = expr:gsub('"[^"]*"', '""'):gsub("'[^']*'", "''")
  -- (A name after '.' or ':' is a field or a method, such as s:sub.)
  for name in (" " .. code):gmatch("[^%w_.:]([%a_][%w_]*)") do
    if not keywords[name] and options[name] == nil then
      return nil, ("unknown option '%s'"):format(name)
    end
  end
  return function(v)
    values = v
    local ok, r = pcall(chunk)
    if not ok then error((sandbox.message(r, "constraint", require("config.isolate").LIMITS)), 0) end
    return r and true or false
  end
end

-- Load the manifest of the library in (dir), known as (name). (display) is
-- how messages name the file.
function M.load(dir, name, display)
  local path = dir .. "/manifest.lua"
  local source, err = util.read_file(path)
  if not source then errors.usage("cannot read %s: %s", display, err) end
  local t = sandbox.eval(source, display, {})
  local lines = sandbox.lines(source)
  local function fail(key, msg)
    errors.raise(display, sandbox.field_line(lines, 1, key), "%s", msg)
  end
  if type(t) ~= "table" then fail(nil, "a manifest must return a table { summary = ..., sources = ... }") end
  if not name:match("^[a-z][a-z0-9_]*$") then
    errors.raise(display, nil, "library folder '%s': use lower-case letters, digits and '_'", name)
  end
  local m = types.check_fields(t, M.SCHEMA, fail)
  if m.backend and not m.image then fail(nil, "a backend needs image = \"%s\" (or another pattern)") end
  check_specs(m.options, fail, "option")
  if type(m.constraints) ~= "table" then fail("constraints", "constraints: expected a list of { EXPRESSION, MESSAGE }") end
  for i, c in ipairs(m.constraints) do
    if type(c) ~= "table" or type(c[1]) ~= "string" or type(c[2]) ~= "string" then
      fail("constraints", ("constraint %d: expected { EXPRESSION, MESSAGE }, two strings"):format(i))
    end
    local check, err = M.constraint(c[1], m.options)
    if check then
      -- The defaults must satisfy every constraint; evaluating them also
      -- finds misspelt option names.
      local defaults = {}
      for k, spec in pairs(m.options) do defaults[k] = types.check(spec, spec.default) end
      local ok, held = pcall(check, defaults)
      if not ok then err = held elseif not held then err = "the defaults do not satisfy it" end
    end
    if err then fail("constraints", ("constraint %d (%s): %s"):format(i, c[1], err)) end
    c.check = check
  end
  check_specs(m.settings, fail, "setting")
  m.name, m.dir, m.file = name, dir, display
  local function check_sources(list, key)
    for _, src in ipairs(list) do
      if not util.exists(dir .. "/" .. src) then
        fail(key, ("source file %s does not exist"):format(src))
      end
    end
  end
  check_sources(m.sources, "sources")
  for dep, list in util.sorted_pairs(m.dep_sources) do
    local l, err = types.check({ type = "list", of = { type = "path" } }, list)
    if not l then fail("dep_sources", ("dep_sources.%s: %s"):format(tostring(dep), err)) end
    if not util.contains(m.deps, dep) then
      fail("dep_sources", ("dep_sources.%s: '%s' is not in deps"):format(tostring(dep), tostring(dep)))
    end
  end
  for target, list in util.sorted_pairs(m.target_sources) do
    local l, err = types.check({ type = "list", of = { type = "path" } }, list)
    if not l then fail("target_sources", ("target_sources.%s: %s"):format(tostring(target), err)) end
    check_sources(l, "target_sources")
  end
  for kind, list in util.sorted_pairs(m.device_sources) do
    local l, err = types.check({ type = "list", of = { type = "path" } }, list)
    if not l then fail("device_sources", ("device_sources.%s: %s"):format(tostring(kind), err)) end
    check_sources(l, "device_sources")
  end
  for kind, list in util.sorted_pairs(m.device_link) do
    local l, err = types.check({ type = "list", of = { type = "string" } }, list)
    if not l then fail("device_link", ("device_link.%s: %s"):format(tostring(kind), err)) end
  end
  return m
end

-- Every library in (libdirs), a list of { path, display } folders that hold
-- library folders, plus the runtime and the backends under (root). Returns
-- a map name -> manifest and a map target -> backend manifest.
function M.discover(root, libdirs)
  local libs, backends = {}, {}
  local function add(dir, name, display)
    local m = M.load(dir, name, display)
    if libs[name] then
      errors.raise(display, nil, "library '%s' is also defined by %s", name, libs[name].file)
    end
    libs[name] = m
    return m
  end
  add(root .. "/runtime", "runtime", "runtime/manifest.lua")
  for _, d in ipairs(util.list_dir(root .. "/backends")) do
    local dir = root .. "/backends/" .. d
    if util.exists(dir .. "/manifest.lua") then
      local m = add(dir, d, "backends/" .. d .. "/manifest.lua")
      if m.backend ~= d then
        errors.raise(m.file, nil, "a backend manifest must say backend = \"%s\"", d)
      end
      backends[d] = m
    end
  end
  for _, ld in ipairs(libdirs) do
    for _, d in ipairs(util.list_dir(ld.path)) do
      local dir = ld.path .. "/" .. d
      if util.exists(dir .. "/manifest.lua") then
        add(dir, d, ld.display .. "/" .. d .. "/manifest.lua")
      end
    end
  end
  return libs, backends
end

return M
