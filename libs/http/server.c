/*
 * server.c: the `http` handler set's server: the listener, one thread per
 * connection (mr_tcp_listen), requests parsed by parse.c, answered by a
 * route of the application or from the tar archive on the block device
 * of the option root.
 *
 * Memory. Each connection allocates one struct conn when it is accepted
 * and frees it when it ends: the input buffer holds the largest request
 * the limits allow, so a request is never copied or allocated piecemeal,
 * and answers are gathered in an output buffer, so a small answer (head
 * and body) leaves in one mr_tcp_write. Nothing is allocated per request.
 * Bytes read past a request are the next one (pipelining): they stay in
 * the buffer and are parsed before anything more is read, and gathered
 * answers are sent only before the connection waits to read, so
 * pipelined answers leave together.
 *
 * Files. The archive is read-only while mounted, so what a file's ETag is
 * made of, a hash of its content, never changes: it is computed the first
 * time the file is asked for and kept, with the file's bytes when the file
 * is small and the option cache has room for it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <mirari/http.h>
#include <mirari/mirari.h>
#include <mirari/net.h>
#include <mirari/tarfs.h>

#include "mirari_config.h"
#include "parse.h"

#define OUT_SIZE	16384		/* answer bytes gathered per connection */
#define EXTRA_SIZE	1024		/* header fields a route may add */
#define CACHE_FILE_MAX	65536		/* larger files are never cached */
#define NAME_SIZE	512		/* longest archive path with its index */
#define LINGER		MR_SEC(1)	/* reading what follows a refusal */
#define MOUNT_TIMEOUT	MR_SEC(60)
/* A wall clock before 2020 has not been set: no Date then. */
#define WALL_REAL	(INT64_C(1577836800) * MR_SEC(1))

#define IN_SIZE		(MR_CFG_HTTP_MAX_REQUEST_LINE + \
			 MR_CFG_HTTP_MAX_HEADER_BYTES + MR_CFG_HTTP_MAX_BODY)
#define PATH_SIZE	(MR_CFG_HTTP_MAX_REQUEST_LINE + 2)

static const struct http_limits limits = {
	.request_line = MR_CFG_HTTP_MAX_REQUEST_LINE,
	.header_bytes = MR_CFG_HTTP_MAX_HEADER_BYTES,
	.headers = MR_CFG_HTTP_MAX_HEADERS,
	.body = MR_CFG_HTTP_MAX_BODY,
};

struct conn {
	struct mr_tcp *tcp;
	size_t out_len;
	mr_result_t error;	/* of the first write that failed */
	char out[OUT_SIZE];
	char path[PATH_SIZE];	/* the decoded path, then the query */
	char in[IN_SIZE];
};

enum framing {
	BODY_LENGTH,		/* Content-Length, (left) bytes still due */
	BODY_CHUNKED,		/* chunked transfer coding */
	BODY_CLOSE		/* ends with the connection (HTTP/1.0) */
};

struct mr_http_request {
	struct conn *c;
	const struct http_request *r;
	const char *query;	/* NUL-terminated, in c->path */
	bool head;		/* HEAD: the head only */
	bool close;		/* close the connection after the answer */
	int status;		/* 0 until the answer begins */
	enum framing framing;
	uint64_t left;
	uint64_t sent;		/* body bytes, for the log */
	size_t extra_len;
	char extra[EXTRA_SIZE];
};

struct route {
	const char *method;
	const char *path;
	size_t len;		/* of (path), without the '*' of a prefix */
	bool prefix;
	mr_http_handler fn;
	void *arg;
};

static struct route routes[MR_HTTP_ROUTES];
static unsigned nroutes;

/* For mirari/stats.h: connections being served now, requests answered. */
static uint64_t nconns, nrequests;

/* What is known of a file of the archive, once asked for. */
struct file {
	const struct mr_tarfs_node *node;	/* NULL: a free slot */
	uint64_t hash;
	char *data;		/* its bytes, or NULL when not cached */
};

