/*
 * xs_wire.c: the xenstore wire protocol of the Xen backend, on the host:
 * the shared ring at every offset and with corrupt indices, request
 * encoding, reply reassembly, error names, payload splitting and paths.
 *
 * The test plays xenstored with ring.h's functions, the other way round.
 * Rings and buffers are malloc'd at their exact sizes, so AddressSanitizer
 * reports any access past them; the half of the page that a call must not
 * touch is filled with a pattern and checked afterwards.
 */
/* sources: backends/xen/xs_wire.c */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "ring.h"
#include "xs_wire.h"
#include "tap.h"

#define SIZE		XENSTORE_RING_SIZE
#define HDR		sizeof(struct xsd_sockmsg)
#define POISON		0xa5

/* A zeroed page whose response ring holds the pattern. */
static struct xenstore_domain_interface *
page(void)
{
	struct xenstore_domain_interface *intf;

	if ((intf = calloc(1, sizeof *intf)) == NULL)
		abort();
	memset(intf->rsp, POISON, SIZE);
	return intf;
}

static bool
poisoned(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)p[i] != POISON)
			return false;
	return true;
}

/* A byte that differs between neighbours and between calls. */
static char
pattern(size_t i, unsigned seed)
{
	return (char)(i * 7 + seed * 13 + 1);
}

static void
fill(char *p, size_t len, unsigned seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = pattern(i, seed);
}

/* xenstored's side: consume (len) request bytes into (buf). */
static size_t
server_take(struct xenstore_domain_interface *intf, void *buf, size_t len)
{
	size_t n;

	if (xen_ring_get(intf->req, SIZE, &intf->req_prod, &intf->req_cons,
	    buf, len, &n) != MR_OK)
		abort();
	return n;
}

/* xenstored's side: produce (len) response bytes. */
static size_t
server_give(struct xenstore_domain_interface *intf, const void *data,
    size_t len)
{
	size_t n;

	if (xen_ring_put(intf->rsp, SIZE, &intf->rsp_prod, &intf->rsp_cons,
	    data, len, &n) != MR_OK)
		abort();
	return n;
}

/*
 * Every start offset, with indices close to 2^32 so that some of them
 * wrap too: a short write crossing the end of the ring, a full one, and
 * the bytes read back by the server in the order written.
 */
static void
test_ring_write_offsets(void)
{
	struct xenstore_domain_interface *intf = page();
	char *data = malloc(SIZE), *back = malloc(SIZE);
	uint32_t base = UINT32_MAX - SIZE / 2, start, off;
	size_t n, i, len, lens[] = { 1, 100, SIZE - 1, SIZE };
	int bad = 0;

	for (off = 0; off < SIZE; off++) {
		for (i = 0; i < sizeof lens / sizeof lens[0]; i++) {
			len = lens[i];
			start = base + off;
			intf->req_prod = intf->req_cons = start;
			fill(data, len, off);
			memset(intf->req, 0, SIZE);
			if (xs_ring_write(intf, data, len, &n) != MR_OK ||
			    n != len || intf->req_prod != (uint32_t)(start + len) ||
			    intf->req_cons != start)
				bad++;
			for (n = 0; n < len; n++)
				if (intf->req[(start + n) & (SIZE - 1)] !=
				    data[n])
					bad++;
			if (server_take(intf, back, SIZE) != len ||
			    memcmp(back, data, len) != 0)
				bad++;
		}
	}
	ok(bad == 0, "writes at every offset land at prod modulo the size, "
	   "wrapping at the end of the ring and of the index");
	ok(poisoned(intf->rsp, SIZE) && intf->rsp_prod == 0 &&
	   intf->rsp_cons == 0, "... and touch nothing of the response side");
	free(back);
	free(data);
	free(intf);
}

