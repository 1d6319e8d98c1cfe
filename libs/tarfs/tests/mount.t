#!/usr/bin/env lua5.3
-- libs/tarfs end to end on Unix: tests/app (tarls) mounts a tar archive
-- made by GNU tar (--format=ustar, then pax and gnu) from a tree, as its block device "site",
-- and prints every node with a hash of its bytes read through
-- mr_tarfs_read, lookups of good and bad paths, and one file's text; the
-- output must match the tree exactly. Then the archive of tool/tar.lua,
-- bad archives, which stop the mount with the entry, its offset and the
-- reason, and a run under AddressSanitizer and UBSan.
local here = arg[0]:match("^(.*)/[^/]*$") or "."
package.path = here .. "/../../../tests/lib/?.lua;" .. package.path
local t = require("tap")
-- tap.lua finds the checkout from "/tests/" in the path: here that is
-- libs/tarfs/tests, so go up from the script instead.
t.root = (function()
  local d = here:sub(1, 1) == "/" and here or (os.getenv("PWD") .. "/" .. here)
  return (d:gsub("/libs/tarfs/tests/?$", ""))
end)()
t.mirari = t.root .. "/bin/mirari"
local m, q = t.quote(t.mirari), t.quote

local dir = t.tmpdir()
t.copy_app("libs/tarfs/tests/app", dir)
local tree = dir .. "/tree"
local MTIME = 1234567890

local site = dofile(t.root .. "/libs/tarfs/tests/site.lua")
local files, expected = site.files, site.expected
site.make(tree)

local out, code = t.run(dir, ("tar --format=ustar --mtime=@%d -cf site.tar -C tree ."):format(MTIME))
t.is(code, 0, "GNU tar makes the archive", out)
out, code = t.run(dir, m .. " configure -q -t unix && " .. m .. " build 2>&1")
t.is(code, 0, "tarls builds for unix", out)
t.ok(not out:find("warning", 1, true), "without warnings", out)

local want = expected(MTIME, "755")
out, code = t.run(dir, "./_build/tarls 2>/dev/null")
t.is(code, 0, "GNU tar's archive: tarls exits 0", out)
t.is(out, want, "GNU tar's archive: every node, its bytes, lookups and text")
for _, chunk in ipairs({ 1, 512, 4096, 65536 }) do
  out = t.run(dir, "./_build/tarls chunk=" .. chunk .. " 2>/dev/null")
  t.is(out, want, ("reads in chunks of %d bytes give the same bytes"):format(chunk))
end

-- tool/tar.lua's archive of the same tree: fixed modes and time 0, and an
-- implied root.
local lua = ("package.path = %q .. package.path; assert(require('tool.tar').write(%q, %q))")
  :format(t.root .. "/?.lua;", tree, dir .. "/site.tar")
out, code = t.run(dir, "lua5.3 -e " .. q(lua))
t.is(code, 0, "tool/tar.lua makes the archive", out)
out, code = t.run(dir, "./_build/tarls 2>/dev/null")
t.is(out, expected(0, "755", "644"), "tool/tar.lua's archive: the same tree, modes 0644/0755, time 0")

-- The device built from the directory by mirari build (from = "tree"),
-- and built again when a file is added.
local conf = t.read(dir .. "/app.conf")
t.write(dir .. "/app.conf", (conf:gsub('file = "site.tar"', 'from = "tree"')))
out, code = t.run(dir, m .. " configure -q -t unix && " .. m .. " build 2>&1")
t.is(code, 0, "from = \"tree\": builds", out)
out = t.run(dir, "./_build/tarls 2>/dev/null")
t.is(out, expected(0, "755", "644"), "from = \"tree\": mirari build's image of the tree")
files["css/new.css"] = "p { margin: 0 }\n"
t.write(tree .. "/css/new.css", files["css/new.css"])
out, code = t.run(dir, m .. " build 2>&1")
t.is(code, 0, "from = \"tree\": builds again after a file is added", out)
out = t.run(dir, "./_build/tarls 2>/dev/null")
t.is(out, expected(0, "755", "644"), "from = \"tree\": the image has the new file")
files["css/new.css"] = nil
os.remove(tree .. "/css/new.css")
t.write(dir .. "/app.conf", conf)
out, code = t.run(dir, m .. " configure -q -t unix && " .. m .. " build 2>&1")
t.is(code, 0, "file = \"site.tar\" again", out)

