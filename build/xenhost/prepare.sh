#!/bin/sh
# Prepare the emulated Xen host in a cache folder (CACHE):
#   sh build/xenhost/prepare.sh CACHE [--refresh | --check]
#
# 1. Installs the host packages it needs when they are missing
#    (qemu-system-x86, xen-utils-4.17, busybox-static, cpio, kmod, xz-utils),
#    with sudo when not root; it runs `apt-get update` first when apt knows
#    no packages yet.
# 2. Downloads xen-hypervisor-4.17-amd64 and the exact linux-image-6.1.0-N-amd64
#    that linux-image-amd64 depends on, with `apt-get download` (nothing is
#    installed, /boot is never touched), checks each .deb against the SHA256
#    of the Packages index and records name, version, sha256 and file in
#    CACHE/manifest. Later runs check the .deb against the manifest only
#    when they must extract it again; --refresh resolves the versions anew.
# 3. Extracts CACHE/xen.elf (the multiboot image QEMU's -kernel loads),
#    CACHE/vmlinuz (the kernel as Debian ships it, a bzImage, usable as a
#    Linux PV guest kernel) and CACHE/vmlinux (the same kernel as an
#    uncompressed ELF, which dom0 boots from).
# 4. Builds CACHE/dom0-initrd.gz: busybox-static, the kernel modules dom0
#    needs (with their dependencies, depmod'ed) and the init scripts of this
#    folder; and CACHE/pv-initrd.gz, a tiny Linux PV guest used by the tests
#    and the benchmark (prints "mirari-pv-guest: MARKER" and powers off).
#
# Everything it builds depends on the manifest and on this folder's files;
# CACHE/stamp holds their checksums, so a run with a filled cache returns at
# once. Progress lines start with "mirari: ". --check changes nothing and
# exits 0 when the cache is complete and up to date, 1 when not.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
usage() { echo "usage: sh build/xenhost/prepare.sh CACHE [--refresh | --check]" >&2; exit 2; }
[ $# -ge 1 ] && [ $# -le 2 ] || usage
cache=$1
refresh= checkonly=
case ${2:-} in
"") ;;
--refresh) refresh=1 ;;
--check) checkonly=1 ;;
*) usage ;;
esac

exec 3>&1
say() { echo "mirari: $*" >&3; }
die() { echo "mirari: error: $*" >&2; exit 1; }

[ -n "$checkonly" ] && [ ! -d "$cache" ] && exit 1
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
manifest=$cache/manifest

# The kernel modules dom0 needs; their dependencies come along. Order
# matters only for loading, and modprobe resolves it from modules.dep.
MODULES="xen-evtchn xen-privcmd xenfs xen-gntdev xen-gntalloc xen-netback
xen-blkback bridge 9pnet_virtio 9p virtio_pci overlay loop tun virtio_net"

# --- the fast path: everything built from the same inputs ------------------
inputs_sum() {
	cat "$manifest" "$here/prepare.sh" "$here/init" "$here/dom0.sh" \
		"$here/pv-init" 2>/dev/null | sha256sum | cut -d' ' -f1
}
outputs_present() {
	for f in xen.elf vmlinuz vmlinux dom0-initrd.gz pv-initrd.gz manifest stamp; do
		[ -s "$cache/$f" ] || return 1
	done
}
up_to_date() {
	[ -z "$refresh" ] && outputs_present && [ "$(cat "$cache/stamp")" = "$(inputs_sum)" ]
}
up_to_date && exit 0
[ -z "$checkonly" ] || exit 1
# One preparer at a time (tests run in parallel): the others wait, then
# find the work done.
exec 9>"$cache/.lock"
flock 9
up_to_date && exit 0

# --- host packages -----------------------------------------------------------
as_root() {
	if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}
missing=
need() { # need PACKAGE FILE: PACKAGE provides FILE
	[ -e "$2" ] || missing="$missing $1"
}
need qemu-system-x86 /usr/bin/qemu-system-x86_64
need xen-utils-4.17 /usr/lib/xen-4.17/bin/xl
need busybox-static /bin/busybox
need cpio /usr/bin/cpio
need kmod /sbin/depmod
need xz-utils /usr/bin/xz
# apt_lists: make sure apt knows the packages (a fresh machine may have no
# package lists yet); never changes apt's configuration.
apt_lists() {
	apt-cache show --no-all-versions linux-image-amd64 >/dev/null 2>&1 && return
	say "apt-get update (no package lists yet)"
	as_root apt-get update >"$cache/apt-update.log" 2>&1 ||
		die "apt-get update failed (see $cache/apt-update.log)"
}
if [ -n "$missing" ]; then
	apt_lists
	say "installing host packages:$missing"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing \
		>"$cache/apt-install.log" 2>&1 ||
		die "apt-get install$missing failed (see $cache/apt-install.log; run 'apt-get update' first?)"