static struct mr_tarfs *fs;
static struct file *files;	/* open addressing, keyed by node */
static size_t files_mask;
static size_t cache_used;

/* Output: gathered in c->out, sent when full or before reading. */

static mr_result_t
flush(struct conn *c)
{
	mr_result_t r;

	if (c->error != MR_OK || c->out_len == 0)
		return c->error;
	r = mr_tcp_write(c->tcp, c->out, c->out_len,
			 mr_now() + MR_CFG_HTTP_REQUEST_TIMEOUT);
	c->out_len = 0;
	if (r != MR_OK)
		c->error = r;
	return r;
}

static mr_result_t
put(struct conn *c, const void *p, size_t n)
{
	if (c->error != MR_OK)
		return c->error;
	if (n > OUT_SIZE - c->out_len) {
		/*
		 * Top the buffer up first: a head and the start of its body
		 * leave in the same segments instead of a small one ahead.
		 */
		size_t room = OUT_SIZE - c->out_len;

		memcpy(c->out + c->out_len, p, room);
		c->out_len = OUT_SIZE;
		p = (const char *)p + room;
		n -= room;
		if (flush(c) != MR_OK)
			return c->error;
		/*
		 * Large bodies go as they are (mr_tcp_write copies), a
		 * buffer's worth at a time, so that request_timeout bounds
		 * each step of a slow reader, not the whole body.
		 */
		while (n > OUT_SIZE) {
			c->error = mr_tcp_write(c->tcp, p, OUT_SIZE,
			    mr_now() + MR_CFG_HTTP_REQUEST_TIMEOUT);
			if (c->error != MR_OK)
				return c->error;
			p = (const char *)p + OUT_SIZE;
			n -= OUT_SIZE;
		}
	}
	memcpy(c->out + c->out_len, p, n);
	c->out_len += n;
	return MR_OK;
}

static mr_result_t
put_str(struct conn *c, const char *s)
{
	return put(c, s, strlen(s));
}

/* A formatted line of a head; heads are far smaller than c->out. */
static mr_result_t putf(struct conn *c, const char *fmt, ...) MR_PRINTF(2, 3);

static mr_result_t
putf(struct conn *c, const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof line)
		mr_panic("http: a head line of %d bytes", n);
	return put(c, line, (size_t)n);
}

static const char *
reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 206: return "Partial Content";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 307: return "Temporary Redirect";
	case 308: return "Permanent Redirect";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 411: return "Length Required";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 416: return "Range Not Satisfiable";
	case 417: return "Expectation Failed";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	}
	return "";	/* an empty reason-phrase is allowed (RFC 9112 4) */
}

/*
 * The Date field's value, or NULL when the wall clock has not been set:
 * an answer without Date is correct (RFC 9110 6.6.1), one with a wrong
 * date is not. Formatted once a second.
 */
static const char *
date_now(void)
{
	static char buf[HTTP_DATE_SIZE];
	static int64_t last = -1;
	mr_time_t wall = mr_wallclock();

	if (wall < WALL_REAL)
		return NULL;
	if (wall / MR_SEC(1) != last) {
		last = wall / MR_SEC(1);
		http_date(last, buf);
	}
	return buf;
}

/* Status line and the fields every answer has. */
static void
head_begin(struct mr_http_request *q, int status, const char *type)
{
	struct conn *c = q->c;
	const char *date = date_now();

	q->status = status;
	putf(c, "HTTP/1.1 %d %s\r\n", status, reason(status));
	if (type != NULL)
		putf(c, "Content-Type: %s\r\n", type);
	if (date != NULL)
		putf(c, "Date: %s\r\n", date);
	if (q->extra_len > 0)
		put(c, q->extra, q->extra_len);
}

static void
head_end(struct mr_http_request *q)
{
	if (q->close)
		put_str(q->c, "Connection: close\r\n\r\n");
	else if (q->r != NULL && q->r->minor == 0)
		put_str(q->c, "Connection: keep-alive\r\n\r\n");
	else
		put_str(q->c, "\r\n");
}

