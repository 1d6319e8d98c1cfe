/*
 * xs_wire.c: the xenstore wire protocol without a transport; see
 * xs_wire.h for the contract and ring.h for the ring discipline.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ring.h"
#include "xs_wire.h"

#define HDR_SIZE	sizeof(struct xsd_sockmsg)

mr_result_t
xs_ring_write(struct xenstore_domain_interface *intf, const void *data,
    size_t len, size_t *written)
{
	return xen_ring_put(intf->req, XENSTORE_RING_SIZE, &intf->req_prod,
	    &intf->req_cons, data, len, written);
}

mr_result_t
xs_ring_read(struct xenstore_domain_interface *intf, void *buf, size_t len,
    size_t *nread)
{
	return xen_ring_get(intf->rsp, XENSTORE_RING_SIZE, &intf->rsp_prod,
	    &intf->rsp_cons, buf, len, nread);
}

mr_result_t
xs_ring_avail(const struct xenstore_domain_interface *intf, size_t *avail)
{
	uint32_t prod, cons, used;
	mr_result_t r;

	prod = __atomic_load_n(&intf->rsp_prod, __ATOMIC_ACQUIRE);
	cons = __atomic_load_n(&intf->rsp_cons, __ATOMIC_RELAXED);
	r = xen_ring_used(prod, cons, XENSTORE_RING_SIZE, &used);
	*avail = used;
	return r;
}

/* The length of (s), or (max) if it is longer; strnlen is not C11. */
static size_t
bounded_len(const char *s, size_t max)
{
	size_t n;

	for (n = 0; n < max && s[n] != '\0'; n++)
		continue;
	return n;
}

mr_result_t
xs_encode(enum xsd_sockmsg_type type, uint32_t req_id, uint32_t tx_id,
    const char *const *parts, size_t nparts, bool nul_last, void *out,
    size_t outlen, size_t *used)
{
	struct xsd_sockmsg hdr;
	char *p = out;
	size_t i, n, len = 0;

	*used = 0;
	if ((unsigned)type >= XS_TYPE_COUNT)
		return MR_EINVAL;

	/*
	 * Measure first, so that a request that does not fit leaves (out)
	 * untouched. Each part's length is bounded as it is taken, so a
	 * huge string is refused without summing past SIZE_MAX.
	 */
	for (i = 0; i < nparts; i++) {
		n = bounded_len(parts[i], XENSTORE_PAYLOAD_MAX + 1);
		if (i + 1 < nparts || nul_last)
			n++;
		if (n > XENSTORE_PAYLOAD_MAX - len)
			return MR_EINVAL;
		len += n;
	}
	if (outlen < HDR_SIZE + len)
		return MR_ENOMEM;

	hdr.type = type;
	hdr.req_id = req_id;
	hdr.tx_id = tx_id;
	hdr.len = (uint32_t)len;
	memcpy(p, &hdr, HDR_SIZE);
	p += HDR_SIZE;
	for (i = 0; i < nparts; i++) {
		n = strlen(parts[i]);
		if (i + 1 < nparts || nul_last)
			n++;
		memcpy(p, parts[i], n);
		p += n;
	}
	*used = HDR_SIZE + len;
	return MR_OK;
}

void
xs_reader_init(struct xs_reader *r, char *payload)
{
	r->payload = payload;
	xs_reader_reset(r);
}

void
xs_reader_reset(struct xs_reader *r)
{
	memset(&r->hdr, 0, sizeof r->hdr);
	r->payload[0] = '\0';
	r->have = 0;
	r->done = false;
	r->broken = false;
}

/*
 * Where the next bytes of the current message go, and how many the part
 * being read (the header, then the payload) still needs.
 */
static size_t
reader_want(struct xs_reader *r, char **dst)
{
	if (r->have < HDR_SIZE) {
		*dst = (char *)&r->hdr + r->have;
		return HDR_SIZE - r->have;
	}
	*dst = r->payload + (r->have - HDR_SIZE);
	return HDR_SIZE + r->hdr.len - r->have;
}

/*
 * Account for (n) bytes just stored where reader_want said. The header's
 * len is checked the moment the header is whole, before any payload byte
 * is stored by it.
 */