static void
test_ring_read_offsets(void)
{
	struct xenstore_domain_interface *intf = page();
	char *data = malloc(SIZE);
	uint32_t base = UINT32_MAX - SIZE / 2, start, off;
	size_t n, got, avail, i, len, lens[] = { 1, 100, SIZE - 1, SIZE };
	char *buf;
	int bad = 0;

	for (off = 0; off < SIZE; off++) {
		for (i = 0; i < sizeof lens / sizeof lens[0]; i++) {
			len = lens[i];
			start = base + off;
			intf->rsp_prod = intf->rsp_cons = start;
			fill(data, len, off);
			if (server_give(intf, data, len) != len ||
			    xs_ring_avail(intf, &avail) != MR_OK ||
			    avail != len)
				bad++;

			/* In two reads: the first ends mid-message. */
			buf = malloc(len);
			got = 0;
			if (xs_ring_read(intf, buf, len / 2, &n) != MR_OK ||
			    n != len / 2)
				bad++;
			got += n;
			if (xs_ring_read(intf, buf + got, len - got, &n) !=
			    MR_OK || n != len - got)
				bad++;
			got += n;
			if (got != len || memcmp(buf, data, len) != 0 ||
			    intf->rsp_cons != (uint32_t)(start + len) ||
			    intf->rsp_prod != (uint32_t)(start + len))
				bad++;
			if (xs_ring_avail(intf, &avail) != MR_OK || avail != 0)
				bad++;
			free(buf);
		}
	}
	ok(bad == 0, "reads at every offset, in two parts, give back the bytes "
	   "in order and advance rsp_cons by what they read");
	free(data);
	free(intf);
}

static void
test_ring_full(void)
{
	struct xenstore_domain_interface *intf = page();
	char data[SIZE + 500], back[SIZE], buf[8];
	size_t n, avail;

	fill(data, sizeof data, 1);
	ok(xs_ring_write(intf, data, sizeof data, &n) == MR_OK && n == SIZE &&
	   intf->req_prod == SIZE, "a write longer than the ring fills it and "
	   "says how much it wrote");
	ok(xs_ring_write(intf, data, 1, &n) == MR_OK && n == 0 &&
	   intf->req_prod == SIZE, "a full ring takes nothing more");
	ok(server_take(intf, back, 10) == 10 && memcmp(back, data, 10) == 0,
	   "the server takes 10 bytes");
	ok(xs_ring_write(intf, data + SIZE, 20, &n) == MR_OK && n == 10 &&
	   intf->req_prod == SIZE + 10, "... and 10 of 20 now fit");
	ok(server_take(intf, back, SIZE) == SIZE &&
	   memcmp(back, data + 10, SIZE) == 0, "all of it arrives in order, "
	   "across the wrap");
	ok(xs_ring_write(intf, data, 0, &n) == MR_OK && n == 0 &&
	   xs_ring_write(intf, NULL, 0, &n) == MR_OK && n == 0,
	   "an empty write is fine, even from NULL");

	ok(xs_ring_read(intf, buf, sizeof buf, &n) == MR_OK && n == 0 &&
	   xs_ring_avail(intf, &avail) == MR_OK && avail == 0,
	   "an empty response ring reads nothing");
	intf->rsp_prod = 3;
	ok(xs_ring_avail(intf, &avail) == MR_OK && avail == 3 &&
	   xs_ring_read(intf, buf, 1, &n) == MR_OK && n == 1 &&
	   xs_ring_avail(intf, &avail) == MR_OK && avail == 2,
	   "a short read leaves the rest available");
	ok(poisoned(intf->rsp + 3, SIZE - 3), "... and the ring untouched");
	free(intf);
}

/*
 * Indices the other domain could write: more than a ring's worth, a
 * consumer ahead of its producer, garbage. Nothing may be copied, no
 * index moved, and the calls must say so.
 */
