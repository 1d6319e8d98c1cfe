-- tarfs: a read-only filesystem over a block device that holds a ustar
-- archive (<mirari/tarfs.h>). parse.c reads the headers into a sorted index
-- through a "read bytes at offset" callback and knows nothing of devices,
-- so the unit tests (tests/) and the fuzzer (fuzz/) drive it from memory;
-- tarfs.c runs it over mr_block_pread. The options bound the index's
-- memory: at most max_entries nodes of at most max_path bytes each.
return {
  summary = "read-only ustar filesystem over a block device: index at mount, lookups, byte-range reads",
  sources = { "parse.c", "tarfs.c" },
  include = { "include" },
  options = {
    max_entries = {
      type = "int", default = 4096, min = 1, max = 1048576,
      doc = "files and directories an archive may hold, the root and implied directories included",
    },
    max_path = {
      type = "int", default = 256, min = 16, max = 4096,
      doc = "longest path in bytes; ustar holds 256 (155-byte prefix, '/', 100-byte name), pax and GNU names more",
    },
  },
}
