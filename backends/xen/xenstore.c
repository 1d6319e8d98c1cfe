/*
 * xenstore.c: the xenstore client, over the ring that xenstored shares
 * with us (xs_wire.c does the protocol).
 *
 * One request is in flight at a time: a thread that finds the client busy
 * waits its turn. Replies and watch events are read by xenstore_pump(),
 * which runs whenever xenstore's event channel fires; it completes the
 * request in flight and turns each watch event into a handler thread.
 * A caller outside any thread (a library's init function, the backend
 * before mr_boot) waits in the platform's idle block instead of on an
 * event, so the same calls work at boot.
 */
#include <stdint.h>	/* before Xen's headers, which use it */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xen/hvm/params.h>

#include "mirari_config.h"
#include "backend.h"
#include "xs_wire.h"

static struct xenstore_domain_interface *intf;
static evtchn_port_t port;
static int source = -1;
static struct xs_reader reader;
static char payload[XS_PAYLOAD_BUFSIZE];
static char message[XS_MSG_MAX];

/* The request in flight. */
static struct {
	bool busy, done;
	uint32_t id;
	mr_result_t result;
	char *out;		/* caller's buffer for the reply payload */
	size_t size, len;
} req;
static uint32_t next_id = 1;
static struct mr_event progress = MR_EVENT_INIT(progress);
static struct mr_event turn = MR_EVENT_INIT(turn);

static struct mr_link watches = MR_LINK_INIT(watches);
static unsigned int next_token;

/* The thread of a watch: runs its handler until no change came meanwhile. */
static void
watch_thread(void *arg)
{
	struct mr_xs_watch *w = arg;

	do {
		w->again = false;
		w->fn(w->arg);
	} while (w->again && !mr_link_empty(&w->link));
	w->running = false;
}

static void
deliver_watch(char *data, size_t len)
{
	const char *parts[2];
	struct mr_link *l;

	if (xs_split(data, len, parts, 2) < 2)
		return;
	for (l = watches.next; l != &watches; l = l->next) {
		struct mr_xs_watch *w = (struct mr_xs_watch *)l;

		if (strcmp(w->token, parts[1]) != 0)
			continue;
		if (w->running)
			w->again = true;
		else if (mr_thread_spawn(w->name, watch_thread, w) != NULL)
			w->running = true;
		else
			mr_warn("xenstore watch %s: no memory for its handler",
				w->path);
		return;
	}
}

void
xenstore_pump(void)
{
	mr_result_t r;

	if (intf == NULL)
		return;
	while ((r = xs_reader_pull(&reader, intf)) == MR_OK) {
		if (reader.hdr.type == XS_WATCH_EVENT) {
			deliver_watch(reader.payload, reader.hdr.len);
		} else if (req.busy && !req.done && reader.hdr.req_id == req.id) {
			req.result = xs_reply_result(&reader.hdr, reader.payload);
			req.len = reader.hdr.len;
			if (req.out != NULL) {
				if (req.len >= req.size) {
					if (req.result == MR_OK)
						req.result = MR_ENOMEM;
				} else {
					memcpy(req.out, reader.payload, req.len);
					req.out[req.len] = '\0';
				}
			}
			req.done = true;
		}
		xs_reader_reset(&reader);
	}
	if (r == MR_EINVAL)
		mr_panic("xenstore: the backend broke the protocol "
			 "(corrupt ring or oversized message)");
	/* Reading freed room; a writer may be waiting for it, too. */
	mr_evtchn_notify(port);
	mr_event_signal(&progress);
}

static void
on_event(evtchn_port_t p, void *arg)
{
	(void)p;
	(void)arg;
	xenstore_pump();
}

