-- From an evaluated app.conf to a resolved configuration: the application,
-- the closure of the libraries it selects (each with the reason it is
-- there), their option values, the runtime parameters, the devices and the
-- target's settings. Every mistake is reported here, before any file is
-- written or any compiler runs.
local dsl = require("config.dsl")
local errors = require("config.errors")
local manifest = require("config.manifest")
local sandbox = require("config.sandbox")
local types = require("config.types")
local util = require("config.util")

local M = {}

-- A reporter for mistakes inside one statement of app.conf: it names the
-- line of the field at fault.
local function reporter(conf, item)
  return function(key, msg)
    errors.raise(conf.file, sandbox.field_line(conf.lines, item.line, key), "%s", msg)
  end
end

local function where(conf, item)
  return ("%s:%d"):format(conf.file, item.line)
end

-- The single application statement.
local function application(conf, appdir)
  local app_item
  for _, item in ipairs(conf.items) do
    if item.kind == "application" then
      if app_item then
        errors.raise(conf.file, item.line, "a second application statement (the first is at line %d)", app_item.line)
      end
      app_item = item
    end
  end
  if not app_item then
    errors.raise(conf.file, nil, "no application statement: add application \"NAME\" { sources = { \"main.c\" } }")
  end
  local fail = reporter(conf, app_item)
  local name, err = types.check({ type = "name" }, app_item.name)
  if not name then fail(nil, "application name: " .. err) end
  local app = types.check_fields(app_item.body, dsl.APPLICATION, fail)
  if #app.sources == 0 then fail("sources", "sources: an application needs at least one source file") end
  app.name, app.line = name, app_item.line
  return app, fail
end

