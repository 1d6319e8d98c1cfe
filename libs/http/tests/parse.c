/*
 * parse.c: the HTTP request parser of libs/http (parse.h), every rule
 * and limit, from memory. Each request is copied into a buffer of its
 * exact size, so a read past its end is caught by AddressSanitizer.
 */
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "tap.h"

/* Small limits, so that tests reach them. */
static const struct http_limits lim = {
	.request_line = 256,
	.header_bytes = 512,
	.headers = 16,
	.body = 1024,
};

static struct http_request req;
static char path[1024];
static char *copy;

/* Parse the (len) bytes of (s) from an exact-size copy, kept in (copy). */
static int
parse_n(const char *s, size_t len)
{
	free(copy);
	copy = malloc(len ? len : 1);
	memcpy(copy, s, len);
	return http_parse(copy, len, &lim, &req, path, sizeof path);
}

static int
parse(const char *s)
{
	return parse_n(s, strlen(s));
}

static void
status(const char *s, int want, const char *name)
{
	int got = parse(s);

	if (!ok(got == want, "%s: %d", name, want))
		tap_diag("got %d", got);
}

/* GET (target) HTTP/1.1 with a Host. */
static int
get(const char *target)
{
	char buf[1024];

	snprintf(buf, sizeof buf, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n",
		 target);
	return parse(buf);
}

static void
path_is(const char *target, const char *want)
{
	int got = get(target);

	if (!ok(got == 200 && strcmp(req.path, want) == 0 &&
		req.path_len == strlen(want), "path %s is %s", target, want))
		tap_diag("status %d, path '%s'", got,
			 got == 200 ? req.path : "");
}

static void
path_refused(const char *target)
{
	int got = get(target);

	if (!ok(got == 400, "path %s: 400", target))
		tap_diag("status %d, path '%s'", got,
			 got == 200 ? req.path : "");
}

/* A request with one more header line (hdr, CRLF included). */
static int
with_header(const char *hdr)
{
	char buf[1024];

	snprintf(buf, sizeof buf, "GET / HTTP/1.1\r\nHost: x\r\n%s\r\n", hdr);
	return parse(buf);
}

/* (s) for a test's name: its lines joined with '|', control bytes as '?'. */
static const char *
line1(const char *s)
{
	static char buf[128];
	size_t i;

	for (i = 0; s[i] != '\0' && i < sizeof buf - 1; i++)
		buf[i] = s[i] == '\n' ? '|' : (unsigned char)s[i] < 0x20 ||
		    (unsigned char)s[i] >= 0x7f ? '?' : s[i];
	buf[i] = '\0';
	return buf;
}

static void
header_status(const char *hdr, int want)
{
	int got = with_header(hdr);

	if (!ok(got == want, "header %s: %d", line1(hdr), want))
		tap_diag("got %d", got);
}

