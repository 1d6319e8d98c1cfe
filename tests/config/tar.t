#!/usr/bin/env lua5.3
-- tool/tar.lua: a deterministic ustar archive of a directory, read back
-- identically by GNU tar, with long names split into prefix and name, clear
-- errors for what ustar cannot hold, given as soon as the walk meets it
-- (/, /proc, /dev, a FIFO), an unchanged archive left alone, and a
-- depfile that Ninja reads, whatever bytes the names hold.
package.path = (arg[0]:match("^(.*)/[^/]*$") or ".") .. "/../lib/?.lua;" .. package.path
local t = require("tap")
package.path = t.root .. "/?.lua;" .. package.path
local tar = require("tool.tar")
local q = t.quote

local dir = t.tmpdir()
local function sh(cmd) return t.run(dir, cmd) end

local long_dir = ("d"):rep(90) .. "/" .. ("e"):rep(60)
local long_file = long_dir .. "/" .. ("f"):rep(99)

-- The same tree, made in (order) with files of different times.
local function tree(root, order)
  local files = {
    ["index.html"] = "<h1>hello</h1>\n",
    ["css/site.css"] = "body { color: red }\n",
    ["img/empty"] = "",
    ["sp ace/a$b#c"] = "odd names\n",
    [long_file] = "deep\n",
    ["big.bin"] = ("0123456789abcdef"):rep(4096) .. "tail",
  }
  local names = {}
  for name in pairs(files) do names[#names + 1] = name end
  table.sort(names, function(a, b) if order then return a > b end return a < b end)
  os.execute("mkdir -p " .. q(root .. "/empty dir"))
  for i, name in ipairs(names) do
    t.write(root .. "/" .. name, files[name])
    os.execute(("touch -d @%d %s"):format(order and 1000000 + i or 2000000 - i, q(root .. "/" .. name)))
  end
end

tree(dir .. "/a", false)
tree(dir .. "/b", true)
sh("chmod 0700 a/css && chmod 0600 a/index.html && chmod 0755 b/index.html")

local ok, err = tar.write(dir .. "/a", dir .. "/a.tar", dir .. "/a.d")
t.ok(ok, "write an archive", err)
ok, err = tar.write(dir .. "/b", dir .. "/b.tar", dir .. "/b.d")
t.ok(ok, "write the same tree made in another order, other times and modes", err)
local _, code = sh("cmp a.tar b.tar")
t.is(code, 0, "byte-identical archives")
ok = tar.write(dir .. "/a/", dir .. "/a2.tar")
_, code = sh("cmp a.tar a2.tar")
t.ok(ok and code == 0, "a trailing '/' on the directory changes nothing")
t.is(t.run(dir, "stat -c %s a.tar"), (12 + 133 + 2) * 512 .. "\n",
  "size: 12 headers, 133 blocks of data padded to 512, two zero blocks")
t.is(t.run(dir, "tail -c 1024 a.tar | tr -d '\\0' | wc -c"), "0\n", "ends with two zero blocks")

-- GNU tar reads it back as the tree, with fixed owners, times and modes.
local list = t.run(dir, "tar -tvf a.tar")
local want = table.concat({
  "-rw-r--r-- root/root     65540 1970-01-01 00:00 big.bin",
  "drwxr-xr-x root/root         0 1970-01-01 00:00 css/",
  "-rw-r--r-- root/root        20 1970-01-01 00:00 css/site.css",
  "drwxr-xr-x root/root         0 1970-01-01 00:00 " .. ("d"):rep(90) .. "/",
  "drwxr-xr-x root/root         0 1970-01-01 00:00 " .. long_dir .. "/",
  "-rw-r--r-- root/root         5 1970-01-01 00:00 " .. long_file,
  "drwxr-xr-x root/root         0 1970-01-01 00:00 empty dir/",
  "drwxr-xr-x root/root         0 1970-01-01 00:00 img/",
  "-rw-r--r-- root/root         0 1970-01-01 00:00 img/empty",
  "-rw-r--r-- root/root        15 1970-01-01 00:00 index.html",
  "drwxr-xr-x root/root         0 1970-01-01 00:00 sp ace/",
  "-rw-r--r-- root/root        10 1970-01-01 00:00 sp ace/a$b#c",
}, "\n") .. "\n"
t.is(list, want, "tar -tvf: sorted names, root/root, time 0, modes 0644 and 0755")
local out
out, code = sh("mkdir x && tar -xf a.tar -C x && diff -r a x && echo same")
t.is(out, "same\n", "tar -xf gives the tree back", out)
out = sh("tar --format=ustar -tf a.tar >/dev/null && echo ok")
t.is(out, "ok\n", "GNU tar takes it as ustar")

-- The 255-byte path is split at a '/' into ustar's prefix and name.
local raw = t.read(dir .. "/a.tar")
local pos = raw:find(("f"):rep(99), 1, true)
local h = pos and raw:sub(pos, pos + 511)
t.ok(h and h:sub(346, 346 + #long_dir - 1) == long_dir and h:sub(258, 263) == "ustar\0",
  "long name: prefix field holds the directories, name field the file")

-- What ustar (or tarfs) cannot hold is refused, naming the file.
local function refuses(setup, want_msg, name)
  local d = dir .. "/bad"
  os.execute("rm -rf " .. q(d) .. " " .. q(dir .. "/bad.tar") .. " && mkdir -p " .. q(d))
  sh(setup)
  local rok, rerr = tar.write(d, dir .. "/bad.tar", dir .. "/bad.d")
  t.ok(not rok and rerr and rerr:find(want_msg, 1, true), name .. ": refused", rerr)
  t.ok(not t.exists(dir .. "/bad.tar") and not t.exists(dir .. "/bad.tar.tmp"),
    name .. ": no archive left behind")
end
refuses("ln -s index.html bad/link", dir .. "/bad/link: a symbolic link", "symbolic link")
refuses("mkfifo bad/fifo", dir .. "/bad/fifo: not a regular file or directory", "FIFO")
refuses("mkdir bad/" .. ("n"):rep(101),
  dir .. "/bad/" .. ("n"):rep(101) .. ": the name is too long for a ustar archive (102 bytes", "101-byte name")
refuses("mkdir -p bad/" .. ("p"):rep(156) .. "/x",
  ("p"):rep(156) .. ": the name is too long", "156-byte prefix")
refuses("mkdir -p bad/" .. ("p"):rep(50) .. " && touch bad/" .. ("p"):rep(50) .. "/" .. ("n"):rep(101),
  ("n"):rep(101) .. ": the name is too long", "101-byte last component")
refuses("truncate -s 8G bad/huge", dir .. "/bad/huge: 8589934592 bytes; a ustar archive holds files under 8 GiB",
  "8 GiB file")
refuses("python3 -c 'import socket; socket.socket(socket.AF_UNIX).bind(\"bad/sock\")'",
  dir .. "/bad/sock: not a regular file or directory", "socket")
ok, err = tar.write(dir .. "/nothere", dir .. "/bad.tar")
t.is(err, dir .. "/nothere: No such file or directory", "missing directory refused")
sh("mkfifo fifo")
ok, err = tar.write(dir .. "/fifo", dir .. "/bad.tar")
t.is(err, dir .. "/fifo: not a directory", "a FIFO as the directory refused (not opened, so no wait)")

-- Trees that are not files to copy are refused at the first entry that
-- says so, in a moment, with one message and nothing on stderr.
local check = ("package.path = %q .. package.path\n"):format(t.root .. "/?.lua;")
  .. "local ok, err = require('tool.tar').check(arg[1])\n"
  .. "io.write(tostring(ok), ' ', err or '', '\\n')\n"
t.write(dir .. "/check.lua", check)
for _, case in ipairs({
  { "/proc", "false /proc: on a proc file system, whose files are not data to copy into an image\n" },
  { "/dev", "false /dev: on a devtmpfs file system, whose files are not data to copy into an image\n" },
  { "/sys", "false /sys: on a sysfs file system, whose files are not data to copy into an image\n" },
}) do
  t.is(t.run(dir, "lua5.3 check.lua " .. case[1]), case[2], case[1] .. ": refused, one message, nothing else on stderr")
end
-- That the walk of / stopped there is seen in find's end: a find that
-- stands in front of the real one keeps its status, which is 141 (killed
-- by the pipe the walk closed) for a walk cut short, not 0 or 1 for one
-- that reached the end of /.
sh("mkdir -p findbin")
t.write(dir .. "/findbin/find", ("#!/bin/sh\n%s \"$@\"\necho $? >%s\n"):format(
  q((sh("command -v find")):match("[^\n]+")), q(dir .. "/find.status")))
sh("chmod +x findbin/find")
out = t.run(dir, "PATH=" .. q(dir .. "/findbin") .. ":$PATH lua5.3 check.lua /")
t.ok(out:find("^false /[^\n]*\n$"), "/: refused at its first special entry, nothing else on stderr", out)
t.is(t.read(dir .. "/find.status"), "141\n", "/: the walk stopped there (find ended by the closed pipe)")
ok, err = tar.write(dir .. "/a/index.html", dir .. "/bad.tar")
t.ok(not ok and err:find("index.html: not a directory", 1, true), "a file as the directory refused", err)
ok, err = tar.write(dir .. "/a", dir .. "/a/css/out.tar")
t.ok(not ok and err == dir .. "/a/css/out.tar: inside " .. dir .. "/a, the directory it would archive"
  and not t.exists(dir .. "/a/css/out.tar"), "an archive inside its own directory refused", err)
sh("ln -s a alink")
ok, err = tar.write(dir .. "/alink", dir .. "/alink.tar")
_, code = sh("cmp a.tar alink.tar")
t.ok(ok and code == 0, "the directory may be a symbolic link to one", err)
ok, err = tar.write(dir .. "/a", dir .. "/no/such/dir/out.tar")
t.ok(not ok and err:find("cannot write", 1, true), "unwritable output refused", err)

-- Names may hold any byte: they go into the archive as they are, and the
-- depfile names them for Ninja (tool/depfile.lua, which links those its
-- parser cannot read). A relative directory may start with '-'.
local ODD = { "new\nline", "tab\there", "it's \"quoted\"", "ends in\\", "colon:", "a;b&c|d*e?f",
              "`x`$(y)", "\255\254 not utf-8", "-dash", "back\\slash #1" }
os.execute("mkdir -p " .. q(dir .. "/-odd/sub dir"))
for _, name in ipairs(ODD) do t.write(dir .. "/-odd/sub dir/" .. name, name .. "\n") end
out = t.run(dir, "lua5.3 -e " .. q(("package.path = %q .. package.path "
  .. "assert(require('tool.tar').write('-odd', 'odd.tar', 'odd.d'))"):format(t.root .. "/?.lua;"))
  .. " && mkdir xo && tar -xf odd.tar -C xo && diff -r -- -odd xo && echo same")
t.is(out, "same\n", "names with every kind of byte: archived as they are, tar -xf gives them back")

-- An unchanged archive keeps its time; a changed one is replaced.
sh("touch -d @1000 a.tar")
ok = tar.write(dir .. "/a", dir .. "/a.tar", dir .. "/a.d")
t.ok(ok and t.run(dir, "stat -c %Y a.tar") == "1000\n", "unchanged: the archive keeps its time")
t.ok(not t.exists(dir .. "/a.tar.tmp"), "unchanged: no temporary file left")
sh("touch -d @5000 a/index.html")
ok = tar.write(dir .. "/a", dir .. "/a.tar", dir .. "/a.d")
t.ok(ok and t.run(dir, "stat -c %Y a.tar") == "1000\n", "a file's time alone changes nothing")
t.write(dir .. "/a/index.html", "<h1>changed</h1>\n")
ok = tar.write(dir .. "/a", dir .. "/a.tar", dir .. "/a.d")
t.ok(ok and t.run(dir, "stat -c %Y a.tar") ~= "1000\n" and t.run(dir, "tar -xOf a.tar index.html") == "<h1>changed</h1>\n",
  "changed content: the archive is replaced")

-- The depfile names the directory and everything read, escaped for Ninja.
local a = dir .. "/a"
local dep = t.read(dir .. "/a.d")
local want_dep = table.concat({
  dir .. "/a.tar:", a, a .. "/big.bin", a .. "/css", a .. "/css/site.css",
  a .. "/" .. ("d"):rep(90), a .. "/" .. long_dir, a .. "/" .. long_file,
  a .. "/empty\\ dir", a .. "/img", a .. "/img/empty", a .. "/index.html",
  a .. "/sp\\ ace", a .. "/sp\\ ace/a$$b\\#c",
}, " \\\n  ") .. "\n"
t.is(dep, want_dep, "depfile: every directory and file, spaces, '$' and '#' escaped")

-- Ninja reads the depfile: a new file or an edited one rebuilds the
-- archive, nothing else does, and restat stops an unchanged archive there.
t.write(dir .. "/n/tar.lua", ("package.path = %q .. package.path\n"):format(t.root .. "/?.lua;")
  .. "local ok, err = require('tool.tar').write(arg[1], arg[2], arg[3])\n"
  .. "if not ok then io.stderr:write(err, '\\n') os.exit(1) end\n")
t.write(dir .. "/n/build.ninja", table.concat({
  "rule tar",
  "  command = lua5.3 tar.lua $in $out $out.d && echo TAR",
  "  depfile = $out.d",
  "  deps = gcc",
  "  restat = 1",
  "rule copy",
  "  command = cp $in $out && echo COPY",
  "build site.tar: tar " .. a:gsub("([ :$])", "$%1"),
  "build copy.tar: copy site.tar",
  "",
}, "\n"))
local function ninja()
  local o = t.run(dir .. "/n", "ninja 2>&1")
  return (o:find("TAR", 1, true) and "T" or "") .. (o:find("COPY", 1, true) and "C" or ""), o
end
local r, o = ninja()
t.is(r, "TC", "ninja: first build makes the archive and its copy", o)
r, o = ninja()
t.is(r, "", "ninja: then nothing to do", o)
t.write(a .. "/sp ace/new", "new\n")
r, o = ninja()
t.is(r, "TC", "ninja: a new file in a directory with a space rebuilds", o)
sh("touch 'a/sp ace/a$b#c'")
r, o = ninja()
t.is(r, "T", "ninja: a touched file reruns tar; the same archive stops there (restat)", o)
t.write(a .. "/sp ace/a$b#c", "edited\n")
r, o = ninja()
t.is(r, "TC", "ninja: an edited file with '$' and '#' in its name rebuilds", o)
sh("rm a/img/empty")
r, o = ninja()
t.is(r, "TC", "ninja: a removed file rebuilds", o)

-- The same with the odd names: Ninja reads each back (or its alias).
local odd = dir .. "/-odd"
t.write(dir .. "/n/build.ninja", t.read(dir .. "/n/build.ninja")
  .. "build odd.tar: tar " .. odd:gsub("([ :$])", "$%1") .. "\n")
r, o = ninja()
t.is(r, "T", "ninja: a tree with odd names is archived", o)
r, o = ninja()
t.is(r, "", "ninja: then nothing to do (every name read back)", o)
for _, name in ipairs(ODD) do
  sh("sleep 0.01; echo edited >> " .. q(odd .. "/sub dir/" .. name))
  r, o = ninja()
  local shown = name:gsub("[^%g ]", function(c) return ("\\%d"):format(c:byte()) end)
  t.is(r, "T", "ninja: editing '" .. shown .. "' rebuilds", o)
end
r, o = ninja()
t.is(r, "", "ninja: and after the last, nothing to do", o)
-- One alias for each name Ninja cannot read, kept while it is needed.
local unspelt = 0
for _, name in ipairs(ODD) do
  if not require("config.ninja").depfile_name(odd .. "/sub dir/" .. name) then unspelt = unspelt + 1 end
end
local function aliases() return #(t.run(dir, "ls -A n/odd.tar.d.alias"):gsub("[^\n]", "")) end
t.ok(unspelt > 0 and aliases() == unspelt, ("ninja: %d aliases for the %d names it cannot read"):format(aliases(), unspelt))
sh("rm " .. q(odd .. "/sub dir/" .. ODD[1]))
r, o = ninja()
t.ok(r == "T" and aliases() == unspelt - 1, "ninja: a removed file rebuilds, and its alias goes", o)

os.execute("rm -rf " .. q(dir))
t.done()
