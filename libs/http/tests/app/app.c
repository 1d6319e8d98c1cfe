/*
 * app.c: the routes of the http test application. /hello answers a fixed
 * page, /override.txt shadows a file of the site, /api/... echoes what the
 * request was, /stream sends a body of unknown length in parts, and
 * /silent gives no answer at all.
 */
#include <stdio.h>
#include <string.h>

#include <mirari/http.h>
#include <mirari/mirari.h>

static void
hello(struct mr_http_request *req, void *arg)
{
	static const char page[] = "hello from a route\n";

	(void)arg;
	mr_http_add_header(req, "X-Route", "hello");
	mr_http_respond(req, 200, "text/plain", page, sizeof page - 1);
}

static void
override(struct mr_http_request *req, void *arg)
{
	static const char page[] = "the route wins\n";

	(void)arg;
	mr_http_respond(req, 200, "text/plain", page, sizeof page - 1);
}

/* Everything about the request, one item a line. */
static void
api(struct mr_http_request *req, void *arg)
{
	char out[2048];
	const char *v;
	size_t vlen, blen;
	const void *body = mr_http_body(req, &blen);
	int n;

	(void)arg;
	v = mr_http_header(req, "x-test", &vlen);
	n = snprintf(out, sizeof out,
		     "method=%s\npath=%s\nquery=%s\nx-test=%.*s\nbody=%.*s\n",
		     mr_http_method(req), mr_http_path(req), mr_http_query(req),
		     (int)vlen, v ? v : "", (int)blen, (const char *)body);
	/* Framing is the library's: these must be refused. */
	if (mr_http_add_header(req, "Content-Length", "1") != MR_EINVAL ||
	    mr_http_add_header(req, "X-Bad", "a\r\nInjected: 1") != MR_EINVAL ||
	    mr_http_add_header(req, "Bad Name", "x") != MR_EINVAL)
		n = snprintf(out, sizeof out, "add_header accepted a bad field\n");
	mr_http_respond(req, 200, "text/plain", out, (size_t)n);
	if (mr_http_respond(req, 200, "text/plain", out, (size_t)n) != MR_EINVAL)
		mr_error("a second answer was accepted");
}

static void
stream(struct mr_http_request *req, void *arg)
{
	char line[32];
	int i, n;

	(void)arg;
	mr_http_begin(req, 200, "text/plain", MR_HTTP_UNKNOWN);
	for (i = 0; i < 5; i++) {
		n = snprintf(line, sizeof line, "part %d\n", i);
		mr_http_write(req, line, (size_t)n);
		mr_yield();
	}
}

/* 100,000 bytes of "0123456789", larger than the library's buffers. */
static char large_body[100000];

static void
large(struct mr_http_request *req, void *arg)
{
	(void)arg;
	mr_http_respond(req, 200, "text/plain", large_body, sizeof large_body);
}

/* The same in parts of 7,000 bytes, with the length said first. */
static void
large_parts(struct mr_http_request *req, void *arg)
{
	size_t off, n;

	(void)arg;
	mr_http_begin(req, 200, "text/plain", (int64_t)sizeof large_body);
	for (off = 0; off < sizeof large_body; off += n) {
		n = sizeof large_body - off < 7000 ? sizeof large_body - off : 7000;
		if (mr_http_write(req, large_body + off, n) != MR_OK)
			return;
	}
	if (mr_http_write(req, "x", 1) != MR_EINVAL)
		mr_error("a write past the length was accepted");
}

/* Says 10 bytes, sends 5: the connection must close. */
static void
short_body(struct mr_http_request *req, void *arg)
{
	(void)arg;
	mr_http_begin(req, 200, "text/plain", 10);
	mr_http_write(req, "short", 5);
}

static void
silent(struct mr_http_request *req, void *arg)
{
	(void)req;
	(void)arg;
}

void
app_main(void)
{
	size_t i;

	for (i = 0; i < sizeof large_body; i++)
		large_body[i] = (char)('0' + i % 10);
	if (mr_http_route("GET", "/hello", hello, NULL) != MR_OK ||
	    mr_http_route("GET", "/large", large, NULL) != MR_OK ||
	    mr_http_route("GET", "/large-parts", large_parts, NULL) != MR_OK ||
	    mr_http_route("GET", "/short", short_body, NULL) != MR_OK ||
	    mr_http_route("GET", "/override.txt", override, NULL) != MR_OK ||
	    mr_http_route(NULL, "/api/*", api, NULL) != MR_OK ||
	    mr_http_route("GET", "/stream", stream, NULL) != MR_OK ||
	    mr_http_route("GET", "/silent", silent, NULL) != MR_OK)
		mr_panic("cannot register the routes");
	if (mr_http_route("GET", "relative", silent, NULL) != MR_EINVAL)
		mr_panic("a relative route was accepted");
}