static void
test_ring_corrupt(void)
{
	static const uint32_t bad[][2] = {	/* prod, cons */
		{ SIZE + 1, 0 },
		{ 0, 1 },
		{ 5, 4000 },
		{ UINT32_MAX, 0 },
		{ 0x80000000u, 0 },
		{ 100, 100 + SIZE + 1 },
	};
	struct xenstore_domain_interface *intf = page();
	char data[16], *buf = malloc(SIZE);
	size_t i, n, avail;
	int wrong = 0;

	fill(data, sizeof data, 2);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memset(intf->req, 0, SIZE);
		intf->req_prod = bad[i][0];
		intf->req_cons = bad[i][1];
		n = 99;
		if (xs_ring_write(intf, data, sizeof data, &n) != MR_EINVAL ||
		    n != 0 || intf->req_prod != bad[i][0] ||
		    intf->req_cons != bad[i][1])
			wrong++;
		for (n = 0; n < SIZE; n++)
			if (intf->req[n] != 0)
				wrong++;

		memset(buf, 0, SIZE);
		intf->rsp_prod = bad[i][0];
		intf->rsp_cons = bad[i][1];
		n = 99;
		if (xs_ring_read(intf, buf, SIZE, &n) != MR_EINVAL || n != 0 ||
		    intf->rsp_prod != bad[i][0] || intf->rsp_cons != bad[i][1])
			wrong++;
		for (n = 0; n < SIZE; n++)
			if (buf[n] != 0)
				wrong++;
		avail = 99;
		if (xs_ring_avail(intf, &avail) != MR_EINVAL || avail != 0)
			wrong++;
	}
	ok(wrong == 0, "corrupt indices are refused with MR_EINVAL on both "
	   "rings, copying nothing and moving no index");

	/* Exactly a ring's worth, across the index wrap, is legitimate. */
	intf->rsp_prod = 1000;
	intf->rsp_cons = 1000 - SIZE;
	ok(xs_ring_read(intf, buf, SIZE, &n) == MR_OK && n == SIZE &&
	   poisoned(buf, SIZE) && intf->rsp_cons == 1000,
	   "a full ring with wrapped indices reads the whole ring, no more");
	free(buf);
	free(intf);
}

/*
 * Encode and compare with (want) of (wantlen) payload bytes, written out
 * by hand from the protocol.
 */
static void
encodes(const char *what, enum xsd_sockmsg_type type, const char *const *parts,
    size_t nparts, bool nul_last, const char *want, size_t wantlen)
{
	char out[XS_MSG_MAX];
	struct xsd_sockmsg hdr;
	size_t used;
	mr_result_t r;

	memset(out, 0, sizeof out);
	r = xs_encode(type, 7, 42, parts, nparts, nul_last, out, sizeof out,
	    &used);
	memcpy(&hdr, out, HDR);
	if (!ok(r == MR_OK && used == HDR + wantlen && hdr.type == type &&
	    hdr.req_id == 7 && hdr.tx_id == 42 && hdr.len == wantlen &&
	    memcmp(out + HDR, want, wantlen) == 0, "encodes %s", what))
		tap_diag("result %d, used %zu, len %u", r, used, hdr.len);
}

#define P(...)		(const char *const []){ __VA_ARGS__ }
#define N(...)		(sizeof P(__VA_ARGS__) / sizeof(const char *))
#define ENC(what, type, nul, want, ...) \
	encodes(what, type, P(__VA_ARGS__), N(__VA_ARGS__), nul, want, \
	    sizeof want - 1)

