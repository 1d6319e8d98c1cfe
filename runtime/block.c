/*
 * block.c: <mirari/block.h>, block devices for threads, on the platform's
 * mr_plat_block_* calls.
 *
 * A call splits its range into requests of at most info.max_sectors,
 * submits them in order, several in flight at once as far as the device
 * has room, and waits on the device's event (mr_source_event(info.handle)),
 * collecting completions with mr_plat_block_reap whenever it wakes.
 * Several threads may wait on one device: a signal wakes them all, each
 * reaps (which marks every finished request done, its own or not) and
 * goes back to sleep unless one of its own is done. A platform that
 * completes everything inside submit says so with handle -1, and nothing
 * waits.
 *
 * Deadlines. The platform may write into a request's buffer until the
 * request is done, so a request cannot simply be forgotten when the
 * deadline passes. With a deadline (anything but MR_FOREVER) on a device
 * that completes asynchronously, each request therefore goes through a
 * bounce buffer malloc'd here: when the deadline passes, the request and
 * its buffer are left on the device's list of abandoned requests, freed
 * once the platform reports them done, and the caller gets MR_ETIMEDOUT
 * at once with its own buffer untouched from then on. With MR_FOREVER the
 * caller's buffer is handed to the platform directly (no copy). When the
 * bounce buffer cannot be allocated, the request uses the caller's buffer
 * and, should the deadline pass, the call waits for that request to end
 * before it returns MR_ETIMEDOUT.
 */
#include <stdlib.h>
#include <string.h>

#include <mirari/block.h>

#include "runtime.h"

/* Block devices the runtime drives; app.conf rarely declares more than 2. */
#define BLOCK_DEVICES 16

enum block_state {
	BLOCK_CLOSED,		/* not opened yet, or the last open failed */
	BLOCK_OPENING,		/* a thread waits in mr_plat_block_open */
	BLOCK_OPEN
};

/* A request left behind by a deadline, with the buffer it reads or writes. */
struct bounce {
	struct mr_plat_block_req req;
	struct bounce *next;		/* in mr_block.abandoned */
	unsigned char data[];
};

struct mr_block {
	enum block_state state;
	unsigned int index;		/* the platform's block device number */
	const char *name;		/* app.conf's, from the glue */
	struct mr_event opened;		/* signalled when an open ends */
	struct mr_plat_block_info info;
	struct bounce *abandoned;	/* freed once done */
};

static struct mr_block devs[BLOCK_DEVICES];

/* Free the abandoned requests that the platform has finished with. */
static void
collect(struct mr_block *dev)
{
	struct bounce **pp = &dev->abandoned, *b;

	while ((b = *pp) != NULL) {
		if (b->req.done) {
			*pp = b->next;
			free(b);
		} else {
			pp = &b->next;
		}
	}
}

static bool
plat_info_ok(const struct mr_plat_block_info *info)
{
	return info->sector_size >= 512 &&
	       (info->sector_size & (info->sector_size - 1)) == 0 &&
	       info->max_sectors >= 1 && info->handle >= -1 &&
	       info->handle < MR_PLAT_HANDLES;
}

mr_result_t
mr_block_open(const char *name, struct mr_block **out)
{
	const struct mr_device_desc *desc;
	struct mr_block *dev;
	unsigned int i;
	mr_result_t r;

	if (name == NULL || out == NULL)
		return MR_EINVAL;
	for (i = 0; (desc = mr_device("block", i)) != NULL; i++)
		if (strcmp(desc->name, name) == 0)
			break;
	if (desc == NULL)
		return MR_ENOENT;
	if (i >= BLOCK_DEVICES) {
		mr_error("block device '%s': the runtime drives %d block "
			 "devices at most", name, BLOCK_DEVICES);
		return MR_EINVAL;
	}
	dev = &devs[i];
	/*
	 * Opening may block (the Xen handshake goes through xenstore): a
	 * second thread waits for the first instead of opening twice, and
	 * tries itself if the first failed.
	 */
	while (dev->state == BLOCK_OPENING)
		mr_event_wait(&dev->opened, MR_FOREVER);
	if (dev->state == BLOCK_OPEN) {
		*out = dev;
		return MR_OK;
	}
	if (dev->opened.waiters.next == NULL)	/* zeroed: never used */
		mr_event_init(&dev->opened);
	dev->state = BLOCK_OPENING;
	dev->index = i;
	dev->name = desc->name;
	r = mr_plat_block_open(i, &dev->info);
	if (r == MR_OK && !plat_info_ok(&dev->info)) {
		mr_error("block device '%s': the platform gave sector size %u, "
			 "at most %u sectors a request, handle %d", name,
			 dev->info.sector_size, dev->info.max_sectors,
			 dev->info.handle);
		r = MR_EUNSPEC;
	}
	dev->state = r == MR_OK ? BLOCK_OPEN : BLOCK_CLOSED;
	mr_event_signal(&dev->opened);
	if (r == MR_OK)
		*out = dev;
	return r;
}

