-- From a resolved configuration to the files of a build directory:
--   main.c           the glue: the struct mr_app and the platform entry
--   mirari_config.h  every option a constant with one guarded default
--   build.ninja      compiles only the selected sources into one static
--                    archive per library and links the image
--   mirari.state     what build, run and describe need to know later
-- Everything is rendered in memory first; files are written only once all
-- of them are ready (see write()).
local errors = require("config.errors")
local dsl = require("config.dsl")
local ninja = require("config.ninja")
local template = require("config.template")
local types = require("config.types")
local util = require("config.util")

local M = {}

-- A C string literal.
local function cstr(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    local named = { ["\n"] = "\\n", ["\t"] = "\\t", ['"'] = '\\"', ["\\"] = "\\\\" }
    return named[c] or ("\\%03o"):format(c:byte())
  end) .. '"'
end
M.cstr = cstr

-- A C integer literal that is valid for the whole int64_t range.
local function cint(n)
  if n == math.mininteger then return "INT64_MIN" end
  if n == math.maxinteger then return "INT64_MAX" end
  if n > 0x7fffffff or n < -0x7fffffff then return ("INT64_C(%d)"):format(n) end
  return tostring(n)
end

-- Text for build.ninja (see config/ninja.lua). What cannot be written
-- there is refused: app.conf's own paths already were, with their line,
-- by types.lua; these catch what comes from elsewhere (a manifest, the
-- environment) and say which name it is.
local function ninja_path(p)
  local s, why = ninja.path(p)
  if not s then
    errors.usage("%s: a file name with %s cannot be built (Ninja cannot name it)", types.show(p), why)
  end
  return s
end

-- The words (list) as a command for /bin/sh, written as a Ninja value.
local function shell_words(list)
  local s, why = ninja.command(list)
  if not s then
    for _, w in ipairs(list) do
      if not ninja.value(w) then
        errors.usage("%s: a word with %s cannot go into a command of build.ninja", types.show(w), why)
      end
    end
  end
  return s
end

-- The folders every path of build.ninja starts with: refused up front,
-- with a name a user recognises, rather than in the first path built on
-- one of them.
local function check_folder(what, dir)
  local _, why = ninja.path(dir)
  if why then
    errors.usage("%s %s: a file name with %s cannot be built (Ninja cannot name it)", what, types.show(dir), why)
  end
end

local function macro(lib, opt)
  return ("MR_CFG_%s_%s"):format(lib:upper():gsub("[^%w]", "_"), opt:upper())
end

-- The C value of option (value) of type (spec).
local function option_c(spec, value)
  if spec.type == "bool" then return value and "1" or "0" end
  if spec.type == "string" or spec.type == "path" or spec.type == "ident" or spec.type == "name" then
    return cstr(value)
  end
  if spec.type == "enum" then
    for i, v in ipairs(spec.values) do
      if v == value then return ("%d /* %s */"):format(i - 1, v) end
    end
  end
  if spec.type == "list" then
    local q = {}
    for i, v in ipairs(value) do q[i] = tostring(v) end
    return cstr(table.concat(q, " "))
  end
  return cint(value)
end

-- A human form of an option or parameter value, for comments and describe.
function M.show_value(spec, value)
  if spec.type == "size" then return types.format_size(value) end
  if spec.type == "duration" then return types.format_duration(value) end
  if spec.type == "list" then
    local q = {}
    for i, v in ipairs(value) do q[i] = ("%q"):format(v) end
    return #q == 0 and "{}" or "{ " .. table.concat(q, ", ") .. " }"
  end
  if type(value) == "string" then return ("%q"):format(value) end
  return tostring(value)
end

-- Compile-time options of every selected library, in library order.
function M.options(cfg)
  local out = {}
  for _, lib in ipairs(cfg.libs) do
    for name, spec in util.sorted_pairs(lib.options) do
      local value = lib.values[name]
      out[#out + 1] = {
        lib = lib.name, name = name, spec = spec, value = value,
        macro = macro(lib.name, name), c = option_c(spec, value),
        shown = M.show_value(spec, value), doc = spec.doc or "",
        origin = lib.options_set[name] and ("%s:%d"):format(util.basename(cfg.conf), lib.options_set[name]) or "default",
      }
    end
  end
  return out
end

local PARAM_C = {
  int = "MR_PARAM_INT", bool = "MR_PARAM_BOOL", string = "MR_PARAM_STRING",
  size = "MR_PARAM_SIZE", duration = "MR_PARAM_DURATION",
}

local function param_c(p)
  local def
  if p.type == "bool" then
    def = ("{ .b = %s }"):format(p.default and "true" or "false")
  elseif p.type == "string" then
    def = ("{ .s = %s }"):format(cstr(p.default))
  else
    def = ("{ .i = %s }"):format(cint(p.default))
  end
  local lo = p.min or ((p.type == "int") and math.mininteger or 0)
  local hi = p.max or ((p.type == "string") and 4096 or math.maxinteger)
  return ("{ %s, %s, %s, %s, %s, %s }"):format(cstr(p.name), PARAM_C[p.type], def,
    cint(lo), cint(hi), cstr(p.doc))
