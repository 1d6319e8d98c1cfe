/*
 * blkfront.c: block devices, as the front half of Xen's split block driver
 * (xen/io/blkif.h).
 *
 * Block device N is the N-th device of kind "block" in app.conf; its
 * setting `vdev` ("xvda", "xvdb", ...) names the vbd that the generated
 * xl configuration attached to the domain, found in xenstore under
 * device/vbd/ID, ID being the vdev's number (xvda is 51712). Opening it
 * goes through the xenbus handshake (xen/io/xenbus.h): we wait for the
 * backend to be ready for us (InitWait), share one ring page and an event
 * channel, publish them with the features we want and switch to
 * Initialised; once the backend is Connected we read the disk's size,
 * sector size and info bits (VDISK_READONLY), and switch to Connected.
 *
 * Data goes through a pool of pages of ours, each granted to the backend
 * once at open (so the caller's buffer needs no alignment, and with
 * feature-persistent a backend maps each page once rather than per
 * request). A request takes a ring slot and as many pool pages as its
 * bytes need, one segment per page, up to BLKIF_MAX_SEGMENTS_PER_REQUEST;
 * a write is copied into its pages at submit, a read out of them when its
 * response is reaped. When no slot or not enough pages are free, submit
 * says MR_EAGAIN and the runtime waits for a completion.
 *
 * Sector numbers and segment bounds on the ring are in 512-byte units,
 * since we do not advertise feature-large-sector-size; a backend sector
 * size above 512 (at most a page) only constrains the requests' alignment,
 * which the platform interface's sector_size already expresses.
 *
 * The backend shares the ring page, so it is not trusted: each response is
 * copied once before it is looked at, its id must name a request in
 * flight, and a producer index that claims more responses than requests
 * were posted disables the device (every request in flight then ends with
 * MR_EUNSPEC, and their pages are never reused). The backend's state is
 * watched: a backend that leaves Connected by itself (xl block-detach)
 * fails what is in flight the same way, and we close our side.
 *
 * Teardown: when the domain ends cleanly (control_on_close), each open
 * device lets its requests in flight end, switches to Closing, waits for
 * the backend to close too, switches to Closed and, once the backend is
 * Closed (it has unmapped our pages), ends the grants. From then on
 * requests fail (MR_EUNSPEC). Each wait is bounded, so a dead backend
 * cannot hold the domain's end.
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
#include <xen/io/blkif.h>
#include <xen/io/protocols.h>
#include <xen/io/xenbus.h>

#define MAX_DEVICES	8
#define RING_SLOTS	__CONST_RING_SIZE(blkif, PAGE_SIZE)
#define SEGS		BLKIF_MAX_SEGMENTS_PER_REQUEST
#define POOL_PAGES	64		/* 256 KB of bounce pages a device */
#define HANDSHAKE	MR_SEC(10)	/* how long the backend may take */
#define TEARDOWN	MR_SEC(3)	/* each step of closing, at most */
#define POLL		MR_MSEC(10)
#define MAX_ERRORS_LOGGED 8

_Static_assert(POOL_PAGES >= SEGS, "a request of every segment must fit");
_Static_assert(POOL_PAGES <= UINT16_MAX, "pages are numbered in 16 bits");

struct inflight {
	struct mr_plat_block_req *req;	/* NULL while the slot is free */
	uint8_t npages;
	uint16_t page[SEGS];		/* pool pages, in buffer order */
};

struct blkfront {
	bool open, failed, broken, closed;
	unsigned int index;
	char name[16];			/* "block0", for messages */
	struct mr_plat_block_info info;
	uint32_t sector_units;		/* 512-byte units a sector */
	uint16_t backend_id;
	uint32_t port;
	uint32_t devid;			/* virtual-device: 51712 for xvda */
	char vdev[8];			/* "xvda" */
	char path[32];			/* "device/vbd/51712" */
	char backend[128];		/* "/local/domain/0/backend/vbd/5/51712" */
	char backend_state[140];	/* backend + "/state", watched */
	struct mr_xs_watch watch;
	bool watched;

