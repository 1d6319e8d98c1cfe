/*
 * xs_wire.h: the xenstore wire protocol without a transport: the shared
 * ring, encoding requests, decoding replies and watch events.
 *
 * The format is Xen's, from <xen/io/xs_wire.h>: every message is a struct
 * xsd_sockmsg header followed by hdr.len bytes of payload, at most
 * XENSTORE_PAYLOAD_MAX; the payload is strings separated by NULs. Nothing
 * here allocates, blocks or talks to an event channel: the caller owns
 * every buffer, kicks the other side and waits, so all of it runs, and is
 * tested, on the host as well.
 *
 * Everything the other side writes (ring indices, headers, payloads) is
 * treated as hostile: a corrupt index or an oversized length is refused
 * with MR_EINVAL, never followed out of bounds.
 */
#ifndef MIRARI_XEN_XS_WIRE_H
#define MIRARI_XEN_XS_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xen/io/xs_wire.h>

#include <mirari/base.h>

/* The largest message: a header and a full payload. */
#define XS_MSG_MAX	(sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX)

/* The size of a reader's payload buffer: a full payload and its NUL. */
#define XS_PAYLOAD_BUFSIZE	(XENSTORE_PAYLOAD_MAX + 1)

/*
 * xs_wire.c: the ring.
 *
 * The guest is the client: it produces requests into intf->req and owns
 * req_prod; it consumes replies and watch events from intf->rsp and owns
 * rsp_cons. xenstored owns req_cons and rsp_prod. These functions read
 * each index once and return MR_EINVAL, having copied nothing, when the
 * indices claim more than XENSTORE_RING_SIZE bytes; the caller must then
 * stop using the ring until it is reset. They do not notify the other
 * side: after a write, or a read that freed room, the caller kicks the
 * event channel.
 */

/*
 * Copy as much of (data), of (len) bytes, into the request ring as fits,
 * and publish it. Sets *(written) to the bytes written: less than (len),
 * even 0, when the ring is full. The caller keeps (data).
 */
mr_result_t xs_ring_write(struct xenstore_domain_interface *intf,
    const void *data, size_t len, size_t *written);

/*
 * Copy up to (len) bytes of the response ring into (buf), supplied by the
 * caller, and free their room. Sets *(nread) to the bytes read, 0 when
 * there are none.
 */
mr_result_t xs_ring_read(struct xenstore_domain_interface *intf, void *buf,
    size_t len, size_t *nread);

/* Set *(avail) to the bytes waiting in the response ring. */
mr_result_t xs_ring_avail(const struct xenstore_domain_interface *intf,
    size_t *avail);

/*
 * xs_wire.c: requests.
 *
 * Encode into (out), of (outlen) bytes, the request (type) with (req_id),
 * echoed in the reply, and (tx_id), 0 outside a transaction. The payload
 * is the (nparts) strings of (parts) joined by NULs, and a NUL after the
 * last one if (nul_last). Xenstore's requests, as (parts) and (nul_last):
 *
 *	XS_READ, XS_DIRECTORY, XS_MKDIR, XS_RM, XS_GET_PERMS
 *				{ path }		true
 *	XS_WRITE		{ path, value }		false
 *	XS_WATCH, XS_UNWATCH	{ path, token }		true
 *	XS_TRANSACTION_START	{ "" }			true
 *	XS_TRANSACTION_END	{ "T" } to commit, { "F" } to abort	true
 *
 * Sets *(used) to the length of the message, header included. Returns
 * MR_EINVAL, writing nothing, if (type) is not a message type or the
 * payload would be longer than XENSTORE_PAYLOAD_MAX, which xenstored
 * treats as a protocol violation; MR_ENOMEM if (outlen) is too small
 * (XS_MSG_MAX always suffices). The caller keeps (parts) and (out).
 */