static void
request_line(void)
{
	int r;

	r = parse("GET / HTTP/1.1\r\nHost: example.org\r\n\r\n");
	ok(r == 200, "a plain GET");
	is_str(req.method, "GET", "its method");
	is_int(req.minor, 1, "HTTP/1.1");
	ok(req.keep_alive, "1.1 keeps the connection");
	is_str(req.path, "/", "its path");
	ok(req.query == NULL, "no query");
	is_int((int)req.length, 37, "its length");
	is_int((int)req.head_len, 37, "all head");
	ok(req.range == HTTP_RANGE_NONE && req.if_none_match == NULL,
	   "no range, no condition");

	r = parse("HEAD /x HTTP/1.1\r\nHost: a\r\n\r\n");
	ok(r == 200 && strcmp(req.method, "HEAD") == 0, "HEAD");
	r = parse("PURGE /x HTTP/1.1\r\nHost: a\r\n\r\n");
	ok(r == 200 && strcmp(req.method, "PURGE") == 0,
	   "another method is a request too (the server answers 405)");
	r = parse("get / HTTP/1.1\r\nHost: a\r\n\r\n");
	ok(r == 200 && strcmp(req.method, "get") == 0,
	   "methods are case-sensitive tokens: get is not GET");
	status("ABCDEFGHIJKLMNO / HTTP/1.1\r\nHost: a\r\n\r\n", 200,
	       "a 15-byte method");
	status("ABCDEFGHIJKLMNOP / HTTP/1.1\r\nHost: a\r\n\r\n", 501,
	       "a 16-byte method");
	status("GE(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "a method with '('");
	status(" GET / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "a leading space");
	status("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "two spaces");
	status("GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 400, "a trailing space");
	status("GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", 400, "a tab");
	status("GET /\r\nHost: a\r\n\r\n", 400, "no version (HTTP/0.9)");
	status("GET / HTTP/1.1\nHost: a\r\n\r\n", 400, "a bare LF ends the line");
	status("GET / HTTP/1.1\rHost: a\r\n\r\n", 400, "a bare CR in the line");
	status("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505, "HTTP/2.0");
	status("GET / HTTP/0.9\r\nHost: a\r\n\r\n", 505, "HTTP/0.9");
	status("GET / http/1.1\r\nHost: a\r\n\r\n", 400, "http/1.1");
	status("GET / HTTP/1.10\r\nHost: a\r\n\r\n", 400, "HTTP/1.10");
	status("GET / HTTP/1.x\r\nHost: a\r\n\r\n", 400, "HTTP/1.x");
	r = parse("GET / HTTP/1.9\r\nHost: a\r\n\r\n");
	ok(r == 200 && req.minor == 1, "HTTP/1.9 is spoken to as 1.1");
	r = parse("GET / HTTP/1.0\r\n\r\n");
	ok(r == 200 && req.minor == 0 && !req.keep_alive,
	   "HTTP/1.0 needs no Host and closes");
	r = parse("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n");
	ok(r == 200 && req.length == 31 && req.head_len == 31,
	   "empty lines before a request are skipped and counted");
	is_int(parse("\r\n"), HTTP_INCOMPLETE, "an empty line alone waits");
	is_int(parse("\r"), HTTP_INCOMPLETE, "a CR alone waits");
	is_int(parse(""), HTTP_INCOMPLETE, "nothing waits");
	is_int(parse("GET / HT"), HTTP_INCOMPLETE, "half a line waits");
	is_int(parse("GET / HTTP/1.1\r\nHost: a\r\n"), HTTP_INCOMPLETE,
	       "a head without its blank line waits");
	is_int(parse_n("GET /\0", 6), 400, "a NUL is refused before the line ends");
	is_int(parse_n("GET /\0 HTTP/1.1\r\nHost: a\r\n\r\n", 29), 400,
	       "a NUL in the target");
}

static void
targets(void)
{
	int r;

	status("GET http://x/ HTTP/1.1\r\nHost: x\r\n\r\n", 400,
	       "absolute-form is refused");
	status("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", 400,
	       "asterisk-form is refused");
	status("CONNECT x:80 HTTP/1.1\r\nHost: x\r\n\r\n", 400,
	       "authority-form is refused");
	status("GET  HTTP/1.1\r\nHost: x\r\n\r\n", 400, "an empty target");
	path_refused("/a\\b");
	path_refused("/a\"b");
	path_refused("/a#b");
	path_refused("/a<b");
	path_refused("/a{b");
	path_refused("/a|b");
	path_refused("/a^b");
	path_refused("/a`b");
	path_refused("/\x80");
	path_refused("/\x7f");
	path_refused("/%zz");
	path_refused("/%4");
	path_refused("/%");
	path_refused("/%g0");

	r = get("/a?b=c/d?e");
	ok(r == 200 && strcmp(req.path, "/a") == 0 && req.query_len == 7 &&
	   memcmp(req.query, "b=c/d?e", 7) == 0, "a query is split off raw");
	r = get("/a?");
	ok(r == 200 && req.query != NULL && req.query_len == 0,
	   "an empty query is there and empty");
	r = get("/a?%2e%2e/%2F");
	ok(r == 200 && strcmp(req.path, "/a") == 0,
	   "the query is not decoded (nor checked for dot-segments)");

	path_is("/", "/");
	path_is("/index.html", "/index.html");
	path_is("/a%20b", "/a b");
	path_is("/%41%62", "/Ab");
	path_is("/caf%c3%a9", "/caf\xc3\xa9");
	path_is("/a:b@c!$&'()*+,;=-._~", "/a:b@c!$&'()*+,;=-._~");
	path_refused("/a%2Fb");
	path_refused("/a%2fb");
	path_refused("/a%00b");
	path_refused("/a%5cb");
	path_refused("/a%5Cb");
	path_refused("/a%0ab");
	path_refused("/a%0d");
	path_refused("/a%1f");
	path_refused("/a%7f");
	path_is("/a%20", "/a ");

	/* dot-segments */
	path_refused("/..");
	path_refused("/../");
	path_refused("/../a");
	path_refused("/%2e%2e/a");
	path_refused("/%2E%2e/");
	path_refused("/.%2e/etc/passwd");
	path_refused("/%2e./x");
	path_refused("/..%2f");
	path_refused("/..%2fetc");
	path_refused("/..%5c");
	path_refused("/a/../..");
	path_refused("/a/b/../../../c");
	path_refused("/./../a");
	path_is("/a/../b", "/b");
	path_is("/a/%2e%2e/b", "/b");
	path_is("/a/./b", "/a/b");
	path_is("/a/%2e/b", "/a/b");
	path_is("/a/..", "/");
	path_is("/a/b/..", "/a/");
	path_is("/a/b/../", "/a/");
	path_is("/a/.", "/a/");
	path_is("/.", "/");
	path_is("/./", "/");
	path_is("/.hidden", "/.hidden");
	path_is("/..a", "/..a");
	path_is("/a..", "/a..");
	path_is("/...", "/...");
	path_is("//a", "//a");
	path_is("/a/b/", "/a/b/");
}

static void
headers(void)
{
	const char *v;
	size_t n;
	int r;

	status("GET / HTTP/1.1\r\n\r\n", 400, "1.1 without Host");
	status("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", 400, "two Hosts");
	status("GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", 400,
	       "two Hosts in 1.0");
	status("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400, "a Host with a space");
	status("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400, "a Host with '/'");
	status("GET / HTTP/1.1\r\nHost: a@b\r\n\r\n", 400, "a Host with '@'");
	status("GET / HTTP/1.1\r\nHost:\r\n\r\n", 200,
	       "an empty Host (RFC 9110 7.2)");
	status("GET / HTTP/1.1\r\nHost: [2001:db8::1]:8080\r\n\r\n", 200,
	       "a Host with an IPv6 literal and a port");
	status("GET / HTTP/1.1\r\nhOsT: a\r\n\r\n", 200, "names in any case");

	header_status("X : y\r\n", 400);
	header_status("X\t: y\r\n", 400);
	header_status("X: y\r\n z\r\n", 400);		/* obs-fold */
	header_status("X: y\r\n\tz\r\n", 400);
	status("GET / HTTP/1.1\r\n Host: a\r\n\r\n", 400,
	       "whitespace before the first field");
	header_status(": y\r\n", 400);
	header_status("X y\r\n", 400);
	header_status("X(: y\r\n", 400);
	header_status("X: a\x01z\r\n", 400);
	header_status("X: a\x7fz\r\n", 400);
	header_status("X: a\rz\r\n", 400);
	header_status("X: a\nz\r\n", 400);
	header_status("X: y\n", 400);
	status("GET / HTTP/1.1\r\nHost: a\n\n", 400, "LF LF ends no head");
	status("GET / HTTP/1.1\r\nHost: a\r\n\n", 400, "CRLF LF ends no head");
	is_int(parse_n("GET / HTTP/1.1\r\nHost: a\r\nX: \0\r\n\r\n", 34), 400,
	       "a NUL in a value");
	header_status("X: caf\xc3\xa9\r\n", 200);	/* obs-text */
	header_status("X:\r\n", 200);
	header_status("X-y_z.1~!#$%&'*+^`|: v\r\n", 200);

	r = with_header("X-Thing: \t some value \t\r\nx-thing: second\r\n");
	v = http_header(&req, "x-THING", &n);
	ok(r == 200 && v != NULL && n == 10 && memcmp(v, "some value", 10) == 0,
	   "http_header: the first, in any case, without whitespace");
	v = http_header(&req, "host", &n);
	ok(v != NULL && n == 1 && *v == 'x', "http_header: Host");
	ok(http_header(&req, "x-thin", &n) == NULL && n == 0,
	   "http_header: a prefix of a name is not the name");
	ok(http_header(&req, "x-things", &n) == NULL,
	   "http_header: nor a longer one");
	r = parse("GET / HTTP/1.0\r\n\r\n");
	ok(r == 200 && http_header(&req, "host", &n) == NULL,
	   "http_header: no fields at all");

	/* Connection */
	r = with_header("Connection: close\r\n");
	ok(r == 200 && !req.keep_alive, "Connection: close");
	r = with_header("Connection: foo, CLOSE\r\n");
	ok(r == 200 && !req.keep_alive, "Connection: foo, CLOSE");
	r = with_header("Connection: closed\r\n");
	ok(r == 200 && req.keep_alive, "closed is not close");
	r = parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n");
	ok(r == 200 && req.keep_alive, "1.0 with Keep-Alive keeps it");
	r = parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n");
	ok(r == 200 && !req.keep_alive, "close wins over keep-alive");

	/* Content-Length and Transfer-Encoding */
	r = parse("POST /f HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello");
	ok(r == 200 && req.content_length == 5 && req.length == 53 &&
	   req.head_len == 48, "a body of Content-Length bytes");
	r = parse("POST /f HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhell");
	is_int(r, HTTP_INCOMPLETE, "a body not all there waits");
	r = parse("GET /f HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n");
	ok(r == 200 && req.length == req.head_len, "Content-Length: 0");
	r = parse("POST /f HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
		  "Expect: 100-Continue\r\n\r\nhel");
	ok(r == HTTP_INCOMPLETE && req.head_len == 70 && req.expect_continue &&
	   req.content_length == 5, "a head whose body is awaited is parsed, "
	   "with Expect: 100-continue");
	r = parse("POST /f HTTP/1.1\r\nHost: a\r\n");
	ok(r == HTTP_INCOMPLETE && req.head_len == 0, "a head not all there is not");
	header_status("Expect: 100-continue, foo\r\n", 417);
	header_status("Expect: foo\r\n", 417);
	header_status("Content-Length: 1024\r\n", HTTP_INCOMPLETE);
	header_status("Content-Length: 1025\r\n", 413);
	header_status("Content-Length: 99999999999999999999999\r\n", 413);
	header_status("Content-Length: abc\r\n", 400);
	header_status("Content-Length: -1\r\n", 400);
	header_status("Content-Length: +1\r\n", 400);
	header_status("Content-Length: 1 2\r\n", 400);
	header_status("Content-Length: 5, 5\r\n", 400);
	header_status("Content-Length:\r\n", 400);
	header_status("Content-Length: 1\r\nContent-Length: 1\r\n", 400);
	header_status("Transfer-Encoding: chunked\r\n", 411);
	header_status("Transfer-Encoding: gzip, Chunked\r\n", 411);
	header_status("Transfer-Encoding: gzip\r\n", 501);
	header_status("Transfer-Encoding: chunked, gzip\r\n", 501);
	header_status("Transfer-Encoding: chunked\r\nContent-Length: 3\r\n", 400);
	status("GET / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400,
	       "Transfer-Encoding in 1.0");

	/* conditions */
	r = with_header("If-None-Match: \"abc\", W/\"d\" \r\nIf-Range: \"abc\"\r\n");
	ok(r == 200 && req.if_none_match_len == 12 &&
	   memcmp(req.if_none_match, "\"abc\", W/\"d\"", 12) == 0,
	   "If-None-Match is kept, trimmed");
	ok(req.if_range_len == 5 && memcmp(req.if_range, "\"abc\"", 5) == 0,
	   "If-Range is kept");
}

static void
range_is(const char *hdr, enum http_range kind, uint64_t a, uint64_t b)
{
	int r = with_header(hdr);

	if (!ok(r == 200 && req.range == kind &&
		(kind == HTTP_RANGE_NONE || req.range_first == a) &&
		(kind != HTTP_RANGE_FROM_TO || req.range_last == b),
		"%s: range %d", line1(hdr), kind))
		tap_diag("status %d, range %d %llu %llu", r, req.range,
			 (unsigned long long)req.range_first,
			 (unsigned long long)req.range_last);
}

static void
ranges(void)
{
	range_is("Range: bytes=0-9\r\n", HTTP_RANGE_FROM_TO, 0, 9);
	range_is("Range: Bytes=3-3\r\n", HTTP_RANGE_FROM_TO, 3, 3);
	range_is("Range: bytes=5-\r\n", HTTP_RANGE_FROM, 5, 0);
	range_is("Range: bytes=-3\r\n", HTTP_RANGE_SUFFIX, 3, 0);
	range_is("Range: bytes=-0\r\n", HTTP_RANGE_SUFFIX, 0, 0);
	range_is("Range: bytes= 1-2\r\n", HTTP_RANGE_FROM_TO, 1, 2);
	range_is("Range: bytes=0-1,3-4\r\n", HTTP_RANGE_NONE, 0, 0);
	range_is("Range: items=0-1\r\n", HTTP_RANGE_NONE, 0, 0);
	range_is("Range: bytes=5-2\r\n", HTTP_RANGE_NONE, 0, 0);
	range_is("Range: bytes=a-b\r\n", HTTP_RANGE_NONE, 0, 0);
	range_is("Range: bytes=-\r\n", HTTP_RANGE_NONE, 0, 0);
	range_is("Range: bytes=\r\n", HTTP_RANGE_NONE, 0, 0);
	range_is("Range: bytes=1-2-3\r\n", HTTP_RANGE_NONE, 0, 0);
	range_is("Range: bytes=99999999999999999999999-\r\n", HTTP_RANGE_NONE, 0, 0);
	range_is("Range: bytes=0-1\r\nRange: bytes=2-3\r\n", HTTP_RANGE_NONE, 0, 0);
}

static void
resolve_is(const char *hdr, uint64_t size, int want, uint64_t off,
	   uint64_t count)
{
	uint64_t o = 77, c = 77;
	int got;

	with_header(hdr);
	got = http_range_resolve(&req, size, "\"e1\"", &o, &c);
	if (!ok(got == want && (want != 206 || (o == off && c == count)),
		"%s of %llu bytes: %d %llu+%llu", line1(hdr),
		(unsigned long long)size, want, (unsigned long long)off,
		(unsigned long long)count))
		tap_diag("got %d %llu+%llu", got, (unsigned long long)o,
			 (unsigned long long)c);
}

static void
resolve(void)
{
	resolve_is("X: y\r\n", 10, 200, 0, 0);
	resolve_is("Range: bytes=0-9\r\n", 10, 206, 0, 10);
	resolve_is("Range: bytes=0-99\r\n", 10, 206, 0, 10);
	resolve_is("Range: bytes=9-9\r\n", 10, 206, 9, 1);
	resolve_is("Range: bytes=10-10\r\n", 10, 416, 0, 0);
	resolve_is("Range: bytes=10-\r\n", 10, 416, 0, 0);
	resolve_is("Range: bytes=4-\r\n", 10, 206, 4, 6);
	resolve_is("Range: bytes=-3\r\n", 10, 206, 7, 3);
	resolve_is("Range: bytes=-30\r\n", 10, 206, 0, 10);
	resolve_is("Range: bytes=-0\r\n", 10, 416, 0, 0);
	resolve_is("Range: bytes=-1\r\n", 0, 416, 0, 0);
	resolve_is("Range: bytes=0-0\r\n", 0, 416, 0, 0);
	resolve_is("Range: bytes=0-1,2-3\r\n", 10, 200, 0, 0);
	resolve_is("Range: bytes=2-3\r\nIf-Range: \"e1\"\r\n", 10, 206, 2, 2);
	resolve_is("Range: bytes=2-3\r\nIf-Range: \"e0\"\r\n", 10, 200, 0, 0);
	resolve_is("Range: bytes=2-3\r\nIf-Range: W/\"e1\"\r\n", 10, 200, 0, 0);
	resolve_is("Range: bytes=2-3\r\nIf-Range: Sat, 21 Nov 2026 12:00:00 GMT\r\n",
		   10, 200, 0, 0);
}

static void
etags(void)
{
	const char *e = "\"5-1a\"";

#define MATCH(list, want) \
	ok(http_etag_match(list, strlen(list), e) == (want), \
	   "If-None-Match %s %s", list, (want) ? "matches" : "does not match")
	MATCH("\"5-1a\"", true);
	MATCH("W/\"5-1a\"", true);
	MATCH("*", true);
	MATCH(" * ", false);	/* the parser trims; * with spaces is not * */
	MATCH("\"x\", \"5-1a\"", true);
	MATCH("\"x\",\"5-1a\"", true);
	MATCH("\"x\" , W/\"5-1a\"", true);
	MATCH("\"x\", , \"5-1a\"", true);
	MATCH("\"x\"", false);
	MATCH("\"5-1\"", false);
	MATCH("\"5-1ab\"", false);
	MATCH("5-1a", false);
	MATCH("\"5-1a", false);
	MATCH("\"x\" \"5-1a\"", false);
	MATCH("", false);
	MATCH("w/\"5-1a\"", false);
#undef MATCH
}

static void
types(void)
{
	is_str(http_content_type("/index.html"), "text/html; charset=utf-8", "html");
	is_str(http_content_type("/a/b.CSS"), "text/css; charset=utf-8", "CSS");
	is_str(http_content_type("/x.js"), "text/javascript; charset=utf-8", "js");
	is_str(http_content_type("/x.json"), "application/json", "json");
	is_str(http_content_type("/x.txt"), "text/plain; charset=utf-8", "txt");
	is_str(http_content_type("/x.png"), "image/png", "png");
	is_str(http_content_type("/x.jpg"), "image/jpeg", "jpg");
	is_str(http_content_type("/x.jpeg"), "image/jpeg", "jpeg");
	is_str(http_content_type("/x.gif"), "image/gif", "gif");
	is_str(http_content_type("/x.svg"), "image/svg+xml", "svg");
	is_str(http_content_type("/x.ico"), "image/vnd.microsoft.icon", "ico");
	is_str(http_content_type("/x.webp"), "image/webp", "webp");
	is_str(http_content_type("/x.wasm"), "application/wasm", "wasm");
	is_str(http_content_type("/x.pdf"), "application/pdf", "pdf");
	is_str(http_content_type("/x.xml"), "application/xml", "xml");
	is_str(http_content_type("/x.woff2"), "font/woff2", "woff2");
	is_str(http_content_type("/x.tar.gz"), "application/octet-stream", "unknown");
	is_str(http_content_type("/d.html/file"), "application/octet-stream",
	       "a dot in a directory's name");
	is_str(http_content_type("/README"), "application/octet-stream", "none");
	is_str(http_content_type("/x."), "application/octet-stream", "x.");
}

static void
dates(void)
{
	char d[HTTP_DATE_SIZE];

	http_date(0, d);
	is_str(d, "Thu, 01 Jan 1970 00:00:00 GMT", "the epoch");
	http_date(784111777, d);
	is_str(d, "Sun, 06 Nov 1994 08:49:37 GMT", "RFC 9110's example");
	http_date(951782400, d);
	is_str(d, "Tue, 29 Feb 2000 00:00:00 GMT", "a leap day");
	http_date(1795265999, d);
	is_str(d, "Sat, 21 Nov 2026 12:59:59 GMT", "a Saturday");
	http_date(253402300799, d);
	is_str(d, "Fri, 31 Dec 9999 23:59:59 GMT", "the last second of 9999");
}

static void
limits(void)
{
	char buf[2048];
	size_t n;
	int r;

	/* A request line of exactly 256 bytes, CRLF included. */
	n = (size_t)snprintf(buf, sizeof buf, "GET /%0*d HTTP/1.1\r\nHost: a\r\n\r\n",
			     256 - 16, 0);
	ok(parse(buf) == 200 && req.path_len == 241, "a request line at the limit");
	n = (size_t)snprintf(buf, sizeof buf, "GET /%0*d HTTP/1.1\r\nHost: a\r\n\r\n",
			     256 - 15, 0);
	is_int(parse(buf), 414, "a request line over it: 414");
	is_int(parse_n(buf, 255), HTTP_INCOMPLETE, "255 bytes without a LF wait");
	is_int(parse_n(buf, 256), 414, "256 without a LF: 414 at once");
	memset(buf, '\r', 300);
	memcpy(buf, "\r\n\r\n", 4);
	is_int(parse_n(buf, 300), 400, "CRs");
	for (n = 0; n < 300; n += 2)
		memcpy(buf + n, "\r\n", 2);
	is_int(parse_n(buf, 300), 414, "300 bytes of empty lines: 414");

	/* A header section of exactly 512 bytes: "Host: a\r\n" (9), X, "\r\n". */
	n = (size_t)snprintf(buf, sizeof buf,
			     "GET / HTTP/1.1\r\nHost: a\r\nX: %0*d\r\n\r\n",
			     512 - 9 - 5 - 2, 0);
	ok(parse(buf) == 200 && req.head_len == 16 + 512,
	   "a header section at the limit");
	n = (size_t)snprintf(buf, sizeof buf,
			     "GET / HTTP/1.1\r\nHost: a\r\nX: %0*d\r\n\r\n",
			     512 - 9 - 5 - 1, 0);
	is_int(parse(buf), 431, "one byte more: 431");
	is_int(parse_n(buf, 16 + 511), HTTP_INCOMPLETE,
	       "511 header bytes without the blank line wait");
	is_int(parse_n(buf, 16 + 512), 431, "512 without the blank line: 431");

	/* 16 fields, then 17. */
	n = (size_t)snprintf(buf, sizeof buf, "GET / HTTP/1.1\r\nHost: a\r\n");
	for (int i = 0; i < 15; i++)
		n += (size_t)snprintf(buf + n, sizeof buf - n, "X%d: y\r\n", i);
	snprintf(buf + n, sizeof buf - n, "\r\n");
	is_int(parse(buf), 200, "16 fields");
	snprintf(buf + n, sizeof buf - n, "Y: z\r\n\r\n");
	is_int(parse(buf), 431, "17 fields: 431");

	/* The path buffer of the caller. */
	r = http_parse("GET /abc HTTP/1.1\r\nHost: a\r\n\r\n", 31, &lim, &req,
		       path, 16);
	is_int(r, 414, "a request line longer than the caller's path buffer: 414");
}

/* The stream: three pipelined requests, one with a body. */
static const char stream[] =
    "GET /one HTTP/1.1\r\nHost: a\r\n\r\n"
    "POST /two HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nbody"
    "\r\nHEAD /three?x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n";

/*
 * Feed the stream as a server reads it: (first) bytes, then the rest,
 * parsing after each read and consuming each complete request. True when
 * the three requests come out, in order, and nothing is left.
 */
static bool
pipeline(size_t first, size_t step)
{
	static const char *const want[] = { "/one", "/two", "/three" };
	size_t len = sizeof stream - 1, avail = first, pos = 0;
	int seen = 0;

	for (;;) {
		int r = parse_n(stream + pos, avail - pos);

		if (r == 200) {
			if (seen == 3 || strcmp(req.path, want[seen]) != 0)
				return false;
			if (seen == 1 && (req.content_length != 4 ||
			    memcmp(copy + req.head_len, "body", 4) != 0))
				return false;
			if (seen == 2 && req.keep_alive)
				return false;
			seen++;
			pos += req.length;
			continue;
		}
		if (r != HTTP_INCOMPLETE)
			return false;
		if (avail == len)
			break;
		avail = step ? (avail + step < len ? avail + step : len) : len;
	}
	return seen == 3 && pos == len;
}

static void
pipelining(void)
{
	size_t len = sizeof stream - 1, k, bad = 0;

	ok(pipeline(len, 0), "three pipelined requests in one buffer");
	for (k = 0; k <= len; k++)
		if (!pipeline(k, 0)) {
			tap_diag("split at %zu fails", k);
			bad++;
		}
	ok(bad == 0, "split at each of the %zu byte boundaries", len + 1);
	ok(pipeline(0, 1), "one byte at a time");
	ok(pipeline(0, 7), "seven bytes at a time");
}

int
main(void)
{
	request_line();
	targets();
	headers();
	ranges();
	resolve();
	etags();
	types();
	dates();
	limits();
	pipelining();
	free(copy);
	return done_testing();
}
