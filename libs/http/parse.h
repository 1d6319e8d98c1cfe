/*
 * parse.h: the HTTP/1.1 request parser of libs/http, internal.
 *
 * Everything here is a pure function over bytes in memory: no I/O, no
 * allocation, no global state. The server feeds it what it has read so
 * far; the unit test (tests/parse.c) and the fuzzing target
 * (fuzz/request.c) feed it from memory.
 */
#ifndef HTTP_PARSE_H
#define HTTP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* parse.c: requests, conditional requests and ranges */

/* What a request may be; any request over one of these is refused. */
struct http_limits {
	size_t request_line;	/* longest request line, CRLF included */
	size_t header_bytes;	/* longest header section, blank line included */
	unsigned headers;	/* most header fields */
	uint64_t body;		/* largest Content-Length */
};

/* A byte range of the Range field, unresolved (see http_range_resolve). */
enum http_range {
	HTTP_RANGE_NONE,	/* no Range, or one to ignore: answer 200 */
	HTTP_RANGE_FROM_TO,	/* bytes=a-b */
	HTTP_RANGE_FROM,	/* bytes=a- */
	HTTP_RANGE_SUFFIX	/* bytes=-n: the last n bytes */
};

/* Longest method with its NUL; a longer one is answered 501. */
#define HTTP_METHOD_MAX	16

/*
 * A parsed request. Pointers other than (path) point into the buffer
 * given to http_parse and are valid as long as it is; they are not
 * NUL-terminated.
 */
struct http_request {
	char method[HTTP_METHOD_MAX];	/* NUL-terminated, as sent */
	int minor;			/* HTTP/1.(minor), 0 or 1 */
	bool keep_alive;		/* the connection may serve another */
	char *path;			/* decoded (see http_parse) */
	size_t path_len;
	const char *query;		/* after '?', raw; NULL without '?' */
	size_t query_len;
	const char *if_none_match;	/* field value; NULL when absent */
	size_t if_none_match_len;
	const char *if_range;		/* field value; NULL when absent */
	size_t if_range_len;
	enum http_range range;
	uint64_t range_first;		/* a of a-b and a-, n of -n */
	uint64_t range_last;		/* b of a-b */
	const char *headers;		/* the header section, for http_header */
	size_t headers_len;
	uint64_t content_length;	/* 0 without Content-Length */
	bool expect_continue;		/* Expect: 100-continue */
	size_t head_len;		/* bytes of request line and headers */
	size_t length;			/* head_len + content_length */
};

/* http_parse's result when the request is not all there yet. */
#define HTTP_INCOMPLETE	0

/*
 * Parse the request at the start of the (len) bytes of (buf). The decoded
 * path is written to (path), the caller's, which must hold (path_size)
 * bytes, at least the request_line limit plus 2; req->path points to it.
 * Returns:
 *   HTTP_INCOMPLETE: more bytes are needed, and what is there is within
 *     the limits so far. The caller reads more and calls again with all
 *     the bytes from the start. When only the body is missing, the head
 *     is valid and parsed into (*req), and req->head_len is not 0 (the
 *     caller may then answer Expect: 100-continue); else it is 0.
 *   200: a complete request of req->length bytes (head and body) is at
 *     the start of (buf); bytes after them are the next request
 *     (pipelining).
 *   An error status to answer before closing the connection, whose
 *     framing can no longer be trusted: 400 (malformed), 411 (a chunked
 *     body), 413 (Content-Length over the body limit), 414 (request line
 *     over its limit), 431 (header section or count over its limit), 501
 *     (an unknown transfer coding, or a method longer than
 *     HTTP_METHOD_MAX - 1), 417 (an Expect other than 100-continue), 505
 *     (an HTTP version other than 1.x).
 *     (*req) is unspecified then.
 *
 * The path is percent-decoded, starts with '/' and has no "." or ".."
 * segment: they are resolved, and one that would climb above the root
 * is 400. An encoded '/', a NUL, a backslash or any control character
 * in the decoded path is 400 as well.
 */
int http_parse(const char *buf, size_t len, const struct http_limits *limits,
	       struct http_request *req, char *path, size_t path_size);

/*
 * The value of the first header field of (req) called (name), any case,
 * without surrounding whitespace, and its length in (*len); NULL when
 * there is none.
 */
const char *http_header(const struct http_request *req, const char *name,
			size_t *len);

/*
 * Does the If-None-Match value (list, len) match entity tag (etag), a
 * quoted string such as "\"1a-2b\""? Weak comparison (RFC 9110 8.8.3.2),
 * "*" matches any; a malformed list matches nothing.
 */
bool http_etag_match(const char *list, size_t len, const char *etag);

/*
 * Resolve the range of (req) against a file of (size) bytes, with entity
 * tag (etag) for If-Range. Returns 200 for the whole file (no range, or
 * one to ignore), 206 with the part in (*offset, *count), or 416 when the
 * range is unsatisfiable.
 */
int http_range_resolve(const struct http_request *req, uint64_t size,
		       const char *etag, uint64_t *offset, uint64_t *count);

/*
 * Format (secs) since the epoch as an IMF-fixdate (RFC 9110 5.6.7),
 * "Sun, 06 Nov 1994 08:49:37 GMT", NUL-terminated in (out), which holds
 * HTTP_DATE_SIZE bytes. (secs) must not be negative.
 */
#define HTTP_DATE_SIZE	30
void http_date(int64_t secs, char *out);

/* mime.c */

/* The Content-Type of (path) by its extension; never NULL. */
const char *http_content_type(const char *path);

#endif /* HTTP_PARSE_H */