/* A whole answer with a body in memory; (fields) are CRLF-ended lines. */
static void
answer(struct mr_http_request *q, int status, const char *type,
       const char *fields, const void *body, size_t len)
{
	head_begin(q, status, type);
	if (status != 204 && status != 304)
		putf(q->c, "Content-Length: %zu\r\n", len);
	if (fields != NULL)
		put_str(q->c, fields);
	head_end(q);
	q->framing = BODY_LENGTH;
	q->left = 0;
	if (!q->head && len > 0) {
		put(q->c, body, len);
		q->sent = len;
	}
}

/* The small fixed page of an error status. */
static void
error_page(struct mr_http_request *q, int status, const char *fields)
{
	char body[64];
	int n = snprintf(body, sizeof body, "%d %s\n", status, reason(status));

	answer(q, status, "text/plain; charset=utf-8", fields, body,
	       (size_t)n);
}

/* Routes */

mr_result_t
mr_http_route(const char *method, const char *path, mr_http_handler fn,
	      void *arg)
{
	struct route *rt;
	size_t len;

	if (path == NULL || path[0] != '/' || fn == NULL)
		return MR_EINVAL;
	if (nroutes == MR_HTTP_ROUTES)
		return MR_ENOMEM;
	len = strlen(path);
	rt = &routes[nroutes++];
	rt->method = method;
	rt->path = path;
	rt->prefix = path[len - 1] == '*';
	rt->len = rt->prefix ? len - 1 : len;
	rt->fn = fn;
	rt->arg = arg;
	return MR_OK;
}

static const struct route *
find_route(const struct http_request *r)
{
	unsigned i;

	for (i = 0; i < nroutes; i++) {
		const struct route *rt = &routes[i];

		if (rt->method != NULL && strcmp(rt->method, r->method) != 0 &&
		    !(strcmp(rt->method, "GET") == 0 &&
		      strcmp(r->method, "HEAD") == 0))
			continue;
		if (rt->prefix ? strncmp(r->path, rt->path, rt->len) == 0 :
		    strcmp(r->path, rt->path) == 0)
			return rt;
	}
	return NULL;
}

const char *
mr_http_method(const struct mr_http_request *req)
{
	return req->r->method;
}

const char *
mr_http_path(const struct mr_http_request *req)
{
	return req->r->path;
}

const char *
mr_http_query(const struct mr_http_request *req)
{
	return req->query;
}

const char *
mr_http_header(const struct mr_http_request *req, const char *name,
	       size_t *len)
{
	return http_header(req->r, name, len);
}

const void *
mr_http_body(const struct mr_http_request *req, size_t *len)
{
	*len = (size_t)req->r->content_length;
	return req->c->in + req->r->head_len;
}

/* (s) is a token (RFC 9110 5.6.2), the syntax of a field name. */
static bool
is_token(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("!#$%&'*+-.^_`|~", c)))
			return false;
	}
	return true;
}

mr_result_t
mr_http_add_header(struct mr_http_request *req, const char *name,
		   const char *value)
{
	static const char *const ours[] = {
		"content-length", "transfer-encoding", "connection",
		"content-type",
	};
	size_t i, n;

	if (req->status != 0 || !is_token(name))
		return MR_EINVAL;
	for (i = 0; i < sizeof ours / sizeof ours[0]; i++)
		if (strcasecmp(name, ours[i]) == 0)
			return MR_EINVAL;
	for (i = 0; value[i] != '\0'; i++)
		if (((unsigned char)value[i] < 0x20 && value[i] != '\t') ||
		    value[i] == 0x7f)
			return MR_EINVAL;
	n = strlen(name) + 2 + i + 2;
	if (n > EXTRA_SIZE - req->extra_len)
		return MR_ENOMEM;
	snprintf(req->extra + req->extra_len, EXTRA_SIZE - req->extra_len,
		 "%s: %s\r\n", name, value);
	req->extra_len += n;
	return MR_OK;
}

static bool
valid_status(int status)
{
	return status >= 200 && status <= 599;
}

