-- http: the `http` handler set, an HTTP/1.1 server of static files from a
-- tar archive on a block device (libs/tarfs) and of routes the application
-- registers in C (<mirari/http.h>), on the TCP API of libs/lwip. parse.c
-- is a pure request parser (unit-tested in tests/, fuzzed in fuzz/),
-- server.c the connections, responses and files, mime.c the types.
--
-- The limits bound what a client can make the server hold: each
-- connection has one buffer of max_request_line + max_header_bytes +
-- max_body bytes, allocated when it is accepted, and max_connections
-- bounds the connections (docs/http.md).
return {
  summary = "HTTP/1.1 server: static files from a tar block device, C routes, keep-alive, ranges, ETags",
  sources = { "parse.c", "mime.c", "server.c" },
  include = { "include" },
  requires = { "lwip", "tarfs" },
  provides = { "handlers" },
  init = "mr_http_init",
  options = {
    port = { type = "int", default = 80, min = 1, max = 65535, doc = "TCP port to listen on" },
    root = {
      type = "string", default = "", max = 64, pattern = "^[a-z0-9_]*$",
      what = "a block device name such as \"site\", or \"\" for routes only",
      doc = "block device holding the site as a tar archive; \"\" serves routes only",
    },
    index = {
      type = "string", default = "index.html", max = 64, pattern = "^[^/]+$",
      what = "a file name without '/'",
      doc = "file served for a directory's URL (/dir/)",
    },
    status = {
      type = "string", default = "", max = 64, pattern = "^[%w_./-]*$",
      what = "a path such as \"/status\" (letters, digits, '_', '.', '-', '/'), or \"\" for none",
      doc = "a GET of this path answers the image's counters (mirari/stats.h) as one JSON object: threads, heap, buffers, connections, grants; \"\" for none",
    },
    access_log = { type = "bool", default = true, doc = "one log line per request (method, path, status, bytes, microseconds)" },
    max_request_line = {
      type = "size", default = "8K", min = 64, max = "64K",
      doc = "longest request line, CRLF included; longer is answered 414",
    },
    max_header_bytes = {
      type = "size", default = "16K", min = 64, max = "256K",
      doc = "longest header section, blank line included; longer is answered 431",
    },
    max_headers = {
      type = "int", default = 64, min = 1, max = 1024,
      doc = "most header fields in a request; more is answered 431",
    },
    max_body = {
      type = "size", default = "4K", min = 0, max = "1M",
      doc = "largest request body (Content-Length); larger is answered 413",
    },
    max_connections = {
      type = "int", default = 32, min = 1, max = 65535,
      doc = "connections served at once, each with its buffer and thread (docs/http.md: about 90K); one more closes the one idle the longest, or is reset when none is idle",
    },
    keepalive_timeout = {
      type = "duration", default = "15s", min = "10ms", max = "1h",
      doc = "an idle connection between requests is closed after this",
    },
    request_timeout = {
      type = "duration", default = "10s", min = "10ms", max = "1h",
      doc = "a request must arrive whole this long after its first byte, and each write of an answer make progress within it; slower clients are cut (408)",
    },
    cache = {
      type = "size", default = "1M", min = 0, max = "1G",
      doc = "bytes of small files (up to 64K each) kept in memory once read",
    },
  },
  constraints = {
    { 'status == "" or status:sub(1, 1) == "/"', 'status must be a path that starts with "/", such as "/status"' },
  },
}
