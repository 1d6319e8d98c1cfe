-- The app.conf language: its statements and the schema of each.
--
--   application "NAME" { sources = { ... }, main = "fn", ... }
--   param "NAME"       { type = "int", default = 4, min = 0, doc = "..." }
--   use "LIBRARY"      { option = value, ... }
--   handlers "SET"     { option = value, ... }
--   device "NAME"      { kind = "net", ... }
--   target "TARGET"    { setting = value, ... }
--
-- Evaluation only records what the file says, with the line of every
-- statement; resolve.lua checks it against the libraries and targets that
-- exist. docs/config.md is the user's reference and must follow this file.
local errors = require("config.errors")
local sandbox = require("config.sandbox")
local types = require("config.types")
local util = require("config.util")

local M = {}

M.APPLICATION = {
  sources = { type = "list", of = { type = "path" }, required = true,
              doc = "C files of the application, relative to app.conf" },
  main = { type = "ident", default = "app_main",
           doc = "C function run in the thread \"main\" once the libraries are up" },
  cflags = { type = "list", of = { type = "string" }, default = {},
             doc = "extra compiler flags for the application's own sources" },
  include = { type = "list", of = { type = "path" }, default = {},
              doc = "extra include directories, relative to app.conf" },
  version = { type = "string", default = "0", doc = "the application's version, shown by describe" },
  doc = { type = "string", default = "", doc = "one line saying what the application does" },
}

M.PARAM_TYPES = { "int", "bool", "string", "size", "duration" }

M.PARAM = {
  type = { type = "enum", values = M.PARAM_TYPES, required = true },
  default = { type = "any" },
  min = { type = "any" },
  max = { type = "any" },
  doc = { type = "string", default = "" },
}

-- Parameters the runtime itself understands at boot.
M.RESERVED_PARAMS = { log = "the runtime's log level" }

-- Device kinds and their fields. A target drives a kind when its backend's
-- manifest lists it in `devices`.
M.DEVICE_KINDS = {
  net = {
    kind = { type = "string" },
    ipv4 = { type = "string", default = "dhcp", boot = { "unix", "xen" },
             doc = "\"dhcp\" or a static ADDRESS/PREFIX such as \"192.0.2.10/24\"" },
    gateway = { type = "string", boot = { "unix", "xen" },
                doc = "IPv4 gateway with a static address" },
    mac = { type = "string", pattern = "^%x%x:%x%x:%x%x:%x%x:%x%x:%x%x$", boot = { "unix" },
            what = "a MAC address such as \"02:00:00:00:00:01\"",
            doc = "fixed MAC address; the platform chooses one when absent" },
    tap = { type = "string", pattern = "^[%w_.-]+$", what = "a tap device name such as \"tap0\"",
            boot = { "unix" },
            doc = "Unix: the tap device to attach to (needs CAP_NET_ADMIN); without it, slirp" },
    forward = { type = "list", of = { type = "string", pattern = "^%a*:?%d+:%d+$",
                                      what = "a forward such as \"8080:80\" or \"udp:5353:53\"" },
                boot = { "unix" },
                doc = "Unix with slirp: ports of 127.0.0.1 forwarded to the image, [tcp:|udp:]HOST:GUEST" },
    bridge = { type = "string", default = "xenbr0", pattern = "^[%w_.-]+$",
               what = "a bridge name such as \"xenbr0\"",
               doc = "Xen: the bridge in dom0 that the device's vif joins" },
  },
  block = {
    kind = { type = "string" },
    file = { type = "path", doc = "image file backing the device, relative to app.conf" },
    from = { type = "path",
             doc = "directory whose content becomes a read-only tar image at build time, relative to app.conf" },
    readonly = { type = "bool", default = true, doc = "refuse writes" },
  },
}

-- Settings a boot parameter DEVICE.KEY=VALUE may override, on (target):
-- a sorted list of keys of (kind).
function M.boot_keys(kind, target)
  local keys = {}
  for k, spec in pairs(M.DEVICE_KINDS[kind]) do
    if spec.boot then
      for _, t in ipairs(spec.boot) do
        if t == target then keys[#keys + 1] = k end
      end
    end
  end
  table.sort(keys)
  return keys
end

-- What a target block may set besides its backend's own settings.
M.TARGET_COMMON = {
  sources = { type = "list", of = { type = "path" }, default = {},
              doc = "more sources, only for this target" },
  cflags = { type = "list", of = { type = "string" }, default = {},
             doc = "more compiler flags, only for this target" },
}

-- Evaluate app.conf. Returns { file = display name, dir, lines, items },
-- items being the statements in the order written, each
-- { kind, name, line, body }.
function M.load(path, display)
  local source, err = util.read_file(path)
  if not source then
    errors.usage("cannot read %s: %s", display, err)
  end
  local chunkname = "@" .. display
  local items = {}

  -- A statement is a function of its name that returns a function of its
  -- body, so `use "x"` alone is as valid as `use "x" { ... }`.
  local function statement(kind)
    return function(name)
      local line = sandbox.current_line(chunkname)
      if type(name) ~= "string" then
        errors.raise(display, line, "%s expects a name in quotes: %s \"NAME\" { ... }", kind, kind)
      end
      local item = { kind = kind, name = name, line = line, body = {} }
      items[#items + 1] = item
      return function(body)
        if type(body) ~= "table" then
          errors.raise(display, line, "%s \"%s\" expects a table { ... }, got %s",
            kind, name, types.show(body))
        end
        item.body = body
      end
    end
  end

  local statements = {}
  for _, kind in ipairs({ "application", "param", "use", "handlers", "device", "target" }) do
    statements[kind] = statement(kind)
  end
  sandbox.eval(source, display, statements)
  return { file = display, lines = sandbox.lines(source), items = items }
end

return M