mr_result_t
mr_http_respond(struct mr_http_request *req, int status,
		const char *content_type, const void *body, size_t len)
{
	if (req->status != 0 || !valid_status(status) ||
	    ((status == 204 || status == 304) && len > 0))
		return MR_EINVAL;
	answer(req, status, content_type, NULL, body, len);
	return req->c->error;
}

mr_result_t
mr_http_begin(struct mr_http_request *req, int status,
	      const char *content_type, int64_t length)
{
	if (req->status != 0 || !valid_status(status) ||
	    (length < 0 && length != MR_HTTP_UNKNOWN) ||
	    ((status == 204 || status == 304) && length != 0))
		return MR_EINVAL;
	head_begin(req, status, content_type);
	if (length >= 0) {
		req->framing = BODY_LENGTH;
		req->left = (uint64_t)length;
		if (status != 204 && status != 304)
			putf(req->c, "Content-Length: %lld\r\n",
			     (long long)length);
	} else if (req->r->minor >= 1) {
		req->framing = BODY_CHUNKED;
		put_str(req->c, "Transfer-Encoding: chunked\r\n");
	} else {
		req->framing = BODY_CLOSE;
		req->close = true;
	}
	head_end(req);
	return req->c->error;
}

mr_result_t
mr_http_write(struct mr_http_request *req, const void *buf, size_t len)
{
	struct conn *c = req->c;

	if (req->status == 0 ||
	    (req->framing == BODY_LENGTH && len > req->left))
		return MR_EINVAL;
	if (req->framing == BODY_LENGTH)
		req->left -= len;
	if (req->head || len == 0)
		return c->error;	/* an empty chunk would end the body */
	if (req->framing == BODY_CHUNKED)
		putf(c, "%zx\r\n", len);
	put(c, buf, len);
	if (req->framing == BODY_CHUNKED)
		put_str(c, "\r\n");
	req->sent += len;
	return c->error;
}

/* End the answer of a route. */
static void
finish(struct mr_http_request *q)
{
	if (q->status == 0) {
		mr_warn("%s %s: the route gave no answer", q->r->method,
			q->r->path);
		error_page(q, 500, NULL);
		return;
	}
	if (q->framing == BODY_CHUNKED && !q->head)
		put_str(q->c, "0\r\n\r\n");
	if (q->framing == BODY_LENGTH && q->left > 0) {
		mr_warn("%s %s: the route's body ends %llu bytes short",
			q->r->method, q->r->path, (unsigned long long)q->left);
		q->close = true;
	}
}

/* Files */

/* The slot of (node) in files[]: its own, or the free one it would take. */
static struct file *
file_slot(const struct mr_tarfs_node *node)
{
	uint64_t key = (uint64_t)(uintptr_t)node >> 3;
	size_t i = (size_t)(key * UINT64_C(0x9e3779b97f4a7c15) >> 20);

	for (;; i++) {
		struct file *f = &files[i & files_mask];

		if (f->node == node || f->node == NULL)
			return f;
	}
}

