#!/usr/bin/env lua5.3
-- blkfront: block devices on Xen. tests/apps/block builds for xen with a
-- disk line in its xl config for its two devices (a writable scratch
-- image and a read-only one); under real Xen (the emulated host, booted
-- once) the guest connects both vbds to blkback in dom0, writes and reads
-- across sector and request boundaries with 40 threads at once (more
-- requests than the ring holds), and is refused writes to the read-only
-- disk and ranges past the end. From the host the test then checks the
-- bytes of both images, that the guest closed its vbds before it ended
-- (frontend and backend Closed while the domain is still there), that
-- they are gone with the domain, and what a guest says when its disk is
-- missing or attached read-only against app.conf. Last, xl block-detach
-- under a guest that reads without a deadline: the read fails instead of
-- waiting forever, and the detach completes.
package.path = (arg[0]:match("^(.*)/[^/]*$") or ".") .. "/../lib/?.lua;" .. package.path
local t = require("tap")
package.path = t.root .. "/?.lua;" .. package.path
local xenhost = require("tool.xenhost")
local m, q = t.quote(t.mirari), t.quote
local images = dofile(t.root .. "/tests/apps/block/images.lua")

local work = t.tmpdir()
local app = work .. "/block"
t.copy_app("tests/apps/block", app)
t.run(app, "truncate -s " .. images.SCRATCH_SIZE .. " scratch.img")
local ro = images.ro_image()
t.write(app .. "/ro.img", ro)

-- The xl config -------------------------------------------------------------
local out, code = t.run(app, m .. " configure -q -t xen")
t.is(code, 0, "tests/apps/block (two block devices) configures for xen", out)
local xl = t.read(app .. "/_build/blocktest.xl") or ""
t.has(xl, ("disk = [ 'format=raw,vdev=xvda,access=rw,target=%s/scratch.img', "
  .. "'format=raw,vdev=xvdb,access=ro,target=%s/ro.img' ]\n"):format(app, app),
  "its xl config attaches both images, the read-only one with access=ro", xl)
out, code = t.run(app, m .. " build")
t.is(code, 0, "it builds for xen", out)
t.ok(not out:find("warning:", 1, true), "blkfront compiles without warnings", out)
if code ~= 0 then
  os.execute("rm -rf " .. q(work))
  t.done()
end

-- Variants of the xl config: no disk line; the scratch disk read-only.
t.write(work .. "/nodisk.xl", (xl:gsub("\ndisk = [^\n]*", "")))
t.write(work .. "/rodisk.xl", (xl:gsub("access=rw", "access=ro")))

-- One boot --------------------------------------------------------------------
local script = work .. "/dom0.sh"
t.write(script, ([[
#!/bin/sh
. %s
log=/var/log/xen/console/guest-blocktest.log
rm -f "$log"
echo '@@@ create'
xl create -q %s 'on_poweroff="preserve"' 'on_crash="preserve"' 2>&1
domid=$(xl domid blocktest)
i=0
while st=$(xl list blocktest 2>/dev/null | awk 'NR == 2 { print $5 }') && [ -n "$st" ]; do
	case $st in *s*|*c*) break ;; esac
	[ $i -gt 600 ] && break
	sleep 0.1; i=$((i+1))
done
echo '@@@ ended'
xl list blocktest 2>&1 | awk 'NR == 2 { print "domain state " $5 }'
for id in 51712 51728; do
	echo "front $id $(xenstore-read /local/domain/$domid/device/vbd/$id/state 2>&1)"
	echo "back $id $(xenstore-read /local/domain/0/backend/vbd/$domid/$id/state 2>&1)"
done
echo '@@@ console'
mirari_console_settled
cat "$log"
echo
echo '@@@ destroyed'
xl destroy blocktest 2>&1
sleep 1
echo "list: $(xl list blocktest 2>&1 | tail -n 1)"
echo "backend: $(xenstore-list /local/domain/0/backend/vbd/$domid 2>&1 | tr '\n' ' ')"
cp %s "$MIRARI_JOB/scratch.img" && cp %s "$MIRARI_JOB/ro.img" && echo "images copied"
echo '@@@ nodisk'
mirari_run_guest %s nodisk "" 60
echo '@@@ readonly'
mirari_run_guest %s rodisk only=scratch 60
echo '@@@ detach'
(
	slog=/var/log/xen/console/guest-spin.log
	i=0
	until grep -q spinning "$slog" 2>/dev/null || [ $i -gt 600 ]; do sleep 0.1; i=$((i+1)); done
	sleep 1
	xl block-detach spin xvda >/tmp/detach.out 2>&1
	echo "detach rc=$?" >>/tmp/detach.out
) &
mirari_run_guest %s spin spin=1 90
wait
cat /tmp/detach.out
echo '@@@ end'
]]):format(q(t.root .. "/build/xenhost/run-guest.sh"), q(app .. "/_build/blocktest.xl"),
  q(app .. "/scratch.img"), q(app .. "/ro.img"), q(work .. "/nodisk.xl"), q(work .. "/rodisk.xl"),
  q(app .. "/_build/blocktest.xl")))
