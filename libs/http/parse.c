/*
 * parse.c: a strict HTTP/1.1 request parser (RFC 9110, RFC 9112) over
 * bytes in memory; see parse.h.
 *
 * Strict means that anything the RFCs let a server refuse is refused
 * rather than guessed at: bare LF or CR line ends, whitespace before a
 * field's colon, obs-fold, a request target that is not origin-form,
 * Content-Length lists, Transfer-Encoding with Content-Length. Guessing
 * is what request smuggling and path traversal live on.
 */
#include <string.h>

#include "parse.h"

/* tchar of RFC 9110 5.6.2 */
static bool
is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int
hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Bytes an origin-form target may hold besides '%' escapes (RFC 3986
 * pchar, '/' and '?'): unreserved, sub-delims, ':' and '@'.
 */
static bool
is_target_char(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("-._~!$&'()*+,;=:@/?", c) != NULL;
}

/* Field value bytes: VCHAR, obs-text, SP and HTAB (RFC 9110 5.5). */
static bool
is_value_char(unsigned char c)
{
	return c == ' ' || c == '\t' || (c > 0x20 && c != 0x7f);
}

static bool
is_ows(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/* (a, alen) equals the string (b), both in any case. */
static bool
equal_nocase(const char *a, size_t alen, const char *b)
{
	size_t i;

	for (i = 0; i < alen; i++) {
		unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];

		if (y == '\0')
			return false;
		if (x >= 'A' && x <= 'Z')
			x = (unsigned char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (unsigned char)(y - 'A' + 'a');
		if (x != y)
			return false;
	}
	return b[i] == '\0';
}

/*
 * Parse 1*DIGIT of (s, len) into (*v). False for an empty or non-digit
 * string, and for a value that may not fit (*too_big then), which no
 * limit comes near.
 */
static bool
parse_u64(const char *s, size_t len, uint64_t *v, bool *too_big)
{
	uint64_t n = 0;
	size_t i;

	*too_big = false;
	if (len == 0)
		return false;
	for (i = 0; i < len; i++) {
		if (!is_digit((unsigned char)s[i]))
			return false;
		if (n > (UINT64_MAX - 9) / 10) {
			*too_big = true;
			return false;
		}
		n = n * 10 + (uint64_t)(s[i] - '0');
	}
	*v = n;
	return true;
}

/*
 * Decode the path part of an origin-form target, (t, len), starting
 * with '/', into (out), resolving dot-segments (RFC 3986 5.2.4) after
 * decoding, so that "%2e%2e" is "..". Returns 0 or 400. (out) holds at
 * least len + 2 bytes: decoding never lengthens a segment.
 */
static int
decode_path(const char *t, size_t len, char *out, size_t *out_len)
{
	const char *p = t + 1, *end = t + len;
	size_t o = 0;
	bool slash_end = false;

	for (;;) {
		const char *e = memchr(p, '/', (size_t)(end - p));
		size_t start = o, seg;

		if (e == NULL)
			e = end;
		out[o++] = '/';
		while (p < e) {
			unsigned char c = (unsigned char)*p++;

			if (c == '%') {
				/* The request line was checked: two hex digits. */
				c = (unsigned char)(hex_value((unsigned char)p[0]) * 16 +
				    hex_value((unsigned char)p[1]));
				p += 2;
				/*
				 * An encoded '/' would make one segment two
				 * once decoded, and a backslash is a separator
				 * to some file systems: both are ways around
				 * the dot-segment check.
				 */
				if (c == '/' || c == '\\' || c < 0x20 || c == 0x7f)
					return 400;
			}
			out[o++] = (char)c;
		}
		seg = o - start - 1;
		if (seg == 1 && out[start + 1] == '.') {
			o = start;
			slash_end = true;
		} else if (seg == 2 && out[start + 1] == '.' &&
		    out[start + 2] == '.') {
			if (start == 0)
				return 400;	/* above the root */
			o = start;
			while (out[--o] != '/')
				;
			slash_end = true;
		} else
			slash_end = false;
		if (e == end)
			break;
		p = e + 1;
	}
	if (slash_end || o == 0)
		out[o++] = '/';
	out[o] = '\0';
	*out_len = o;
	return 0;
}

/*
 * The request line (line, len), CRLF excluded: method SP origin-form SP
 * HTTP/1.x (RFC 9112 3).
 */
static int
parse_request_line(const char *line, size_t len, struct http_request *req,
		   char *path)
{
	const char *p = line, *end = line + len, *target, *qmark = NULL;
	size_t n;

	while (p < end && is_tchar((unsigned char)*p))
		p++;
	n = (size_t)(p - line);
	if (n == 0 || p == end || *p != ' ')
		return 400;
	if (n >= HTTP_METHOD_MAX)
		return 501;
	memcpy(req->method, line, n);
	req->method[n] = '\0';

	target = ++p;
	while (p < end && *p != ' ') {
		unsigned char c = (unsigned char)*p;

		if (c == '%') {
			if (end - p < 3 || hex_value((unsigned char)p[1]) < 0 ||
			    hex_value((unsigned char)p[2]) < 0)
				return 400;
			p += 3;
			continue;
		}
		if (!is_target_char(c))
			return 400;
		if (c == '?' && qmark == NULL)
			qmark = p;
		p++;
	}
	/*
	 * Only origin-form: absolute-form is for proxies, authority-form for
	 * CONNECT and asterisk-form for OPTIONS, none of which this server is
	 * or serves.
	 */
	if (p == end || p == target || *target != '/')
		return 400;
	n = (size_t)((qmark ? qmark : p) - target);
	if (decode_path(target, n, path, &req->path_len) != 0)
		return 400;
	req->path = path;
	if (qmark) {
		req->query = qmark + 1;
		req->query_len = (size_t)(p - qmark - 1);
	}

	p++;
	if (end - p != 8 || memcmp(p, "HTTP/", 5) != 0 ||
	    !is_digit((unsigned char)p[5]) || p[6] != '.' ||
	    !is_digit((unsigned char)p[7]))
		return 400;
	if (p[5] != '1')
		return 505;
	req->minor = p[7] == '0' ? 0 : 1;	/* 1.2 and up speak 1.1 */
	return 200;
}

/* Connection: a list of tokens, of which close and keep-alive matter. */
static void
parse_connection(const char *v, size_t len, bool *close, bool *keep)
{
	const char *p = v, *end = v + len;

	while (p < end) {
		const char *s;

		while (p < end && (is_ows((unsigned char)*p) || *p == ','))
			p++;
		s = p;
		while (p < end && *p != ',' && !is_ows((unsigned char)*p))
			p++;
		if (equal_nocase(s, (size_t)(p - s), "close"))
			*close = true;
		else if (equal_nocase(s, (size_t)(p - s), "keep-alive"))
			*keep = true;
	}
}

/*
 * Range: one range-spec of unit bytes. Anything else (another unit,
 * several ranges, bad syntax, a-b with b < a) leaves HTTP_RANGE_NONE:
 * RFC 9110 14.2 lets a server ignore Range, and the whole file is a
 * correct answer.
 */
static void
parse_range(const char *v, size_t len, struct http_request *req)
{
	const char *p, *end = v + len, *dash;
	uint64_t a, b;
	bool big;

	req->range = HTTP_RANGE_NONE;
	if (len < 6 || !equal_nocase(v, 6, "bytes="))
		return;
	p = v + 6;
	while (p < end && is_ows((unsigned char)*p))
		p++;
	dash = memchr(p, '-', (size_t)(end - p));
	if (dash == NULL || memchr(p, ',', (size_t)(end - p)) != NULL)
		return;
	if (dash == p) {
		if (!parse_u64(dash + 1, (size_t)(end - dash - 1), &a, &big))
			return;
		req->range = HTTP_RANGE_SUFFIX;
		req->range_first = a;
		return;
	}
	if (!parse_u64(p, (size_t)(dash - p), &a, &big))
		return;
	if (dash + 1 == end) {
		req->range = HTTP_RANGE_FROM;
		req->range_first = a;
		return;
	}
	if (!parse_u64(dash + 1, (size_t)(end - dash - 1), &b, &big) || b < a)
		return;
	req->range = HTTP_RANGE_FROM_TO;
	req->range_first = a;
	req->range_last = b;
}

/* Host: uri-host [ ":" port ], the bytes of RFC 3986 reg-name or IP. */
static bool
valid_host(const char *v, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)v[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    is_digit(c) || strchr("-._~!$&'()*+,;=:[]%", c)))
			return false;
	}
	return true;
}

