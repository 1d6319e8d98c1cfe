/*
 * netfront.c: net devices, as the front half of Xen's split network driver
 * (xen/io/netif.h).
 *
 * Net device N is the N-th entry of xenstore's device/vif, in numeric
 * order. Opening it shares two ring pages with the backend (usually
 * netback in dom0), one for transmit and one for receive, and one event
 * channel for both, then goes through the xenbus handshake (xen/io/xenbus.h):
 * we wait for the backend to be ready for us (InitWait), publish the rings
 * and the features we want, switch to Connected and wait for the backend
 * to be Connected too.
 *
 * Receive: every slot of the receive ring holds a request for one page of
 * ours, granted writable to the backend once; the backend copies a frame
 * into it (request-rx-copy) and answers in the same slot, after which the
 * page is copied out to the caller and the request posted again. Buffer k
 * always belongs to ring slot k (mod the ring size), as the backend
 * answers each request in the slot that carried it. We negotiate neither
 * scatter-gather nor GSO, so a frame spanning several slots, or carrying
 * extra info, is dropped.
 *
 * Transmit: a pool of pages, each granted read-only to the backend once;
 * a frame is copied into a free page and posted; the page is free again
 * when the backend's response for it comes, which is looked for on every
 * write and read.
 *
 * The backend shares the ring pages, so it is not trusted: each response
 * is copied once before it is looked at, its id must name a slot we
 * posted, offsets and sizes must fit in a page, and a producer index that
 * claims more responses than requests were posted disables the device.
 *
 * Teardown: before a poweroff or reboot (control_on_close) each open
 * device switches to Closing, waits for the backend to follow, then to
 * Closed and waits for the backend's Closed, so netback unmaps our pages
 * and removes the vif while we are still alive, instead of finding a dead
 * frontend when the toolstack destroys the domain. The rings, grants and
 * event channel go with the domain. A crash skips this: the domain stops
 * at once, as it is, for `on_crash = "preserve"` to keep.
 */
#include <stdint.h>	/* before Xen's headers, which use it */
#include <inttypes.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"

/* Xen's ring macros use these; Xen 4.14's interface leaves them to us. */
#define xen_mb()	mb()
#define xen_rmb()	rmb()
#define xen_wmb()	wmb()

#include <xen/grant_table.h>
#include <xen/io/ring.h>
#include <xen/io/netif.h>
#include <xen/io/xenbus.h>

#define MAX_DEVICES	4
#define MTU		1500
#define HEADER_LEN	14
#define TX_RING_SIZE	__CONST_RING_SIZE(netif_tx, PAGE_SIZE)
#define RX_SLOTS	__CONST_RING_SIZE(netif_rx, PAGE_SIZE)
#define TX_SLOTS	64		/* pages in flight; at most the ring's size */
#define HANDSHAKE	MR_SEC(10)	/* how long the backend may take */
#define CLOSE_WAIT	MR_SEC(2)	/* ... and to close, at exit */
#define POLL		MR_MSEC(20)

_Static_assert(TX_SLOTS <= TX_RING_SIZE, "more TX pages than ring slots");
_Static_assert((RX_SLOTS & (RX_SLOTS - 1)) == 0, "ring sizes are powers of two");

struct netfront {
	bool open, broken;
	unsigned int index;
	char name[16];			/* "net0", for messages */
	struct mr_plat_net_info info;
	uint16_t backend_id;
	uint32_t port;
	char path[48];			/* "device/vif/0" */
	char backend[128];		/* "/local/domain/0/backend/vif/5/0" */

	netif_tx_front_ring_t tx;
	netif_rx_front_ring_t rx;
	void *tx_page, *rx_page;	/* the shared rings */
	uint32_t tx_ring_ref, rx_ring_ref;

	/* Receive: buffer k is in ring slot k. */
	uint8_t *rx_buf;		/* RX_SLOTS pages */
	uint32_t rx_gref[RX_SLOTS];
	bool rx_more;			/* the last slot had more_data */
	bool rx_extra;			/* the next slot is extra info */

	/* Transmit: a stack of free page numbers. */
	uint8_t *tx_buf;		/* TX_SLOTS pages */
	uint32_t tx_gref[TX_SLOTS];
	bool tx_busy[TX_SLOTS];
	uint16_t tx_free[TX_SLOTS];
	unsigned int ntx_free;

