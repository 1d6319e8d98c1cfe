-- The Unix backend: the application runs as an ordinary Linux process.
return {
  summary = "platform layer for a Linux process: one poll(2), stderr console, clock_gettime, argv parameters",
  backend = "unix",
  sources = { "block.c", "crash.c", "main.c", "net.c", "platform.c" },
  include = { "include" },
  image = "%s",
  devices = { "block", "net" },
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