void
mr_block_info(const struct mr_block *dev, struct mr_block_info *info)
{
	info->sectors = dev->info.sectors;
	info->sector_size = dev->info.sector_size;
	info->readonly = dev->info.readonly;
}

/*
 * A part of a call: one request of at most max_sectors, in flight while
 * (req) is not NULL.
 */
struct part {
	struct mr_plat_block_req direct;	/* when not bounced */
	struct mr_plat_block_req *req;
	struct bounce *b;			/* or NULL */
	unsigned char *dst;			/* the caller's, for a read */
	size_t len;
};

/*
 * Submit (pt) for (count) sectors at (sector), (p) being the caller's
 * part of the buffer. MR_EAGAIN when the device has no room even after
 * collecting what ended.
 */
static mr_result_t
part_start(struct mr_block *dev, struct part *pt, uint64_t sector,
	   uint32_t count, unsigned char *p, bool write, mr_time_t deadline)
{
	struct mr_plat_block_req *req = &pt->direct;
	mr_result_t r;

	pt->len = (size_t)count * dev->info.sector_size;
	pt->dst = p;
	pt->b = NULL;
	if (dev->info.handle >= 0 && deadline != MR_FOREVER &&
	    (pt->b = malloc(sizeof(*pt->b) + pt->len)) != NULL) {
		req = &pt->b->req;
		if (write)
			memcpy(pt->b->data, p, pt->len);
	}
	memset(req, 0, sizeof(*req));
	req->sector = sector;
	req->count = count;
	req->write = write;
	req->buf = pt->b != NULL ? (void *)pt->b->data : p;
	r = mr_plat_block_submit(dev->index, req);
	if (r == MR_EAGAIN && dev->info.handle >= 0) {
		/*
		 * Completions may wait unreaped (their signal came while no
		 * thread of this device listened): collect them, and try
		 * again before anyone sleeps on the event.
		 */
		mr_plat_block_reap(dev->index);
		collect(dev);
		r = mr_plat_block_submit(dev->index, req);
	}
	if (r == MR_EAGAIN && dev->info.handle < 0)
		mr_panic("block device '%s': the platform asks to wait on a "
			 "device without an event", dev->name);
	if (r != MR_OK) {
		free(pt->b);
		pt->b = NULL;
		return r == MR_EAGAIN || r == MR_EINVAL ? r : MR_EUNSPEC;
	}
	pt->req = req;
	return MR_OK;
}

/* (pt) is done: its result, its data copied out of the bounce buffer. */
static mr_result_t
part_finish(struct part *pt)
{
	mr_result_t r = pt->req->result == MR_OK ? MR_OK : MR_EUNSPEC;

	if (pt->b != NULL) {
		if (r == MR_OK && !pt->req->write)
			memcpy(pt->dst, pt->b->data, pt->len);
		free(pt->b);
	}
	pt->req = NULL;
	return r;
}

/* Leave a bounced part to end on its own; freed by collect() once done. */
static void
part_abandon(struct mr_block *dev, struct part *pt)
{
	pt->b->next = dev->abandoned;
	dev->abandoned = pt->b;
	pt->req = NULL;
}

/*
 * Parts are submitted in order, up to PIPELINE of them in flight at once
 * (as many as the device has room for), so that a large call keeps the
 * host busy instead of paying a round trip per part. Once a part fails or
 * the deadline passes, nothing more is started, and the call returns when
 * no part of it can still touch the caller's buffer.
 */
#define PIPELINE 8