void
xenstore_init(void)
{
	uint64_t pfn = hvm_param(HVM_PARAM_STORE_PFN);

	if (pfn == 0)
		mr_panic("xenstore: the host gave this domain no xenstore page");
	mm_map_page(pfn << PAGE_SHIFT);
	intf = (struct xenstore_domain_interface *)(uintptr_t)(pfn << PAGE_SHIFT);
	port = (evtchn_port_t)hvm_param(HVM_PARAM_STORE_EVTCHN);
	xs_reader_init(&reader, payload);
	evtchn_bind(port, on_event, NULL);
}

/* Wait for xenstore to make progress, or (deadline). */
static mr_result_t
wait_progress(mr_time_t deadline)
{
	if (mr_thread_self() != NULL)
		return mr_event_wait(&progress, deadline);
	evtchn_block(deadline);
	return mr_now() >= deadline ? MR_ETIMEDOUT : MR_OK;
}

/*
 * Send one request and wait for its reply, whose payload goes into (out),
 * NUL-terminated, if (out) is not NULL; its length is in (*len).
 */
static mr_result_t
request(enum xsd_sockmsg_type type, mr_xs_tx_t tx, const char *const *parts,
	size_t nparts, bool nul_last, char *out, size_t size, size_t *len)
{
	mr_time_t deadline = mr_now() + MR_CFG_XEN_XENSTORE_TIMEOUT;
	size_t used, off = 0, n;
	bool stalled = false;
	mr_result_t r;

	if (intf == NULL)
		return MR_EUNSPEC;
	while (req.busy) {
		if (mr_thread_self() == NULL)
			return MR_EAGAIN;
		if (mr_event_wait(&turn, deadline) == MR_ETIMEDOUT)
			return MR_ETIMEDOUT;
	}
	r = xs_encode(type, next_id, tx, parts, nparts, nul_last, message,
		      sizeof message, &used);
	if (r != MR_OK)
		return r;
	req.busy = true;
	req.done = false;
	req.id = next_id++;
	req.out = out;
	req.size = size;
	r = MR_OK;
	/*
	 * Once a message is started it is finished whatever the deadline:
	 * half a message in the ring would garble every later request.
	 */
	while (off < used) {
		if ((r = xs_ring_write(intf, message + off, used - off, &n)) != MR_OK)
			mr_panic("xenstore: corrupt request ring");
		off += n;
		mr_evtchn_notify(port);
		if (off < used && wait_progress(stalled ? MR_FOREVER : deadline) ==
		    MR_ETIMEDOUT) {
			mr_warn("xenstore: xenstored has taken no more of a request "
				"in %lld ms; waiting on, since half a request "
				"would garble the ring",
				(long long)(MR_CFG_XEN_XENSTORE_TIMEOUT / MR_MSEC(1)));
			stalled = true;
		}
	}
	while (r == MR_OK && !req.done)
		r = wait_progress(deadline);
	if (r == MR_ETIMEDOUT)
		mr_warn("xenstore: no answer from xenstored in %lld ms (request "
			"type %d)", (long long)(MR_CFG_XEN_XENSTORE_TIMEOUT /
						MR_MSEC(1)), (int)type);
	if (r == MR_OK) {
		r = req.result;
		if (len != NULL)
			*len = req.len;
	}
	req.busy = false;
	mr_event_signal_one(&turn);
	return r;
}

static mr_result_t
path_request(enum xsd_sockmsg_type type, mr_xs_tx_t tx, const char *path,
	     char *out, size_t size, size_t *len)
{
	const char *parts[1] = { path };

	if (!xs_path_valid(path))
		return MR_EINVAL;
	return request(type, tx, parts, 1, true, out, size, len);
}

mr_result_t
mr_xs_read(mr_xs_tx_t tx, const char *path, char *buf, size_t size,
	   size_t *len)
{
	return path_request(XS_READ, tx, path, buf, size, len);
}

mr_result_t
mr_xs_write(mr_xs_tx_t tx, const char *path, const char *value)
{
	const char *parts[2] = { path, value };

	if (!xs_path_valid(path))
		return MR_EINVAL;
	return request(XS_WRITE, tx, parts, 2, false, NULL, 0, NULL);
}