/* FNV-1a, 64 bits: not for adversaries, only to tell versions apart. */
static uint64_t
fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n-- > 0) {
		h ^= *b++;
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

/*
 * What is known of (node), reading it once if nothing is yet, through
 * the free part of c->out. NULL when the device fails (logged).
 */
static const struct file *
file_get(struct conn *c, const struct mr_tarfs_node *node, mr_time_t deadline)
{
	struct file *f = file_slot(node);
	uint64_t h = UINT64_C(0xcbf29ce484222325), off = 0;
	char *data = NULL;
	mr_result_t r = MR_OK;
	size_t n;

	if (f->node != NULL)
		return f;
	if (node->size <= CACHE_FILE_MAX &&
	    node->size <= MR_CFG_HTTP_CACHE - cache_used &&
	    (data = malloc(node->size ? node->size : 1)) != NULL) {
		cache_used += node->size;
		r = mr_tarfs_read(fs, node, 0, data, node->size, &n, deadline);
		if (r == MR_OK && n != node->size)
			r = MR_EUNSPEC;
		if (r == MR_OK)
			h = fnv(h, data, n);
	} else {
		if (OUT_SIZE - c->out_len < 4096 && flush(c) != MR_OK)
			return NULL;
		while (r == MR_OK && off < node->size) {
			char *buf = c->out + c->out_len;

			r = mr_tarfs_read(fs, node, off, buf,
					  OUT_SIZE - c->out_len, &n, deadline);
			if (r == MR_OK && n == 0)
				r = MR_EUNSPEC;
			h = fnv(h, buf, n);
			off += n;
		}
	}
	if (r != MR_OK) {
		mr_error("%s: cannot read: %s", node->path, mr_strerror(r));
		if (data != NULL) {
			free(data);
			cache_used -= node->size;
		}
		return NULL;
	}
	/* Another connection may have done the same while this one read. */
	f = file_slot(node);
	if (f->node != NULL) {
		if (data != NULL) {
			free(data);
			cache_used -= node->size;
		}
		return f;
	}
	f->node = node;
	f->hash = h;
	f->data = data;
	return f;
}

/* Put (path) percent-encoded where it is not a pchar or '/'. */
static void
put_encoded(struct conn *c, const char *path)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *path != '\0'; path++) {
		unsigned char ch = (unsigned char)*path;
		char e[3] = { '%', hex[ch >> 4], hex[ch & 15] };

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || strchr("-._~!$&'()*+,;=:@/", ch))
			put(c, path, 1);
		else
			put(c, e, 3);
	}
}

/* A directory asked for without its '/': send the client to it. */
static void
redirect_dir(struct mr_http_request *q)
{
	static const char body[] = "301 Moved Permanently\n";
	struct conn *c = q->c;

	head_begin(q, 301, "text/plain; charset=utf-8");
	put_str(c, "Location: ");
	put_encoded(c, q->r->path);
	put_str(c, "/");
	if (q->r->query != NULL) {
		put_str(c, "?");
		put(c, q->r->query, q->r->query_len);
	}
	putf(c, "\r\nContent-Length: %zu\r\n", sizeof body - 1);
	head_end(q);
	q->framing = BODY_LENGTH;
	if (!q->head) {
		put(c, body, sizeof body - 1);
		q->sent = sizeof body - 1;
	}
}

static void
serve_node(struct mr_http_request *q, const struct mr_tarfs_node *node,
	   const char *name)
{
	struct conn *c = q->c;
	const struct http_request *r = q->r;
	mr_time_t deadline = mr_now() + MR_CFG_HTTP_REQUEST_TIMEOUT;
	uint64_t off = 0, count = node->size, end;
	const struct file *f;
	char etag[48], modified[HTTP_DATE_SIZE], fields[160];
	int status = 200;

	if ((f = file_get(c, node, deadline)) == NULL) {
		error_page(q, 500, NULL);
		return;
	}
	snprintf(etag, sizeof etag, "\"%llx-%016llx\"",
		 (unsigned long long)node->size, (unsigned long long)f->hash);
	modified[0] = '\0';
	if (node->mtime > 0)
		http_date(node->mtime, modified);

	if (r->if_none_match != NULL &&
	    http_etag_match(r->if_none_match, r->if_none_match_len, etag)) {
		head_begin(q, 304, NULL);
		putf(c, "ETag: %s\r\n", etag);
		if (modified[0] != '\0')
			putf(c, "Last-Modified: %s\r\n", modified);
		head_end(q);
		return;
	}
	if (!q->head)
		status = http_range_resolve(r, node->size, etag, &off, &count);
	if (status == 416) {
		snprintf(fields, sizeof fields, "Content-Range: bytes */%llu\r\n",
			 (unsigned long long)node->size);
		error_page(q, 416, fields);
		return;
	}

	head_begin(q, status, http_content_type(name));
	putf(c, "Content-Length: %llu\r\nETag: %s\r\nAccept-Ranges: bytes\r\n"
	     "X-Content-Type-Options: nosniff\r\n", (unsigned long long)count,
	     etag);
	if (modified[0] != '\0')
		putf(c, "Last-Modified: %s\r\n", modified);
	if (status == 206)
		putf(c, "Content-Range: bytes %llu-%llu/%llu\r\n",
		     (unsigned long long)off,
		     (unsigned long long)(off + count - 1),
		     (unsigned long long)node->size);
	head_end(q);
	q->framing = BODY_LENGTH;
	if (q->head)
		return;

	if (f->data != NULL) {
		put(c, f->data + off, (size_t)count);
		q->sent = count;
		return;
	}
	for (end = off + count; off < end && c->error == MR_OK;) {
		uint64_t want = end - off;
		mr_result_t rr;
		size_t n;

		if (OUT_SIZE - c->out_len < 4096 && flush(c) != MR_OK)
			break;
		if (want > OUT_SIZE - c->out_len)
			want = OUT_SIZE - c->out_len;
		rr = mr_tarfs_read(fs, node, off, c->out + c->out_len,
				   (size_t)want, &n, mr_now() +
				   MR_CFG_HTTP_REQUEST_TIMEOUT);
		if (rr != MR_OK || n == 0) {
			/*
			 * The head promised more: only closing the
			 * connection tells the client it is short.
			 */
			mr_error("%s: cannot read: %s", node->path,
				 mr_strerror(rr));
			q->close = true;
			break;
		}
		c->out_len += n;
		off += n;
		q->sent += n;
	}
}

