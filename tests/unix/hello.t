#!/usr/bin/env lua5.3
-- hello end to end on Unix: configure, build, run with default and given
-- parameters, bad parameters at run time, rebuilds, and `mirari new`.
package.path = (arg[0]:match("^(.*)/[^/]*$") or ".") .. "/../lib/?.lua;" .. package.path
local t = require("tap")
local m = t.quote(t.mirari)

local dir = t.tmpdir()
t.copy_app("examples/hello", dir)

local out, code = t.run(dir, m .. " run")
t.is(code, 2, "run before configure: exit status 2")
t.has(out, "run 'mirari configure' first", "run before configure: says what to do")

out, code = t.run(dir, m .. " configure -t unix app.conf")
t.is(code, 0, "configure")
t.has(out, "configured hello for unix in _build", "configure says what it did")

out, code = t.run(dir, m .. " run")
t.is(code, 2, "run before build: exit status 2")
t.has(out, "_build/hello is not built yet: run 'mirari build' first", "run before build: says what to do")

out, code = t.run(dir, m .. " build")
t.is(code, 0, "build", out)
t.ok(t.exists(dir .. "/_build/hello"), "the image exists")

-- The default: four greetings, a second apart.
local started = os.time()
out, code = t.run(dir, m .. " run 2>/dev/null")
local elapsed = os.time() - started
t.is(out, ("Hello from mirari (unix)\n"):rep(4), "four greetings by default")
t.is(code, 0, "hello exits 0")
t.ok(elapsed >= 2, "the greetings are spread over about three seconds", elapsed)

out, code = t.run(dir, m .. " run count=2 interval=10ms 2>/dev/null")
t.is(out, ("Hello from mirari (unix)\n"):rep(2), "count=2 gives two greetings")
t.is(code, 0, "count=2 exits 0")
out, code = t.run(dir, m .. " run -- count=0")
t.is(out, "", "count=0 prints nothing")
t.is(code, 0, "count=0 exits 0")

-- Bad parameters at run time: one message naming the word, status 2, and
-- none of the application's code runs.
local bad = {
  { "count=abc", "mirari: boot parameter count=abc: expected an integer" },
  { "count=-1", "mirari: boot parameter count=-1: below the minimum 0" },
  { "cuont=2", "mirari: boot parameter cuont=2: unknown parameter 'cuont' (did you mean 'count'?)" },
  { "interval=5parsecs", "mirari: boot parameter interval=5parsecs: expected a duration" },
  { "count", "mirari: boot parameter count: expected key=value" },
}
for _, b in ipairs(bad) do
  out, code = t.run(dir, m .. " run " .. b[1])
  t.is(code, 2, b[1] .. ": exit status 2")
  t.ok(out:find(b[2], 1, true) == 1 and not out:find("Hello", 1, true), b[1] .. ": message", out)
end

out, code = t.run(dir, "./_build/hello --help")
t.is(code, 0, "the image answers --help")
t.has(out, "count", "--help lists the parameter count")
t.has(out, "how many greetings before exiting", "--help shows its documentation")

-- A no-op rebuild does nothing; a change to app.conf regenerates by itself.
out, code = t.run(dir, m .. " build")
t.is(code, 0, "no-op rebuild")
t.has(out, "ninja: no work to do", "no-op rebuild compiles nothing")
local conf = t.read(dir .. "/app.conf")
t.write(dir .. "/app.conf", (conf:gsub("default = 4", "default = 1")))
out, code = t.run(dir, m .. " build")
t.is(code, 0, "rebuild after app.conf changed")
t.has(out, "configured again: app.conf, a manifest or mirari changed", "build configured it again")
out = t.run(dir, m .. " run 2>/dev/null")
t.is(out, "Hello from mirari (unix)\n", "the new default took effect")

-- A compile error is a failed build step: status 1.
t.write(dir .. "/hello.c", t.read(dir .. "/hello.c") .. "\nthis is not C;\n")
out, code = t.run(dir, m .. " build")
t.is(code, 1, "a compile error fails the build with status 1")
t.has(out, "mirari: build failed", "and says so")

out, code = t.run(dir, m .. " clean")
t.is(code, 0, "clean")
t.ok(not t.exists(dir .. "/_build"), "clean removed the build directory")
os.execute("rm -rf " .. t.quote(dir))

-- mirari new: a scaffold that configures, builds and runs as it is.
local top = t.tmpdir()
out, code = t.run(top, m .. " new ticker")
t.is(code, 0, "new ticker")
out, code = t.run(top .. "/ticker", m .. " configure && " .. m .. " build && " .. m .. " run ticks=2 interval=1ms 2>/dev/null")
t.is(code, 0, "the new application builds and runs", out)
t.has(out, "tick 2 from ticker (unix)\ntick 1 from ticker (unix)\n", "it ticks as asked")
out, code = t.run(top .. "/ticker", m .. " run interval=0 2>&1")
t.is(code, 2, "the scaffold refuses interval=0, as examples/hello does", out)
t.has(out, "interval", "naming the parameter", out)
out, code = t.run(top, m .. " new ticker")
t.is(code, 2, "new over an existing folder: status 2")
out, code = t.run(top, m .. " new Bad-Name")
t.is(code, 2, "new with an invalid name: status 2")
os.execute("rm -rf " .. t.quote(top))

t.done()