/*
 * Transfer-Encoding: only "chunked" last means a body we could frame,
 * and this server does not take chunked bodies (411: send a length);
 * any other coding is unknown (501).
 */
static int
parse_transfer_encoding(const char *v, size_t len)
{
	const char *last = v + len;

	while (last > v && last[-1] != ',' && !is_ows((unsigned char)last[-1]))
		last--;
	return equal_nocase(last, (size_t)(v + len - last), "chunked") ?
	    411 : 501;
}

/*
 * The header fields (p, end), each line ending with CRLF, the blank line
 * excluded (RFC 9112 5, RFC 9110 5).
 */
static int
parse_headers(const char *p, const char *end, const struct http_limits *lim,
	      struct http_request *req)
{
	unsigned count = 0, hosts = 0, lengths = 0, ranges = 0;
	bool close = false, keep = false, te = false;
	int te_status = 0;

	while (p < end) {
		const char *name = p, *eol, *v, *vend;
		size_t nlen;

		eol = memchr(p, '\r', (size_t)(end - p));
		/* The caller found the blank line: every line has its CRLF. */
		if (eol == NULL || eol + 1 >= end || eol[1] != '\n')
			return 400;
		if (memchr(p, '\n', (size_t)(eol - p)) != NULL)
			return 400;	/* a bare LF */
		if (++count > lim->headers)
			return 431;
		while (p < eol && is_tchar((unsigned char)*p))
			p++;
		nlen = (size_t)(p - name);
		/*
		 * No name is obs-fold (a line starting with whitespace) or
		 * garbage; whitespace between name and colon must be refused
		 * (RFC 9112 5.1).
		 */
		if (nlen == 0 || p == eol || *p != ':')
			return 400;
		p++;
		while (p < eol && is_ows((unsigned char)*p))
			p++;
		v = p;
		for (; p < eol; p++)
			if (!is_value_char((unsigned char)*p))
				return 400;
		vend = eol;
		while (vend > v && is_ows((unsigned char)vend[-1]))
			vend--;

		if (equal_nocase(name, nlen, "host")) {
			hosts++;
			if (!valid_host(v, (size_t)(vend - v)))
				return 400;
		} else if (equal_nocase(name, nlen, "connection")) {
			parse_connection(v, (size_t)(vend - v), &close, &keep);
		} else if (equal_nocase(name, nlen, "content-length")) {
			bool big;

			lengths++;
			if (!parse_u64(v, (size_t)(vend - v),
				       &req->content_length, &big))
				return big ? 413 : 400;
		} else if (equal_nocase(name, nlen, "transfer-encoding")) {
			te = true;
			te_status = parse_transfer_encoding(v,
			    (size_t)(vend - v));
		} else if (equal_nocase(name, nlen, "if-none-match")) {
			if (req->if_none_match == NULL) {
				req->if_none_match = v;
				req->if_none_match_len = (size_t)(vend - v);
			}
		} else if (equal_nocase(name, nlen, "if-range")) {
			req->if_range = v;
			req->if_range_len = (size_t)(vend - v);
		} else if (equal_nocase(name, nlen, "expect")) {
			/* The only expectation there is (RFC 9110 10.1.1). */
			if (!equal_nocase(v, (size_t)(vend - v), "100-continue"))
				return 417;
			req->expect_continue = true;
		} else if (equal_nocase(name, nlen, "range")) {
			ranges++;
			parse_range(v, (size_t)(vend - v), req);
		}
		p = eol + 2;
	}

