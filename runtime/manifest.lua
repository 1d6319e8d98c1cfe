-- The runtime core: linked into every image.
return {
  summary = "cooperative scheduler, handler threads, timers, events, logging, boot parameters",
  sources = {
    "block.c", "boot.c", "ctx.c", "event.c", "heap.c", "log.c", "param.c", "sched.c", "stats.c", "timer.c",
    "arch/x86_64/switch.S",
  },
  -- Targets whose C library is newlib get its system calls from here.
  target_sources = { xen = { "newlib/syscalls.c" } },
  exports = {
    "_write", "_read", "_sbrk", "_exit", "_close", "_fstat", "_isatty", "_lseek", "_open",
    "_kill", "_getpid", "_gettimeofday", "_times", "_unlink", "_link", "_stat", "_fork",
    "_execve", "_wait",
  },
  include = { "include" },
  options = {
    stack_size = {
      type = "size", default = "32K", min = "8K", max = "16M", multiple = "4K",
      doc = "stack of each thread, a multiple of 4K; a guard page lies below it",
    },
    max_threads = {
      type = "int", default = 4096, min = 1, max = 1048576,
      doc = "threads alive at once; spawning more fails with MR_ENOMEM",
    },
    stack_cache = {
      type = "int", default = 32, min = 0, max = 4096,
      doc = "stacks of ended threads kept for reuse instead of freed",
    },
    log_level = {
      type = "enum", values = { "error", "warn", "info", "debug" }, default = "info",
      doc = "initial log level (runtime parameter log= overrides it at boot)",
    },
  },
}