static mr_result_t
transfer(struct mr_block *dev, uint64_t sector, uint32_t count, void *buf,
	 bool write, mr_time_t deadline)
{
	struct part parts[PIPELINE];
	unsigned char *p = buf;
	unsigned int i, busy = 0;
	uint32_t n;
	mr_result_t r, result = MR_OK;
	bool stop = false, progressed, late = false;

	if (dev == NULL || dev->state != BLOCK_OPEN)
		mr_panic("mr_block_%s: device not opened with mr_block_open",
			 write ? "write" : "read");
	if (count == 0 || sector > dev->info.sectors ||
	    count > dev->info.sectors - sector)
		return MR_EINVAL;
	if (write && dev->info.readonly)
		return MR_EINVAL;
	for (i = 0; i < PIPELINE; i++)
		parts[i].req = NULL;
	if (dev->info.handle >= 0) {
		mr_plat_block_reap(dev->index);
		collect(dev);
	}

	for (;;) {
		/* Start what may start. */
		for (i = 0; !stop && count > 0 && i < PIPELINE; i++) {
			if (parts[i].req != NULL)
				continue;
			/* Nothing starts after the deadline, on any platform. */
			if (deadline != MR_FOREVER &&
			    mr_plat_clock_monotonic() >= deadline) {
				result = MR_ETIMEDOUT;
				stop = true;
				break;
			}
			n = count < dev->info.max_sectors ?
			    count : dev->info.max_sectors;
			r = part_start(dev, &parts[i], sector, n, p, write,
				       deadline);
			if (r == MR_EAGAIN)
				break;
			if (r != MR_OK) {
				result = r;
				stop = true;
				break;
			}
			busy++;
			sector += n;
			count -= n;
			p += (size_t)n * dev->info.sector_size;
		}

		/* Collect what ended. */
		if (dev->info.handle >= 0 && busy > 0)
			mr_plat_block_reap(dev->index);
		progressed = false;
		for (i = 0; i < PIPELINE; i++) {
			if (parts[i].req == NULL || !parts[i].req->done)
				continue;
			if ((r = part_finish(&parts[i])) != MR_OK &&
			    result == MR_OK) {
				result = r;
				stop = true;
			}
			busy--;
			progressed = true;
		}
		if (busy == 0 && (stop || count == 0))
			break;
		if (progressed)
			continue;

		/* Wait for a completion: ours, or one that makes room. */
		if (dev->info.handle < 0)
			mr_panic("block device '%s': the platform left a request "
				 "unfinished on a device without an event",
				 dev->name);
		if (mr_event_wait(mr_source_event(dev->info.handle),
				  late ? MR_FOREVER : deadline) != MR_ETIMEDOUT)
			continue;
		if (result == MR_OK)
			result = MR_ETIMEDOUT;
		stop = true;
		for (i = 0; i < PIPELINE; i++)
			if (parts[i].req != NULL && parts[i].b != NULL) {
				part_abandon(dev, &parts[i]);
				busy--;
			}
		/* Parts in the caller's buffer (no memory to bounce): stay. */
		late = busy > 0;
	}
	return result;
}

mr_result_t
mr_block_read(struct mr_block *dev, uint64_t sector, uint32_t count,
	      void *buf, mr_time_t deadline)
{
	return transfer(dev, sector, count, buf, false, deadline);
}

mr_result_t
mr_block_write(struct mr_block *dev, uint64_t sector, uint32_t count,
	       const void *buf, mr_time_t deadline)
{
	/* The platform only reads (buf) for a write. */
	return transfer(dev, sector, count, (void *)buf, true, deadline);
}

/*
 * Whole sectors go straight into (buf); a sector that the range covers
 * only in part is read into a sector of our own and the part copied.
 */
mr_result_t
mr_block_pread(struct mr_block *dev, uint64_t offset, void *buf, size_t len,
	       mr_time_t deadline)
{
	uint32_t ss, n;
	uint64_t size, sector, skip;
	unsigned char *p = buf, *part = NULL;
	size_t take;
	mr_result_t r = MR_OK;

	if (dev == NULL || dev->state != BLOCK_OPEN)
		mr_panic("mr_block_pread: device not opened with "
			 "mr_block_open");
	ss = dev->info.sector_size;
	size = dev->info.sectors > UINT64_MAX / ss ? UINT64_MAX
						   : dev->info.sectors * ss;
	if (offset > size || len > size - offset)
		return MR_EINVAL;
	while (len > 0) {
		sector = offset / ss;
		skip = offset % ss;
		if (skip == 0 && len >= ss) {
			n = len / ss > UINT32_MAX / 2 ? UINT32_MAX / 2
						      : (uint32_t)(len / ss);
			if ((r = transfer(dev, sector, n, p, false,
					  deadline)) != MR_OK)
				break;
			take = (size_t)n * ss;
		} else {
			if (part == NULL && (part = malloc(ss)) == NULL) {
				mr_error("block device '%s': no memory for a "
					 "sector", dev->name);
				r = MR_EUNSPEC;
				break;
			}
			if ((r = transfer(dev, sector, 1, part, false,
					  deadline)) != MR_OK)
				break;
			take = ss - skip < len ? ss - skip : len;
			memcpy(p, part + skip, take);
		}
		p += take;
		offset += take;
		len -= take;
	}
	free(part);
	return r;
}
