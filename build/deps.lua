-- Third-party code that guests are built with. Each entry is fetched from
-- Debian and built into the cache (MIRARI_CACHE, else
-- $XDG_CACHE_HOME/mirari, else ~/.cache/mirari) by its recipe, at the
-- pinned version and checksum, the first time a build needs it; the result
-- lives in CACHE/NAME-VERSION-bBUILD and is complete when its .complete
-- file exists. The recipe is run as: sh RECIPE CACHE VERSION SHA256 PREFIX. A library names what it needs in its manifest (deps = { ... })
-- and refers to the installation as {NAME} in its flags.
return {
  newlib = {
    summary = "C library of Xen guests (Debian newlib-source)",
    version = "3.3.0-1.3+deb12u1",
    sha256 = "c6f3a88b9d93420904241b231ca8647303be3bfb3cfef6adc8d1ea9207291033",
    recipe = "build/newlib.sh",
    -- Bumped whenever the recipe builds something different.
    build = 6,
  },
  lwip = {
    summary = "TCP/IP stack of the lwip library (Debian lwip source package, compiled by libs/lwip)",
    version = "2.1.3+dfsg1-2",
    -- sha256 of lwip_2.1.3+dfsg1.orig.tar.xz, the upstream tree.
    sha256 = "0a8276d09fc4e97bbba2f953d74af2388fc2195ea156be9d7589e297a68fde24",
    recipe = "build/lwip.sh",
    build = 1,
  },
}
