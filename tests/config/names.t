#!/usr/bin/env lua5.3
-- Hostile file names: a name is data, never a command. Sources, include
-- folders and their headers, the application's folder, the build
-- directory, cflags, `from =` folders and the files in them, `file =`
-- images and mirari's own checkout folder, named with shell
-- metacharacters, quotes, backslashes, tabs and bytes that are not UTF-8,
-- build and run; a no-op build does nothing, and touching such a file
-- rebuilds what uses it. Names Ninja cannot name (a newline, a carriage
-- return, '|') and trees that are not files to copy are refused at
-- configure with FILE:LINE and status 2. Nothing any name says is run:
-- each would create a canary file, and none appears.
package.path = (arg[0]:match("^(.*)/[^/]*$") or ".") .. "/../lib/?.lua;" .. package.path
local t = require("tap")
local q = t.quote

local top = t.tmpdir()
-- Names run `touch $CANARY` (an absolute path) or, like the names of the
-- report, `touch PWNED` wherever the command runs.
local canary = top .. "/canary"
local RELATIVE_CANARIES = { "PWNED", "PWNED2", "PWF", "PWF2" }

local bin = t.mirari
local function mirari(dir, args)
  return t.run(dir, ("CANARY=%s %s %s"):format(q(canary), q(bin), args))
end

-- (s) printable in a test's name.
local function shown(s)
  return (s:gsub("[^%g ]", function(c) return ("\\%d"):format(c:byte()) end))
end