static void
test_encode(void)
{
	char out[XS_MSG_MAX], *big;
	const char *parts[2];
	size_t used;

	ENC("XS_READ: path NUL", XS_READ, true,
	    "/local/domain/3/name\0", "/local/domain/3/name");
	ENC("XS_DIRECTORY: path NUL", XS_DIRECTORY, true, "device/vif\0",
	    "device/vif");
	ENC("XS_WRITE: path NUL value, no NUL after the value", XS_WRITE,
	    false, "device/vif/0/state\0" "4", "device/vif/0/state", "4");
	ENC("XS_WRITE of an empty value", XS_WRITE, false, "data/x\0",
	    "data/x", "");
	ENC("XS_MKDIR", XS_MKDIR, true, "data/d\0", "data/d");
	ENC("XS_RM", XS_RM, true, "data/d\0", "data/d");
	ENC("XS_GET_PERMS", XS_GET_PERMS, true, "data\0", "data");
	ENC("XS_WATCH: path NUL token NUL", XS_WATCH, true,
	    "backend/vif\0" "tok1\0", "backend/vif", "tok1");
	ENC("XS_UNWATCH", XS_UNWATCH, true, "@releaseDomain\0" "t\0",
	    "@releaseDomain", "t");
	ENC("XS_TRANSACTION_START: one NUL", XS_TRANSACTION_START, true, "\0",
	    "");
	ENC("XS_TRANSACTION_END to commit: T NUL", XS_TRANSACTION_END, true,
	    "T\0", "T");
	ENC("XS_TRANSACTION_END to abort: F NUL", XS_TRANSACTION_END, true,
	    "F\0", "F");
	ENC("XS_GET_DOMAIN_PATH: domid NUL", XS_GET_DOMAIN_PATH, true, "0\0",
	    "0");
	encodes("no parts: an empty payload", XS_RESET_WATCHES, NULL, 0, true,
	    "", 0);

	big = malloc(100000);
	memset(big, 'a', 99999);
	big[99999] = '\0';
	parts[0] = big + 99999 - (XENSTORE_PAYLOAD_MAX - 1);
	ok(xs_encode(XS_READ, 1, 0, parts, 1, true, out, sizeof out, &used) ==
	   MR_OK && used == XS_MSG_MAX, "a payload of XENSTORE_PAYLOAD_MAX "
	   "bytes, NUL included, fits");
	parts[0]--;
	memset(out, 0, sizeof out);
	used = 99;
	ok(xs_encode(XS_READ, 1, 0, parts, 1, true, out, sizeof out, &used) ==
	   MR_EINVAL && used == 0 && out[0] == 0, "one byte more is refused, "
	   "writing nothing");
	ok(xs_encode(XS_READ, 1, 0, parts, 1, false, out, sizeof out, &used) ==
	   MR_OK && used == XS_MSG_MAX, "... unless the last NUL is left out");
	parts[0] = "p";
	parts[1] = big + 99999 - (XENSTORE_PAYLOAD_MAX - 2);
	ok(xs_encode(XS_WRITE, 1, 0, parts, 2, false, out, sizeof out, &used) ==
	   MR_OK && used == XS_MSG_MAX, "a write whose path, NUL and value "
	   "make XENSTORE_PAYLOAD_MAX fits");
	parts[1]--;
	ok(xs_encode(XS_WRITE, 1, 0, parts, 2, false, out, sizeof out, &used) ==
	   MR_EINVAL, "... and a byte more is refused");
	parts[0] = big;
	ok(xs_encode(XS_READ, 1, 0, parts, 1, true, out, sizeof out, &used) ==
	   MR_EINVAL, "a string far over the limit is refused");
	free(big);

	parts[0] = "data/x";
	ok(xs_encode(XS_READ, 1, 0, parts, 1, true, out, HDR + 7, &used) ==
	   MR_OK && used == HDR + 7, "a buffer of exactly the message's size "
	   "is enough");
	memset(out, 0, sizeof out);
	used = 99;
	ok(xs_encode(XS_READ, 1, 0, parts, 1, true, out, HDR + 6, &used) ==
	   MR_ENOMEM && used == 0 && out[0] == 0, "a byte less is MR_ENOMEM, "
	   "writing nothing");
	ok(xs_encode(XS_TYPE_COUNT, 1, 0, parts, 1, true, out, sizeof out,
	   &used) == MR_EINVAL && xs_encode(XS_INVALID, 1, 0, parts, 1, true,
	   out, sizeof out, &used) == MR_EINVAL, "an unknown type is refused");
}

/* A reply as xenstored sends it, with (len) payload bytes of (payload). */
static size_t
reply(char *out, uint32_t type, uint32_t req_id, const void *payload,
    uint32_t len)
{
	struct xsd_sockmsg hdr = { type, req_id, 0, len };

	memcpy(out, &hdr, HDR);
	memcpy(out + HDR, payload, len);
	return HDR + len;
}

/* Rewrite the len of the header at (msg), which may be unaligned. */
static void
set_len(char *msg, uint32_t len)
{
	memcpy(msg + offsetof(struct xsd_sockmsg, len), &len, sizeof len);
}