static mr_result_t
reader_advance(struct xs_reader *r, size_t n)
{
	r->have += n;
	if (r->have < HDR_SIZE)
		return MR_EAGAIN;
	if (r->have == HDR_SIZE && r->hdr.len > XENSTORE_PAYLOAD_MAX) {
		r->broken = true;
		return MR_EINVAL;
	}
	if (r->have < HDR_SIZE + r->hdr.len)
		return MR_EAGAIN;
	r->payload[r->hdr.len] = '\0';
	r->done = true;
	return MR_OK;
}

/* Refuse a broken reader; start the next message after a whole one. */
static mr_result_t
reader_begin(struct xs_reader *r)
{
	if (r->broken)
		return MR_EINVAL;
	if (r->done)
		xs_reader_reset(r);
	return MR_OK;
}

mr_result_t
xs_reader_feed(struct xs_reader *r, const void *data, size_t len,
    size_t *used)
{
	const char *src = data;
	char *dst;
	size_t n;
	mr_result_t res;

	*used = 0;
	if ((res = reader_begin(r)) != MR_OK)
		return res;
	for (;;) {
		n = reader_want(r, &dst);
		if (n > len - *used)
			n = len - *used;
		if (n > 0)
			memcpy(dst, src + *used, n);
		*used += n;
		if ((res = reader_advance(r, n)) != MR_EAGAIN)
			return res;
		if (*used == len)
			return MR_EAGAIN;
	}
}

mr_result_t
xs_reader_pull(struct xs_reader *r, struct xenstore_domain_interface *intf)
{
	char *dst;
	size_t want, got;
	mr_result_t res;

	if ((res = reader_begin(r)) != MR_OK)
		return res;
	for (;;) {
		want = reader_want(r, &dst);
		if ((res = xs_ring_read(intf, dst, want, &got)) != MR_OK) {
			r->broken = true;
			return res;
		}
		if ((res = reader_advance(r, got)) != MR_EAGAIN)
			return res;
		if (got < want)
			return MR_EAGAIN;
	}
}

/*
 * Error names as xenstored spells them (Xen's xsd_errors, and oxenstored's
 * EQUOTA), and what they mean to a mirari caller. A name not listed means
 * nothing a caller could act on: MR_EUNSPEC.
 */
static const struct {
	const char	*name;
	mr_result_t	 result;
} xs_errors[] = {
	{ "ENOENT",	MR_ENOENT },
	{ "EINVAL",	MR_EINVAL },
	{ "ENOMEM",	MR_ENOMEM },
	{ "ENOSPC",	MR_ENOMEM },
	{ "E2BIG",	MR_ENOMEM },
	{ "EQUOTA",	MR_ENOMEM },
	{ "EAGAIN",	MR_EAGAIN },
};

mr_result_t
xs_reply_result(const struct xsd_sockmsg *hdr, const char *payload)
{
	size_t i;

	if (hdr->type != XS_ERROR)
		return MR_OK;
	for (i = 0; i < sizeof xs_errors / sizeof xs_errors[0]; i++)
		if (strcmp(payload, xs_errors[i].name) == 0)
			return xs_errors[i].result;
	return MR_EUNSPEC;
}

size_t
xs_split(char *payload, size_t len, const char **out, size_t max)
{
	size_t i, start, count = 0;

	payload[len] = '\0';
	for (i = start = 0; i < len; i++) {
		if (payload[i] != '\0' && i + 1 < len)
			continue;
		if (count < max)
			out[count] = payload + start;
		count++;
		start = i + 1;
	}
	return count;
}

static bool
path_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '/' || c == '_' ||
	    c == '@';
}

bool
xs_path_valid(const char *path)
{
	size_t i, max;

	max = path[0] == '/' ? XENSTORE_ABS_PATH_MAX : XENSTORE_REL_PATH_MAX;
	for (i = 0; path[i] != '\0'; i++) {
		if (i == max || !path_char(path[i]))
			return false;
		if (path[i] == '/' && path[i + 1] == '/')
			return false;
	}
	if (i == 0)
		return false;
	return path[i - 1] != '/' || i == 1;
}
