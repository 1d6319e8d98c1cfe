#!/bin/sh
# Build newlib, the C library of mirari's Xen guests, into the cache.
#
#   sh build/newlib.sh CACHE VERSION SHA256 PREFIX
#
# The source is Debian's newlib-source package at VERSION; the tarball
# inside it is checked against SHA256 before anything is built. Both are
# pinned in build/deps.lua, which is where the generator gets them from.
# The result, PREFIX/{include,lib} (CACHE/newlib-VERSION-bBUILD, see
# build/deps.lua), is built once and reused; concurrent runs wait for each
# other. Prints progress on stderr
# and the installation prefix on stdout.
set -eu

PKG=newlib-source
TARBALL=newlib-3.3.0.tar.xz
[ $# -eq 4 ] || { echo "usage: sh build/newlib.sh CACHE VERSION SHA256 PREFIX" >&2; exit 2; }
cache=$1
VERSION=$2
SHA256=$3
prefix=$4
say() { echo "mirari: newlib: $*" >&2; }

mkdir -p "$cache"
exec 9>"$cache/.newlib.lock"
flock 9
if [ -f "$prefix/.complete" ]; then
	echo "$prefix"
	exit 0
fi

work=$(mktemp -d "$cache/.newlib-build.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

say "fetching $PKG $VERSION"
if ! apt-get download -q "$PKG=$VERSION" >/dev/null 2>apt.err; then
	cat apt.err >&2
	say "cannot download $PKG=$VERSION (run apt-get update; if Debian has moved to a newer version, pin it in build/deps.lua after checking it)"
	exit 1
fi
dpkg-deb -x "${PKG}_"*.deb deb
got=$(sha256sum "deb/usr/src/newlib/$TARBALL" | cut -d' ' -f1)
if [ "$got" != "$SHA256" ]; then
	say "$TARBALL has sha256 $got, expected $SHA256: refusing to build it"
	exit 1
fi
say "unpacking"
tar -xJf "deb/usr/src/newlib/$TARBALL"
src=$(find . -maxdepth 1 -type d -name 'newlib*' | head -n 1)

# The guest ABI: x86_64, freestanding, no red zone (traps share the stack),
# no PIC (the image is linked at a fixed address), sections per function so
# the image links only what it uses. The nano malloc is small; the nano
# printf is not used, because it misreads %lld and %zu (it takes one
# length modifier only), which C programs rightly expect to work.
# newlib's configure.host sets MISSING_SYSCALL_NAMES for x86_64-elf, which
# makes it call write, sbrk...: names that belong to the application.
# Undefining it (CFLAGS come after newlib's own) makes it call _write,
# _sbrk... instead, names reserved for the implementation, which mirari's
# runtime provides.
cflags="-O2 -g -ffreestanding -fno-pic -mno-red-zone -fno-stack-protector -ffunction-sections -fdata-sections -UMISSING_SYSCALL_NAMES"
mkdir build
cd build
say "configuring (x86_64-elf, nano malloc)"
"../$src/configure" --target=x86_64-elf --prefix="$work/install" \
	--disable-multilib --disable-newlib-supplied-syscalls \
	--enable-newlib-nano-malloc \
	--enable-lite-exit --disable-newlib-fvwrite-in-streamio \
	--disable-newlib-wide-orient --enable-newlib-global-atexit \
	--enable-newlib-io-long-long --enable-newlib-io-c99-formats \
	--disable-nls \
	CC_FOR_TARGET=gcc AR_FOR_TARGET=ar AS_FOR_TARGET=as LD_FOR_TARGET=ld \
	RANLIB_FOR_TARGET=ranlib NM_FOR_TARGET=nm \
	CFLAGS_FOR_TARGET="$cflags" >configure.log 2>&1 || { tail -20 configure.log >&2; exit 1; }
say "building (about half a minute on 2 cores)"
make -j"$(nproc)" all-target-newlib >make.log 2>&1 || { tail -30 make.log >&2; exit 1; }
make install-target-newlib >install.log 2>&1 || { tail -20 install.log >&2; exit 1; }

rm -rf "$prefix"
mkdir -p "$prefix"
cp -r "$work/install/x86_64-elf/include" "$work/install/x86_64-elf/lib" "$prefix/"
printf '%s %s %s\n' "$PKG" "$VERSION" "$SHA256" >"$prefix/.complete"
say "installed in $prefix"
echo "$prefix"
