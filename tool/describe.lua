-- The text of `mirari describe`: what a resolved configuration contains,
-- with compile-time choices and runtime parameters kept apart.
local generate = require("config.generate")
local util = require("config.util")

local M = {}

function M.text(cfg)
  local out = {}
  local function put(fmt, ...) out[#out + 1] = fmt:format(...) end
  local app = cfg.app

  put("application  %s %s%s", app.name, app.version, app.doc ~= "" and (": " .. app.doc) or "")
  put("from         %s", cfg.conf_display)
  put("target       %s (image %s)", cfg.target, cfg.backend.image:format(app.name))
  put("main         %s()", app.main)
  put("handler set  %s", cfg.handler_set or "none")
  put("")
  put("libraries (in link and initialisation order):")
  for _, lib in ipairs(cfg.libs) do
    put("  %-12s %s", lib.name, lib.reason)
    put("  %-12s %s", "", lib.summary)
  end
  put("")
  put("devices:")
  if #cfg.devices == 0 then put("  none") end
  for _, d in ipairs(cfg.devices) do
    local fields = {}
    for k, v in util.sorted_pairs(d) do
      if k ~= "name" and k ~= "kind" and k ~= "line" then fields[#fields + 1] = k .. "=" .. tostring(v) end
    end
    put("  %-12s %s %s", d.name, d.kind, table.concat(fields, " "))
  end
  put("")
  put("target settings (target \"%s\" { ... } in app.conf):", cfg.target)
  local dsl = require("config.dsl")
  for name, value in util.sorted_pairs(cfg.settings) do
    local spec = cfg.backend.settings[name] or dsl.TARGET_COMMON[name]
    put("  %-12s %s", name, generate.show_value(spec, value))
  end
  put("")
  put("compile-time constants (mirari_config.h; change them in app.conf):")
  for _, o in ipairs(generate.options(cfg)) do
    put("  %-32s %-10s %s", o.macro, o.shown, o.origin)
  end
  put("")
  put("runtime parameters (key=value at boot: mirari run KEY=VALUE, or xl extra=):")
  for _, p in ipairs(cfg.params) do
    local range = ""
    if p.min or p.max then
      range = (" [%s..%s]"):format(p.min and generate.show_value(p, p.min) or "",
        p.max and generate.show_value(p, p.max) or "")
    end
    put("  %-12s %-9s default %s%s%s", p.name, p.type, generate.show_value(p, p.default), range,
      p.doc ~= "" and ("  " .. p.doc) or "")
  end
  put("  %-12s %-9s default %s  %s", "log", "enum", generate.show_value({ type = "enum" },
    cfg.libs[1].values.log_level), "error, warn, info or debug (the runtime's)")
  return table.concat(out, "\n") .. "\n"
end

return M
