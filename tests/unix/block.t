#!/usr/bin/env lua5.3
-- tests/apps/block on Unix: the calls of <mirari/block.h> over image files
-- (backends/unix/block.c). The test makes a 4 MiB scratch image with
-- truncate and a read-only image holding a pattern, runs the application
-- (writes and reads across sector and request boundaries, 40 threads at
-- once, byte ranges, refusals, deadlines), then reads both images from
-- the host: the scratch image must hold exactly what the application
-- wrote and the read-only one what it held before. Then the images that
-- cannot be used: a missing file, a size that is not a whole number of
-- sectors, a directory; each stops the application with a message that
-- names the device and the reason. Last, the same run under
-- AddressSanitizer and UBSan.
package.path = (arg[0]:match("^(.*)/[^/]*$") or ".") .. "/../lib/?.lua;" .. package.path
local t = require("tap")
local m, q = t.quote(t.mirari), t.quote
local images = dofile(t.root .. "/tests/apps/block/images.lua")

local dir = t.tmpdir()
t.copy_app("tests/apps/block", dir)
local ro = images.ro_image()
local function fresh_images()
  os.remove(dir .. "/scratch.img")
  t.run(dir, "truncate -s " .. images.SCRATCH_SIZE .. " scratch.img")
  if t.exists(dir .. "/ro.img/.") then os.execute("rmdir " .. q(dir .. "/ro.img")) end
  t.write(dir .. "/ro.img", ro)
end

-- app.conf names files that must exist when it is configured.
local out, code = t.run(dir, m .. " configure -q -t unix")
t.ok(code ~= 0, "configure refuses a block device whose file is missing", out)
t.has(out, "scratch.img does not exist", "and names the file", out)

fresh_images()
out, code = t.run(dir, m .. " configure -q -t unix && " .. m .. " build 2>&1")
t.is(code, 0, "tests/apps/block builds for unix", out)
t.ok(not out:find("warning", 1, true), "it builds without warnings", out)

local function run_checks(label, cmd)
  local out, code = t.run(dir, cmd)
  t.is(code, 0, label .. ": exits 0", out)
  t.has(out, "scratch sectors=8192 sector_size=512 readonly=0\n", label .. ": the scratch device's info", out)
  t.has(out, "rodisk sectors=128 sector_size=512 readonly=1\n", label .. ": the read-only device's info", out)
  local checks, failed = 0, {}
  for name, result in out:gmatch("\n([%w_]+) (%a+)") do
    if result == "ok" then checks = checks + 1 elseif result == "FAIL" then failed[#failed + 1] = name end
  end
  t.ok(#failed == 0 and checks >= 30, label .. ": every check in the application passes (" .. checks .. ")", out)
  t.has(out, "blocktest done failures=0\n", label .. ": it reaches its end", out)
  t.has(out, "block0: " .. dir .. "/scratch.img, 8192 sectors\n", label .. ": the platform says what it opened", out)
  t.has(out, "block1: " .. dir .. "/ro.img, 128 sectors, read-only\n", label .. ": and that rodisk is read-only", out)
  t.is(images.compare(t.read(dir .. "/scratch.img"), images.scratch_expected()), nil,
    label .. ": scratch.img holds what the application wrote, and zeros elsewhere")
  t.is(images.compare(t.read(dir .. "/ro.img"), ro), nil, label .. ": ro.img is unchanged")
  return out
end

local run_out = run_checks("run", "./_build/blocktest")
io.stdout:write("# ", run_out:match("figures: [^\n]*") or "no figures", "\n")

-- Images the platform refuses: the device, the file and the reason.
local function refused(label, device, setup, want)
  fresh_images()
  t.run(dir, setup)
  local out, code = t.run(dir, "./_build/blocktest only=" .. device)
  t.is(code, 1, label .. ": the application cannot open the device", out)
  t.has(out, want, label .. ": the platform says why", out)
  t.ok(not out:find("blocktest done", 1, true), label .. ": and nothing runs on", out)
end
refused("missing image", "scratch", "rm scratch.img",
  "block0: device 'scratch': " .. dir .. "/scratch.img: No such file or directory")
refused("odd size", "scratch", "truncate -s 1000 scratch.img",
  "block0: " .. dir .. "/scratch.img is 1000 bytes, not a whole number of 512-byte sectors")
refused("a directory", "rodisk", "rm ro.img && mkdir ro.img",
  "block1: " .. dir .. "/ro.img is neither a regular file nor a block device")
refused("a directory, writable", "scratch", "rm scratch.img && mkdir scratch.img",
  "block0: device 'scratch': " .. dir .. "/scratch.img: Is a directory")
os.execute("rmdir " .. q(dir .. "/scratch.img"))

-- Same run with the sanitizers.
fresh_images()
t.write(dir .. "/app.conf", t.read(dir .. "/app.conf") ..
  '\ntarget "unix" { sanitize = { "address", "undefined" }, optimize = "debug" }\n')
out, code = t.run(dir, m .. " configure -q -t unix && " .. m .. " build 2>&1")
t.is(code, 0, "tests/apps/block builds with sanitizers", out)
run_checks("sanitizers", "UBSAN_OPTIONS=halt_on_error=1 ./_build/blocktest")
out = t.run(dir, "UBSAN_OPTIONS=halt_on_error=1 ./_build/blocktest")
t.ok(not out:find("Sanitizer", 1, true) and not out:find("runtime error", 1, true),
  "no sanitizer report", out)

os.execute("rm -rf " .. q(dir))
t.done()
