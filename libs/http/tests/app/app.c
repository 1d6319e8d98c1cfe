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

static void
silent(struct mr_http_request *req, void *arg)
{
	(void)req;
	(void)arg;
}

void
app_main(void)
{
	if (mr_http_route("GET", "/hello", hello, NULL) != MR_OK ||
	    mr_http_route("GET", "/override.txt", override, NULL) != MR_OK ||
	    mr_http_route(NULL, "/api/*", api, NULL) != MR_OK ||
	    mr_http_route("GET", "/stream", stream, NULL) != MR_OK ||
	    mr_http_route("GET", "/silent", silent, NULL) != MR_OK)
		mr_panic("cannot register the routes");
	if (mr_http_route("GET", "relative", silent, NULL) != MR_EINVAL)
		mr_panic("a relative route was accepted");
}
