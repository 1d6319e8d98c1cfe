/*
 * http-hello: one fixed page for every HTTP/1.1 request. Each connection
 * runs in its own thread (mr_tcp_listen); requests are read up to their
 * blank line, pipelined requests are answered in order, and the
 * connection stays open until the client closes it or asks to with
 * "Connection: close". Request bodies are not expected and not read.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <mirari/mirari.h>
#include <mirari/net.h>

#define REQUEST_MAX	8192		/* longest request head we accept */
#define IDLE		MR_SEC(30)	/* a silent client is dropped */

static const char page[] =
    "<!DOCTYPE html>\n<html><head><title>mirari</title></head>\n"
    "<body><h1>Hello from mirari</h1></body></html>\n";

static char response[512];
static size_t response_len;

static const char too_large[] =
    "HTTP/1.1 431 Request Header Fields Too Large\r\n"
    "Content-Length: 0\r\nConnection: close\r\n\r\n";

/* Does the request head (len bytes) have the header line (line)? */
static bool
has_line(const char *head, size_t len, const char *line)
{
	const char *p = head, *end = head + len;
	size_t want = strlen(line);

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t n = eol ? (size_t)(eol - p) : (size_t)(end - p);

		if (n >= want && strncasecmp(p, line, want) == 0)
			return true;
		p += n + 1;
	}
	return false;
}

/*
 * HTTP/1.1 keeps a connection unless the client says "Connection: close";
 * HTTP/1.0 closes it unless the client says "Connection: keep-alive".
 */
static bool
wants_close(const char *head, size_t len)
{
	const char *eol = memchr(head, '\r', len);
	bool v10 = eol != NULL && eol - head >= 8 &&
	    memcmp(eol - 8, "HTTP/1.0", 8) == 0;

	if (has_line(head, len, "connection: close"))
		return true;
	return v10 && !has_line(head, len, "connection: keep-alive");
}

/*
 * Answer 431 to a head that does not end, then read and drop what the
 * client is still sending for a moment before closing: closing with
 * unread data would reset the connection, and the client could lose the
 * answer.
 */
static void
refuse(struct mr_tcp *conn, char *scratch)
{
	mr_time_t until = mr_now() + MR_SEC(1);
	size_t n, total = 0;

	if (mr_tcp_write(conn, too_large, sizeof too_large - 1,
			 mr_now() + IDLE) != MR_OK)
		return;
	while (total < 16 * REQUEST_MAX &&
	       mr_tcp_read(conn, scratch, REQUEST_MAX, &n, until) == MR_OK &&
	       n > 0)
		total += n;
}

/* One connection: answer each request in its head, in order. */
static void
serve(struct mr_tcp *conn, void *arg)
{
	char req[REQUEST_MAX + 1];
	size_t have = 0, n;
	char *end;

	(void)arg;
	for (;;) {
		req[have] = '\0';
		while ((end = strstr(req, "\r\n\r\n")) != NULL) {
			size_t head = (size_t)(end - req) + 4;
			bool close = wants_close(req, head);

			if (mr_tcp_write(conn, response, response_len,
					 mr_now() + IDLE) != MR_OK || close)
				return;
			memmove(req, req + head, have - head);
			have -= head;
			req[have] = '\0';
		}
		if (have == REQUEST_MAX) {
			refuse(conn, req);
			return;
		}
		if (mr_tcp_read(conn, req + have, REQUEST_MAX - have, &n,
				mr_now() + IDLE) != MR_OK || n == 0)
			return;
		have += n;
	}
}

void
http_main(void)
{
	int port = (int)mr_param_int("port");
	mr_result_t r;

	response_len = (size_t)snprintf(response, sizeof response,
	    "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
	    "Content-Length: %zu\r\n\r\n%s", sizeof page - 1, page);
	if (response_len >= sizeof response)
		mr_panic("the page does not fit the response buffer");
	if ((r = mr_tcp_listen((uint16_t)port, "http", serve, NULL)) != MR_OK) {
		mr_error("cannot listen on port %d: %s", port, mr_strerror(r));
		mr_exit(1);
	}
	mr_info("listening on port %d", port);
}