/*
 * A GET or HEAD for a file of the archive. The decoded path maps to an
 * archive path without its leading '/'; one with an empty segment
 * ("//") names nothing the archive can hold.
 */
static void
serve_file(struct mr_http_request *q)
{
	const struct http_request *r = q->r;
	const struct mr_tarfs_node *node;
	size_t len = r->path_len - 1, ilen = strlen(MR_CFG_HTTP_INDEX);
	char name[NAME_SIZE];

	if (fs == NULL || len + 1 + ilen + 1 > sizeof name) {
		error_page(q, 404, NULL);
		return;
	}
	memcpy(name, r->path + 1, len + 1);
	if (len == 0 || name[len - 1] == '/') {
		if (len > 0)
			name[--len] = '\0';
		node = mr_tarfs_lookup(fs, name);
		if (node == NULL || !node->dir) {
			error_page(q, 404, NULL);
			return;
		}
		if (len > 0)
			name[len++] = '/';
		memcpy(name + len, MR_CFG_HTTP_INDEX, ilen + 1);
		node = mr_tarfs_lookup(fs, name);
		if (node == NULL || node->dir) {
			error_page(q, 404, NULL);
			return;
		}
	} else if ((node = mr_tarfs_lookup(fs, name)) == NULL) {
		error_page(q, 404, NULL);
		return;
	} else if (node->dir) {
		redirect_dir(q);
		return;
	}
	serve_node(q, node, name);
}

static void
log_request(const struct mr_http_request *q, mr_time_t t0)
{
	if (!MR_CFG_HTTP_ACCESS_LOG)
		return;
	mr_info("%s %s %d %llu %lldus", q->r ? q->r->method : "-",
		q->r ? q->r->path : "-", q->status,
		(unsigned long long)q->sent,
		(long long)((mr_now() - t0) / 1000));
}

/* Answer the request (r), parsed; false when the connection must end. */
static bool
handle(struct conn *c, const struct http_request *r)
{
	struct mr_http_request q;
	const struct route *rt;
	mr_time_t t0 = mr_now();

	memset(&q, 0, sizeof q - sizeof q.extra);
	q.c = c;
	q.r = r;
	q.head = strcmp(r->method, "HEAD") == 0;
	q.close = !r->keep_alive;
	/* The query after the path, NUL-terminated; parse.h says it fits. */
	q.query = "";
	if (r->query != NULL &&
	    r->path_len + 1 + r->query_len + 1 <= sizeof c->path) {
		char *s = c->path + r->path_len + 1;

		memcpy(s, r->query, r->query_len);
		s[r->query_len] = '\0';
		q.query = s;
	}

	if ((rt = find_route(r)) != NULL) {
		rt->fn(&q, rt->arg);
		finish(&q);
	} else if (q.head || strcmp(r->method, "GET") == 0) {
		serve_file(&q);
	} else {
		error_page(&q, 405, "Allow: GET, HEAD\r\n");
	}
	log_request(&q, t0);
	nrequests++;
	return c->error == MR_OK && !q.close;
}