	uint64_t rx_dropped, tx_bad;
};

static struct netfront devices[MAX_DEVICES];

static bool
parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int i, d, x;

	for (i = 0; i < 6; i++) {
		x = 0;
		for (d = 0; d < 2; d++, s++) {
			if (*s >= '0' && *s <= '9')
				x = x * 16 + (unsigned int)(*s - '0');
			else if (*s >= 'a' && *s <= 'f')
				x = x * 16 + (unsigned int)(*s - 'a' + 10);
			else if (*s >= 'A' && *s <= 'F')
				x = x * 16 + (unsigned int)(*s - 'A' + 10);
			else
				return false;
		}
		mac[i] = (uint8_t)x;
		if (*s != (i == 5 ? '\0' : ':'))
			return false;
		s++;
	}
	return true;
}


/* The xenstore name of the (index)-th vif, in numeric order. */
static mr_result_t
find_vif(unsigned int index, char *name, size_t size)
{
	char buf[256];
	const char *names[32];
	uint64_t ids[32], v, best;
	size_t n = 0, i, k;
	unsigned int taken = 0;
	mr_result_t r;

	r = mr_xs_directory(MR_XS_NO_TX, "device/vif", buf, sizeof buf, names,
			    32, &n);
	if (r == MR_ENOENT)
		return MR_ENOENT;
	if (r != MR_OK)
		return MR_EUNSPEC;
	for (i = k = 0; i < n; i++)
		if (xenbus_parse_uint(names[i], 0xffff, &v))
			ids[k++] = v;
	n = k;
	/* Selection: the (index)-th smallest, ids being distinct. */
	for (v = 0;; v = best + 1) {
		best = UINT64_MAX;
		for (i = 0; i < n; i++)
			if (ids[i] >= v && ids[i] < best)
				best = ids[i];
		if (best == UINT64_MAX)
			return MR_ENOENT;
		if (taken++ == index)
			break;
	}
	snprintf(name, size, "%llu", (unsigned long long)best);
	return MR_OK;
}

static void
post_rx(struct netfront *nf)
{
	RING_IDX i = nf->rx.req_prod_pvt;
	netif_rx_request_t *req = RING_GET_REQUEST(&nf->rx, i);
	unsigned int k = i & (RX_SLOTS - 1);

	req->id = (uint16_t)k;
	req->gref = nf->rx_gref[k];
	nf->rx.req_prod_pvt = i + 1;
}

static void
push_rx(struct netfront *nf)
{
	int notify;

	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&nf->rx, notify);
	if (notify)
		mr_evtchn_notify(nf->port);
}

/* Free the pages of the frames the backend has sent. */
static void
reclaim_tx(struct netfront *nf)
{
	RING_IDX prod, cons;
	netif_tx_response_t rsp;
	int more;

	do {
		prod = __atomic_load_n(&nf->tx.sring->rsp_prod, __ATOMIC_ACQUIRE);
		if (prod - nf->tx.rsp_cons > TX_RING_SIZE ||
		    prod - nf->tx.rsp_cons > nf->tx.req_prod_pvt - nf->tx.rsp_cons) {
			mr_error("net%u: the backend claims %u transmit responses "
				 "for %u requests: device disabled", nf->index,
				 prod - nf->tx.rsp_cons,
				 nf->tx.req_prod_pvt - nf->tx.rsp_cons);
			nf->broken = true;
			return;
		}
		for (cons = nf->tx.rsp_cons; cons != prod; cons++) {
			rsp = *(volatile netif_tx_response_t *)
				RING_GET_RESPONSE(&nf->tx, cons);
			if (rsp.status == NETIF_RSP_NULL)
				continue;
			if (rsp.id >= TX_SLOTS || !nf->tx_busy[rsp.id]) {
				nf->tx_bad++;
				continue;
			}
			nf->tx_busy[rsp.id] = false;
			nf->tx_free[nf->ntx_free++] = rsp.id;
		}
		nf->tx.rsp_cons = cons;
		RING_FINAL_CHECK_FOR_RESPONSES(&nf->tx, more);
	} while (more);
}