local function nothing_ran(what)
  local found = {}
  if t.exists(canary) then found[#found + 1] = canary end
  for _, name in ipairs(RELATIVE_CANARIES) do
    local out = t.run(top, ("find . -name %s"):format(name))
    if out ~= "" then found[#found + 1] = out end
  end
  t.ok(#found == 0, what .. ": nothing a name says ran", table.concat(found, "\n"))
end

-- A Lua list of strings, for app.conf.
local function list(names)
  local out = {}
  for i, n in ipairs(names) do out[i] = ("%q"):format(n) end
  return "{ " .. table.concat(out, ", ") .. " }"
end

local function part(name, value)
  return ("int %s(void) { return %d; }\n"):format(name, value)
end

------------------------------------------------------------------------
-- Everything odd at once, but devices (their paths may not hold blanks),
-- built by mirari from a checkout in an odd folder (';' and '?' too,
-- which Lua's package.path cannot hold).
local root = top .. "/mi;r a$(touch${IFS}$CANARY)'ri?\"`x`"
os.execute("mkdir -p " .. q(root))
for _, d in ipairs({ "bin", "build", "config", "tool", "templates", "runtime", "backends", "libs", "mirari.lua" }) do
  os.execute(("cp -r %s %s/"):format(q(t.root .. "/" .. d), q(root)))
end
local odd_mirari = root .. "/bin/mirari"
local appdir = top .. "/app dir;$(touch${IFS}$CANARY)`touch${IFS}$CANARY`'\"\\ &\té\255"
local SOURCES = {
  { "a b$(touch PWNED)`touch PWNED2`;x.c", "part_a", 1 },
  { "q'u\"o`t$(touch${IFS}$CANARY)e;&<>()*?[]{}!#~=%^.c", "part_b", 2 },
  { "-lead back\\slash\ttab é\254 $HOME ${x} $$.c", "part_c", 4 },
}
local inc = "inc $(touch${IFS}$CANARY) 'q\"\\ ;&#\t~"
local header = "h'it\"s #1\\ `x`.h"
local GREETING = "hello $HOME `id` $(touch${IFS}$CANARY) 50%"
t.write(appdir .. "/" .. inc .. "/" .. header, "#define FROM_HEADER 8\n")
local names, main = {}, { "#include <stdio.h>\n#include <" .. header .. ">\n" }
for _, s in ipairs(SOURCES) do
  t.write(appdir .. "/" .. s[1], part(s[2], s[3]))
  names[#names + 1] = s[1]
  main[#main + 1] = ("int %s(void);\n"):format(s[2])
end
main[#main + 1] = "void app_main(void) { printf(\"%s %d\\n\", GREETING, "
  .. "part_a() + part_b() + part_c() + FROM_HEADER); }\n"
t.write(appdir .. "/main.c", table.concat(main))
names[#names + 1] = "main.c"
t.write(appdir .. "/app.conf", ([[
application "names" {
  sources = %s,
  include = %s,
  cflags = %s,
}
]]):format(list(names), list({ inc }), list({ "-DGREETING=\"" .. GREETING .. "\"" })))
local build = "_b $(touch${IFS}$CANARY) 'x\"`y`;&\\\t é"
bin = odd_mirari

local out, code = mirari(appdir, "configure -q -o " .. q(build))
t.is(code, 0, "configure: odd checkout, app folder, sources, include folder, cflags and build directory", out)
out, code = mirari(appdir, "build -j 2 -o " .. q(build))
t.is(code, 0, "build", out)
out, code = mirari(appdir, "run -o " .. q(build))
t.is(out, GREETING .. " 15\n", "run: the image prints what the app prints, cflags as written")
nothing_ran("build and run")
out = mirari(appdir, "build -o " .. q(build))
t.has(out, "ninja: no work to do.", "a second build has no work to do (every depfile read back)")
t.run(appdir, "sleep 0.01; touch " .. q(inc .. "/" .. header))
out = mirari(appdir, "build -o " .. q(build))
t.ok(out:find("CC ", 1, true) and not out:find("no work to do", 1, true), "touching the odd header rebuilds", out)
out = mirari(appdir, "build -o " .. q(build))
t.has(out, "ninja: no work to do.", "then nothing to do")
for _, s in ipairs(SOURCES) do
  t.run(appdir, "sleep 0.01; touch -- " .. q(s[1]))
  out = mirari(appdir, "build -o " .. q(build))
  t.ok(out:find("CC ", 1, true) and out:find("LINK ", 1, true),
    ("touching '%s' rebuilds"):format(shown(s[1])), out)
end
out = mirari(appdir, "build -o " .. q(build))
t.has(out, "ninja: no work to do.", "then nothing to do")
nothing_ran("rebuilds")

------------------------------------------------------------------------
-- The source and the from = folder of the report (both ran touch before
-- names were quoted), block devices from odd files, and a build
-- directory without blanks (an image's path is a device setting, whose
-- words are split at blanks) nor '$' (so that Ninja read it even then).
local bdir = top .. "/blocks"
local report = "a b$(touch PWNED)`touch PWNED2`;x.c"
local from = "h;touch${IFS}PWF;`touch${IFS}PWF2`d"
local disk = "disk'$(touch${IFS}$CANARY)`;&\\é.img"
local FILES = { "new\nline", "tab\there", "it's \"quoted\"", "ends in\\", "colon:", "a;b&c*e?f|g",
                "`touch PWNED`$(touch PWNED2)", "\255\254 not utf-8", "-dash", "sp ace #1" }
for _, f in ipairs(FILES) do t.write(bdir .. "/" .. from .. "/sub dir/" .. f, f) end
t.write(bdir .. "/" .. disk, ("\0"):rep(4096))
t.write(bdir .. "/" .. report, part("part_a", 1))
t.write(bdir .. "/main.c", '#include <stdio.h>\nint part_a(void);\n'
  .. 'void app_main(void) { printf("blocks %d\\n", part_a()); }\n')
t.write(bdir .. "/app.conf", ([[
application "blocks" { sources = { "main.c", %q } }
device "site" { kind = "block", from = %q }
device "disk" { kind = "block", file = %q }
]]):format(report, from, disk))
build = "_b;'\"`x`&\\\255"
bin = t.mirari
out, code = mirari(bdir, "configure -q -o " .. q(build))
t.is(code, 0, "configure: odd from = folder, file = image and build directory", out)
out, code = mirari(bdir, "build -j 2 -o " .. q(build))
t.is(code, 0, "build", out)
out = t.run(bdir, "mkdir x && tar -xf " .. q(build .. "/images/site.tar") .. " -C x && diff -r -- "
  .. q(from) .. " x && echo same")
t.is(out, "same\n", "the image holds every odd file, under its own name")
out = mirari(bdir, "run -o " .. q(build))
t.has(out, "blocks 1\n", "run: the image opens both devices and prints")
out = mirari(bdir, "build -o " .. q(build))
t.has(out, "ninja: no work to do.", "a second build has no work to do")
t.run(bdir, "sleep 0.01; echo more >> " .. q(from .. "/sub dir/" .. FILES[3]))
out = mirari(bdir, "build -o " .. q(build))
t.has(out, "IMAGE images/site.tar", "editing a file with an odd name makes the image again")
nothing_ran("devices")

------------------------------------------------------------------------
-- Refused at configure: FILE:LINE (or what is wrong for a folder that
-- app.conf does not name), status 2, no build directory.
local rdir = top .. "/refused"
t.write(rdir .. "/main.c", "void app_main(void) {}\n")
t.write(rdir .. "/ok/index.html", "ok\n")
os.execute("mkfifo " .. q(rdir .. "/fifo") .. " && mkdir -p " .. q(rdir .. "/tree")
  .. " && mkfifo " .. q(rdir .. "/tree/fifo"))
local NINJA = "cannot be built (Ninja cannot name it)"
local cases = {
  { "a newline in a source", 'application "r" {\n  sources = { "main.c", "new\\nline.c" },\n}\n',
    'app.conf:2: sources: item 2: "new\\nline.c": a file name with a newline ' .. NINJA },
  { "a carriage return in a source", 'application "r" {\n  sources = { "cr\\r.c" },\n}\n',
    'app.conf:2: sources: item 1: "cr\\13.c": a file name with a carriage return ' .. NINJA },
  { "'|' in a source", 'application "r" { sources = { "a|b.c" } }\n',
    "app.conf:1: sources: item 1: \"a|b.c\": a file name with '|' " .. NINJA },
  { "a newline in an include folder", 'application "r" {\n  sources = { "main.c" },\n  include = { "in\\nc" },\n}\n',
    'app.conf:3: include: item 1: "in\\nc": a file name with a newline ' .. NINJA },
  { "a newline in a from folder", 'application "r" { sources = { "main.c" } }\ndevice "d" { kind = "block",\n  from = "a\\nb" }\n',
    'app.conf:3: from: "a\\nb": a file name with a newline ' .. NINJA },
  { "'|' in a file image", 'application "r" { sources = { "main.c" } }\ndevice "d" { kind = "block", file = "x|y.img" }\n',
    "app.conf:2: file: \"x|y.img\": a file name with '|' " .. NINJA },
  { "a newline in a flag", 'application "r" {\n  sources = { "main.c" },\n  cflags = { "-DX=\\"a\\nb\\"" },\n}\n',
    'app.conf:1: cflags: "-DX=\\"a\\nb\\"": a flag with a newline cannot go into a command of build.ninja' },
  { "from = /proc", 'application "r" { sources = { "main.c" } }\n\ndevice "d" { kind = "block", from = "/proc" }\n',
    "app.conf:3: from: /proc: on a proc file system, whose files are not data to copy into an image" },
  { "from = a tree with a FIFO", 'application "r" { sources = { "main.c" } }\ndevice "d" { kind = "block", from = "tree" }\n',
    "app.conf:2: from: " .. rdir .. "/tree/fifo: not a regular file or directory; the archive holds only those" },
  { "from = a FIFO", 'application "r" { sources = { "main.c" } }\ndevice "d" { kind = "block", from = "fifo" }\n',
    "app.conf:2: from: fifo is not a directory" },
  { "a newline in the build directory", 'application "r" { sources = { "main.c" } }\n',
    'mirari: the build directory "' .. rdir .. '/b\\nd": a file name with a newline ' .. NINJA, "-o 'b\nd'" },
  { "a blank in the build directory of an image", 'application "r" { sources = { "main.c" } }\ndevice "d" { kind = "block", from = "ok" }\n',
    'mirari: the build directory "' .. rdir .. '/b d": the image of block device \'d\' is made in it, and the path '
    .. "of a block device's image may not contain blanks (choose another with -o DIR)", "-o 'b d'" },
  { "a carriage return in MIRARI_CACHE", 'application "r" { sources = { "main.c" } }\nuse "lwip"\n',
    'mirari: the cache folder (MIRARI_CACHE) "/tmp/c\\13d": a file name with a carriage return ' .. NINJA,
    "", "MIRARI_CACHE='/tmp/c\rd' " },
}
for _, c in ipairs(cases) do
  t.write(rdir .. "/app.conf", c[2])
  out, code = t.run(rdir, ("%stimeout 10 %s configure -q %s"):format(c[5] or "", q(t.mirari), c[4] or ""))
  t.ok(code == 2 and out == c[3] .. "\n" and not t.exists(rdir .. "/_build"),
    c[1] .. ": refused at configure, status 2", ("status %s\n%s"):format(code, out))
end
local pipe = top .. "/pi|pe"
t.write(pipe .. "/main.c", "void app_main(void) {}\n")
t.write(pipe .. "/app.conf", 'application "r" { sources = { "main.c" } }\n')
out, code = t.run(pipe, q(t.mirari) .. " configure -q")
t.ok(code == 2 and out == ("mirari: the application's folder %q: a file name with '|' %s\n"):format(pipe, NINJA),
  "'|' in the application's folder: refused, status 2", out)
nothing_ran("refusals")

os.execute("rm -rf " .. q(top))
t.done()
