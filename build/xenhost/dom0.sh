#!/bin/sh
# dom0's second stage, run by init with busybox sh, chrooted in the overlay
# of the host's root. It starts the Xen daemons, the guest network and then
# runs the job the host gave it, and powers the machine off.
#
# The job is a folder of the real host shared writable over 9p (tag "job"),
# mounted at /run/mirari/job. The host writes there before the boot:
#   script    absolute path of the script to run (a host path: the host root
#             is visible at the same paths, read-only with a tmpfs overlay)
#   cwd       the folder to run it in (optional, default /)
#   env       shell lines sourced before the script (optional)
#   forwards  "HOSTPORT GUESTIP GUESTPORT" lines; GUESTIP "-" is the guest
#             that got the latest DHCP lease (optional)
# and dom0 writes back:
#   ready     dom0's uptime in seconds when xl was ready
#   output    the script's standard output and error, as they come
#   status    its exit status, written once it has ended
# Without a job folder, dom0 starts a shell on its console (hvc0).
B=/run/mirari/busybox
J=/run/mirari/job
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=${TERM:-vt100}
umask 022
log() { echo "mirari-dom0: $*"; }
off() {
	sync
	$B poweroff -f
	sleep 5
	$B reboot -f
}

mkdir -p /dev/pts /dev/shm
# devtmpfs lacks the links udev would make; Xen's hotplug scripts need
# /dev/stdin (the block script's lock loops forever without it).
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
# Without devpts xenconsoled cannot create a tty per guest.
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /var/lib/xen
mount -t tmpfs tmpfs /var/log
mount -t xenfs xenfs /proc/xen || { log "error: cannot mount xenfs: not running on Xen?"; off; }
mkdir -p /run/xenstored /var/lib/xenstored /var/log/xen/console /run/xen /run/lock \
	/var/lib/xen/dump /root "$J"
$B hostname xenhost
$B ip link set lo up

XEN=/usr/lib/xen-4.17/bin
$XEN/xenstored --pid-file=/run/xenstored.pid || { log "error: xenstored failed"; off; }
$XEN/xenconsoled --pid-file=/run/xenconsoled.pid --log=guest --log-dir=/var/log/xen/console ||
	{ log "error: xenconsoled failed"; off; }
$XEN/xen-init-dom0 >/var/log/xen/xen-init-dom0.log 2>&1 ||
	{ cat /var/log/xen/xen-init-dom0.log; log "error: xen-init-dom0 failed"; off; }

# The guests' network: a bridge with an address of the documentation range
# and a DHCP server; vif= lines of xl configs attach to xenbr0.
$B brctl addbr xenbr0
$B ip addr add 192.0.2.1/24 dev xenbr0
$B ip link set xenbr0 up
cat >/run/mirari/udhcpd.conf <<EOC
start 192.0.2.100
end 192.0.2.200
interface xenbr0
max_leases 101
auto_time 1
lease_file /run/mirari/udhcpd.leases
pidfile /run/mirari/udhcpd.pid
option subnet 255.255.255.0
option lease 86400
EOC
touch /run/mirari/udhcpd.leases
$B udhcpd /run/mirari/udhcpd.conf

# QEMU's user network, present only when the host asked for forwards.
if [ -e /sys/class/net/eth0 ]; then
	$B ip link set eth0 up
	$B ip addr add 10.0.2.15/24 dev eth0
	$B ip route add default via 10.0.2.2
fi

# relay GUESTIP GUESTPORT: one forwarded connection, on stdin/stdout.
cat >/run/mirari/relay <<'EOC'
#!/run/mirari/busybox sh
B=/run/mirari/busybox
ip=$1
n=0
# "-": the latest lease; udhcpd writes its lease file every second, and at
# once on SIGUSR1.
while [ "$ip" = - ] && [ $n -lt 50 ]; do
	kill -USR1 "$(cat /run/mirari/udhcpd.pid)" 2>/dev/null
	$B sleep 0.1
	last=$($B dumpleases -a -f /run/mirari/udhcpd.leases 2>/dev/null |
		$B awk 'NR > 1 && $2 ~ /^[0-9.]+$/ { ip = $2 } END { print ip }')
	[ -n "$last" ] && ip=$last
	n=$((n + 1))
done
[ "$ip" != - ] || exit 1
exec $B nc "$ip" "$2"
EOC
chmod 755 /run/mirari/relay

if mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 job "$J" 2>/dev/null; then
	if [ -s "$J/forwards" ]; then
		while read -r hp ip gp; do
			[ -n "$gp" ] || continue
			$B nc -ll -p "$hp" -e /run/mirari/relay "$ip" "$gp" </dev/null >/dev/null 2>&1 &
			log "forwarding port $hp to $ip:$gp"
		done <"$J/forwards"
	fi
	script=$(cat "$J/script")
	cwd=$(cat "$J/cwd" 2>/dev/null || echo /)
	cut -d' ' -f1 /proc/uptime >"$J/ready.tmp"
	mv "$J/ready.tmp" "$J/ready"
	log "ready; running $script"
	(
		cd "$cwd" || exit 125
		[ -f "$J/env" ] && . "$J/env"
		export MIRARI_JOB="$J"
		if [ -x "$script" ]; then exec "$script"; fi
		exec /bin/sh "$script"
	) <"/dev/null" >"$J/output" 2>&1
	echo $? >"$J/status.tmp"
	mv "$J/status.tmp" "$J/status"
	log "job ended with status $(cat "$J/status")"
	umount "$J"
else
	log "ready; no job folder: a shell on the console, 'poweroff -f' ends"
	$B setsid $B cttyhack $B sh -l
fi
off