	blkif_front_ring_t ring;
	void *ring_page;
	uint32_t ring_ref;
	bool ring_granted;

	uint8_t *pool;			/* POOL_PAGES pages */
	uint32_t pool_gref[POOL_PAGES];
	unsigned int ngranted;
	uint16_t free_page[POOL_PAGES];
	unsigned int nfree_pages;

	struct inflight slot[RING_SLOTS];	/* request id = slot number */
	uint16_t free_slot[RING_SLOTS];
	unsigned int nfree_slots;

	uint64_t bad_responses, errors;
};

static struct blkfront devices[MAX_DEVICES];

_Static_assert(sizeof(devices[0].backend_state) >=
	       sizeof(devices[0].backend) + 6, "room for backend + /state");

static mr_result_t
write_state(struct blkfront *d, XenbusState state)
{
	return xenbus_write_uint(MR_XS_NO_TX, d->path, "state",
				 (uint64_t)state);
}

/* Backend key (key) as a number, or (def) when it is absent. */
static bool
backend_u64(struct blkfront *d, const char *key, uint64_t max, uint64_t def,
	    uint64_t *v)
{
	char buf[32];
	mr_result_t r = xenbus_read(d->backend, key, buf, sizeof buf);

	if (r == MR_ENOENT) {
		*v = def;
		return true;
	}
	return r == MR_OK && xenbus_parse_uint(buf, max, v);
}

/*
 * "xvdX" to its virtual-device number (xen/include/public/io/blkif.h's
 * "Virtual Device Specification"): disks a to p fit the traditional
 * 202:16*N; later ones take the extended form.
 */
static bool
vdev_number(const char *vdev, uint32_t *devid)
{
	unsigned int n;

	if (strncmp(vdev, "xvd", 3) != 0 || vdev[3] < 'a' || vdev[3] > 'z' ||
	    vdev[4] != '\0')
		return false;
	n = (unsigned int)(vdev[3] - 'a');
	*devid = n < 16 ? (202u << 8) | (n << 4) : (1u << 28) | (n << 8);
	return true;
}

static mr_result_t
setup_ring(struct blkfront *d)
{
	blkif_sring_t *s;
	unsigned int i;

	d->ring_page = memalign(PAGE_SIZE, PAGE_SIZE);
	d->pool = memalign(PAGE_SIZE, POOL_PAGES * PAGE_SIZE);
	if (d->ring_page == NULL || d->pool == NULL) {
		mr_error("block%u: no memory for the ring and its pages "
			 "(%lu KB)", d->index, (POOL_PAGES + 1) * PAGE_SIZE / 1024);
		return MR_ENOMEM;
	}
	memset(d->ring_page, 0, PAGE_SIZE);
	s = d->ring_page;
	SHARED_RING_INIT(s);
	FRONT_RING_INIT(&d->ring, s, PAGE_SIZE);
	if (mr_gnttab_grant(d->backend_id, xen_pfn(d->ring_page), false,
			    &d->ring_ref) != MR_OK)
		goto nogrant;
	d->ring_granted = true;
	/* Writable: the backend writes into them for our reads. */
	for (i = 0; i < POOL_PAGES; i++) {
		if (mr_gnttab_grant(d->backend_id,
				    xen_pfn(d->pool + i * PAGE_SIZE), false,
				    &d->pool_gref[i]) != MR_OK)
			goto nogrant;
		d->ngranted++;
		d->free_page[d->nfree_pages++] = (uint16_t)(POOL_PAGES - 1 - i);
	}
	for (i = 0; i < RING_SLOTS; i++)
		d->free_slot[d->nfree_slots++] = (uint16_t)(RING_SLOTS - 1 - i);
	return MR_OK;
nogrant:
	mr_error("block%u: out of grant references", d->index);
	return MR_ENOMEM;
}