local r, err = xenhost.exec(t.root, script, { timeout = 400, keep = true })
t.ok(r ~= nil and r.status == 0, "the dom0 script ran", r and (r.error or r.output) or err)
out = r and r.output or ""
local section = t.sections(out)
local console = (section.console or ""):gsub("\r\n", "\n")

t.has(console, "block0: device/vbd/51712 (xvda) connected to /local/domain/0/backend/vbd/",
  "blkfront connected xvda to blkback", out)
t.has(console, "scratch sectors=8192 sector_size=512 readonly=0\n", "the scratch disk: 4 MiB, writable")
t.has(console, "rodisk sectors=128 sector_size=512 readonly=1\n", "the read-only disk: 64 KiB, read-only (VDISK_READONLY)")
local checks, failed = 0, {}
for name, result in console:gmatch("\n([%w_]+) (%a+)") do
  if result == "ok" then checks = checks + 1 elseif result == "FAIL" then failed[#failed + 1] = name end
end
t.ok(#failed == 0 and checks >= 30, "every check in the guest passes (" .. checks .. "): round trips, "
  .. "byte ranges, 40 threads, refusals, deadlines", console)
t.has(console, "blocktest done failures=0\n", "the guest reaches its end")
local timedout = tonumber(console:match("tiny_deadlines timedout=(%d+)") or "")
t.ok(timedout and timedout >= 1, "requests in flight at a deadline were abandoned (timed out: "
  .. tostring(timedout) .. " of 20), and nothing was written into the buffers afterwards", console)
t.ok(not console:find("panic", 1, true) and not console:find("crash", 1, true), "the guest neither crashed nor panicked")
t.ok(not console:find(" warn ", 1, true) and not console:find(" error ", 1, true),
  "nor warned: the backends closed in time and unmapped every page", console)

local ended = section.ended or ""
t.ok(ended:find("domain state ---s--\n", 1, true) ~= nil, "the guest powered off (kept with on_poweroff=preserve)", ended)
t.has(ended, "front 51712 6\nback 51712 6\n", "before it ended, the guest closed xvda with blkback (both Closed)", ended)
t.has(ended, "front 51728 6\nback 51728 6\n", "and xvdb", ended)
local destroyed = section.destroyed or ""
t.ok(destroyed:match("list: [^\n]*blocktest is an invalid domain identifier") ~= nil, "the domain is gone after xl destroy", destroyed)
t.ok(destroyed:match("backend: [^\n]*could not list path") ~= nil or destroyed:match("backend:%s*\n") ~= nil,
  "and so are its vbds in blkback's xenstore", destroyed)
t.has(destroyed, "images copied", "dom0 handed the images back", destroyed)

local job = r and r.run_dir and (r.run_dir .. "/job") or work
t.is(images.compare(t.read(job .. "/scratch.img"), images.scratch_expected()), nil,
  "scratch.img holds what the guest wrote, and zeros elsewhere")
t.is(images.compare(t.read(job .. "/ro.img"), ro), nil, "ro.img is unchanged")

local nodisk = section.nodisk or ""
t.has(nodisk, "mirari: device scratch (block) is missing: this domain has 0 entries in device/vbd in xenstore, it needs 1 (is there a disk= line in its xl config?)",
  "without a disk line the guest names the missing device", nodisk)
t.has(nodisk, "@mirari end=crash", "and ends as a crash")
local rodisk = (section.readonly or ""):gsub("\r\n", "\n")
t.has(rodisk, "block0: app.conf asks for a writable disk, but the host attached xvda read-only",
  "a disk attached read-only against app.conf is named", rodisk)
t.has(rodisk, "scratch sectors=8192 sector_size=512 readonly=1\n", "and is read-only for the application", rodisk)
t.has(rodisk, "@mirari end=poweroff", "and the guest ends cleanly", rodisk)

local detach = (section.detach or ""):gsub("\r\n", "\n")
t.ok(detach:match("spin: read failed after %d+ reads: unspecified error\n") ~= nil,
  "a disk detached by the host under a read without deadline fails the read, not hangs it", detach)
t.has(detach, "block0: the backend is closing: device disabled", "blkfront says why", detach)
t.has(detach, "spin: then: unspecified error\n", "later reads fail at once", detach)
t.has(detach, "@mirari end=poweroff", "the guest ends cleanly", detach)
t.has(detach, "detach rc=0", "and xl block-detach completes, blkfront closing its side", detach)

io.stdout:write("# ", console:match("figures: [^\n]*") or "no figures", "\n")
if r then
  io.stdout:write("# dom0 ready after ", tostring(r.timings.boot_to_ready_ms), " ms, whole run ",
    tostring(r.timings.total_ms), " ms\n")
  xenhost.forget(r)
end
os.execute("rm -rf " .. q(work))
t.done()
