#!/bin/sh
# Fetch lwIP, the TCP/IP stack of mirari's network library, into the cache.
#
#   sh build/lwip.sh CACHE VERSION SHA256 PREFIX
#
# The source is Debian's lwip source package at VERSION, fetched with
# `apt-get source --download-only` through a private sources list kept in
# CACHE/.lwip-apt, so the machine's apt configuration is neither read for
# deb-src entries (it has none) nor changed. The upstream tarball of the
# package is checked against SHA256 before it is unpacked. Both are pinned in
# build/deps.lua, which is where the generator gets them from.
#
# Debian's patches (debian/patches in the package) are not applied: they
# concern the sockets and netconn APIs (with their options in opt.h and a
# check in init.c), PPP, a Unix port and the CMake build, none of which
# mirari uses.
#
# Nothing is compiled here: libs/lwip compiles the files it needs (its
# manifest's dep_sources) with each image's own flags, so one unpacked tree
# serves both targets. The result is the upstream tree without its top
# folder, PREFIX/src/{core,include,netif,...}; it is unpacked once and
# reused, and concurrent runs wait for each other. Prints progress on stderr
# and the installation prefix on stdout.
set -eu

PKG=lwip
[ $# -eq 4 ] || { echo "usage: sh build/lwip.sh CACHE VERSION SHA256 PREFIX" >&2; exit 2; }
cache=$1
VERSION=$2
SHA256=$3
prefix=$4
say() { echo "mirari: lwip: $*" >&2; }

# 2.1.3+dfsg1-2 -> upstream 2.1.3+dfsg1, whose tarball is lwip_2.1.3+dfsg1.orig.tar.xz
upstream=${VERSION%-*}
TARBALL=${PKG}_${upstream}.orig.tar.xz

mkdir -p "$cache"
cache=$(cd "$cache" && pwd)	# apt wants absolute paths in its options
exec 9>"$cache/.lwip.lock"
flock 9
if [ -f "$prefix/.complete" ]; then
	echo "$prefix"
	exit 0
fi

# The private sources list: the machine's Debian archives (same URIs, suites
# and keyring), as deb-src, main only. It is rewritten on every fetch so a
# change of mirror on the machine is followed; the package lists it
# downloads stay under CACHE/.lwip-apt/lists.
apt=$cache/.lwip-apt
mkdir -p "$apt/sources" "$apt/lists/partial"
system=/etc/apt/sources.list.d/debian.sources
if [ -r "$system" ]; then
	awk '
		/^[ \t]*#/ { next }
		/^Types:/ { print "Types: deb-src"; next }
		/^Components:/ { print "Components: main"; next }
		{ print }
	' "$system" >"$apt/sources/mirari-src.sources"
else
	# A machine with a one-line sources.list: Debian 12's defaults.
	cat >"$apt/sources/mirari-src.sources" <<EOF
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
fi
aptget() {
	apt-get -q -o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$apt/sources" \
		-o Dir::State::Lists="$apt/lists" "$@"
}

work=$(mktemp -d "$cache/.lwip-fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
# apt drops privileges to _apt for downloads; let it write here (as root it
# otherwise warns and downloads unsandboxed, which also works).
chmod 755 "$work"

say "fetching the source package $PKG $VERSION (Debian, through $apt/sources)"
if ! aptget update >apt.log 2>&1; then
	tail -20 apt.log >&2
	say "apt-get update with the private sources list failed"
	exit 1
fi
if ! aptget source --download-only "$PKG=$VERSION" >>apt.log 2>&1; then
	tail -20 apt.log >&2
	say "cannot download the source package $PKG=$VERSION (if Debian has moved to a newer version, pin it in build/deps.lua after checking it)"
	exit 1
fi
[ -f "$TARBALL" ] || { say "the source package has no $TARBALL"; exit 1; }
got=$(sha256sum "$TARBALL" | cut -d' ' -f1)
if [ "$got" != "$SHA256" ]; then
	say "$TARBALL has sha256 $got, expected $SHA256: refusing to use it"
	exit 1
fi

say "unpacking"
mkdir tree
tar -xJf "$TARBALL" -C tree --strip-components=1
rm -f tree/pax_global_header	# git archive's metadata, stored as a file
[ -f tree/src/core/init.c ] && [ -f tree/src/include/lwip/opt.h ] ||
	{ say "$TARBALL does not hold the lwIP tree (src/core, src/include)"; exit 1; }

rm -rf "$prefix"
mkdir -p "$(dirname "$prefix")"
mv tree "$prefix"
printf '%s %s %s\n' "$PKG" "$VERSION" "$SHA256" >"$prefix/.complete"
say "installed in $prefix"
echo "$prefix"
