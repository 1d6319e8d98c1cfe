-- The Unix backend: the application runs as an ordinary Linux process.
return {
  summary = "platform layer for a Linux process: one poll(2), stderr console, clock_gettime, argv parameters",
  backend = "unix",
  sources = { "block.c", "crash.c", "main.c", "net.c", "platform.c", "stop.c" },
  include = { "include" },
  image = "%s",
  devices = { "block", "net" },
  -- A net device without a tap is a slirp one (slirp.c, Debian's
  -- libslirp-dev): only images with a net device compile it and link
  -- libslirp, so the others build where libslirp is not installed. net.c
  -- refers to slirp.c weakly (lwip without a device links net.c alone),
  -- and a weak reference does not pull an archive member: --undefined does.
  device_sources = { net = { "slirp.c" } },
  device_link = { net = { "-Wl,--undefined=slirp_net_open", "-lslirp" } },
  settings = {
    sanitize = {
      type = "list", of = { type = "enum", values = { "address", "undefined" } }, default = {},
      doc = "build every source with these GCC sanitizers (-fsanitize=...)",
    },
    optimize = {
      type = "enum", values = { "speed", "size", "debug" }, default = "speed",
      doc = "-O2, -Os or -Og",
    },
  },
}