fi
busybox_bin=/bin/busybox
ldd "$busybox_bin" 2>&1 | grep -q 'not a dynamic' ||
	die "$busybox_bin is not static: install busybox-static"

# --- the packages, pinned in the manifest ------------------------------------
# manifest lines: PACKAGE VERSION SHA256 FILE
field() { # field PACKAGE COLUMN
	awk -v p="$1" -v c="$2" '$1 == p { print $c }' "$manifest" 2>/dev/null
}
kernel_pkg=$(awk '$1 ~ /^linux-image-/ { print $1 }' "$manifest" 2>/dev/null || true)
if [ -n "$refresh" ] || [ -z "$kernel_pkg" ] || [ -z "$(field xen-hypervisor-4.17-amd64 1)" ]; then
	apt_lists
	kernel_pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
		awk '/Depends: linux-image-6\.1\.0-[0-9]+-amd64$/ { print $2; exit }')
	[ -n "$kernel_pkg" ] ||
		die "cannot resolve the kernel of linux-image-amd64 (apt-cache depends); run 'apt-get update'"
	new=$cache/manifest.new
	: >"$new"
	for pkg in xen-hypervisor-4.17-amd64 "$kernel_pkg"; do
		info=$(apt-cache show --no-all-versions "$pkg" 2>/dev/null) ||
			die "apt-cache knows no $pkg; run 'apt-get update'"
		ver=$(echo "$info" | awk '/^Version:/ { print $2; exit }')
		sum=$(echo "$info" | awk '/^SHA256:/ { print $2; exit }')
		[ -n "$ver" ] && [ -n "$sum" ] || die "no version or SHA256 for $pkg in the Packages index"
		echo "$pkg $ver $sum -" >>"$new"
	done
	mv "$new" "$manifest"