static bool
holds(const struct xs_reader *r, uint32_t type, uint32_t req_id,
    const void *payload, uint32_t len)
{
	return r->hdr.type == type && r->hdr.req_id == req_id &&
	    r->hdr.len == len && memcmp(r->payload, payload, len) == 0 &&
	    r->payload[len] == '\0';
}

static void
test_reader(void)
{
	char *buf = malloc(XS_PAYLOAD_BUFSIZE), *big = malloc(XS_MSG_MAX);
	char msg[2 * XS_MSG_MAX], *payload = malloc(XENSTORE_PAYLOAD_MAX);
	struct xs_reader r;
	size_t len, len2, i, used;
	mr_result_t res;
	int bad = 0;

	xs_reader_init(&r, buf);

	/* An XS_READ reply carries the value without a NUL. */
	len = reply(msg, XS_READ, 5, "hello", 5);
	for (i = 0; i < len; i++) {
		res = xs_reader_feed(&r, msg + i, 1, &used);
		if (used != 1 || res != (i + 1 < len ? MR_EAGAIN : MR_OK))
			bad++;
	}
	ok(bad == 0, "fed byte by byte, the reader wants more until the last");
	ok(holds(&r, XS_READ, 5, "hello", 5), "... then holds the header and "
	   "the payload, NUL-terminated");

	ok(xs_reader_feed(&r, msg, len, &used) == MR_OK && used == len &&
	   holds(&r, XS_READ, 5, "hello", 5), "in one chunk, likewise");

	len2 = reply(msg + len, XS_WATCH_EVENT, 0, "a/b\0tok\0", 8);
	ok(xs_reader_feed(&r, msg, len + len2, &used) == MR_OK && used == len &&
	   holds(&r, XS_READ, 5, "hello", 5), "two messages back to back: the "
	   "first, consuming only its own bytes");
	ok(xs_reader_feed(&r, msg + used, len + len2 - used, &used) == MR_OK &&
	   used == len2 && holds(&r, XS_WATCH_EVENT, 0, "a/b\0tok\0", 8),
	   "... then the second");

	len = reply(msg, XS_TRANSACTION_END, 9, "", 0);
	ok(xs_reader_feed(&r, msg, len, &used) == MR_OK && used == HDR &&
	   holds(&r, XS_TRANSACTION_END, 9, "", 0), "an empty payload");
	ok(xs_reader_feed(&r, msg, 0, &used) == MR_EAGAIN && used == 0 &&
	   xs_reader_feed(&r, NULL, 0, &used) == MR_EAGAIN,
	   "nothing fed, nothing done");
	xs_reader_reset(&r);

	fill(payload, XENSTORE_PAYLOAD_MAX, 3);
	len = reply(big, XS_READ, 6, payload, XENSTORE_PAYLOAD_MAX);
	ok(xs_reader_feed(&r, big, 100, &used) == MR_EAGAIN && used == 100 &&
	   xs_reader_feed(&r, big + 100, len - 100, &used) == MR_OK &&
	   holds(&r, XS_READ, 6, payload, XENSTORE_PAYLOAD_MAX),
	   "a payload of XENSTORE_PAYLOAD_MAX bytes fits, and its NUL");

	len = reply(msg, XS_READ, 7, "x", 1);
	set_len(msg, XENSTORE_PAYLOAD_MAX + 1);
	ok(xs_reader_feed(&r, msg, sizeof msg, &used) == MR_EINVAL &&
	   used == HDR, "a header with len over XENSTORE_PAYLOAD_MAX is "
	   "refused as soon as it is whole");
	ok(xs_reader_feed(&r, msg, sizeof msg, &used) == MR_EINVAL &&
	   used == 0, "... and the reader refuses all until it is reset");
	xs_reader_reset(&r);
	set_len(msg, UINT32_MAX);
	for (i = 0, res = MR_EAGAIN; i < HDR && res == MR_EAGAIN; i++)
		res = xs_reader_feed(&r, msg + i, 1, &used);
	ok(res == MR_EINVAL && i == HDR, "len 0xffffffff, byte by byte, is "
	   "refused at the header's last byte");
	xs_reader_reset(&r);
	len = reply(msg, XS_READ, 8, "ok", 2);
	ok(xs_reader_feed(&r, msg, len, &used) == MR_OK &&
	   holds(&r, XS_READ, 8, "ok", 2), "after a reset it reads again");

	free(payload);
	free(big);
	free(buf);
}