mr_result_t xs_encode(enum xsd_sockmsg_type type, uint32_t req_id,
    uint32_t tx_id, const char *const *parts, size_t nparts, bool nul_last,
    void *out, size_t outlen, size_t *used);

/*
 * xs_wire.c: replies and watch events.
 *
 * A reader reassembles one message at a time from bytes that arrive in
 * pieces of any size. Its header is in (hdr) and its payload in the
 * caller's (payload) buffer of XS_PAYLOAD_BUFSIZE bytes, with a NUL after
 * the last byte, so a payload whose sender left out its final NUL is
 * still a string.
 */
struct xs_reader {
	struct xsd_sockmsg	 hdr;		/* the message's header */
	char			*payload;	/* caller's, XS_PAYLOAD_BUFSIZE */
	size_t			 have;		/* bytes so far, header first */
	bool			 done;		/* hdr and payload are whole */
	bool			 broken;	/* refused input; needs a reset */
};

/*
 * Make (r) ready for a first message, into (payload), which the caller
 * supplies and keeps alive while (r) is used.
 */
void xs_reader_init(struct xs_reader *r, char *payload);

/*
 * Drop any partial message and the broken state: after a refusal, or when
 * the connection is reset.
 */
void xs_reader_reset(struct xs_reader *r);

/*
 * Feed (r) with (len) bytes of (data), consuming no more than the current
 * message needs, and set *(used) to the bytes consumed. Returns MR_OK when
 * a message is whole: (r)->hdr and (r)->payload hold it until the next
 * feed or pull, which starts the next message, and the bytes beyond
 * *(used) belong to that one. Returns MR_EAGAIN when all (len) bytes are
 * consumed and more are needed, and MR_EINVAL for a header whose len is
 * over XENSTORE_PAYLOAD_MAX; (r) then refuses everything until it is
 * reset. The caller keeps (data).
 */
mr_result_t xs_reader_feed(struct xs_reader *r, const void *data, size_t len,
    size_t *used);

/*
 * The same, reading from the response ring of (intf), never past the end
 * of the current message. MR_EINVAL also means corrupt ring indices.
 */
mr_result_t xs_reader_pull(struct xs_reader *r,
    struct xenstore_domain_interface *intf);

/*
 * The result of a reply: MR_OK unless it is an XS_ERROR, whose payload
 * names an errno value. ENOENT gives MR_ENOENT; EINVAL MR_EINVAL; ENOMEM,
 * ENOSPC, E2BIG and EQUOTA (a quota, from oxenstored) MR_ENOMEM; EAGAIN,
 * which XS_TRANSACTION_END returns when the transaction must be retried,
 * MR_EAGAIN; any other name MR_EUNSPEC. (payload) is NUL-terminated, as a
 * reader's is.
 */
mr_result_t xs_reply_result(const struct xsd_sockmsg *hdr,
    const char *payload);

/*
 * Split the (len) bytes of (payload), strings each ended by a NUL (the
 * entries of an XS_DIRECTORY reply; the path and token of an
 * XS_WATCH_EVENT), and store pointers to the first (max) of them in
 * (out). A last string without its NUL counts too: (payload) must have
 * room for len + 1 bytes, as a reader's has, and xs_split stores a NUL at
 * payload[len]. Returns the number of strings, which may be more than
 * (max). The pointers point into (payload), which the caller keeps.
 */
size_t xs_split(char *payload, size_t len, const char **out, size_t max);

/*
 * Whether xenstored would accept (path) as a node name: letters, digits
 * and "-/_@" only, not empty, no "//", no "/" at the end unless it is
 * "/", at most XENSTORE_ABS_PATH_MAX bytes if absolute and
 * XENSTORE_REL_PATH_MAX if relative (to the domain's home). Checking
 * before sending turns a bad path into MR_EINVAL at the call instead of a
 * round trip and an error reply.
 */
bool xs_path_valid(const char *path);

#endif /* MIRARI_XEN_XS_WIRE_H */