mr_result_t
mr_xs_rm(mr_xs_tx_t tx, const char *path)
{
	return path_request(XS_RM, tx, path, NULL, 0, NULL);
}

mr_result_t
mr_xs_directory(mr_xs_tx_t tx, const char *path, char *buf, size_t size,
		const char **names, size_t max, size_t *n)
{
	size_t len;
	mr_result_t r;

	if (size == 0)
		return MR_ENOMEM;
	r = path_request(XS_DIRECTORY, tx, path, buf, size, &len);
	if (r != MR_OK)
		return r;
	*n = len == 0 ? 0 : xs_split(buf, len, names, max);
	return *n > max ? MR_ENOMEM : MR_OK;
}

mr_result_t
mr_xs_transaction_start(mr_xs_tx_t *tx)
{
	const char *parts[1] = { "" };
	char id[16];
	mr_result_t r;

	r = request(XS_TRANSACTION_START, MR_XS_NO_TX, parts, 1, true, id,
		    sizeof id, NULL);
	if (r == MR_OK)
		*tx = (mr_xs_tx_t)strtoul(id, NULL, 10);
	return r;
}

mr_result_t
mr_xs_transaction_end(mr_xs_tx_t tx, bool commit)
{
	const char *parts[1] = { commit ? "T" : "F" };

	return request(XS_TRANSACTION_END, tx, parts, 1, true, NULL, 0, NULL);
}

/*
 * An application's watch is a handler registration: it keeps the
 * application alive (mr_hold) and makes xenstore an event source, so that
 * threads waiting for what a watch handler will do are not a deadlock.
 * The backend's own watch on control/shutdown is neither.
 */
static unsigned int app_watches;

mr_result_t
mr_xs_watch(struct mr_xs_watch *w, const char *path, const char *name,
	    void (*fn)(void *arg), void *arg)
{
	mr_result_t r = xenstore_watch(w, path, name, fn, arg);

	if (r != MR_OK)
		return r;
	if (app_watches++ == 0)
		source = mr_source_open();
	mr_hold();
	return MR_OK;
}

mr_result_t
mr_xs_unwatch(struct mr_xs_watch *w)
{
	if (--app_watches == 0 && source >= 0) {
		mr_source_close(source);
		source = -1;
	}
	mr_release();
	return xenstore_unwatch(w);
}

mr_result_t
xenstore_watch(struct mr_xs_watch *w, const char *path, const char *name,
	       void (*fn)(void *arg), void *arg)
{
	const char *parts[2];
	mr_result_t r;

	if (!xs_path_valid(path))
		return MR_EINVAL;
	w->path = path;
	w->name = name;
	w->fn = fn;
	w->arg = arg;
	w->running = w->again = false;
	snprintf(w->token, sizeof w->token, "mr%u", next_token++);
	mr_link_append(&watches, &w->link);
	parts[0] = path;
	parts[1] = w->token;
	r = request(XS_WATCH, MR_XS_NO_TX, parts, 2, true, NULL, 0, NULL);
	if (r != MR_OK)
		xenstore_unwatch(w);
	return r;
}

mr_result_t
xenstore_unwatch(struct mr_xs_watch *w)
{
	const char *parts[2] = { w->path, w->token };

	mr_link_remove(&w->link);
	return request(XS_UNWATCH, MR_XS_NO_TX, parts, 2, true, NULL, 0, NULL);
}

uint16_t
mr_xen_domid(void)
{
	static long domid = -1;
	char buf[16];

	if (domid < 0 && mr_xs_read(MR_XS_NO_TX, "domid", buf, sizeof buf,
				    NULL) == MR_OK)
		domid = strtol(buf, NULL, 10);
	return domid < 0 ? DOMID_SELF : (uint16_t)domid;
}