	/* RFC 9112 3.2: exactly one Host in 1.1, at most one in 1.0. */
	if (hosts > 1 || (req->minor == 1 && hosts == 0))
		return 400;
	/*
	 * Two framings, or a repeated length, are how requests are smuggled
	 * past a proxy that reads them differently (RFC 9112 6.1, 6.3).
	 * Transfer-Encoding did not exist in 1.0.
	 */
	if (lengths > 1 || (te && (lengths > 0 || req->minor == 0)))
		return 400;
	if (te)
		return te_status;
	if (req->content_length > lim->body)
		return 413;
	/* Two Range fields: which one? Neither. */
	if (ranges > 1)
		req->range = HTTP_RANGE_NONE;
	req->keep_alive = req->minor == 1 ? !close : keep && !close;
	return 200;
}

int
http_parse(const char *buf, size_t len, const struct http_limits *lim,
	   struct http_request *req, char *path, size_t path_size)
{
	const char *p = buf, *end = buf + len, *line, *eol, *hdr, *blank;
	size_t avail;
	int status;

	memset(req, 0, sizeof *req);
	/* RFC 9112 2.2: empty lines before a request are to be ignored. */
	while (end - p >= 2 && p[0] == '\r' && p[1] == '\n')
		p += 2;
	if (p == end || (end - p == 1 && *p == '\r'))
		return (size_t)(p - buf) >= lim->request_line ? 414 :
		    HTTP_INCOMPLETE;
	line = p;
	eol = memchr(line, '\n', (size_t)(end - line));
	if (eol == NULL) {
		const char *cr = memchr(line, '\r', (size_t)(end - line));

		/* Bytes no request line may hold need not wait for its end. */
		if (memchr(line, '\0', (size_t)(end - line)) != NULL ||
		    (cr != NULL && cr + 1 < end))
			return 400;
		return (size_t)(end - buf) >= lim->request_line ? 414 :
		    HTTP_INCOMPLETE;
	}
	if ((size_t)(eol + 1 - buf) > lim->request_line)
		return 414;
	if (eol == line || eol[-1] != '\r')
		return 400;	/* a bare LF ends no line here */
	if (path_size < (size_t)(eol - line) + 2)
		return 414;	/* the caller's buffer is too small */
	if (memchr(line, '\r', (size_t)(eol - 1 - line)) != NULL)
		return 400;
	status = parse_request_line(line, (size_t)(eol - 1 - line), req, path);
	if (status != 200)
		return status;

