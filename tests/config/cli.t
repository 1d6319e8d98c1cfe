#!/usr/bin/env lua5.3
-- The command line: --help for the program and every command, --version,
-- and the exit statuses of usage mistakes.
package.path = (arg[0]:match("^(.*)/[^/]*$") or ".") .. "/../lib/?.lua;" .. package.path
local t = require("tap")
local m = t.quote(t.mirari)

local out, code = t.run("/tmp", m .. " --help")
t.is(code, 0, "--help exits 0")
for _, c in ipairs({ "configure", "build", "run", "describe", "clean", "new" }) do
  t.has(out, "\n  " .. c .. " ", "--help lists " .. c)
  local cout, ccode = t.run("/tmp", m .. " " .. c .. " --help")
  t.is(ccode, 0, c .. " --help exits 0")
  t.has(cout, "usage: mirari " .. c, c .. " --help shows its usage")
  t.has(cout, "-h, --help", c .. " --help lists its options")
  local hout = t.run("/tmp", m .. " help " .. c)
  t.is(hout, cout, "mirari help " .. c .. " is " .. c .. " --help")
end
out, code = t.run("/tmp", m .. " --version")
t.ok(out:match("^mirari %d+%.%d+%.%d+\n$") ~= nil, "--version prints the version", out)
t.is(code, 0, "--version exits 0")
out, code = t.run("/tmp", m)
t.has(out, "usage: mirari", "no command: usage")
t.is(code, 2, "no command: exit status 2")
out, code = t.run("/tmp", m .. " build -j x -o /nonexistent")
t.is(code, 2, "bad option value: exit status 2")
out, code = t.run("/tmp", m .. " configure -o")
t.is(out, "mirari: configure: option -o needs a value DIR\n", "option without its value: message")
t.is(code, 2, "option without its value: exit status 2")

-- mirari doctor checks libslirp, which every image with a slirp device links.
out = t.run("/tmp", m .. " doctor")
t.has(out, "libslirp (libslirp-dev), for net devices without a tap", "doctor checks libslirp", out)

-- mirari image: what build runs for a device made from a directory.
local dir = t.tmpdir()
os.execute(("mkdir -p %s/site/css && printf 'hi\\n' >%s/site/index.html && printf 'b{}' >%s/site/css/a.css")
  :format(t.quote(dir), t.quote(dir), t.quote(dir)))
out, code = t.run(dir, m .. " image --depfile site.tar.d site site.tar && tar -tf site.tar && cat site.tar.d")
t.is(code, 0, "image: writes the archive", out)
t.has(out, "css/\ncss/a.css\nindex.html\n", "image: sorted, directories included")
t.has(out, "site.tar:", "image: and the depfile")
out, code = t.run(dir, m .. " image site")
t.is(code, 2, "image: one argument is a usage error")
t.has(out, "mirari: image: give a directory and an image file", "image: and says what it wants")
out, code = t.run(dir, "ln -s /etc/passwd site/link && " .. m .. " image site other.tar")
t.is(code, 1, "image: a symbolic link in the directory: status 1", out)
t.has(out, "site/link", "image: the message names the link")
t.ok(not t.exists(dir .. "/other.tar"), "image: and no archive is written")
os.execute("rm -rf " .. t.quote(dir))
t.done()