static void
test_reader_pull(void)
{
	struct xenstore_domain_interface *intf = page();
	char *buf = malloc(XS_PAYLOAD_BUFSIZE), *big = malloc(XS_MSG_MAX);
	char msg[256], *payload = malloc(XENSTORE_PAYLOAD_MAX);
	struct xs_reader r;
	size_t len, len2, sent, n;
	int pulls;

	xs_reader_init(&r, buf);
	intf->rsp_prod = intf->rsp_cons = SIZE - 10;
	len = reply(msg, XS_DIRECTORY, 1, "a\0bb\0", 5);
	len2 = reply(msg + len, XS_ERROR, 2, "ENOENT\0", 7);
	server_give(intf, msg, len + len2);
	ok(xs_reader_pull(&r, intf) == MR_OK &&
	   holds(&r, XS_DIRECTORY, 1, "a\0bb\0", 5) &&
	   intf->rsp_cons == SIZE - 10 + len, "pull reads a message across "
	   "the wrap, and no byte of the next");
	ok(xs_reader_pull(&r, intf) == MR_OK &&
	   holds(&r, XS_ERROR, 2, "ENOENT\0", 7), "the next pull reads the "
	   "next");
	ok(xs_reader_pull(&r, intf) == MR_EAGAIN, "then there is nothing");

	/* A message longer than the ring arrives as the reader frees room. */
	fill(payload, XENSTORE_PAYLOAD_MAX, 4);
	len = reply(big, XS_READ, 3, payload, XENSTORE_PAYLOAD_MAX);
	for (sent = 0, pulls = 0; sent < len; pulls++) {
		sent += server_give(intf, big + sent, len - sent);
		if (xs_reader_pull(&r, intf) != (sent < len ? MR_EAGAIN : MR_OK))
			break;
	}
	ok(sent == len && pulls == 5 &&
	   holds(&r, XS_READ, 3, payload, XENSTORE_PAYLOAD_MAX),
	   "a full payload comes through the ring in five pulls");

	len = reply(msg, XS_READ, 4, "v", 1);
	set_len(msg, XENSTORE_PAYLOAD_MAX + 1);
	server_give(intf, msg, len);
	ok(xs_reader_pull(&r, intf) == MR_EINVAL && r.broken &&
	   xs_ring_avail(intf, &n) == MR_OK && n == 1,
	   "a hostile len through the ring: refused, after the header only");
	xs_reader_reset(&r);
	intf->rsp_cons = intf->rsp_prod;
	intf->rsp_prod += SIZE + 1;
	ok(xs_reader_pull(&r, intf) == MR_EINVAL && r.broken,
	   "corrupt indices break the reader");

	free(payload);
	free(big);
	free(buf);
	free(intf);
}

static void
errs(const char *name, mr_result_t want)
{
	struct xsd_sockmsg hdr = { XS_ERROR, 1, 0, 0 };

	hdr.len = (uint32_t)strlen(name) + 1;
	if (!ok(xs_reply_result(&hdr, name) == want, "XS_ERROR %s", name))
		tap_diag("got %d, want %d", xs_reply_result(&hdr, name), want);
}

static void
test_reply_result(void)
{
	struct xsd_sockmsg hdr = { XS_READ, 1, 0, 7 };

	errs("ENOENT", MR_ENOENT);
	errs("EINVAL", MR_EINVAL);
	errs("ENOMEM", MR_ENOMEM);
	errs("ENOSPC", MR_ENOMEM);
	errs("E2BIG", MR_ENOMEM);
	errs("EQUOTA", MR_ENOMEM);
	errs("EAGAIN", MR_EAGAIN);
	errs("EACCES", MR_EUNSPEC);
	errs("EEXIST", MR_EUNSPEC);
	errs("EPERM", MR_EUNSPEC);
	errs("", MR_EUNSPEC);
	errs("ENOENTX", MR_EUNSPEC);
	ok(xs_reply_result(&hdr, "ENOENT") == MR_OK, "any other type is "
	   "MR_OK, whatever its payload");
}

