#!/usr/bin/env lua5.3
-- config/isolate.lua's answer format: what the child dumps the parent
-- loads back the same, sharing and cycles kept, functions left behind;
-- and a configuration resolved in the child equals one resolved in
-- process.
package.path = (arg[0]:match("^(.*)/[^/]*$") or ".") .. "/../lib/?.lua;" .. package.path
local t = require("tap")
package.path = t.root .. "/?.lua;" .. package.path
local isolate = require("config.isolate")
local util = require("config.util")

local shared = { "x" }
local v = { a = shared, b = shared, n = 3, f = 0.1, big = 2^70, neg = -0.0, inf = math.huge,
  s = "quote\" nl\n cr\r nul\0 \255", [7] = true, fn = print, list = { 1, 2, 3 } }
v.self = v
local w = isolate.undump(isolate.dump(v))
t.ok(w.a == w.b and w.a[1] == "x", "a table shared twice is one table again")
t.ok(w.self == w, "a cycle is kept")
t.is(w.s, v.s, "a string with every awkward byte comes back")
t.ok(math.type(w.n) == "integer" and w.n == 3, "an integer stays an integer")
t.ok(math.type(w.f) == "float" and w.f == 0.1 and w.big == 2^70, "a float comes back exactly")
t.ok(w.inf == math.huge and 1 / w.neg == -math.huge, "infinity and -0.0 too")
t.ok(w[7] == true and w.fn == nil, "a number key is kept, a function is left behind")
t.is(table.concat(w.list, ","), "1,2,3", "a list keeps its order")

-- The answer is loaded with an empty environment: it cannot reach out.
local ok = pcall(isolate.undump, "return os.exit(3)")
t.ok(not ok, "an answer that names a global fails to load, and runs nothing")

-- Resolved in the child or here: the same configuration.
local conf = t.root .. "/examples/website/app.conf"
local here = require("config.resolve").resolve(t.root, conf, "app.conf", "xen")
local there = isolate.resolve(t.root, conf, "app.conf", "xen")
-- Functions dropped, as the child's answer drops them. A table met again
-- on the way down is a cycle ("<cycle>"); one shared by two paths is
-- copied on both, so that the result does not depend on the order pairs()
-- visits keys in (which differs between two equal graphs built apart: a
-- "<seen>" mark on whichever path came first did, one run in many).
local function strip(x, path)
  path = path or {}
  if type(x) == "function" then return nil end
  if type(x) ~= "table" then return x end
  if path[x] then return "<cycle>" end
  path[x] = true
  local c = {}
  for k, y in pairs(x) do c[k] = strip(y, path) end
  path[x] = nil
  return c
end
t.is(util.serialize(strip(there)), util.serialize(strip(here)), "examples/website resolves alike in the child")
t.done()
