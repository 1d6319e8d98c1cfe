#!/bin/sh
# How fast the emulated Xen host (tool/xenhost.lua) is on this machine.
# Prints a table: wall time from the start of a run to dom0 ready, cold
# (the cache is filled, first boot of this benchmark) and warm (the boots
# after it); then, measured inside dom0 with date +%s%N, the time from
# `xl create` of the Linux PV test guest to the first byte of its console
# log, to its marker line (its userspace is up) and to its end.
#   sh bench/xen-host.sh [WARM_BOOTS]      (default 2)
# The Linux PV guest is measured as Debian ships its kernel (a bzImage,
# which the domain builder in dom0 decompresses: the baseline), and as the
# uncompressed ELF, which shows what the decompression costs. The guest
# kernel has earlyprintk=xen, so its first output comes as early as it can.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
warm=${1:-2}
work=$(mktemp -d /tmp/mirari-bench-xen.XXXXXX)
trap 'rm -rf "$work"' EXIT

others=$(pgrep -c qemu-system-x86 || true)
if [ "${others:-0}" -gt 0 ]; then
	echo "mirari: note: $others other QEMU process(es) running: the figures will be slower than usual" >&2
fi
cache=$(lua5.3 -e "package.path='$top/?.lua;'..package.path print(require('tool.xenhost').host_dir())")
sh "$top/build/xenhost/prepare.sh" "$cache"

# The dom0 side: NAME KERNEL VIF, each guest created, watched and gone.
cat >"$work/guests.sh" <<'EOF'
#!/bin/sh
set -u
now() { date +%s%N; }
guest() { # NAME KERNEL VIF
	cat >/tmp/$1.cfg <<EOC
name = "$1"
type = "pv"
kernel = "$2"
ramdisk = "$CACHE/pv-initrd.gz"
extra = "console=hvc0 earlyprintk=xen mirari.marker=$1"
memory = 256
$3
EOC
	log=/var/log/xen/console/guest-$1.log
	t0=$(now)
	xl create /tmp/$1.cfg >/tmp/$1.out 2>&1 || { cat /tmp/$1.out; exit 1; }
	t1=$(now)
	while [ ! -s "$log" ]; do sleep 0.02; done
	t2=$(now)
	while ! grep -q "mirari-pv-guest: $1" "$log"; do sleep 0.05; done
	t3=$(now)
	while xl domid "$1" >/dev/null 2>&1; do sleep 0.1; done
	t4=$(now)
	echo "guest $1 $(((t1 - t0) / 1000000)) $(((t2 - t0) / 1000000)) $(((t3 - t0) / 1000000)) $(((t4 - t0) / 1000000))"
}
for i in 1 2; do
	guest bz$i "$CACHE/vmlinuz" ""
	guest elf$i "$CACHE/vmlinux" ""
	guest bzvif$i "$CACHE/vmlinuz" 'vif = [ "bridge=xenbr0" ]'
done
EOF
echo 'exit 0' >"$work/nothing.sh"

# boot SCRIPT: one run; prints "ready MS UPTIME_MS TOTAL_MS" and the output.
boot() {
	lua5.3 - "$top" "$1" "$cache" <<'EOF'
local top, script, cache = arg[1], arg[2], arg[3]
package.path = top .. "/?.lua;" .. package.path
local x = require("tool.xenhost")
local r, err = x.exec(top, script, { timeout = 600, quiet = true, env = { CACHE = cache } })
if not r then io.stderr:write("mirari: ", err, "\n") os.exit(1) end
if r.status ~= 0 then
  io.stderr:write("mirari: dom0 script failed: ", tostring(r.error or r.status), "\n", r.output,
    "console: ", r.console, "\n")
  os.exit(1)
end
print(("ready %d %d %d"):format(r.timings.boot_to_ready_ms, r.timings.dom0_ready_uptime_ms or -1,
  r.timings.total_ms))
io.write(r.output)
os.execute("rm -rf '" .. r.run_dir .. "'")
EOF
}

boot "$work/nothing.sh" >"$work/cold"
i=1
while [ $i -le "$warm" ]; do
	if [ $i -eq 1 ]; then boot "$work/guests.sh"; else boot "$work/nothing.sh"; fi >"$work/warm$i"
	i=$((i + 1))
done

printf 'emulated Xen host figures: %s cores, %s\n' "$(nproc)" "$(qemu-system-x86_64 --version | head -n1)"
printf '%-44s %9s %11s %9s\n' "boot (start of run to dom0 ready)" "wall ms" "dom0 up ms" "run ms"
awk '/^ready/ { printf "%-44s %9d %11d %9d\n", "cold (cache filled, first boot)", $2, $3, $4 }' "$work/cold"
i=1
while [ $i -le "$warm" ]; do
	awk -v n=$i '/^ready/ { printf "%-44s %9d %11d %9d\n", "warm " n, $2, $3, $4 }' "$work/warm$i"
	i=$((i + 1))
done
echo "target: dom0 ready under 15000 ms warm"
echo
printf '%-44s %9s %9s %9s %9s\n' "Linux PV guest, from xl create (ms)" "returns" "1st out" "marker" "gone"
awk '/^guest/ {
	k = $2; sub(/[0-9]+$/, "", k)
	name = (k == "bz") ? "vmlinuz (bzImage), no vif" : (k == "elf") ? "vmlinux (ELF), no vif" : "vmlinuz (bzImage), vif on xenbr0"
	printf "%-44s %9d %9d %9d %9d\n", name, $3, $4, $5, $6 }' "$work/warm1"
echo "(measured in dom0; console polled every 20 ms; 256 MiB guest; run 1 then run 2 of each)"