/*
 * Answer (status) to a request that could not be taken, and close. What
 * the client still sends is read and dropped for a moment first: closing
 * with unread data resets the connection, and the reset can overtake
 * the answer.
 */
static void
refuse(struct conn *c, int status)
{
	struct mr_http_request q;
	mr_time_t until;
	size_t n, total = 0;

	memset(&q, 0, sizeof q - sizeof q.extra);
	q.c = c;
	q.close = true;
	error_page(&q, status, NULL);
	log_request(&q, mr_now());
	if (flush(c) != MR_OK)
		return;
	until = mr_now() + LINGER;
	while (total < 4 * sizeof c->in &&
	       mr_tcp_read(c->tcp, c->in, sizeof c->in, &n, until) == MR_OK &&
	       n > 0)
		total += n;
}

/* One connection: its requests in order, until either side ends it. */
static void
serve(struct mr_tcp *tcp, void *arg)
{
	struct http_request r;
	struct conn *c;
	mr_time_t start = 0;
	size_t have = 0, n;
	mr_result_t res;
	bool continued = false;	/* 100 Continue sent for this request */
	int status;

	(void)arg;
	if ((c = malloc(sizeof *c)) == NULL) {
		mr_warn("no memory for a connection (%zu bytes)", sizeof *c);
		return;
	}
	nconns++;
	c->tcp = tcp;
	c->out_len = 0;
	c->error = MR_OK;
	for (;;) {
		status = have > 0 ? http_parse(c->in, have, &limits, &r,
		    c->path, sizeof c->path) : HTTP_INCOMPLETE;
		if (status == 200) {
			if (!handle(c, &r))
				break;
			have -= r.length;
			memmove(c->in, c->in + r.length, have);
			start = mr_now();
			continued = false;
			continue;
		}
		if (status == HTTP_INCOMPLETE) {
			/*
			 * A client that waits to hear that its body is
			 * welcome (curl does above 1K) is told so once the
			 * head passed every check, rather than after its
			 * own timeout.
			 */
			if (have > 0 && r.head_len > 0 && r.expect_continue &&
			    r.minor >= 1 && !continued) {
				put_str(c, "HTTP/1.1 100 Continue\r\n\r\n");
				continued = true;
			}
			/*
			 * The limits make the buffer hold any request the
			 * parser takes, so this is a bug; still, refuse the
			 * client rather than crash.
			 */
			if (have == sizeof c->in) {
				mr_error("a request fills the buffer: a bug");
				refuse(c, 431);
				break;
			}
			if (flush(c) != MR_OK)
				break;
			/*
			 * Between requests, every answer handed over: the
			 * connection may be closed for a new client that
			 * needs its room, and this read then fails.
			 */
			if (have == 0)
				mr_tcp_set_idle(tcp, true);
			res = mr_tcp_read(tcp, c->in + have,
			    sizeof c->in - have, &n, have > 0 ?
			    start + MR_CFG_HTTP_REQUEST_TIMEOUT :
			    mr_now() + MR_CFG_HTTP_KEEPALIVE_TIMEOUT);
			if (res == MR_OK && n > 0) {
				if (have == 0)
					start = mr_now();
				have += n;
				continue;
			}
			if (res != MR_ETIMEDOUT || have == 0)
				break;	/* closed, reset, or idle too long */
			status = 408;	/* too slow */
		}
		refuse(c, status);
		break;
	}
	flush(c);
	free(c);
	nconns--;
}

