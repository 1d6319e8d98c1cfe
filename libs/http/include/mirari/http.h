/*
 * mirari/http.h: routes of the `http` handler set.
 *
 * With `handlers "http" { ... }` in app.conf the image serves HTTP/1.1 on
 * the option port: the files of the tar archive on the block device named
 * by the option root, and the routes the application registers here,
 * which take precedence over files (docs/http.md).
 *
 * A route's handler runs in the thread of the connection that carries the
 * request, may block (read a disk, open a connection) and answers with
 * mr_http_respond, or with mr_http_begin and mr_http_write for a body it
 * produces in parts. Returning without an answer is answered 500.
 *
 * Everything a request hands out (path, query, header values, body) is the
 * library's, valid until the handler returns, and must not be written to.
 * Every buffer passed in stays the caller's: the library copies what it
 * keeps.
 */
#ifndef MIRARI_HTTP_H
#define MIRARI_HTTP_H

#include <mirari/base.h>

/* Most routes an application may register. */
#define MR_HTTP_ROUTES	32

/* A request being answered (opaque), the library's. */
struct mr_http_request;

typedef void (*mr_http_handler)(struct mr_http_request *req, void *arg);

/*
 * Send requests whose method is (method) ("GET", "POST", ...; NULL for
 * any) and whose decoded path is (path) to handler(req, arg). A (path)
 * ending in '*' is a prefix: "/api/" and a '*' takes "/api/" and every
 * path below it. A route for "GET" takes HEAD requests too (the library
 * drops the body). Routes are tried in the order they were registered,
 * before any file; they may be registered at any time, from any thread,
 * and apply to requests parsed after that. (method) and (path) are not
 * copied and must outlive the route (string literals are typical);
 * (arg) is passed as it is.
 *   MR_EINVAL: (path) is NULL or does not start with '/', or (handler) is
 *     NULL.
 *   MR_ENOMEM: MR_HTTP_ROUTES routes are registered already.
 */
MR_API mr_result_t mr_http_route(const char *method, const char *path,
				 mr_http_handler handler, void *arg);

/* The request's method, as sent ("GET"). */
MR_API const char *mr_http_method(const struct mr_http_request *req);

/*
 * The request's path, percent-decoded, starting with '/', with its dot
 * segments resolved (docs/http.md says which paths are refused before a
 * handler sees them).
 */
MR_API const char *mr_http_path(const struct mr_http_request *req);

/* The query after '?', not decoded; "" when there is none. */
MR_API const char *mr_http_query(const struct mr_http_request *req);

/*
 * The value of the request's first header field called (name), in any
 * case, without surrounding whitespace, and its length in (*len). NOT
 * NUL-terminated. NULL (and *len 0) when there is none.
 */
MR_API const char *mr_http_header(const struct mr_http_request *req,
				  const char *name, size_t *len);

/* The request body, (*len) bytes (0 and a valid pointer without one). */
MR_API const void *mr_http_body(const struct mr_http_request *req,
				size_t *len);

/*
 * Add header field (name): (value) to the answer, before mr_http_respond
 * or mr_http_begin. Content-Length, Transfer-Encoding and Connection are
 * the library's (it frames the answer); Content-Type is an argument of
 * those calls.
 *   MR_EINVAL: (name) is not a token or one of the library's, (value)
 *     holds a control character (CR, LF, NUL, ...), or the answer has
 *     begun.
 *   MR_ENOMEM: the answer's added fields would pass 1 KiB.
 */
MR_API mr_result_t mr_http_add_header(struct mr_http_request *req,
				      const char *name, const char *value);

/*
 * Answer with (status) (200-599), Content-Type (content_type) unless it is
 * NULL, and the (len) bytes of (body) with their Content-Length; for 204
 * and 304 (len) must be 0. A HEAD request gets the same head and no body.
 *   MR_OK: the answer is queued for sending.
 *   MR_EINVAL: a bad (status), a body with 204 or 304, or the answer has
 *     begun already.
 *   MR_ETIMEDOUT: the client did not take it within the request_timeout
 *     option; MR_EUNSPEC: the connection is gone. Either way the
 *     connection is closed after the handler returns.
 */
MR_API mr_result_t mr_http_respond(struct mr_http_request *req, int status,
				   const char *content_type,
				   const void *body, size_t len);

/* The length of mr_http_begin for a body whose size is not known. */
#define MR_HTTP_UNKNOWN	(-1)

/*
 * Begin an answer whose body follows in mr_http_write calls: (length)
 * bytes exactly, or MR_HTTP_UNKNOWN, in which case the body is sent with
 * chunked transfer coding to HTTP/1.1 clients and ends with the
 * connection for HTTP/1.0 ones. The answer ends when the handler returns;
 * one that is shorter than (length) then closes the connection, the only
 * way left to tell the client. Results as for mr_http_respond.
 */
MR_API mr_result_t mr_http_begin(struct mr_http_request *req, int status,
				 const char *content_type, int64_t length);

/*
 * Send the (len) bytes of (buf) as the next part of the body begun with
 * mr_http_begin (nothing for HEAD). Small writes are gathered and sent
 * together. MR_EINVAL before mr_http_begin or past its (length); other
 * results as for mr_http_respond.
 */
MR_API mr_result_t mr_http_write(struct mr_http_request *req,
				 const void *buf, size_t len);

/* Library initialiser (manifest init): starts the server's thread. */
MR_API void mr_http_init(void);

#endif /* MIRARI_HTTP_H */