static mr_result_t
setup_rings(struct netfront *nf)
{
	netif_tx_sring_t *txs;
	netif_rx_sring_t *rxs;
	unsigned int i;

	nf->tx_page = memalign(PAGE_SIZE, PAGE_SIZE);
	nf->rx_page = memalign(PAGE_SIZE, PAGE_SIZE);
	nf->rx_buf = memalign(PAGE_SIZE, RX_SLOTS * PAGE_SIZE);
	nf->tx_buf = memalign(PAGE_SIZE, TX_SLOTS * PAGE_SIZE);
	if (nf->tx_page == NULL || nf->rx_page == NULL || nf->rx_buf == NULL ||
	    nf->tx_buf == NULL) {
		mr_error("net%u: no memory for the rings and buffers (%lu KB)",
			 nf->index, (RX_SLOTS + TX_SLOTS + 2) * PAGE_SIZE / 1024);
		return MR_ENOMEM;
	}
	memset(nf->tx_page, 0, PAGE_SIZE);
	memset(nf->rx_page, 0, PAGE_SIZE);
	txs = nf->tx_page;
	rxs = nf->rx_page;
	SHARED_RING_INIT(txs);
	SHARED_RING_INIT(rxs);
	FRONT_RING_INIT(&nf->tx, txs, PAGE_SIZE);
	FRONT_RING_INIT(&nf->rx, rxs, PAGE_SIZE);

	if (mr_gnttab_grant(nf->backend_id, xen_pfn(nf->tx_page), false,
			    &nf->tx_ring_ref) != MR_OK ||
	    mr_gnttab_grant(nf->backend_id, xen_pfn(nf->rx_page), false,
			    &nf->rx_ring_ref) != MR_OK)
		goto nogrant;
	for (i = 0; i < RX_SLOTS; i++)
		if (mr_gnttab_grant(nf->backend_id,
				    xen_pfn(nf->rx_buf + i * PAGE_SIZE), false,
				    &nf->rx_gref[i]) != MR_OK)
			goto nogrant;
	for (i = 0; i < TX_SLOTS; i++) {
		if (mr_gnttab_grant(nf->backend_id,
				    xen_pfn(nf->tx_buf + i * PAGE_SIZE), true,
				    &nf->tx_gref[i]) != MR_OK)
			goto nogrant;
		nf->tx_free[i] = (uint16_t)(TX_SLOTS - 1 - i);
	}
	nf->ntx_free = TX_SLOTS;
	/* Every receive slot holds a request from the start. */
	for (i = 0; i < RX_SLOTS; i++)
		post_rx(nf);
	nf->rx.sring->req_prod = nf->rx.req_prod_pvt;
	return MR_OK;
nogrant:
	mr_error("net%u: out of grant references", nf->index);
	return MR_ENOMEM;
}

/* Publish the rings and features, in one transaction. */
static mr_result_t
publish(struct netfront *nf)
{
	char tx_ref[16], rx_ref[16], port[16];
	const struct xenbus_key keys[] = {
		{ "tx-ring-ref", tx_ref },
		{ "rx-ring-ref", rx_ref },
		{ "event-channel", port },
		{ "request-rx-copy", "1" },
		{ "feature-rx-notify", "1" },
		/* lwIP checks checksums: they must be filled in. */
		{ "feature-no-csum-offload", "1" },
		{ "feature-sg", "0" },
		{ "feature-gso-tcpv4", "0" },
	};

	snprintf(tx_ref, sizeof tx_ref, "%" PRIu32, nf->tx_ring_ref);
	snprintf(rx_ref, sizeof rx_ref, "%" PRIu32, nf->rx_ring_ref);
	snprintf(port, sizeof port, "%" PRIu32, nf->port);
	return xenbus_publish(nf->path, keys, sizeof keys / sizeof *keys);
}

/*
 * Wait until the backend's state is (want) or more, or gone from
 * xenstore (-1); false when CLOSE_WAIT passes first.
 */
static bool
wait_backend_close(struct netfront *nf, int want)
{
	mr_time_t deadline = mr_now() + CLOSE_WAIT;
	int s;

	while ((s = xenbus_state(nf->backend)) >= 0 && s < want) {
		if (mr_now() >= deadline)
			return false;
		xenbus_pause(POLL, false);
	}
	return true;
}