/* Publish the ring and what we support, in one transaction. */
static mr_result_t
publish(struct blkfront *d)
{
	char ref[16], port[16];
	const struct xenbus_key keys[] = {
		{ "ring-ref", ref },
		{ "event-channel", port },
		{ "protocol", XEN_IO_PROTO_ABI_NATIVE },
		/* Our pool pages stay granted: let the backend keep them. */
		{ "feature-persistent", "1" },
	};

	snprintf(ref, sizeof ref, "%" PRIu32, d->ring_ref);
	snprintf(port, sizeof port, "%" PRIu32, d->port);
	return xenbus_publish(d->path, keys, sizeof keys / sizeof *keys);
}

/* The disk as the Connected backend describes it; false after logging. */
static bool
read_disk(struct blkfront *d, bool want_readonly)
{
	uint64_t sectors, size, info;

	if (!backend_u64(d, "sectors", UINT64_MAX, UINT64_MAX, &sectors) ||
	    sectors == UINT64_MAX ||
	    !backend_u64(d, "sector-size", UINT32_MAX, 512, &size) ||
	    !backend_u64(d, "info", UINT32_MAX, 0, &info)) {
		mr_error("block%u: the backend %s gives no usable sectors, "
			 "sector-size or info", d->index, d->backend);
		return false;
	}
	if (size < 512 || size > PAGE_SIZE || (size & (size - 1)) != 0) {
		mr_error("block%u: sector size %" PRIu64 " is not supported "
			 "(512 to %lu, a power of two)", d->index, size,
			 PAGE_SIZE);
		return false;
	}
	if (sectors > UINT64_MAX / size) {
		mr_error("block%u: the backend claims %" PRIu64 " sectors",
			 d->index, sectors);
		return false;
	}
	d->info.sector_size = (uint32_t)size;
	d->info.sectors = sectors;
	d->info.max_sectors = (uint32_t)(SEGS * PAGE_SIZE / size);
	d->sector_units = (uint32_t)(size / 512);
	d->info.readonly = want_readonly || (info & VDISK_READONLY) != 0;
	if (!want_readonly && d->info.readonly)
		mr_warn("block%u: app.conf asks for a writable disk, but the "
			"host attached %s read-only", d->index, d->vdev);
	return true;
}

static void teardown(void);
static void backend_changed(void *arg);

static mr_result_t
connect(struct blkfront *d, const struct mr_device_desc *dev)
{
	char buf[16];
	uint64_t v;
	bool want_readonly;
	mr_result_t r;

	r = mr_device_setting(dev, "vdev", d->vdev, sizeof d->vdev);
	if (r != MR_OK || !vdev_number(d->vdev, &d->devid)) {
		mr_error("block%u: device '%s' has no vdev (xvda to xvdz)",
			 d->index, dev->name);
		return MR_EINVAL;
	}
	want_readonly = mr_device_setting(dev, "readonly", buf, sizeof buf) !=
	    MR_OK || strcmp(buf, "false") != 0;
	snprintf(d->path, sizeof d->path, "device/vbd/%" PRIu32, d->devid);
	if (xenbus_read(d->path, "backend", d->backend, sizeof d->backend) !=
	    MR_OK) {
		mr_error("block%u: device '%s' is %s, but the domain has no %s "
			 "(is it in the disk= line of the xl config?)",
			 d->index, dev->name, d->vdev, d->path);
		return MR_ENOENT;
	}
	if (xenbus_read(d->path, "backend-id", buf, sizeof buf) != MR_OK ||
	    !xenbus_parse_uint(buf, 0xfffe, &v)) {
		mr_error("block%u: %s has no usable backend-id", d->index,
			 d->path);
		return MR_EINVAL;
	}
	d->backend_id = (uint16_t)v;

	/* The backend gets ready for us (InitWait) once its hotplug ran. */
	if (!xenbus_wait_state(d->name, d->backend, XenbusStateInitWait,
			       HANDSHAKE, false))
		return MR_EUNSPEC;
	if ((r = setup_ring(d)) != MR_OK)
		return r;
	if (mr_evtchn_alloc_unbound(d->backend_id, &d->port) != MR_OK) {
		mr_error("block%u: cannot allocate an event channel", d->index);
		return MR_EUNSPEC;
	}
	if ((r = mr_evtchn_open(d->port, &d->info.handle)) != MR_OK) {
		mr_error("block%u: cannot open event channel %" PRIu32 ": %s",
			 d->index, d->port, mr_strerror(r));
		return r;
	}
	if ((r = publish(d)) != MR_OK ||
	    (r = write_state(d, XenbusStateInitialised)) != MR_OK) {
		mr_error("block%u: cannot write %s: %s", d->index, d->path,
			 mr_strerror(r));
		return MR_EUNSPEC;
	}
	if (!xenbus_wait_state(d->name, d->backend, XenbusStateConnected,
			       HANDSHAKE, false))
		return MR_EUNSPEC;
	if (!read_disk(d, want_readonly))
		return MR_EUNSPEC;
	if ((r = write_state(d, XenbusStateConnected)) != MR_OK) {
		mr_error("block%u: cannot switch %s to Connected: %s",
			 d->index, d->path, mr_strerror(r));
		return MR_EUNSPEC;
	}
	return MR_OK;
}