	/* The header section ends with an empty line. */
	hdr = eol + 1;
	avail = (size_t)(end - hdr);
	if (avail >= 2 && hdr[0] == '\r' && hdr[1] == '\n') {
		blank = hdr;
	} else {
		const char *s = hdr;

		blank = NULL;
		while ((s = memchr(s, '\n', (size_t)(end - s))) != NULL) {
			if (end - s >= 3 && s[1] == '\r' && s[2] == '\n') {
				blank = s + 1;
				break;
			}
			if (end - s >= 2 && s[1] == '\n')
				return 400;	/* LF LF */
			s++;
		}
		if (blank == NULL)
			return avail >= lim->header_bytes ? 431 :
			    HTTP_INCOMPLETE;
	}
	if ((size_t)(blank + 2 - hdr) > lim->header_bytes)
		return 431;
	req->headers = hdr;
	req->headers_len = (size_t)(blank - hdr);
	status = parse_headers(hdr, blank, lim, req);
	if (status != 200)
		return status;
	req->head_len = (size_t)(blank + 2 - buf);
	req->length = req->head_len + (size_t)req->content_length;
	if (len < req->length)
		return HTTP_INCOMPLETE;
	return 200;
}

const char *
http_header(const struct http_request *req, const char *name, size_t *len)
{
	const char *p = req->headers, *end = req->headers + req->headers_len;

	/* http_parse checked the section: lines of name ':' value CRLF. */
	while (p < end) {
		const char *eol = memchr(p, '\r', (size_t)(end - p));
		const char *colon = memchr(p, ':', (size_t)(eol - p));

		if (equal_nocase(p, (size_t)(colon - p), name)) {
			const char *v = colon + 1, *vend = eol;

			while (v < vend && is_ows((unsigned char)*v))
				v++;
			while (vend > v && is_ows((unsigned char)vend[-1]))
				vend--;
			*len = (size_t)(vend - v);
			return v;
		}
		p = eol + 2;
	}
	*len = 0;
	return NULL;
}

