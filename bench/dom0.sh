# bench/dom0.sh: what the Xen benchmarks' dom0 scripts share, sourced
# there (dom0 sees this checkout at the same path).

# wait_for LOG PATTERN: until a guest's console log shows PATTERN (90 s).
wait_for() {
	_i=0
	until grep -q "$2" "$1" 2>/dev/null || [ $_i -gt 900 ]; do sleep 0.1; _i=$((_i + 1)); done
}

# linux_httpd CACHE EXTRA [IMAGE]: start the Linux PV guest "linux" of the
# emulated host's cache with busybox httpd (pv-init's mirari.* words in
# EXTRA), on xenbr0 and, with IMAGE, that disk as xvda read-only; wait
# until it serves and set lip to its DHCP address.
linux_httpd() {
	{
		echo 'name = "linux"'
		echo 'type = "pv"'
		echo "kernel = \"$1/vmlinuz\""
		echo "ramdisk = \"$1/pv-initrd.gz\""
		echo "extra = \"console=hvc0 $2\""
		echo 'memory = 256'
		echo "vif = [ 'bridge=xenbr0' ]"
		[ -z "${3:-}" ] || echo "disk = [ 'format=raw,vdev=xvda,access=ro,target=$3' ]"
	} >/tmp/linux.cfg
	xl create -q /tmp/linux.cfg
	wait_for /var/log/xen/console/guest-linux.log "mirari-pv-guest: httpd"
	lip=$(sed -n 's/.*mirari-pv-guest: dhcp \([0-9.]*\).*/\1/p' /var/log/xen/console/guest-linux.log | head -n 1)
}