-- Check that every source file exists and make the names absolute.
-- (seen) maps each absolute name already taken, in this list or an
-- earlier one, to how it was written and on which line: a file listed twice
-- would be compiled twice into one object, which Ninja refuses.
local function sources(list, appdir, fail, seen, line)
  local out = {}
  for _, src in ipairs(list) do
    local abs = util.abspath(src, appdir)
    if not util.exists(abs) then fail("sources", ("source file '%s' does not exist"):format(src)) end
    if not src:match("%.[cS]$") then
      fail("sources", ("source file '%s' is neither C (.c) nor assembly (.S)"):format(src))
    end
    local first = seen[abs]
    if first then
      fail("sources", ("source file '%s' is listed twice (first as '%s', line %d)"):format(src, first.as, first.line))
    end
    seen[abs] = { as = src, line = line }
    out[#out + 1] = abs
  end
  return out
end

local function params(conf)
  local out, seen = {}, {}
  for _, item in ipairs(conf.items) do
    if item.kind == "param" then
      local fail = reporter(conf, item)
      local name = item.name
      if not name:match("^[a-z_][a-z0-9_]*$") then
        fail(nil, ("parameter name '%s': use lower-case letters, digits and '_'"):format(name))
      end
      if dsl.RESERVED_PARAMS[name] then
        fail(nil, ("parameter name '%s' is reserved for %s"):format(name, dsl.RESERVED_PARAMS[name]))
      end
      if seen[name] then
        fail(nil, ("parameter '%s' is declared twice (first at line %d)"):format(name, seen[name]))
      end
      seen[name] = item.line
      local p = types.check_fields(item.body, dsl.PARAM, fail)
      local spec = { type = p.type, min = p.min, max = p.max }
      for _, b in ipairs({ "min", "max" }) do
        if p[b] ~= nil then
          if p.type == "bool" or p.type == "string" and b == "min" then
            fail(b, ("%s makes no sense for a %s parameter"):format(b, p.type))
          end
          local bspec = p.type == "string" and { type = "int", min = 0 } or { type = p.type }
          local v, err = types.check(bspec, p[b])
          if v == nil then fail(b, b .. ": " .. err) end
          spec[b] = v
        end
      end
      if spec.min and spec.max and spec.min > spec.max then
        fail("max", ("max is below min"))
      end
      if p.default == nil then fail(nil, ("parameter '%s' needs a default"):format(name)) end
      local def, err = types.check(spec, p.default)
      if def == nil then fail("default", "default: " .. err) end
      out[#out + 1] = { name = name, type = p.type, default = def, min = spec.min,
                        max = spec.max, doc = p.doc, line = item.line }
    end
  end
  return out
end

-- The library closure. Returns the selected manifests in dependency order
-- (a library after everything it requires) with .reason and .options set.
local function libraries(conf, libs, backend, target)
  local lib_names = util.sorted_keys(libs)
  local selected, order = {}, {}
  local handler_set

  local function select(name, reason, fail, via)
    local lib = libs[name]
    if not lib then
      fail(nil, ("unknown library '%s'%s"):format(name, util.did_you_mean(name, lib_names)))
    end
    if lib.backend and lib.backend ~= target then
      fail(nil, ("'%s' is the backend of target %s; choose the target with -t instead"):format(name, lib.backend))
    end
    if lib.targets and not util.contains(lib.targets, target) then
      fail(nil, ("library '%s'%s does not support target '%s' (it supports %s)")
        :format(name, via or "", target, util.either(lib.targets)))
    end
    if selected[name] then return lib end
    selected[name] = { reason = reason }
    for _, req in ipairs(lib.requires) do
      if not libs[req] then
        errors.raise(lib.file, nil, "requires unknown library '%s'%s", req, util.did_you_mean(req, lib_names))
      end
      select(req, "required by " .. name, fail, (" (required by '%s')"):format(name))
    end
    order[#order + 1] = lib
    return lib
  end

  local never = function(_, msg) error("internal: " .. msg) end
  select("runtime", "linked into every image", never)
  select(backend.name, "backend of target " .. target, never)

  -- Options written in app.conf, by library.
  local written = {}
  for _, item in ipairs(conf.items) do
    local other = libs[item.name]
    if item.kind == "use" and other and other.backend and other.backend ~= target then
      -- Options of another target's backend: checked, and used when
      -- configuring for that target, so one app.conf serves every target.
      types.check_fields(item.body, other.options, reporter(conf, item))
    elseif item.kind == "use" or item.kind == "handlers" then
      local fail = reporter(conf, item)
      local lib = select(item.name, (item.kind == "use" and "use" or "handler set") .. " at " .. where(conf, item), fail)
      if item.kind == "handlers" then
        if not util.contains(lib.provides, "handlers") then
          fail(nil, ("library '%s' is not a handler set"):format(item.name))
        end
        if handler_set then
          fail(nil, ("a second handler set '%s' (the first is '%s' at line %d)"):format(item.name, handler_set.name, handler_set.line))
        end
        handler_set = item
      end
      if written[item.name] then
        fail(nil, ("options of '%s' are already set at line %d"):format(item.name, written[item.name].item.line))
      end
      written[item.name] = { item = item, fail = fail }
    end
  end

  for _, lib in ipairs(order) do
    local w = written[lib.name]
    local body = w and w.item.body or {}
    local fail = w and w.fail or never
    local values = types.check_fields(body, lib.options, function(key, msg)
      if msg:match("^unknown field") then
        msg = msg:gsub("^unknown field", "library '" .. lib.name .. "' has no option")
      end
      fail(key, msg)
    end)
    lib.options_set = {}
    for k in pairs(body) do lib.options_set[k] = sandbox.field_line(conf.lines, w.item.line, k) end
    lib.values = values
    for i, c in ipairs(lib.constraints) do
      local ok, held = pcall(c.check, values)
      if not ok then errors.raise(lib.file, nil, "constraint %d (%s): %s", i, c[1], held) end
      if not held then
        errors.raise(conf.file, w and w.item.line, "library '%s': %s", lib.name, c[2])
      end
    end
    lib.reason = selected[lib.name].reason
  end
  return order, handler_set and handler_set.name
end

local function devices(conf, backend, target, appdir)
  local out, seen, nblock = {}, {}, 0
  local kinds = util.sorted_keys(dsl.DEVICE_KINDS)
  for _, item in ipairs(conf.items) do
    if item.kind == "device" then
      local fail = reporter(conf, item)
      if not item.name:match("^[a-z][a-z0-9_]*$") then
        fail(nil, ("device name '%s': use lower-case letters, digits and '_', such as \"net0\""):format(item.name))
      end
      if seen[item.name] then
        fail(nil, ("device '%s' is declared twice (first at line %d)"):format(item.name, seen[item.name]))
      end
      seen[item.name] = item.line
      local kind = item.body.kind
      if kind == nil then fail(nil, ("device '%s' needs a kind: %s"):format(item.name, util.either(kinds))) end
      if not dsl.DEVICE_KINDS[kind] then
        fail("kind", ("unknown device kind %s%s (known kinds: %s)")
          :format(types.show(kind), type(kind) == "string" and util.did_you_mean(kind, kinds) or "", util.either(kinds, "and")))
      end
      local d = types.check_fields(item.body, dsl.DEVICE_KINDS[kind], fail)
      if kind == "net" then
        if d.ipv4 ~= "dhcp" and not util.ipv4(d.ipv4, true) then
          fail("ipv4", ("ipv4: %s is neither \"dhcp\" nor ADDRESS/PREFIX such as \"192.0.2.10/24\""):format(types.show(d.ipv4)))
        end
        if d.gateway and not util.ipv4(d.gateway, false) then
          fail("gateway", ("gateway: %s is not an IPv4 address"):format(types.show(d.gateway)))
        end
        if d.gateway and d.ipv4 == "dhcp" then
          fail("gateway", "gateway: DHCP gives the gateway; set it only with a static ipv4")
        end
        for _, f in ipairs(d.forward or {}) do
          local proto, host, guest = f:match("^(%a*):?(%d+):(%d+)$")
          if proto ~= "" and proto ~= "tcp" and proto ~= "udp" then
            fail("forward", ("forward %s: the protocol is tcp or udp"):format(types.show(f)))
          end
          for _, port in ipairs({ host, guest }) do
            if tonumber(port) < 1 or tonumber(port) > 65535 then
              fail("forward", ("forward %s: ports are 1 to 65535"):format(types.show(f)))
            end
          end
        end
        if d.forward and d.tap then
          fail("forward", "forward: ports are forwarded by slirp, which a device with a tap does not use")
        end
      elseif kind == "block" then
        if (d.file == nil) == (d.from == nil) then
          fail(d.file and "from" or nil, ("block device '%s' needs one of file = \"IMAGE\" or from = \"DIRECTORY\""):format(item.name))
        end
        if d.file then
          local written = d.file
          d.file = util.abspath(d.file, appdir)
          if not util.is_file(d.file) then
            fail("file", ("file: %s does not exist (create it, e.g. truncate -s 1M, or use from = \"DIRECTORY\")"):format(written))
          end
          d.path = d.file
        else
          local written = d.from
          d.from = util.abspath(d.from, appdir)
          if not util.is_dir(d.from) then
            fail("from", ("from: %s is not a directory"):format(written))
          end
          -- Refused here, not half-way through a build: /, /proc, a FIFO in it.
          local ok, why = require("tool.tar").check(d.from)
          if not ok then fail("from", "from: " .. why) end
          if d.readonly == false then
            fail("readonly", "readonly: an image made from a directory is read-only")
          end
        end
        if (d.file or d.from):find("%s") then
          fail(d.file and "file" or "from", "the path of a block device's image may not contain blanks")
        end
        nblock = nblock + 1
        if nblock > 26 then fail(nil, "more than 26 block devices") end
        d.vdev = "xvd" .. string.char(96 + nblock)
      end
      if not util.contains(backend.devices, kind) then
        fail("kind", ("target '%s' has no driver for %s devices yet"):format(target, kind))
      end
      d.name, d.line = item.name, item.line
      out[#out + 1] = d
    end
  end
  return out
end

-- The settings of the chosen target, checking the blocks of all targets.
local function settings(conf, backends, target)
  local names = util.sorted_keys(backends)
  local chosen, seen = nil, {}
  for _, item in ipairs(conf.items) do
    if item.kind == "target" then
      local fail = reporter(conf, item)
      local b = backends[item.name]
      if not b then
        fail(nil, ("unknown target '%s'%s (targets: %s)"):format(item.name, util.did_you_mean(item.name, names), util.either(names, "and")))
      end
      if seen[item.name] then
        fail(nil, ("target '%s' is configured twice (first at line %d)"):format(item.name, seen[item.name]))
      end
      seen[item.name] = item.line
      local fields = {}
      for k, v in pairs(dsl.TARGET_COMMON) do fields[k] = v end
      for k, v in pairs(b.settings) do fields[k] = v end
      local s = types.check_fields(item.body, fields, fail)
      if item.name == target then chosen = { values = s, fail = fail, line = item.line } end
    end
  end
  if not chosen then
    local fields = {}
    for k, v in pairs(dsl.TARGET_COMMON) do fields[k] = v end
    for k, v in pairs(backends[target].settings) do fields[k] = v end
    chosen = { values = types.check_fields({}, fields, function() end), fail = nil }
  end
  return chosen
end

-- Resolve the application in (conf_path) for (target). (display) names
-- app.conf in messages; (root) is mirari's own folder.
function M.resolve(root, conf_path, display, target)
  local appdir = util.dirname(conf_path)
  local conf = dsl.load(conf_path, display)
  local libdirs = {}
  if util.is_dir(appdir .. "/libs") then
    libdirs[1] = { path = appdir .. "/libs", display = util.join(util.dirname(display), "libs") }
  end
  table.insert(libdirs, 1, { path = root .. "/libs", display = root .. "/libs" })
  local libs, backends = manifest.discover(root, libdirs)

  local app, fail_app = application(conf, appdir)
  local backend = backends[target]
  if not backend then
    errors.usage("unknown target '%s'%s (targets: %s)", target,
      util.did_you_mean(target, util.sorted_keys(backends)), util.either(util.sorted_keys(backends), "and"))
  end
  local target_settings = settings(conf, backends, target)
  local seen = {}
  app.sources = sources(app.sources, appdir, fail_app, seen, sandbox.field_line(conf.lines, app.line, "sources"))
  if #target_settings.values.sources > 0 then
    for _, s in ipairs(sources(target_settings.values.sources, appdir, target_settings.fail, seen,
        sandbox.field_line(conf.lines, target_settings.line, "sources"))) do
      app.sources[#app.sources + 1] = s
    end
  end
  for _, f in ipairs(target_settings.values.cflags) do app.cflags[#app.cflags + 1] = f end
  for i, inc in ipairs(app.include) do app.include[i] = util.abspath(inc, appdir) end

  local order, handler_set = libraries(conf, libs, backend, target)
  local deps = dofile(root .. "/build/deps.lua")
  for _, lib in ipairs(order) do
    for _, d in ipairs(lib.deps) do
      if not deps[d] then
        errors.raise(lib.file, nil, "unknown dependency '%s'%s (see build/deps.lua)", d,
          util.did_you_mean(d, util.sorted_keys(deps)))
      end
    end
  end
  -- What build.ninja's regeneration depends on: app.conf, the manifests
  -- and mirari's own language and templates.
  local inputs = { conf_path, root .. "/build/deps.lua" }
  for _, lib in ipairs(order) do inputs[#inputs + 1] = lib.dir .. "/manifest.lua" end
  for _, d in ipairs({ "config", "templates" }) do
    for _, f in ipairs(util.list_dir(root .. "/" .. d)) do
      if f:match("%.") then inputs[#inputs + 1] = root .. "/" .. d .. "/" .. f end
    end
  end

  return {
    root = root,
    conf = conf_path,
    conf_display = display,
    appdir = appdir,
    target = target,
    app = app,
    libs = order,
    backend = backend,
    handler_set = handler_set,
    params = params(conf),
    devices = devices(conf, backend, target, appdir),
    settings = target_settings.values,
    deps = deps,
    inputs = inputs,
  }
end

return M
