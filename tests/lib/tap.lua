-- A minimal TAP producer for the Lua tests, and helpers to run mirari.
local M = {}

local count, failed = 0, 0

-- With MIRARI_NO_SKIP set (CI: root, and scripts/deps.sh has installed
-- everything) a check skipped for want of a tool or a privilege fails: a
-- suite that passes by skipping is not a suite that passed.
local no_skip = (os.getenv("MIRARI_NO_SKIP") or "") ~= ""

function M.ok(cond, name, diag)
  count = count + 1
  local why = no_skip and tostring(name):match("^# SKIP%s*(.*)$")
  if why then
    -- Not "not ok ... # SKIP": TAP counts a skip as passed, ok or not.
    cond, name = false, "skipped where nothing may be (MIRARI_NO_SKIP): " .. why
    diag = "install what it names, or run as root (scripts/deps.sh installs every tool the tests use)"
  end
  if not cond then failed = failed + 1 end
  io.stdout:write(("%s %d - %s\n"):format(cond and "ok" or "not ok", count, name))
  io.stdout:flush()
  -- A failure's diagnostics go to stderr, as Test::More's do, so that
  -- prove shows them without -v (CI runs it without).
  if not cond and diag then
    io.stderr:write("# ", (tostring(diag):gsub("\n", "\n# ")), "\n")
    io.stderr:flush()
  end
  return cond
end

function M.is(got, want, name)
  return M.ok(got == want, name, ("got:  %s\nwant: %s"):format(tostring(got), tostring(want)))
end

-- (text) contains (plain) literally.
function M.has(text, plain, name)
  return M.ok(text:find(plain, 1, true) ~= nil, name, ("in:   %s\nwant: %s"):format(text, plain))
end

function M.done()
  io.stdout:write(("1..%d\n"):format(count))
  os.exit(failed == 0 and 0 or 1)
end

-- The checkout: this file is its tests/lib/tap.lua, wherever the test
-- that requires it lives (tests/ or a library's libs/NAME/tests/).
M.root = (function()
  local src = debug.getinfo(1, "S").source:match("^@(.*)$") or "tests/lib/tap.lua"
  local dir = src:match("^(.*)/tests/lib/[^/]*$") or "."
  local p = io.popen("cd '" .. dir:gsub("'", "'\\''") .. "' && pwd")
  local abs = p:read("l")
  p:close()
  return abs or dir
end)()
M.mirari = M.root .. "/bin/mirari"

function M.quote(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

-- Run a shell command in (dir); returns its combined output and exit status.
-- Output written after the command ended, by a process it left behind
-- (an image stopping when its supervisor died) and still holding the pipe,
-- comes after the status line: it is kept, at the end.
function M.run(dir, cmd)
  local p = io.popen(("cd %s && { %s ; } 2>&1; echo \"@exit=$?\""):format(M.quote(dir), cmd))
  local out = p:read("a")
  p:close()
  local body, code, late = out:match("^(.*)@exit=(%d+)\n(.-)$")
  if not body then return out, nil end
  return body .. late, tonumber(code)
end

-- Split (output) into sections, each started by a line "@@@ NAME": a map
-- from NAME to the lines that follow it, up to the next such line.
function M.sections(output)
  local section, current = {}, nil
  for line in output:gmatch("([^\n]*)\n") do
    local name = line:match("^@@@ (%w+)$")
    if name then
      current = name
      section[name] = ""
    elseif current then
      section[current] = section[current] .. line .. "\n"
    end
  end
  return section
end

-- Make network namespace (ns) with a tap device (tap) whose kernel side
-- has 192.0.2.1/24, for the network tests (root only). Returns the
-- output and exit status of the commands.
function M.netns_up(ns, tap)
  local x = "ip netns exec " .. ns .. " "
  return M.run("/", "ip netns add " .. ns .. " && " .. x .. "ip link set lo up && "
    .. x .. "ip tuntap add dev " .. tap .. " mode tap && "
    .. x .. "ip addr add 192.0.2.1/24 dev " .. tap .. " && " .. x .. "ip link set " .. tap .. " up")
end

-- Copy the application in (src), a folder of the checkout such as
-- "examples/hello", into (dir), without a build directory of its own.
function M.copy_app(src, dir)
  os.execute(("mkdir -p %s && cp -r %s/. %s/ && rm -rf %s/_build"):format(M.quote(dir),
    M.quote(M.root .. "/" .. src), M.quote(dir), M.quote(dir)))
end

-- Put third-party dependency (name) into the cache, as a first build
-- would, unless it is there; returns its prefix, the recipe's output and
-- exit status (nil when nothing had to be fetched).
function M.dep_in_cache(name)
  local util = dofile(M.root .. "/config/util.lua")
  local dep = dofile(M.root .. "/build/deps.lua")[name]
  local cache = util.cache_dir()
  local prefix = ("%s/%s-%s-b%d"):format(cache, name, dep.version, dep.build)
  if M.exists(prefix .. "/.complete") then return prefix end
  local out, code = M.run(M.root, ("sh %s %s %s %s %s"):format(M.quote(dep.recipe), M.quote(cache),
    M.quote(dep.version), M.quote(dep.sha256), M.quote(prefix)))
  return prefix, out, code
end

function M.tmpdir()
  local p = io.popen("mktemp -d /tmp/mirari-test.XXXXXX")
  local d = p:read("l")
  p:close()
  return d
end

function M.write(path, text)
  os.execute("mkdir -p " .. M.quote(path:match("^(.*)/[^/]*$")))
  local f = assert(io.open(path, "wb"))
  f:write(text)
  f:close()
end

function M.read(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end

-- Wait until file (path) holds (plain), such as a server's "listening";
-- true when it does. (seconds), 30 unless given, only bounds a wait for
-- something that never comes: the caller checks the answer, so a server
-- that never started is named as that, not as the next check's failure.
function M.wait_for(path, plain, seconds)
  for _ = 1, (seconds or 30) * 20 do
    if (M.read(path) or ""):find(plain, 1, true) then return true end
    os.execute("sleep 0.05")
  end
  return (M.read(path) or ""):find(plain, 1, true) ~= nil
end

function M.exists(path)
  local f = io.open(path, "rb")
  if f then f:close() end
  return f ~= nil
end

return M
