-- The Xen backend: the application is a PVH guest.
return {
  summary = "platform layer for a Xen PVH guest: boot, traps, pvclock, event channels, grant tables, xenstore, console",
  backend = "xen",
  sources = {
    "entry.S", "traps.S", "start.c", "console.c", "mm.c", "traps.c", "evtchn.c",
    "time.c", "gnttab.c", "xs_wire.c", "xenstore.c", "control.c", "xenbus.c", "netfront.c",
    "blkfront.c",
  },
  include = { "include" },
  image = "%s.xen",
  files = { ["xl.cfg"] = "%s.xl" },
  devices = { "block", "net" },
  deps = { "newlib" },
  -- Xen's public headers (Debian libxen-dev), after newlib's own.
  cflags = { "-idirafter", "/usr/include" },
  target_cflags = {
    "-nostdinc", "-isystem", "{gccinc}", "-isystem", "{newlib}/include",
    "-fno-pic", "-fno-pie", "-mno-red-zone", "-fno-stack-protector",
    "-fno-omit-frame-pointer", "-fno-asynchronous-unwind-tables",
    "-D__XEN_INTERFACE_VERSION__=0x00040e00",
  },
  ldflags = {
    "-nostdlib", "-static", "-no-pie", "-Wl,-T,{dir}/xen.ld", "-Wl,--build-id=none",
    "-Wl,-z,noexecstack", "-Wl,-z,max-page-size=4096",
  },
  link = { "{newlib}/lib/libc.a", "-lgcc" },
  options = {
    xenstore_timeout = {
      type = "duration", default = "10s", min = "1ms",
      doc = "how long a xenstore request may take before it fails with MR_ETIMEDOUT",
    },
  },
  settings = {
    memory = {
      type = "size", default = "8M", min = "2M", max = "1G", multiple = "1M",
      doc = "memory of the domain (xl memory=)",
    },
    on_poweroff = {
      type = "enum", values = { "destroy", "restart", "preserve" }, default = "destroy",
      doc = "what Xen does when the application exits 0",
    },
    on_reboot = {
      type = "enum", values = { "destroy", "restart", "preserve" }, default = "restart",
      doc = "what Xen does on xl reboot",
    },
    on_crash = {
      type = "enum", values = { "destroy", "restart", "preserve", "coredump-destroy", "coredump-restart" },
      default = "destroy",
      doc = "what Xen does after a crash; preserve keeps the domain for debugging",
    },
    extra = {
      type = "string", default = "", pattern = '^[^"\\]*$', what = "free of double quotes and backslashes (xl's extra= cannot carry them)",
      doc = "runtime parameters given at boot (xl extra=), such as \"count=2\"",
    },
    optimize = {
      type = "enum", values = { "speed", "size", "debug" }, default = "size",
      doc = "-O2, -Os or -Og",
    },
  },
}
