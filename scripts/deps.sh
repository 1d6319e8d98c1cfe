#!/bin/sh
# Install what mirari needs on Debian 12 and put `mirari` on PATH.
# Packages that are already installed are left alone; apt-get runs only when
# something is missing, through sudo when not root.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)

# Each package, and the command that shows it is there.
need="lua5.3:lua5.3 ninja-build:ninja gcc:gcc libc6-dev:/usr/include/stdio.h binutils:objcopy perl:prove libxen-dev:/usr/include/xen/xen.h xz-utils:xz clang:clang libclang-rt-14-dev:/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a libslirp-dev:/usr/include/slirp/libslirp.h curl:curl"

as_root() {
	if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

missing=""
for pair in $need; do
	pkg=${pair%%:*}
	probe=${pair#*:}
	case $probe in
	/*) [ -e "$probe" ] && continue ;;
	*) command -v "$probe" >/dev/null 2>&1 && continue ;;
	esac
	missing="$missing $pkg"
done

if [ -n "$missing" ]; then
	echo "mirari: installing$missing" >&2
	as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >&2
fi

# `mirari` on PATH, pointing at this checkout.
link=/usr/local/bin/mirari
if [ "$(readlink "$link" 2>/dev/null)" != "$top/bin/mirari" ]; then
	as_root ln -sfn "$top/bin/mirari" "$link"
	echo "mirari: $link -> $top/bin/mirari" >&2
fi