mr_result_t
mr_plat_block_open(unsigned int index, struct mr_plat_block_info *info)
{
	const struct mr_device_desc *dev;
	struct blkfront *d;
	mr_result_t r;

	if ((dev = mr_device("block", index)) == NULL)
		return MR_ENOENT;
	if (index >= MAX_DEVICES) {
		mr_error("block%u: blkfront drives %d block devices at most",
			 index, MAX_DEVICES);
		return MR_EINVAL;
	}
	d = &devices[index];
	if (d->open) {
		*info = d->info;
		return MR_OK;
	}
	/*
	 * Whatever a failed handshake shared (pages, grants, a port) stays
	 * with the backend it was offered to: the device is not tried again.
	 */
	if (d->failed) {
		mr_error("block%u: an earlier attempt to open it failed",
			 index);
		return MR_EUNSPEC;
	}
	memset(d, 0, sizeof *d);
	d->index = index;
	snprintf(d->name, sizeof d->name, "block%u", index);
	d->info.handle = -1;
	if ((r = connect(d, dev)) != MR_OK) {
		d->failed = d->ring_page != NULL;
		return r;
	}
	control_on_close(teardown);
	/* Room for it: see the assertion below struct blkfront. */
	memcpy(d->backend_state, d->backend, strlen(d->backend));
	memcpy(d->backend_state + strlen(d->backend), "/state", 7);
	if (!d->watched && xenstore_watch(&d->watch, d->backend_state,
					  "blkfront", backend_changed, d) ==
	    MR_OK)
		d->watched = true;
	else if (!d->watched)
		mr_warn("block%u: cannot watch %s: requests in flight when it "
			"closes will wait for their deadline", index,
			d->backend_state);
	d->open = true;
	*info = d->info;
	mr_info("block%u: %s (%s) connected to %s, %" PRIu64 " sectors of %"
		PRIu32 " bytes%s", index, d->path, d->vdev, d->backend,
		d->info.sectors, d->info.sector_size,
		d->info.readonly ? ", read-only" : "");
	return MR_OK;
}

static struct blkfront *
device(unsigned int index)
{
	if (index >= MAX_DEVICES || !devices[index].open)
		return NULL;
	return &devices[index];
}