end

-- A device setting as the runtime reads it: lists joined by commas.
local function setting_value(v)
  if type(v) == "boolean" then return v and "true" or "false" end
  if type(v) == "table" then return table.concat(v, ",") end
  return tostring(v)
end

-- The object of (src): its path below (base), or for a source outside
-- it, a name under ext/ made unique by (index); the source's extension
-- stays, so that x.c and x.S do not collide. GCC writes the object's name
-- in its depfile as it is, so a name with other bytes than those a depfile
-- and the shell spell alike goes under ext/ too, with them replaced.
local function object_name(src, base, index)
  local rel = src:sub(1, #base + 1) == base .. "/" and src:sub(#base + 2)
  if not rel or rel:find("[^%w_.+,=@~/\128-\255-]") then
    rel = ("ext/%d-%s"):format(index, (util.basename(src):gsub("[^%w_.+,=@~\128-\255-]", "_")))
  end
  return rel .. ".o"
end

-- Third-party dependencies of the selected libraries: where each is
-- installed in the cache and the command that builds it there.
local function dependencies(cfg)
  local out, seen = {}, {}
  local cache = util.cache_dir()
  for _, lib in ipairs(cfg.libs) do
    for _, name in ipairs(lib.deps) do
      if not seen[name] then
        check_folder("the cache folder (MIRARI_CACHE)", cache)
        local d = cfg.deps[name]
        local prefix = ("%s/%s-%s-b%d"):format(cache, name, d.version, d.build)
        -- Files of the dependency that libraries compile (dep_sources) do
        -- not exist before the recipe runs: they are its outputs too, or
        -- Ninja refuses to start ("missing and no known rule to make it").
        local files, listed = {}, {}
        for _, l in ipairs(cfg.libs) do
          for _, src in ipairs(l.dep_sources[name] or {}) do
            local f = ninja_path(prefix .. "/" .. src)
            if not listed[f] then listed[f] = true; files[#files + 1] = f end
          end
        end
        seen[name] = true
        out[#out + 1] = {
          name = name, prefix = prefix, stamp = ninja_path(prefix .. "/.complete"),
          outputs = #files > 0 and (" | " .. table.concat(files, " ")) or "",
          command = shell_words({ "sh", cfg.root .. "/" .. d.recipe, cache, d.version, d.sha256, prefix }),
        }
      end
    end
  end
  return out
end

-- Expand {dir}, {gccinc} and {NAME} of a dependency in a manifest word.
local function expander(deps)
  local prefixes, gccinc = {}, nil
  for _, d in ipairs(deps) do prefixes[d.name] = d.prefix end
  return function(word, lib)
    return (word:gsub("{([%w_]+)}", function(key)
      if key == "dir" then return lib.dir end
      if key == "gccinc" then
        gccinc = gccinc or util.capture("gcc -print-file-name=include")
        return gccinc
      end
      if prefixes[key] then return prefixes[key] end
      errors.raise(lib.file, nil, "unknown {%s} in '%s': not a dependency of the image", key, word)
    end))
  end
end

-- The data the templates see.
local function model(cfg, builddir, version)
  check_folder("mirari's folder", cfg.root)
  check_folder("the application's folder", cfg.appdir)
  check_folder("the build directory", builddir)
  local s = cfg.settings
  -- An image made from a directory lives in the build directory (Ninja
  -- names it relative to there: see images below).
  for _, d in ipairs(cfg.devices) do
    if d.kind == "block" and d.from then
      d.path = builddir .. "/images/" .. d.name .. ".tar"
      -- As resolve.lua says of the paths app.conf gives: the image's path
      -- is a word of the device's settings, which blanks separate.
      if builddir:find("%s") then
        errors.usage("the build directory %s: the image of block device '%s' is made in it, and the path "
          .. "of a block device's image may not contain blanks (choose another with -o DIR)", types.show(builddir), d.name)
      end
    end
  end
  local deps = dependencies(cfg)
  local expand = expander(deps)
  local opt_flag = ({ speed = "-O2", size = "-Os", debug = "-Og" })[s.optimize or "speed"]
  -- -fstack-clash-protection makes a function with a frame larger than a
  -- page touch every page as it grows, so it cannot jump over the guard
  -- page under a thread's small stack.
  local common = { "-std=gnu11", opt_flag, "-g", "-Wall", "-Wextra", "-fno-common",
                   "-ffunction-sections", "-fdata-sections", "-fstack-clash-protection" }
  for _, f in ipairs(cfg.backend.target_cflags) do common[#common + 1] = expand(f, cfg.backend) end
  local link = {}
  if s.sanitize and #s.sanitize > 0 then
    local f = "-fsanitize=" .. table.concat(s.sanitize, ",")
    common[#common + 1] = f
    common[#common + 1] = "-fno-omit-frame-pointer"
    link[#link + 1] = f
  end
  local includes = { "-I" .. builddir }
  for _, lib in ipairs(cfg.libs) do
    for _, inc in ipairs(lib.include) do includes[#includes + 1] = "-I" .. lib.dir .. "/" .. inc end
  end

  -- Device kinds the image has: a library's device_sources and
  -- device_link for a kind are built in only then (libslirp for net).
  local kinds = {}
  for _, d in ipairs(cfg.devices) do kinds[d.kind] = true end
  local link_after = {}
  local libs = {}
  for _, lib in ipairs(cfg.libs) do
    local flags = { "-fvisibility=hidden", "-I" .. lib.dir }
    for _, f in ipairs(lib.cflags) do flags[#flags + 1] = expand(f, lib) end
    local sources = table.move(lib.sources, 1, #lib.sources, 1, {})
    for _, src in ipairs(lib.target_sources[cfg.target] or {}) do sources[#sources + 1] = src end
    for kind, list in util.sorted_pairs(lib.device_sources) do
      if kinds[kind] then
        for _, src in ipairs(list) do sources[#sources + 1] = src end
      end
    end
    for kind, list in util.sorted_pairs(lib.device_link) do
      if kinds[kind] then
        for _, w in ipairs(list) do link_after[#link_after + 1] = expand(w, lib) end
      end
    end
    local objs = {}
    for i, src in ipairs(sources) do
      local path = lib.dir .. "/" .. src
      objs[#objs + 1] = { src = ninja_path(path), obj = ninja_path("obj/" .. lib.name .. "/" .. object_name(path, lib.dir, i)) }
    end
    -- Sources of a third-party dependency, compiled into this library.
    for dep, list in util.sorted_pairs(lib.dep_sources) do
      local prefix = expand("{" .. dep .. "}", lib)
      for i, src in ipairs(list) do
        local path = prefix .. "/" .. src
        objs[#objs + 1] = { src = ninja_path(path),
          obj = ninja_path(("obj/%s/%s/%s"):format(lib.name, dep, object_name(path, prefix, i))) }
      end
    end
    for _, f in ipairs(lib.ldflags) do link[#link + 1] = expand(f, lib) end
    -- A library of headers only has no archive.
    libs[#libs + 1] = #objs > 0 and {
      name = lib.name, var = "cflags_" .. lib.name,
      flags = "$cflags " .. shell_words(flags), objs = objs,
      archive = "lib/libmr_" .. lib.name .. ".a",
    } or nil
  end

  local app_flags = { "-I" .. cfg.appdir }
  for _, inc in ipairs(cfg.app.include) do app_flags[#app_flags + 1] = "-I" .. inc end
  for _, f in ipairs(cfg.app.cflags) do
    local _, why = ninja.value(f)
    if why then
      errors.raise(cfg.conf_display, cfg.app.line, "cflags: %s: a flag with %s cannot go into a command of build.ninja",
        types.show(f), why)
    end
    app_flags[#app_flags + 1] = f
  end
  local app_objs = {}
  for i, src in ipairs(cfg.app.sources) do
    app_objs[#app_objs + 1] = { src = ninja_path(src), obj = ninja_path("obj/app/" .. object_name(src, cfg.appdir, i)) }
  end
  app_objs[#app_objs + 1] = { src = "main.c", obj = "obj/glue/main.c.o" }

  local inits = {}
  for _, lib in ipairs(cfg.libs) do
    if lib.init then inits[#inits + 1] = lib.init end
  end
  local params = {}
  for i, p in ipairs(cfg.params) do params[i] = param_c(p) end
  local devices = {}
  for i, d in ipairs(cfg.devices) do
    local words = {}
    for k, v in util.sorted_pairs(d) do
      if k ~= "name" and k ~= "kind" and k ~= "line" then
        words[#words + 1] = k .. "=" .. setting_value(v)
      end
    end
    devices[i] = ("{ %s, %s, %s }"):format(cstr(d.name), cstr(d.kind), cstr(table.concat(words, " ")))
    -- DEVICE.KEY=VALUE at boot overrides what app.conf says (an empty
    -- value: not set); the runtime's mr_device_setting looks there first.
    for _, k in ipairs(dsl.boot_keys(d.kind, cfg.target)) do
      params[#params + 1] = param_c({
        name = d.name .. "." .. k, type = "string", max = 255,
        default = d[k] ~= nil and setting_value(d[k]) or "",
        doc = ("device %s: %s"):format(d.name, dsl.DEVICE_KINDS[d.kind][k].doc),
      })
    end
  end
  local images = {}
  for _, d in ipairs(cfg.devices) do
    if d.kind == "block" and d.from then
      -- Relative, so that its depfile does not hold the build directory's name.
      images[#images + 1] = { out = ninja_path("images/" .. d.name .. ".tar"), dir = shell_words({ d.from }), name = d.name }
    end
  end

  local inputs = {}
  for i, f in ipairs(cfg.inputs) do inputs[i] = ninja_path(f) end
  for _, w in ipairs(cfg.backend.link) do link_after[#link_after + 1] = expand(w, cfg.backend) end
  local stamps = {}
  for i, d in ipairs(deps) do stamps[i] = d.stamp end

  return {
    version = version, cfg = cfg, app = cfg.app, target = cfg.target,
    -- Generated files name app.conf by its file name only, so they do not
    -- depend on how configure was invoked (by hand or by Ninja).
    conf_display = util.basename(cfg.conf),
    builddir = builddir, image = cfg.backend.image:format(cfg.app.name),
    cflags = shell_words(common) .. " " .. shell_words(includes),
    ldflags = shell_words(link),
    link_after = shell_words(link_after),
    deps = deps,
    -- Every compile waits for the dependencies to be installed (headers).
    order_deps = #stamps > 0 and (" || " .. table.concat(stamps, " ")) or "",
    libs = libs, app_flags = "$cflags " .. shell_words(app_flags), app_objs = app_objs,
    options = M.options(cfg), inits = inits, params = params, devices = devices,
    images = images, mirari = shell_words({ "lua5.3", cfg.root .. "/mirari.lua" }),
    depfile = shell_words({ "lua5.3", cfg.root .. "/tool/depfile.lua" }),
    cstr = cstr, inputs = inputs,
    regenerate = shell_words({ "lua5.3", cfg.root .. "/mirari.lua", "configure", "--quiet",
                               "-t", cfg.target, "-o", builddir, cfg.conf }),
    render = function(name, data) return template.render(cfg.root .. "/templates/" .. name, data) end,
  }
end

-- The files of a build directory, as a map name -> content.
function M.files(cfg, builddir, version)
  local entry = cfg.root .. "/templates/entry-" .. cfg.target .. ".c"
  if not util.exists(entry) then
    errors.usage("backend %s has no entry template %s", cfg.target, entry)
  end
  local m = model(cfg, builddir, version)
  local files = {}
  for _, name in ipairs({ "main.c", "mirari_config.h", "build.ninja" }) do
    files[name] = template.render(cfg.root .. "/templates/" .. name, m)
  end
  for tpl, pattern in util.sorted_pairs(cfg.backend.files) do
    files[pattern:format(cfg.app.name)] = template.render(cfg.root .. "/templates/" .. tpl, m)
  end
  files["mirari.state"] = "-- Generated by mirari " .. version .. "; read by mirari build, run and clean.\nreturn "
    .. util.serialize({
      version = version, app = cfg.app.name, target = cfg.target, conf = cfg.conf,
      conf_display = cfg.conf_display, appdir = cfg.appdir, image = m.image,
      params = cfg.params, extra = cfg.settings.extra,
      -- mirari run --forward adds to the first net device's forwards.
      devices = cfg.devices,
    }) .. "\n"
  return files
end

-- Write (files) into (dir) so that a failure leaves nothing half-written:
-- a new directory is assembled under a temporary name and renamed into
-- place; in an existing one, each file is replaced by a rename, and files
-- whose content did not change are left alone (their times too, so Ninja
-- does not rebuild) except build.ninja, whose time Ninja checks against
-- its inputs.
function M.write(dir, files)
  local function write_all(into, only_changed)
    for name, content in util.sorted_pairs(files) do
      local path = into .. "/" .. name
      if not (only_changed and name ~= "build.ninja" and util.read_file(path) == content) then
        local tmp = path .. ".tmp"
        local ok, err = util.write_file(tmp, content)
        if not ok then return nil, err end
        local rok, rerr = os.rename(tmp, path)
        if not rok then return nil, rerr end
      end
    end
    return true
  end

  if util.exists(dir .. "/mirari.state") then
    return write_all(dir, true)
  end
  if util.exists(dir) and #util.list_dir(dir) > 0 then
    return nil, dir .. " exists and was not made by mirari; choose another with -o DIR"
  end
  local tmp = ("%s.tmp-%d"):format(dir:gsub("/+$", ""), math.random(1, 1 << 30))
  if not util.mkdir_p(tmp) then return nil, "cannot create " .. tmp end
  local ok, err = write_all(tmp, false)
  if ok and util.exists(dir) then ok, err = os.remove(dir) end
  if ok then ok, err = os.rename(tmp, dir) end
  if not ok then
    util.rm_rf(tmp)
    return nil, err
  end
  return true
end

return M