fi
kernel_ver=${kernel_pkg#linux-image-}

# fetch PACKAGE: the verified .deb of the manifest's version, in CACHE/debs
fetch() {
	pkg=$1
	ver=$(field "$pkg" 2)
	sum=$(field "$pkg" 3)
	file=$(field "$pkg" 4)
	if [ "$file" != - ] && [ -s "$cache/debs/$file" ]; then
		echo "$cache/debs/$file"
		return
	fi
	say "fetching $pkg $ver"
	mkdir -p "$cache/debs"
	rm -f "$cache/debs/${pkg}_"*.deb
	(cd "$cache/debs" && apt-get download "$pkg=$ver" >"$cache/apt-download.log" 2>&1) ||
		die "apt-get download $pkg=$ver failed (see $cache/apt-download.log)"
	deb=$(ls "$cache/debs/${pkg}_"*.deb)
	got=$(sha256sum "$deb" | cut -d' ' -f1)
	if [ "$got" != "$sum" ]; then
		rm -f "$deb"
		die "$pkg $ver: sha256 $got, but the Packages index says $sum"
	fi
	file=$(basename "$deb")
	awk -v p="$pkg" -v f="$file" '$1 == p { $4 = f } { print }' "$manifest" >"$manifest.new"
	mv "$manifest.new" "$manifest"
	echo "$deb"
}
# check PACKAGE DEB: the .deb still has the sha256 of the manifest
check() {
	[ "$(sha256sum "$2" | cut -d' ' -f1)" = "$(field "$1" 3)" ] ||
		die "$2 does not match the sha256 in $manifest: delete it and run again"
}

xen_deb=$(fetch xen-hypervisor-4.17-amd64)
kernel_deb=$(fetch "$kernel_pkg")

# --- extraction: only here, on the slow path; the tree is deleted after ----------
tree=$(mktemp -d "$cache/tree.XXXXXX")
trap 'rm -rf "$tree"' EXIT
say "extracting xen-hypervisor-4.17-amd64"
check xen-hypervisor-4.17-amd64 "$xen_deb"
dpkg -x "$xen_deb" "$tree/xen"
xgz=$(ls "$tree/xen/boot/"xen-4.17*-amd64.gz | head -n1)
zcat "$xgz" >"$cache/xen.elf.tmp"
mv "$cache/xen.elf.tmp" "$cache/xen.elf"
say "extracting $kernel_pkg"
check "$kernel_pkg" "$kernel_deb"
dpkg -x "$kernel_deb" "$tree/kernel"
depmod -b "$tree/kernel" "$kernel_ver"
moddir=$tree/kernel/lib/modules/$kernel_ver
cp "$tree/kernel/boot/vmlinuz-$kernel_ver" "$cache/vmlinuz.tmp"
mv "$cache/vmlinuz.tmp" "$cache/vmlinuz"
# dom0 boots from the uncompressed ELF: Xen's own xz decompression of the
# bzImage costs about 2.5 s under emulation, QEMU loads the ELF at once.
# The payload of a bzImage is an xz stream followed by other data, so xz
# ends with an error after writing it all; the ELF magic is what counts.
off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$cache/vmlinuz" | head -n1 | cut -d: -f1)
[ -n "$off" ] || die "no xz payload in vmlinuz-$kernel_ver"
tail -c +$((off + 1)) "$cache/vmlinuz" | xz -dcq >"$cache/vmlinux.tmp" 2>/dev/null || true
[ "$(head -c 4 "$cache/vmlinux.tmp" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] ||
	die "cannot extract the ELF kernel from vmlinuz-$kernel_ver"
mv "$cache/vmlinux.tmp" "$cache/vmlinux"

# --- the dom0 initramfs --------------------------------------------------------
# cpio_gz DIR OUT: pack DIR as a gzipped newc archive, owned by root.
cpio_gz() {
	(cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -6 >"$2.tmp"
	mv "$2.tmp" "$2"
}
# copy_modules ROOT MODULE...: the modules and their dependencies into the
# initramfs tree ROOT, depmod'ed.
copy_modules() {
	dest=$1/lib/modules/$kernel_ver
	mkdir -p "$dest"
	for f in modules.order modules.builtin modules.builtin.modinfo; do
		[ -e "$moddir/$f" ] && cp "$moddir/$f" "$dest/"
	done
	r=$1
	shift
	for m in "$@"; do
		deps=$(modprobe -d "$tree/kernel" -S "$kernel_ver" --show-depends "$m") ||
			die "module $m not found in $kernel_pkg"
		echo "$deps" | awk '$1 == "insmod" { print $2 }' | while read -r ko; do
			rel=${ko#"$moddir/"}
			mkdir -p "$dest/$(dirname "$rel")"
			cp "$ko" "$dest/$rel"
		done
	done
	depmod -b "$r" "$kernel_ver"
}
say "building initramfs for dom0 ($kernel_pkg)"
work=$tree/initrd
root=$work/dom0
mkdir -p "$root/bin" "$root/dev" "$root/proc" "$root/sys" "$root/etc"
cp "$busybox_bin" "$root/bin/busybox"
copy_modules "$root" $MODULES
printf '%s\n' $MODULES >"$root/etc/mirari-modules"
install -m 755 "$here/init" "$root/init"
install -m 755 "$here/dom0.sh" "$root/etc/dom0.sh"
echo "$kernel_ver" >"$root/etc/mirari-kernel"
cpio_gz "$root" "$cache/dom0-initrd.gz"

say "building initramfs for the Linux PV test guest"
root=$work/pv
mkdir -p "$root/bin" "$root/dev" "$root/proc" "$root/sys"
cp "$busybox_bin" "$root/bin/busybox"
copy_modules "$root" xen-netfront xen-blkfront
install -m 755 "$here/pv-init" "$root/init"
cat >"$root/bin/dhcp-event" <<'EOF'
#!/bin/busybox sh
# udhcpc's script: configure the lease and say it on the console.
[ "$1" = bound ] || exit 0
/bin/busybox ip addr add "$ip/${mask:-24}" dev "$interface"
echo "mirari-pv-guest: dhcp $ip"
EOF
chmod 755 "$root/bin/dhcp-event"
cpio_gz "$root" "$cache/pv-initrd.gz"

inputs_sum >"$cache/stamp"
say "xen host ready in $cache ($(field xen-hypervisor-4.17-amd64 1) $(field xen-hypervisor-4.17-amd64 2), $kernel_pkg $(field "$kernel_pkg" 2))"