mr_result_t
mr_plat_block_submit(unsigned int index, struct mr_plat_block_req *req)
{
	struct blkfront *d = device(index);
	struct inflight *in;
	blkif_request_t *rq;
	size_t bytes, off, len;
	unsigned int i, npages;
	uint16_t id;
	int notify;

	if (d == NULL || req->count == 0 ||
	    req->count > d->info.max_sectors ||
	    req->sector > d->info.sectors ||
	    req->count > d->info.sectors - req->sector ||
	    (req->write && d->info.readonly))
		return MR_EINVAL;
	req->done = false;
	if (d->broken || d->closed) {
		req->result = MR_EUNSPEC;
		req->done = true;
		return MR_OK;
	}
	bytes = (size_t)req->count * d->info.sector_size;
	npages = (unsigned int)((bytes + PAGE_SIZE - 1) / PAGE_SIZE);
	if (d->nfree_slots == 0 || d->nfree_pages < npages ||
	    RING_FULL(&d->ring))
		return MR_EAGAIN;

	id = d->free_slot[--d->nfree_slots];
	in = &d->slot[id];
	in->req = req;
	in->npages = (uint8_t)npages;
	rq = RING_GET_REQUEST(&d->ring, d->ring.req_prod_pvt);
	rq->operation = req->write ? BLKIF_OP_WRITE : BLKIF_OP_READ;
	rq->nr_segments = (uint8_t)npages;
	rq->handle = (blkif_vdev_t)d->devid;
	rq->id = id;
	rq->sector_number = req->sector * d->sector_units;
	for (i = 0, off = 0; i < npages; i++, off += len) {
		in->page[i] = d->free_page[--d->nfree_pages];
		len = bytes - off < PAGE_SIZE ? bytes - off : PAGE_SIZE;
		if (req->write)
			memcpy(d->pool + (size_t)in->page[i] * PAGE_SIZE,
			       (const uint8_t *)req->buf + off, len);
		rq->seg[i].gref = d->pool_gref[in->page[i]];
		rq->seg[i].first_sect = 0;
		rq->seg[i].last_sect = (uint8_t)(len / 512 - 1);
	}
	d->ring.req_prod_pvt++;
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&d->ring, notify);
	if (notify)
		mr_evtchn_notify(d->port);
	return MR_OK;
}

/* Request (id) has its response: finish it and free what it held. */
static void
complete(struct blkfront *d, uint16_t id, int16_t status)
{
	struct inflight *in = &d->slot[id];
	struct mr_plat_block_req *req = in->req;
	size_t bytes = (size_t)req->count * d->info.sector_size, off, len;
	unsigned int i;

	if (status == BLKIF_RSP_OKAY) {
		if (!req->write)
			for (i = 0, off = 0; i < in->npages; i++, off += len) {
				len = bytes - off < PAGE_SIZE ? bytes - off
							      : PAGE_SIZE;
				memcpy((uint8_t *)req->buf + off, d->pool +
				       (size_t)in->page[i] * PAGE_SIZE, len);
			}
		req->result = MR_OK;
	} else {
		if (d->errors++ < MAX_ERRORS_LOGGED)
			mr_error("block%u: %s of %" PRIu32 " sectors at %"
				 PRIu64 " failed: backend status %d", d->index,
				 req->write ? "write" : "read", req->count,
				 req->sector, status);
		req->result = MR_EUNSPEC;
	}
	for (i = 0; i < in->npages; i++)
		d->free_page[d->nfree_pages++] = in->page[i];
	in->req = NULL;
	d->free_slot[d->nfree_slots++] = id;
	req->done = true;
}

/*
 * Stop using a backend that broke the protocol: what is in flight fails,
 * and its pages are never handed out again (the backend may still write
 * into them).
 */
static void
disable(struct blkfront *d, const char *why)
{
	unsigned int i;

	mr_error("block%u: %s: device disabled", d->index, why);
	d->broken = true;
	for (i = 0; i < RING_SLOTS; i++)
		if (d->slot[i].req != NULL) {
			d->slot[i].req->result = MR_EUNSPEC;
			d->slot[i].req->done = true;
			d->slot[i].req = NULL;
		}
}

