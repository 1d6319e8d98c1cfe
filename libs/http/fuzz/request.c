/* sources: parse.c mime.c */
/*
 * request.c: libFuzzer target over the HTTP request parser (parse.c):
 * every input is parsed as a connection's bytes, requests consumed one
 * after another as the server does with pipelined input, and what the
 * parser returns is checked against its contract (parse.h), so a wrong
 * answer crashes as loudly as a bad read.
 *
 * tests/fuzz.t builds and runs it (see docs/libraries.md, "Fuzzing");
 * bench/fuzz.sh runs it longer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

/* Small limits, so that the fuzzer reaches them. */
static const struct http_limits lim = {
	.request_line = 512,
	.header_bytes = 1024,
	.headers = 20,
	.body = 256,
};

static void
check_request(const struct http_request *req, const char *buf, size_t len)
{
	static const char etag[] = "\"1f-2a\"";
	uint64_t off, count;
	size_t n;
	int r;

	if (req->length > len || req->head_len > req->length ||
	    req->path == NULL || req->path[0] != '/' ||
	    strlen(req->path) != req->path_len || req->method[0] == '\0')
		abort();
	/* No decoded path climbs, or hides a separator or a control byte. */
	if (strstr(req->path, "/../") || strstr(req->path, "/./") ||
	    strchr(req->path, '\\'))
		abort();
	if (req->path_len >= 3 &&
	    strcmp(req->path + req->path_len - 3, "/..") == 0)
		abort();
	for (n = 0; n < req->path_len; n++)
		if ((unsigned char)req->path[n] < 0x20 ||
		    req->path[n] == 0x7f)
			abort();
	if (req->query && (req->query < buf ||
	    req->query + req->query_len > buf + len))
		abort();
	http_header(req, "host", &n);
	http_header(req, "x-nothere", &n);
	if (req->if_none_match)
		http_etag_match(req->if_none_match, req->if_none_match_len,
				etag);
	for (uint64_t size = 0; size < 40; size += 13) {
		r = http_range_resolve(req, size, etag, &off, &count);
		if (r == 206 && (count == 0 || off + count > size))
			abort();
		if (r != 200 && r != 206 && r != 416)
			abort();
	}
	http_content_type(req->path);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	char *path = malloc(lim.request_line + 2);
	struct http_request req;
	size_t pos = 0;

	while (pos < size) {
		int r = http_parse(buf + pos, size - pos, &lim, &req, path,
				   lim.request_line + 2);

		if (r == HTTP_INCOMPLETE)
			break;
		if (r != 200) {
			if (r != 400 && r != 411 && r != 413 && r != 414 &&
			    r != 417 && r != 431 && r != 501 && r != 505)
				abort();
			break;
		}
		check_request(&req, buf + pos, size - pos);
		if (req.length == 0)
			abort();	/* would loop forever */
		pos += req.length;
	}
	free(path);
	return 0;
}