-- GNU tar's pax and own formats, with their extension headers.
for _, format in ipairs({ "pax", "gnu" }) do
  t.run(dir, ("tar --format=%s --mtime=@%d -cf site.tar -C tree ."):format(format, MTIME))
  out = t.run(dir, "./_build/tarls 2>/dev/null")
  t.is(out, want, "GNU tar --format=" .. format .. ": the same tree")
end

-- Bad archives stop the mount: the device, the entry, its offset, why.
local function refused(label, setup, msg)
  t.run(dir, "rm -rf site.tar bad && mkdir bad && " .. setup)
  local o, c = t.run(dir, "./_build/tarls")
  t.is(c, 1, label .. ": tarls stops", o)
  t.has(o, "error main: tarfs site: " .. msg, label .. ": the log says why", o)
  t.has(o, "FAIL mount: invalid argument", label .. ": mount returns MR_EINVAL", o)
end
local ustar = "tar --format=ustar --sort=name -cf site.tar -C bad ."
refused("bad checksum", ("tar --format=ustar --mtime=@%d -cf site.tar -C tree . && "):format(MTIME)
  .. "printf X | dd of=site.tar bs=1 seek=600 conv=notrunc 2>/dev/null",
  "header at byte 512: bad checksum")
refused("symbolic link", "ln -s /etc/passwd bad/link && " .. ustar,
  "entry \"./link\" at byte 512: symbolic links are not supported (type '2')")
refused("hard link", "echo x >bad/f && ln bad/f bad/g && " .. ustar,
  "entry \"./g\" at byte 1536: hard links are not supported (type '1')")
refused("sparse file", "truncate -s 1M bad/holes && echo x >>bad/holes && tar --format=pax -S -cf site.tar -C bad .",
  "pax header at byte 1536: sparse files are not supported")
refused("traversal", "echo x >bad/f && tar --format=ustar -cf site.tar -P --transform 's,^\\./f,../../etc/f,' -C bad .",
  "entry \"../../etc/f\" at byte 512: \"..\" components are not allowed")
refused("size past the end", ("tar --format=ustar -cf site.tar -C tree ./img/photo.bin && truncate -s 10240 site.tar"),
  "entry \"./img/photo.bin\" at byte 0: size 70001 reaches past the end of the archive (9728 bytes left)")
local o, c = t.run(dir, "rm -rf site.tar bad && mkdir bad && for i in $(seq 1 64); do : >bad/f$i; done && "
  .. ustar .. " && ./_build/tarls")
t.is(c, 1, "65 nodes with max_entries = 64: tarls stops", o)
t.has(o, "more than 64 files and directories (tarfs.max_entries)", "and the log says so", o)
t.has(o, "FAIL mount: out of memory", "mount returns MR_ENOMEM", o)

-- Only the contract's functions leave the library.
out = t.run(dir, "nm -g --defined-only _build/lib/libmr_tarfs.a | awk 'NF == 3 { print $3 }' | sort")
t.is(out, "mr_tarfs_count\nmr_tarfs_lookup\nmr_tarfs_mount\nmr_tarfs_node\nmr_tarfs_read\n",
  "libmr_tarfs.a exports only mr_tarfs_*")

-- The same under the sanitizers.
t.run(dir, ("tar --format=ustar --mtime=@%d -cf site.tar -C tree ."):format(MTIME))
t.write(dir .. "/app.conf", t.read(dir .. "/app.conf") ..
  '\ntarget "unix" { sanitize = { "address", "undefined" }, optimize = "debug" }\n')
out, code = t.run(dir, m .. " configure -q -t unix && " .. m .. " build 2>&1")
t.is(code, 0, "tarls builds with sanitizers", out)
out, code = t.run(dir, "UBSAN_OPTIONS=halt_on_error=1 ./_build/tarls chunk=7 2>&1")
t.is(code, 0, "sanitizers: tarls exits 0", out)
t.ok(not out:find("Sanitizer", 1, true) and not out:find("runtime error", 1, true), "sanitizers: no report", out)
refused("sanitizers: bad checksum", ("tar --format=ustar -cf site.tar -C tree . && "):format(MTIME)
  .. "printf X | dd of=site.tar bs=1 seek=1 conv=notrunc 2>/dev/null",
  "header at byte 0: bad checksum")

os.execute("rm -rf " .. q(dir))
t.done()