static void
close_all(void)
{
	struct netfront *nf;
	bool clean;

	for (nf = devices; nf < devices + MAX_DEVICES; nf++) {
		if (!nf->open)
			continue;
		/* Readers and writers find it gone from here on. */
		nf->open = false;
		clean = xenbus_write_uint(MR_XS_NO_TX, nf->path, "state",
					  XenbusStateClosing) == MR_OK &&
			wait_backend_close(nf, XenbusStateClosing) &&
			xenbus_write_uint(MR_XS_NO_TX, nf->path, "state",
					  XenbusStateClosed) == MR_OK &&
			wait_backend_close(nf, XenbusStateClosed);
		if (clean)
			mr_info("net%u: %s closed", nf->index, nf->path);
		else
			mr_warn("net%u: the backend %s did not close in time "
				"(state %d)", nf->index, nf->backend,
				xenbus_state(nf->backend));
	}
}

mr_result_t
mr_plat_net_open(unsigned int index, struct mr_plat_net_info *info)
{
	struct netfront *nf;
	char name[24], buf[128];
	uint64_t v;
	mr_result_t r;

	if (index >= MAX_DEVICES)
		return MR_ENOENT;
	nf = &devices[index];
	if (nf->open) {
		*info = nf->info;
		return MR_OK;
	}
	if ((r = find_vif(index, name, sizeof name)) != MR_OK)
		return r;
	memset(nf, 0, sizeof *nf);
	nf->index = index;
	snprintf(nf->name, sizeof nf->name, "net%u", index);
	snprintf(nf->path, sizeof nf->path, "device/vif/%s", name);

	if (xenbus_read(nf->path, "backend", nf->backend,
			sizeof nf->backend) != MR_OK ||
	    xenbus_read(nf->path, "backend-id", buf, sizeof buf) != MR_OK ||
	    !xenbus_parse_uint(buf, 0xfffe, &v)) {
		mr_error("net%u: %s has no usable backend or backend-id",
			 index, nf->path);
		return MR_EINVAL;
	}
	nf->backend_id = (uint16_t)v;
	if (xenbus_read(nf->path, "mac", buf, sizeof buf) != MR_OK ||
	    !parse_mac(buf, nf->info.mac)) {
		mr_error("net%u: %s/mac is missing or not xx:xx:xx:xx:xx:xx",
			 index, nf->path);
		return MR_EINVAL;
	}
	nf->info.mtu = MTU;

	/* The backend gets ready for us (InitWait) once its hotplug ran. */
	if (!xenbus_wait_state(nf->name, nf->backend, XenbusStateInitWait,
			       HANDSHAKE, false))
		return MR_EUNSPEC;
	if ((r = setup_rings(nf)) != MR_OK)
		return r;
	if (mr_evtchn_alloc_unbound(nf->backend_id, &nf->port) != MR_OK) {
		mr_error("net%u: cannot allocate an event channel", index);
		return MR_EUNSPEC;
	}
	if ((r = mr_evtchn_open(nf->port, &nf->info.handle)) != MR_OK) {
		mr_error("net%u: cannot open event channel %u: %s", index,
			 nf->port, mr_strerror(r));
		return r;
	}
	if ((r = publish(nf)) != MR_OK) {
		mr_error("net%u: cannot write %s: %s", index, nf->path,
			 mr_strerror(r));
		return MR_EUNSPEC;
	}
	if ((r = xenbus_write_uint(MR_XS_NO_TX, nf->path, "state",
				   XenbusStateConnected)) != MR_OK) {
		mr_error("net%u: cannot switch %s to Connected: %s", index,
			 nf->path, mr_strerror(r));
		return MR_EUNSPEC;
	}
	if (!xenbus_wait_state(nf->name, nf->backend, XenbusStateConnected,
			       HANDSHAKE, false))
		return MR_EUNSPEC;
	/* Anything the backend did before we listened. */
	mr_evtchn_notify(nf->port);
	nf->open = true;
	control_on_close(close_all);
	*info = nf->info;
	mr_info("net%u: %s connected to %s, mac %02x:%02x:%02x:%02x:%02x:%02x",
		index, nf->path, nf->backend, nf->info.mac[0], nf->info.mac[1],
		nf->info.mac[2], nf->info.mac[3], nf->info.mac[4],
		nf->info.mac[5]);
	return MR_OK;
}