bool
http_etag_match(const char *list, size_t len, const char *etag)
{
	const char *p = list, *end = list + len;
	size_t elen = strlen(etag);

	while (p < end && is_ows((unsigned char)*p))
		p++;
	if (end - p == 1 && *p == '*')
		return true;
	while (p < end) {
		const char *q;

		if (end - p >= 2 && p[0] == 'W' && p[1] == '/')
			p += 2;		/* weak comparison ignores W/ */
		if (p == end || *p != '"')
			return false;
		q = memchr(p + 1, '"', (size_t)(end - p - 1));
		if (q == NULL)
			return false;
		if ((size_t)(q + 1 - p) == elen && memcmp(p, etag, elen) == 0)
			return true;
		p = q + 1;
		while (p < end && is_ows((unsigned char)*p))
			p++;
		if (p == end)
			break;
		if (*p++ != ',')
			return false;
		while (p < end && (is_ows((unsigned char)*p) || *p == ','))
			p++;
	}
	return false;
}

int
http_range_resolve(const struct http_request *req, uint64_t size,
		   const char *etag, uint64_t *offset, uint64_t *count)
{
	uint64_t first = req->range_first, last;

	if (req->range == HTTP_RANGE_NONE)
		return 200;
	/*
	 * If-Range with anything but our current strong tag (an older tag,
	 * or a date we cannot compare exactly) asks for the whole file.
	 */
	if (req->if_range != NULL && (req->if_range_len != strlen(etag) ||
	    memcmp(req->if_range, etag, req->if_range_len) != 0))
		return 200;
	switch (req->range) {
	case HTTP_RANGE_SUFFIX:
		if (first == 0 || size == 0)
			return 416;
		if (first > size)
			first = size;
		*offset = size - first;
		*count = first;
		return 206;
	case HTTP_RANGE_FROM:
		last = size - 1;
		break;
	default:
		last = req->range_last < size ? req->range_last : size - 1;
		break;
	}
	if (first >= size)
		return 416;
	*offset = first;
	*count = last - first + 1;
	return 206;
}

/* The last (n) decimal digits of (v) at (p). */
static void
digits(char *p, int n, int64_t v)
{
	while (n-- > 0) {
		p[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

void
http_date(int64_t secs, char *out)
{
	static const char days[] = "ThuFriSatSunMonTueWed";
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	int64_t d = secs / 86400, t = secs % 86400, era, doe, yoe, doy, mp;
	int64_t y, m, day;

	/* Days to a civil date: Howard Hinnant's days_from_civil, inverted. */
	d += 719468;
	era = d / 146097;
	doe = d - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	day = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y = yoe + era * 400 + (m <= 2);
	memcpy(out, days + 3 * ((secs / 86400) % 7), 3);
	memcpy(out + 3, ", 00 ", 5);
	memcpy(out + 8, months + 3 * (m - 1), 3);
	memcpy(out + 11, " 0000 00:00:00 GMT", 19);
	digits(out + 5, 2, day);
	digits(out + 12, 4, y);
	digits(out + 17, 2, t / 3600);
	digits(out + 20, 2, t / 60 % 60);
	digits(out + 23, 2, t % 60);
}