/* Split a copy of (len) bytes of (text) into at most (max) strings. */
static void
splits(const char *what, const char *text, size_t len, size_t max,
    size_t want, const char *const *wants)
{
	char buf[64];
	const char *out[8];
	size_t n, i;
	bool same;

	memcpy(buf, text, len);
	memset(buf + len, 'x', sizeof buf - len);
	out[max] = NULL;
	n = xs_split(buf, len, out, max);
	same = n == want && out[max] == NULL;
	for (i = 0; same && i < want && i < max; i++)
		same = strcmp(out[i], wants[i]) == 0;
	if (!ok(same, "%s", what))
		tap_diag("got %zu strings, want %zu", n, want);
}

#define SPLIT(what, text, max, ...) \
	splits(what, text, sizeof text - 1, max, N(__VA_ARGS__), \
	    P(__VA_ARGS__))

static void
test_split(void)
{
	splits("nothing is no strings", "", 0, 4, 0, NULL);
	SPLIT("a directory, every entry with its NUL", "vif\0vbd\0console\0",
	    4, "vif", "vbd", "console");
	SPLIT("a directory without the final NUL", "vif\0vbd\0console", 4,
	    "vif", "vbd", "console");
	SPLIT("a watch event: path and token", "backend/vif/1\0tok\0", 4,
	    "backend/vif/1", "tok");
	SPLIT("a lone NUL is one empty string", "\0", 4, "");
	SPLIT("one string without a NUL", "abc", 4, "abc");
	SPLIT("empty strings between NULs are kept", "a\0\0b\0", 4,
	    "a", "", "b");
	SPLIT("more strings than room: the count, and only (max) stored",
	    "a\0b\0c\0d\0", 2, "a", "b", "c", "d");
}

static void
test_path_valid(void)
{
	char *p = malloc(XENSTORE_ABS_PATH_MAX + 2);

	ok(xs_path_valid("/local/domain/0/name"), "an absolute path");
	ok(xs_path_valid("device/vif/0/state"), "a relative path");
	ok(xs_path_valid("/"), "the root");
	ok(xs_path_valid("@introduceDomain"), "a special watch path");
	ok(xs_path_valid("data/a-b_C9"), "letters, digits, - and _");
	ok(!xs_path_valid(""), "not an empty path");
	ok(!xs_path_valid("//a") && !xs_path_valid("/a//b") &&
	   !xs_path_valid("a//"), "not //");
	ok(!xs_path_valid("/a/") && !xs_path_valid("a/"), "not a / at the end");
	ok(!xs_path_valid("/a b") && !xs_path_valid("/a\n") &&
	   !xs_path_valid("/a.b") && !xs_path_valid("/a\x80"),
	   "not blanks, dots, controls or bytes over 127");

	memset(p, 'a', XENSTORE_ABS_PATH_MAX + 1);
	p[0] = '/';
	p[XENSTORE_ABS_PATH_MAX] = '\0';
	ok(xs_path_valid(p), "XENSTORE_ABS_PATH_MAX bytes, absolute");
	p[XENSTORE_ABS_PATH_MAX] = 'a';
	p[XENSTORE_ABS_PATH_MAX + 1] = '\0';
	ok(!xs_path_valid(p), "... one more is too long");
	p[0] = 'a';
	p[XENSTORE_REL_PATH_MAX] = '\0';
	ok(xs_path_valid(p), "XENSTORE_REL_PATH_MAX bytes, relative");
	p[XENSTORE_REL_PATH_MAX] = 'a';
	p[XENSTORE_REL_PATH_MAX + 1] = '\0';
	ok(!xs_path_valid(p), "... one more is too long");
	free(p);
}

int
main(void)
{
	test_ring_write_offsets();
	test_ring_read_offsets();
	test_ring_full();
	test_ring_corrupt();
	test_encode();
	test_reader();
	test_reader_pull();
	test_reply_result();
	test_split();
	test_path_valid();
	return done_testing();
}
