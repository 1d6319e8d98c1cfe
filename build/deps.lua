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
}