static void
start(void *arg)
{
	mr_result_t r;
	size_t size;

	(void)arg;
	if (MR_CFG_HTTP_ROOT[0] != '\0') {
		r = mr_tarfs_mount(MR_CFG_HTTP_ROOT, &fs,
				   mr_now() + MOUNT_TIMEOUT);
		if (r != MR_OK) {
			mr_error("cannot serve block device %s: %s",
				 MR_CFG_HTTP_ROOT, mr_strerror(r));
			mr_exit(1);
		}
		for (size = 16; size < 2 * mr_tarfs_count(fs); size *= 2)
			;
		if ((files = calloc(size, sizeof *files)) == NULL) {
			mr_error("no memory for the index of %zu files",
				 mr_tarfs_count(fs));
			mr_exit(1);
		}
		files_mask = size - 1;
	}
	r = mr_tcp_listen(MR_CFG_HTTP_PORT, "http", serve, NULL);
	if (r != MR_OK) {
		mr_error("cannot listen on port %d: %s", MR_CFG_HTTP_PORT,
			 mr_strerror(r));
		mr_exit(1);
	}
	/*
	 * Each connection holds its buffer and thread: the limit keeps them
	 * within memory, and the connections marked idle in serve() make
	 * room for new ones when it is reached.
	 */
	mr_tcp_listen_max(MR_CFG_HTTP_PORT, MR_CFG_HTTP_MAX_CONNECTIONS);
	if (fs != NULL)
		mr_info("listening on port %d, serving %zu files and directories of %s",
			MR_CFG_HTTP_PORT, mr_tarfs_count(fs), MR_CFG_HTTP_ROOT);
	else
		mr_info("listening on port %d, routes only", MR_CFG_HTTP_PORT);
}

static void
report(mr_stats_put put, void *ctx)
{
	put(ctx, "http_connections", nconns);
	put(ctx, "http_cache_bytes", cache_used);
	put(ctx, "http_requests_total", nrequests);
}

static struct mr_stats_source stats_source = { .report = report };

/* The status route's answer: every counter, in one JSON object. */
struct status_body {
	char text[4096];
	size_t len;
};

static void
status_put(void *ctx, const char *name, uint64_t value)
{
	struct status_body *b = ctx;
	int n;

	if (b->len >= sizeof b->text)
		return;
	n = snprintf(b->text + b->len, sizeof b->text - b->len, "%s\"%s\":%llu",
		     b->len > 1 ? "," : "", name, (unsigned long long)value);
	b->len += n > 0 ? (size_t)n : 0;
}

static void
status_route(struct mr_http_request *req, void *arg)
{
	struct status_body *b;

	(void)arg;
	/* On the heap, not the thread's stack: the answer is 4K. */
	if ((b = malloc(sizeof *b)) == NULL) {
		mr_http_respond(req, 503, "text/plain", "no memory\n", 10);
		return;
	}
	b->text[0] = '{';
	b->len = 1;
	mr_stats_each(status_put, b);
	if (b->len + 2 > sizeof b->text) {
		mr_error("status: the counters do not fit in %zu bytes", sizeof b->text);
		mr_http_respond(req, 500, "text/plain", "counters too long\n", 18);
	} else {
		memcpy(b->text + b->len, "}\n", 2);
		mr_http_add_header(req, "Cache-Control", "no-store");
		mr_http_respond(req, 200, "application/json", b->text, b->len + 2);
	}
	free(b);
}

void
mr_http_init(void)
{
	mr_stats_register(&stats_source);
	if (MR_CFG_HTTP_STATUS[0] != '\0' &&
	    mr_http_route("GET", MR_CFG_HTTP_STATUS, status_route, NULL) != MR_OK)
		mr_panic("http: cannot add the status route %s", MR_CFG_HTTP_STATUS);
	/* Mounting and listening block: not here, in a thread. */
	if (mr_thread_spawn("http", start, NULL) == NULL)
		mr_panic("http: cannot start the server's thread");
}
