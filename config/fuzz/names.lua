#!/usr/bin/env lua5.3
-- Fuzz the spelling of file names for Ninja and the shell: config/ninja.lua
-- (paths, values, commands), tool/depfile.lua (Ninja's depfiles, GCC's).
--
-- Each round makes a few random names, all bytes 1-255 but '/', weighted
-- toward what the shell, Ninja and make read specially, with pieces of
-- commands such as $(touch CANARY) among them, and checks that
--   - ninja.path() refuses exactly the names with a newline, a CR or '|';
--   - a build.ninja written with ninja.path() and ninja.command() copies
--     each in/NAME to out/NAME (through $in and $out; tabs in out/NAME
--     made '_', see below), and a rule echoes
--     the names from a variable of quoted words, byte for byte;
--   - a depfile from depfile.write() names every file, the others too,
--     so that Ninja records each (or a link to it) and a second run has
--     no work to do;
--   - depfile.read_gcc() reads back what GCC would write for the names;
--   - nothing else ran: the round's folder holds only what it should.
-- It speaks enough of libFuzzer's language for bench/fuzz.sh:
--   names.lua [-max_total_time=S] [-runs=N] [-seed=N] [-artifact_prefix=P]
-- other options and folders are ignored; one execution is one name. On a
-- failure the round's names are written to P (a Lua list) and it exits 1.
local root = (arg[0]:match("^(.*)/config/fuzz/[^/]*$") or ".")
package.path = root .. "/?.lua;" .. package.path
local ninja = require("config.ninja")
local depfile = require("tool.depfile")
local util = require("config.util")

local opts = { max_total_time = 10, runs = -1, seed = os.time(), artifact_prefix = "./" }
for _, a in ipairs(arg) do
  local k, v = a:match("^%-([%w_]+)=(.*)$")
  if k and opts[k] ~= nil then opts[k] = tonumber(v) or v end
end
math.randomseed(opts.seed)
io.stdout:write(("INFO: Seed: %d\n"):format(opts.seed))

-- What the shell, Ninja, make and depfiles read specially, and pieces of
-- commands that would create CANARY if a name were run.
local SPECIAL = " \t\n\r$`'\"\\;&|<>()*?[]{}!#~=%^:,@+-."
local PIECES = { "$(touch CANARY)", "`touch CANARY`", ";touch CANARY;", "|touch CANARY", "&&touch CANARY",
                 "${IFS}", "$IFS", "$$", "$ ", "$:", "\\ ", "\\#", "\\\\", "'\\''", "-", "--", ".d", ":" }

