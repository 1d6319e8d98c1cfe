#!/bin/sh
# The Xen backend's figures, side by side in one boot of the emulated Xen
# host: the size of hello.xen, the smallest memory= at which it runs, and
# the time from `xl create` to the first console output of hello against
# the Linux PV guest of the emulated host (Debian's kernel as shipped, with
# a busybox initramfs), both measured the same way inside dom0
# (build/xenhost/run-guest.sh polls the console log every 50 ms).
#   sh bench/xen.sh [RUNS]      (default 3 of each)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-3}
mirari="$top/bin/mirari"
work=$(mktemp -d /tmp/mirari-bench-xen.XXXXXX)
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/hello"
cp -r "$top/examples/hello/." "$work/hello/"
rm -rf "$work/hello/_build"
(cd "$work/hello" && "$mirari" configure -q -t xen && "$mirari" build >/dev/null)
img="$work/hello/_build/hello.xen"
strip -o "$work/hello.stripped" "$img"
cache=$(lua5.3 -e "package.path='$top/?.lua;'..package.path print(require('tool.xenhost').host_dir())")
sh "$top/build/xenhost/prepare.sh" "$cache" >&2

cat >"$work/dom0.sh" <<EOS
#!/bin/sh
set -u
. "$top/build/xenhost/run-guest.sh"
cat >/tmp/linux.cfg <<EOC
name = "linux"
type = "pv"
kernel = "$cache/vmlinuz"
ramdisk = "$cache/pv-initrd.gz"
extra = "console=hvc0 mirari.marker=linux"
memory = 256
EOC
# The guest's own part: created paused, then timed from the start of
# xl unpause (an xl process costs about 0.3 s under emulation) to its
# first output.
unpaused() { # CFG NAME EXTRA
	log=/var/log/xen/console/guest-\$2.log
	rm -f "\$log"
	xl create -q -p "\$1" "extra=\"\$3\"" 'on_poweroff="preserve"' || return
	t0=\$(date +%s%N)
	xl unpause "\$2"
	while [ ! -s "\$log" ]; do sleep 0.01; done
	echo "@unpaused \$2 \$(( (\$(date +%s%N) - t0) / 1000000 ))"
	while st=\$(xl list "\$2" 2>/dev/null | awk 'NR == 2 { print \$5 }'); [ -n "\$st" ] && [ "\${st#*s}" = "\$st" ]; do sleep 0.2; done
	xl destroy "\$2"
}
i=1
while [ \$i -le $runs ]; do
	echo "@@ linux"; mirari_run_guest /tmp/linux.cfg linux\$i "" 120
	echo "@@ hello"; mirari_run_guest "$work/hello/_build/hello.xl" hello\$i "count=1" 60
	unpaused /tmp/linux.cfg linux "console=hvc0 mirari.marker=linux"
	unpaused "$work/hello/_build/hello.xl" hello "count=1"
	i=\$((i + 1))
done
for mem in 1 2 3 4 5 6 8; do
	sed "s/^memory = .*/memory = \$mem/" "$work/hello/_build/hello.xl" >/tmp/hello-\$mem.xl
	echo "@@ mem \$mem"; mirari_run_guest /tmp/hello-\$mem.xl mem\$mem "count=1" 30
done
EOS

lua5.3 - "$top" "$work/dom0.sh" "$(stat -c %s "$img")" "$(stat -c %s "$work/hello.stripped")" <<'EOS'
local top, script, size, stripped = arg[1], arg[2], arg[3], arg[4]
package.path = top .. "/?.lua;" .. package.path
local r, err = require("tool.xenhost").exec(top, script, { timeout = 900, quiet = true })
if not r or r.status ~= 0 then
  io.stderr:write("mirari: the benchmark failed: ", tostring(err or r.error or r.status), "\n",
    r and r.output or "", "\n")
  os.exit(1)
end
local times = { linux = {}, hello = {} }
local own = { linux = {}, hello = {} }
local smallest, what
for line in r.output:gmatch("[^\n]+") do
  local g, oms = line:match("^@unpaused (%w+) (%d+)")
  if g then table.insert(own[g], tonumber(oms)) end
  local w = line:match("^@@ (.+)$")
  if w then what = w end
  local ending, ms = line:match("^@mirari end=(%S+) ms_to_first_output=(%-?%d+)")
  if ending and what then
    local mem = what:match("^mem (%d+)$")
    if mem then
      if ending == "poweroff" and not smallest then smallest = tonumber(mem) end
    elseif ending == "poweroff" then
      table.insert(times[what], tonumber(ms))
    end
  end
end
local function median(t)
  table.sort(t)
  return t[(#t + 1) // 2]
end
local l, h = median(times.linux), median(times.hello)
print(("mirari Xen figures: examples/hello on the emulated Xen host (QEMU TCG), %d runs each"):format(#times.hello))
print(("%-46s %8d B    target < 131072 B"):format("hello.xen", tonumber(size)))
print(("%-46s %8d B    target < 131072 B"):format("hello.xen stripped", tonumber(stripped)))
print(("%-46s %8s MiB"):format("smallest memory= at which hello runs", smallest or "none"))
print(("%-46s %8s ms"):format("xl create -> first output, Linux PV (median)", l or "?"))
print(("%-46s %8s ms"):format("xl create -> first output, hello (median)", h or "?"))
if l and h and h > 0 then
  print(("%-46s %8.1fx   target 20x"):format("hello ahead of Linux PV by", l / h))
end
local lo, ho = median(own.linux), median(own.hello)
print(("%-46s %8s ms"):format("xl unpause -> first output, Linux PV (median)", lo or "?"))
print(("%-46s %8s ms"):format("xl unpause -> first output, hello (median)", ho or "?"))
if lo and ho and ho > 0 then
  print(("%-46s %8.1fx"):format("  ratio, without the domain build", lo / ho))
end
print(("%-46s %8d ms"):format("dom0 ready after", r.timings.boot_to_ready_ms))
require("tool.xenhost").forget(r)
EOS