/*
 * The backend's state changed. Once it leaves Connected by itself (xl
 * block-detach, blkback going away) no request will be answered: those in
 * flight fail now and their threads are woken, later ones fail at once,
 * and we close our side so that the detach completes. Our own teardown
 * sets closed first and is left alone.
 */
static void
backend_changed(void *arg)
{
	struct blkfront *d = arg;
	int s;

	if (d->closed || d->broken)
		return;
	s = xenbus_state(d->backend);
	if (s >= 0 && s < XenbusStateClosing)
		return;
	disable(d, s < 0 ? "the backend is gone" : "the backend is closing");
	mr_event_signal(mr_source_event(d->info.handle));
	d->closed = true;
	if (write_state(d, XenbusStateClosing) == MR_OK)
		write_state(d, XenbusStateClosed);
}

static void
reap(struct blkfront *d)
{
	RING_IDX prod, cons, posted;
	blkif_response_t rsp;
	int more;

	do {
		prod = __atomic_load_n(&d->ring.sring->rsp_prod,
				       __ATOMIC_ACQUIRE);
		posted = d->ring.req_prod_pvt - d->ring.rsp_cons;
		if (prod - d->ring.rsp_cons > posted) {
			disable(d, "the backend claims more responses than "
				"requests");
			return;
		}
		for (cons = d->ring.rsp_cons; cons != prod; cons++) {
			rsp = *(volatile blkif_response_t *)
				RING_GET_RESPONSE(&d->ring, cons);
			if (rsp.id >= RING_SLOTS ||
			    d->slot[rsp.id].req == NULL) {
				d->bad_responses++;
				continue;
			}
			complete(d, (uint16_t)rsp.id, rsp.status);
		}
		d->ring.rsp_cons = cons;
		RING_FINAL_CHECK_FOR_RESPONSES(&d->ring, more);
	} while (more);
}

void
mr_plat_block_reap(unsigned int index)
{
	struct blkfront *d = device(index);

	if (d != NULL && !d->broken)
		reap(d);
}

/*
 * Close (d) the xenbus way, waiting in the platform: no thread should
 * start anything once the domain is ending.
 */
static void
close_device(struct blkfront *d)
{
	mr_time_t deadline = mr_now() + TEARDOWN;
	unsigned int i, held = 0;

	/* What was submitted before the end is done before the end. */
	while (!d->broken && d->nfree_slots < RING_SLOTS &&
	       mr_now() < deadline) {
		reap(d);
		if (d->nfree_slots < RING_SLOTS)
			xenbus_pause(POLL, true);
	}
	if (!d->broken && d->nfree_slots < RING_SLOTS)
		mr_warn("block%u: %u requests still in flight at the end",
			d->index, (unsigned int)(RING_SLOTS - d->nfree_slots));
	d->closed = true;
	if (write_state(d, XenbusStateClosing) != MR_OK ||
	    !xenbus_wait_state(d->name, d->backend, XenbusStateClosing,
			       TEARDOWN, true) ||
	    write_state(d, XenbusStateClosed) != MR_OK ||
	    !xenbus_wait_state(d->name, d->backend, XenbusStateClosed,
			       TEARDOWN, true)) {
		mr_warn("block%u: the backend did not close; the toolstack "
			"will clean up", d->index);
		return;
	}
	/*
	 * The backend has unmapped everything: the grants can end. The
	 * event channel stays open: closing its event source would wake
	 * threads still waiting on it, and the domain takes it along.
	 */
	if (d->ring_granted && mr_gnttab_end(d->ring_ref) != MR_OK)
		held++;
	for (i = 0; i < d->ngranted; i++)
		if (mr_gnttab_end(d->pool_gref[i]) != MR_OK)
			held++;
	if (held > 0)
		mr_warn("block%u: the backend still maps %u of our pages",
			d->index, held);
	mr_debug("block%u: closed", d->index);
}

static void
teardown(void)
{
	unsigned int i;

	for (i = 0; i < MAX_DEVICES; i++)
		if (devices[i].open)
			close_device(&devices[i]);
}
