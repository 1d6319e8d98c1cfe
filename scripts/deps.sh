#!/bin/sh
# Install what mirari needs on Debian 12 and put `mirari` on PATH.
# Packages that are already installed are left alone; apt-get runs only when
# something is missing, through sudo when not root.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)

# Each package, and the command that shows it is there.
need="lua5.3:lua5.3 ninja-build:ninja gcc:gcc libc6-dev:/usr/include/stdio.h binutils:objcopy perl:prove libxen-dev:/usr/include/xen/xen.h xz-utils:xz clang:clang libclang-rt-14-dev:/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a libslirp-dev:/usr/include/slirp/libslirp.h curl:curl python3:python3 iproute2:ip busybox-static:/bin/busybox util-linux:setpriv"

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

# `mirari` on PATH, pointing at this checkout: made when there is none or
# it points at a checkout that is gone. One that points at another live
# checkout is that checkout's user's choice and is left alone (saying so),
# unless MIRARI_LINK=replace; MIRARI_LINK=none leaves PATH alone. The
# scripts and tests of a checkout run its own bin/mirari either way.
link=/usr/local/bin/mirari
want=$top/bin/mirari
have=$(readlink "$link" 2>/dev/null || true)
case ${MIRARI_LINK:-auto} in
none) ;;
auto|replace)
	if [ "$have" = "$want" ]; then
		:
	elif [ -e "$link" ] && [ -z "$have" ]; then
		echo "mirari: $link is not a link; leaving it (this checkout's mirari is $want)" >&2
	elif [ -n "$have" ] && [ -e "$have" ] && [ "${MIRARI_LINK:-auto}" != replace ]; then
		echo "mirari: $link points to another checkout ($have); leaving it." >&2
		echo "mirari: this checkout's is $want; MIRARI_LINK=replace sh scripts/deps.sh re-points the link" >&2
	else
		as_root ln -sfn "$want" "$link"
		echo "mirari: $link -> $want${have:+ (was $have)}" >&2
	fi ;;
*)
	echo "mirari: MIRARI_LINK=$MIRARI_LINK: expected auto, replace or none" >&2
	exit 2 ;;
esac