local function random_name()
  local out = {}
  for _ = 1, math.random(1, 24) do
    local r = math.random()
    if r < 0.45 then
      local i = math.random(#SPECIAL)
      out[#out + 1] = SPECIAL:sub(i, i)
    elseif r < 0.55 then
      out[#out + 1] = PIECES[math.random(#PIECES)]
    elseif r < 0.7 then
      out[#out + 1] = string.char(math.random(128, 255))
    else
      out[#out + 1] = string.char(math.random(1, 255))
    end
  end
  local name = table.concat(out):gsub("/", "_"):sub(1, 200)
  if name == "." or name == ".." then name = name .. "x" end
  return name
end

-- What GCC writes for (name) in a depfile (mkdeps.cc, munge).
local function gcc_spelling(name)
  return (name:gsub("(\\*)([ \t#$])", function(slashes, c)
    if c == "$" then return slashes .. "$$" end
    if c == "#" then return slashes .. "\\#" end
    return slashes:rep(2) .. "\\" .. c
  end))
end

local function sh(cmd)
  local out, ok = util.capture(cmd .. " 2>&1")
  return out, ok
end

local work = util.abspath("names-round", util.cwd())
local round = 0
local tried = 0

-- One round with (names); returns nil, or what went wrong.
local function try(names)
  util.rm_rf(work)
  util.mkdir_p(work .. "/in")
  util.mkdir_p(work .. "/out")
  local lines = { "rule copy", "  command = cp -- $in $out",
                  "rule echo", "  command = printf '%s\\n' $words > $out",
                  "rule dep", "  command = cp pre.d stamp.d && touch stamp", "  depfile = stamp.d", "  deps = gcc" }
  local built, expected, words, inputs = {}, {}, {}, {}
  for _, name in ipairs(names) do
    local p, why = ninja.path(name)
    local unnameable = name:find("[\n\r|]") ~= nil
    if (p == nil) ~= unnameable then
      return ("ninja.path(%q) gave %s"):format(name, tostring(p or why))
    end
    if not util.write_file(work .. "/in/" .. name, name) then
      return ("cannot write in/%q"):format(name)
    end
    inputs[#inputs + 1] = work .. "/in/" .. name
    expected["in/" .. name] = true
    -- An output's name has no tab: .ninja_log, whose fields tabs
    -- separate, cannot hold one, so it would be built on every run.
    local o = p and name:gsub("\t", "_")
    if p and not expected["out/" .. o] then
      lines[#lines + 1] = ("build out/%s: copy in/%s"):format(ninja.path(o), p)
      built[#built + 1] = { name, o }
      expected["out/" .. o] = true
    end
    if ninja.value(name) then words[#words + 1] = name end
  end
  local command = ninja.command(words)
  lines[#lines + 1] = "build words.txt: echo"
  lines[#lines + 1] = "  words = " .. command
  lines[#lines + 1] = "build stamp: dep"
  util.write_file(work .. "/build.ninja", table.concat(lines, "\n") .. "\n")
  local ok, err = depfile.write(work .. "/pre.d", "stamp", inputs)
  if not ok then return "depfile.write: " .. err end

  -- GCC's spelling read back, for the names it can spell unambiguously.
  local gcc, want = { "stamp:" }, {}
  for _, name in ipairs(names) do
    if not name:find("\n", 1, true) and not name:find("\\$") then
      gcc[#gcc + 1] = gcc_spelling(name)
      want[#want + 1] = name
    end
  end
  local got = depfile.read_gcc(table.concat(gcc, " \\\n ") .. "\n")
  for i, name in ipairs(want) do
    if got[i] ~= name then return ("read_gcc: %q read as %q"):format(name, tostring(got[i])) end
  end
  if #got ~= #want then return ("read_gcc: %d names for %d"):format(#got, #want) end

  local out, run_ok = sh("ninja -C " .. util.quote(work))
  if not run_ok then return "ninja failed:\n" .. out end
  for _, b in ipairs(built) do
    if util.read_file(work .. "/out/" .. b[2]) ~= b[1] then return ("out/%q is not a copy"):format(b[2]) end
  end
  local echoed = #words > 0 and table.concat(words, "\n") .. "\n" or "\n"
  if util.read_file(work .. "/words.txt") ~= echoed then
    return ("the words came out as %q"):format(util.read_file(work .. "/words.txt") or "nothing")
  end

  -- Ninja recorded each input, or a link to it.
  local links = {}
  local listing = util.capture("find " .. util.quote(work .. "/pre.d.alias") .. " -type l -printf '%p\\0%l\\0' 2>/dev/null")
  for link, target in listing:gmatch("([^%z]*)%z([^%z]*)%z") do links[link] = target end
  local deps = util.capture("ninja -C " .. util.quote(work) .. " -t deps stamp")
  local n = 0
  for dep in deps:gmatch("\n    ([^\n]*)") do
    n = n + 1
    local name = links[dep] or dep
    if name ~= inputs[n] then return ("depfile: %q recorded as %q"):format(inputs[n] or "", dep) end
  end
  if n ~= #inputs then return ("depfile: %d of %d names recorded:\n%s"):format(n, #inputs, deps) end
  out = sh("ninja -C " .. util.quote(work))
  if not out:find("ninja: no work to do.", 1, true) then return "a second run had work to do:\n" .. out end

  -- Nothing else ran: only the files of the round are there.
  for link in pairs(links) do expected[link:sub(#work + 2)] = true end
  for _, f in ipairs({ "in", "out", "build.ninja", ".ninja_log", ".ninja_deps", "words.txt", "stamp", "pre.d",
                       "pre.d.alias" }) do
    expected[f] = true
  end
  for f in util.capture("find " .. util.quote(work) .. " -mindepth 1 -printf '%P\\0'"):gmatch("([^%z]*)%z") do
    if not expected[f] then return ("%q appeared: something ran"):format(f) end
  end
  return nil
end

local start = os.time()
local clock = os.clock
local t0 = clock()
local wall0 = (util.capture("date +%s.%N"))
while (opts.runs < 0 or tried < opts.runs) and os.time() - start < opts.max_total_time do
  round = round + 1
  local names, seen = {}, {}
  for _ = 1, 40 do
    local name = random_name()
    if not seen[name] then seen[name] = true; names[#names + 1] = name end
  end
  local err = try(names)
  tried = tried + #names
  if err then
    local path = ("%snames-%d-%d.lua"):format(opts.artifact_prefix, opts.seed, round)
    util.write_file(path, "return " .. util.serialize(names) .. "\n")
    io.stdout:write("==names== ERROR: ", err, "\n")
    io.stdout:write(("Test unit written to %s\n"):format(path))
    os.exit(1)
  end
  if round % 50 == 0 then
    io.stdout:write(("#%d\tpulse  names: %d\n"):format(tried, tried)):flush()
  end
end
util.rm_rf(work)
local secs = math.max(tonumber((util.capture("date +%s.%N"))) - tonumber(wall0), 1e-3)
io.stdout:write(("#%d\tDONE   names: %d rounds: %d\n"):format(tried, tried, round))
io.stdout:write(("stat::number_of_executed_units: %d\n"):format(tried))
io.stdout:write(("stat::average_exec_per_sec: %d\n"):format(math.floor(tried / secs)))
io.stdout:write(("stat::peak_rss_mb: %d\n"):format(math.ceil(collectgarbage("count") / 1024)))
io.stdout:write(("stat::cpu_seconds: %.2f\n"):format(clock() - t0))