static struct netfront *
device(unsigned int index)
{
	if (index >= MAX_DEVICES || !devices[index].open)
		return NULL;
	return &devices[index];
}

mr_result_t
mr_plat_net_write(unsigned int index, const void *frame, size_t len)
{
	struct netfront *nf = device(index);
	netif_tx_request_t *req;
	uint16_t id;
	int notify;

	if (nf == NULL)
		return MR_ENOENT;
	if (nf->broken)
		return MR_EUNSPEC;
	if (len < HEADER_LEN || len > MTU + HEADER_LEN)
		return MR_EINVAL;
	reclaim_tx(nf);
	if (nf->broken)
		return MR_EUNSPEC;
	if (nf->ntx_free == 0 || RING_FULL(&nf->tx))
		return MR_EAGAIN;
	id = nf->tx_free[--nf->ntx_free];
	nf->tx_busy[id] = true;
	memcpy(nf->tx_buf + (size_t)id * PAGE_SIZE, frame, len);
	req = RING_GET_REQUEST(&nf->tx, nf->tx.req_prod_pvt);
	req->gref = nf->tx_gref[id];
	req->offset = 0;
	req->flags = 0;
	req->id = id;
	req->size = (uint16_t)len;
	nf->tx.req_prod_pvt++;
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&nf->tx, notify);
	if (notify)
		mr_evtchn_notify(nf->port);
	return MR_OK;
}

mr_result_t
mr_plat_net_read(unsigned int index, void *buf, size_t size, size_t *len)
{
	struct netfront *nf = device(index);
	RING_IDX prod, cons;
	netif_rx_response_t rsp;
	mr_result_t result = MR_EAGAIN;
	bool cont, done = false;
	int more;

	if (nf == NULL)
		return MR_ENOENT;
	if (nf->broken)
		return MR_EUNSPEC;
	reclaim_tx(nf);
	while (!done && !nf->broken) {
		prod = __atomic_load_n(&nf->rx.sring->rsp_prod, __ATOMIC_ACQUIRE);
		if (prod - nf->rx.rsp_cons > RX_SLOTS) {
			mr_error("net%u: the backend claims %u receive responses "
				 "for %u slots: device disabled", nf->index,
				 prod - nf->rx.rsp_cons, (unsigned int)RX_SLOTS);
			nf->broken = true;
			return MR_EUNSPEC;
		}
		for (cons = nf->rx.rsp_cons; cons != prod && !done; cons++) {
			unsigned int k = cons & (RX_SLOTS - 1);

			rsp = *(volatile netif_rx_response_t *)
				RING_GET_RESPONSE(&nf->rx, cons);
			if (nf->rx_extra) {
				/* An extra info slot: skip it, and any after. */
				const netif_extra_info_t *ex =
				    (const void *)&rsp;
				nf->rx_extra = (ex->flags &
						XEN_NETIF_EXTRA_FLAG_MORE) != 0;
			} else {
				cont = nf->rx_more;
				nf->rx_more = (rsp.flags & NETRXF_more_data) != 0;
				nf->rx_extra = (rsp.flags & NETRXF_extra_info) != 0;
				if (cont || nf->rx_more || nf->rx_extra ||
				    rsp.status <= 0 || rsp.id != k ||
				    (size_t)rsp.offset + (size_t)rsp.status >
				    PAGE_SIZE) {
					nf->rx_dropped++;
				} else if ((size_t)rsp.status > size) {
					nf->rx_dropped++;
					result = MR_EINVAL;
					done = true;
				} else {
					memcpy(buf, nf->rx_buf + (size_t)k *
					       PAGE_SIZE + rsp.offset,
					       (size_t)rsp.status);
					*len = (size_t)rsp.status;
					result = MR_OK;
					done = true;
				}
			}
			/* The slot's buffer is ours again: hand it back. */
			post_rx(nf);
		}
		nf->rx.rsp_cons = cons;
		push_rx(nf);
		if (done)
			break;
		RING_FINAL_CHECK_FOR_RESPONSES(&nf->rx, more);
		if (!more)
			break;
	}
	return result;
}
