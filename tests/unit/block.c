/*
 * block.c: <mirari/block.h> (runtime/block.c) over a platform of the
 * test's own, which can do what the Unix backend never does: complete
 * requests later, out of order, or not before a deadline; refuse to take
 * more than a few at once; fail one; take time to open, or fail to.
 *
 * runtime/block.c is compiled into this file with its platform calls, its
 * device lookup and its public names renamed, so the copy linked from the
 * runtime (over the Unix backend) stays out of the way, and the test can
 * look at the copy's statics (the abandoned requests).
 */
#define mr_plat_block_open	fake_open
#define mr_plat_block_submit	fake_submit
#define mr_plat_block_reap	fake_reap
#define mr_device		fake_device
#define mr_block_open		t_block_open
#define mr_block_info		t_block_info
#define mr_block_read		t_block_read
#define mr_block_write		t_block_write
#define mr_block_pread		t_block_pread

#include "../../runtime/block.c"

#include <stdint.h>
#include <stdlib.h>

#include "tap.h"

#define QMAX	64
#define LOGMAX	1024

/* A device of the fake platform, and what it saw. */
struct fake {
	struct mr_device_desc desc;
	struct mr_plat_block_info info;
	unsigned char *data;
	unsigned int capacity;		/* in flight at most; 0: synchronous */
	bool lifo;			/* serve the newest first */
	mr_time_t delay;		/* service time of one request */
	mr_time_t open_delay;
	mr_result_t open_result;	/* for the next open, then MR_OK */
	uint64_t fail_sector;		/* a request over it fails */

	int opens, submits;
	struct mr_plat_block_req *queue[QMAX];	/* taken, not served */
	unsigned int nqueue;
	struct mr_plat_block_req *served[QMAX];	/* served, not reaped */
	unsigned int nserved;
	unsigned int inflight, max_inflight;
	uint64_t log[LOGMAX];		/* sectors submitted, in order */
	unsigned int nlog;
	const void *watch;		/* a caller's buffer, and how many */
	size_t watch_len;		/* requests pointed into it */
	int watched;
};

enum { PIPE, SYNC, SLOW, BAD, RO, NFAKE };

static struct fake fakes[NFAKE] = {
	[PIPE] = { .desc = { "pipe", "block", "" },
		   .info = { 512, 8, 4096, false, 0 }, .capacity = 4,
		   .delay = MR_MSEC(1) },
	[SYNC] = { .desc = { "sync", "block", "" },
		   .info = { 4096, 8, 64, false, -1 } },
	[SLOW] = { .desc = { "slow", "block", "" },
		   .info = { 512, 8, 256, false, 0 }, .capacity = 2,
		   .lifo = true, .delay = MR_MSEC(30),
		   .open_delay = MR_MSEC(20), .open_result = MR_EUNSPEC },
	[BAD] = { .desc = { "bad", "block", "" },
		  .info = { 1000, 8, 16, false, -1 } },
	[RO] = { .desc = { "ro", "block", "" },
		 .info = { 512, 8, 16, true, -1 } },
};

static bool quit;

static bool
inside(const void *p, const void *buf, size_t len)
{
	return (const char *)p >= (const char *)buf &&
	       (const char *)p < (const char *)buf + len;
}


const struct mr_device_desc *
fake_device(const char *kind, unsigned int index)
{
	if (strcmp(kind, "block") != 0 || index >= NFAKE)
		return NULL;
	return &fakes[index].desc;
}

mr_result_t
fake_open(unsigned int index, struct mr_plat_block_info *info)
{
	struct fake *f = &fakes[index];
	mr_result_t r;

	f->opens++;
	if (f->open_delay > 0)
		mr_sleep(f->open_delay);
	if ((r = f->open_result) != MR_OK) {
		f->open_result = MR_OK;
		return r;
	}
	if (f->data == NULL) {
		f->data = calloc(f->info.sectors, f->info.sector_size);
		if (f->capacity > 0)
			f->info.handle = mr_source_open();
	}
	*info = f->info;
	return MR_OK;
}

static void
serve(struct fake *f, struct mr_plat_block_req *req)
{
	unsigned char *at = f->data + req->sector * f->info.sector_size;
	size_t len = (size_t)req->count * f->info.sector_size;

	if (f->fail_sector >= req->sector &&
	    f->fail_sector < req->sector + req->count) {
		req->result = MR_EUNSPEC;
		return;
	}
	if (req->write)
		memcpy(at, req->buf, len);
	else
		memcpy(req->buf, at, len);
	req->result = MR_OK;
}

mr_result_t
fake_submit(unsigned int index, struct mr_plat_block_req *req)
{
	struct fake *f = &fakes[index];

	if (req->count == 0 || req->count > f->info.max_sectors ||
	    req->sector > f->info.sectors ||
	    req->count > f->info.sectors - req->sector ||
	    (req->write && f->info.readonly))
		return MR_EINVAL;
	if (f->capacity > 0 && f->inflight == f->capacity)
		return MR_EAGAIN;
	f->submits++;
	if (f->watch != NULL && inside(req->buf, f->watch, f->watch_len))
		f->watched++;
	if (f->nlog < LOGMAX)
		f->log[f->nlog++] = req->sector;
	if (f->capacity == 0) {
		serve(f, req);
		req->done = true;
		return MR_OK;
	}
	f->queue[f->nqueue++] = req;
	if (++f->inflight > f->max_inflight)
		f->max_inflight = f->inflight;
	return MR_OK;
}

/* Served requests become done only here, as the contract says. */
void
fake_reap(unsigned int index)
{
	struct fake *f = &fakes[index];

	while (f->nserved > 0) {
		f->served[--f->nserved]->done = true;
		f->inflight--;
	}
}

/* The other side: serves one queued request per delay, and signals. */
static void
host(void *arg)
{
	struct fake *f = arg;
	struct mr_plat_block_req *req;
	unsigned int i;

	while (!quit) {
		mr_sleep(f->delay);
		if (f->nqueue == 0)
			continue;
		if (f->lifo) {
			req = f->queue[--f->nqueue];
		} else {
			req = f->queue[0];
			for (i = 1; i < f->nqueue; i++)
				f->queue[i - 1] = f->queue[i];
			f->nqueue--;
		}
		serve(f, req);
		f->served[f->nserved++] = req;
		mr_event_signal(mr_source_event(f->info.handle));
	}
}

static void
pattern(unsigned char *p, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (unsigned char)(i * 7 + i / 512 * 13 + seed);
}

/* Opening: names, bad platform info, a slow open from two threads. */

static struct mr_block *opened[3];
static mr_result_t open_results[3];
static int openers_done;

static void
opener(void *arg)
{
	uintptr_t i = (uintptr_t)arg;

	open_results[i] = t_block_open("slow", &opened[i]);
	openers_done++;
}

static void
test_open(void)
{
	struct mr_block *d, *again;
	struct mr_block_info info;

	is_int(t_block_open("nosuch", &d), MR_ENOENT, "an unknown name is MR_ENOENT");
	is_int(t_block_open(NULL, &d), MR_EINVAL, "a NULL name is MR_EINVAL");
	is_int(t_block_open("bad", &d), MR_EUNSPEC,
	       "a platform's sector size of 1000 is refused");
	ok(t_block_open("pipe", &d) == MR_OK && t_block_open("pipe", &again) ==
	   MR_OK && d == again && fakes[PIPE].opens == 1,
	   "opening again gives the same device, without the platform");
	t_block_info(d, &info);
	ok(info.sectors == 4096 && info.sector_size == 512 && !info.readonly,
	   "mr_block_info gives the platform's size and flags");

	/* Two threads in a slow open that fails once: one platform open at a
	 * time, and the second thread tries again itself. */
	mr_thread_spawn("open0", opener, (void *)0);
	mr_yield();
	mr_thread_spawn("open1", opener, (void *)1);
	while (openers_done < 2)
		mr_sleep(MR_MSEC(1));
	ok(open_results[0] == MR_EUNSPEC && open_results[1] == MR_OK &&
	   fakes[SLOW].opens == 2,
	   "a failed open is reported to its caller; a thread that waited "
	   "for it opens again");
	opener((void *)2);
	ok(open_results[2] == MR_OK && opened[2] == opened[1] &&
	   fakes[SLOW].opens == 2, "and later opens find it open");
}

/* Splitting, pipelining, ordering, buffers. */

static unsigned char big[1000 * 512], back[1000 * 512];
static int concurrent_ok, concurrent_done;

static void
concurrent_reader(void *arg)
{
	static unsigned char other[300 * 512];
	struct mr_block *d = arg;

	if (t_block_read(d, 2000, 300, other, MR_FOREVER) == MR_OK &&
	    memcmp(other, fakes[PIPE].data + 2000 * 512, sizeof other) == 0)
		concurrent_ok++;
	concurrent_done++;
}

static void
test_transfer(void)
{
	struct fake *f = &fakes[PIPE];
	struct mr_block *d;
	unsigned int i;
	bool ordered = true;
	int before;

	t_block_open("pipe", &d);
	pattern(big, sizeof big, 1);
	f->nlog = 0;
	is_int(t_block_write(d, 10, 1000, big, MR_FOREVER), MR_OK,
	       "a write of 1000 sectors, 8 a request");
	ok(memcmp(f->data + 10 * 512, big, sizeof big) == 0,
	   "the device holds what was written");
	is_int(f->nlog, 125, "it took 125 requests");
	for (i = 1; i < f->nlog; i++)
		if (f->log[i] != f->log[i - 1] + 8)
			ordered = false;
	ok(ordered && f->log[0] == 10, "submitted in order, one after the other");
	is_int(f->max_inflight, 4, "with as many in flight as the device takes");

	pattern(f->data + 2000 * 512, 300 * 512, 2);
	mr_thread_spawn("reader", concurrent_reader, d);
	is_int(t_block_read(d, 10, 1000, back, MR_FOREVER), MR_OK,
	       "a read of 1000 sectors while another thread reads too");
	while (concurrent_done == 0)
		mr_sleep(MR_MSEC(1));
	ok(memcmp(back, big, sizeof big) == 0 && concurrent_ok == 1,
	   "both get their data");

	/* Without a deadline the platform fills the caller's buffer. */
	f->watch = back;
	f->watch_len = sizeof back;
	f->watched = 0;
	before = f->submits;
	t_block_read(d, 0, 16, back, MR_FOREVER);
	ok(f->submits == before + 2 && f->watched == 2,
	   "without a deadline the platform gets the caller's buffer");
	f->watched = 0;
	t_block_read(d, 0, 16, back, mr_now() + MR_SEC(10));
	ok(memcmp(back, f->data, 16 * 512) == 0 && f->watched == 0,
	   "with one it gets bounce buffers, and the data arrives");
	f->watch = NULL;

	/* Refusals before anything is submitted. */
	before = f->submits;
	is_int(t_block_read(d, 4096, 1, back, MR_FOREVER), MR_EINVAL,
	       "a read at the end is MR_EINVAL");
	is_int(t_block_read(d, 4090, 7, back, MR_FOREVER), MR_EINVAL,
	       "a read across the end is MR_EINVAL");
	is_int(t_block_read(d, UINT64_MAX, 2, back, MR_FOREVER), MR_EINVAL,
	       "a sector number that wraps is MR_EINVAL");
	is_int(t_block_write(d, 0, 0, back, MR_FOREVER), MR_EINVAL,
	       "a count of 0 is MR_EINVAL");
	is_int(f->submits, before, "and none of them reaches the platform");
}

/* A failing part: the call stops starting parts and waits for the rest. */
static void
test_error(void)
{
	struct fake *f = &fakes[PIPE];
	struct mr_block *d;
	unsigned int i;
	bool clear = true;

	t_block_open("pipe", &d);
	f->fail_sector = 500;
	f->nlog = 0;
	is_int(t_block_read(d, 0, 1000, back, MR_FOREVER), MR_EUNSPEC,
	       "an I/O error in one part fails the call");
	for (i = 0; i < f->nqueue; i++)
		if (inside(f->queue[i]->buf, back, sizeof back))
			clear = false;
	for (i = 0; i < f->nserved; i++)
		if (inside(f->served[i]->buf, back, sizeof back))
			clear = false;
	ok(clear && f->inflight == 0,
	   "no request on the caller's buffer is in flight when it returns");
	ok(f->nlog <= 500 / 8 + 1 + 4, "no part starts after the failure (%u "
	   "submitted)", f->nlog);
	f->fail_sector = UINT64_MAX;
	is_int(t_block_read(d, 0, 1000, back, MR_FOREVER), MR_OK,
	       "the device works on after an error");
}

/* Deadlines: abandoned requests, bounce buffers, out-of-order service. */
static void
test_deadline(void)
{
	struct fake *f = &fakes[SLOW];
	static unsigned char buf[64 * 512], snap[64 * 512];
	struct mr_block *d;
	unsigned int i;
	bool untouched = true, bounced = true;
	int before;

	t_block_open("slow", &d);
	pattern(f->data, 64 * 512, 3);

	memset(buf, 0xaa, sizeof buf);
	before = f->submits;
	is_int(t_block_read(d, 0, 16, buf, mr_now() - 1), MR_ETIMEDOUT,
	       "a deadline already passed is MR_ETIMEDOUT");
	is_int(f->submits, before, "and submits nothing");

	is_int(t_block_read(d, 0, 16, buf, mr_now() + MR_MSEC(5)),
	       MR_ETIMEDOUT, "a deadline that passes in flight is MR_ETIMEDOUT");
	/* A part may have ended in time and been copied: that may stay. */
	memcpy(snap, buf, sizeof snap);
	ok(f->nqueue + f->nserved > 0 && f->inflight > 0,
	   "returned while its requests were still in flight");
	for (i = 0; i < f->nqueue; i++)
		if (inside(f->queue[i]->buf, buf, sizeof buf))
			bounced = false;
	ok(bounced, "the platform had bounce buffers, not the caller's");
	ok(d->abandoned != NULL, "the requests were left to finish");
	/*
	 * Until the device has served them all: a time (it was 150 ms) is
	 * not enough on a loaded machine, where the device's thread runs
	 * late, and then the next read's requests, newer, are served first
	 * and it ends with abandoned ones still queued. Bounded: 10 s.
	 */
	for (i = 0; f->nqueue > 0 && i < 2000; i++)
		mr_sleep(MR_MSEC(5));
	for (i = 0; i < sizeof buf; i++)
		if (buf[i] != snap[i])
			untouched = false;
	ok(f->nqueue == 0 && untouched, "the caller's buffer is untouched after "
	   "the call, though the requests finished since");

	is_int(t_block_read(d, 0, 64, buf, mr_now() + MR_SEC(10)), MR_OK,
	       "a read served newest part first, through bounce buffers");
	ok(memcmp(buf, f->data, sizeof buf) == 0, "gets its data in place");
	ok(d->abandoned == NULL, "and the abandoned requests were freed");
}

/* Byte ranges, on a synchronous device of 4096-byte sectors. */
static void
test_pread(void)
{
	struct fake *f = &fakes[SYNC];
	static unsigned char buf[20000];
	struct mr_block *d, *ro;

	t_block_open("sync", &d);
	pattern(f->data, 64 * 4096, 4);
	ok(t_block_pread(d, 5000, buf, 10000, MR_FOREVER) == MR_OK &&
	   memcmp(buf, f->data + 5000, 10000) == 0,
	   "pread across sectors of 4096 bytes");
	ok(t_block_pread(d, 4097, buf, 10, MR_FOREVER) == MR_OK &&
	   memcmp(buf, f->data + 4097, 10) == 0, "pread inside one sector");
	ok(t_block_pread(d, 8192, buf, 3 * 4096, MR_FOREVER) == MR_OK &&
	   memcmp(buf, f->data + 8192, 3 * 4096) == 0,
	   "pread of whole sectors");
	ok(t_block_pread(d, 64 * 4096 - 1, buf, 1, MR_FOREVER) == MR_OK &&
	   buf[0] == f->data[64 * 4096 - 1], "pread of the last byte");
	is_int(t_block_pread(d, 64 * 4096, buf, 0, MR_FOREVER), MR_OK,
	       "pread of nothing at the end");
	is_int(t_block_pread(d, 64 * 4096 - 1, buf, 2, MR_FOREVER), MR_EINVAL,
	       "pread across the end is MR_EINVAL");
	is_int(t_block_pread(d, UINT64_MAX - 1, buf, 4, MR_FOREVER), MR_EINVAL,
	       "pread at an offset that wraps is MR_EINVAL");

	t_block_open("ro", &ro);
	is_int(t_block_write(ro, 0, 1, buf, MR_FOREVER), MR_EINVAL,
	       "a write to a read-only device is MR_EINVAL");
	is_int(fakes[RO].submits, 0, "and never reaches the platform");
}

static void
tests(void *arg)
{
	(void)arg;
	test_open();
	test_transfer();
	test_error();
	test_deadline();
	test_pread();
	quit = true;
}

int
main(void)
{
	fakes[PIPE].fail_sector = UINT64_MAX;
	fakes[SLOW].fail_sector = UINT64_MAX;
	fakes[SYNC].fail_sector = UINT64_MAX;
	fakes[RO].fail_sector = UINT64_MAX;
	fakes[RO].data = calloc(16, 512);
	mr_thread_spawn("host-pipe", host, &fakes[PIPE]);
	mr_thread_spawn("host-slow", host, &fakes[SLOW]);
	mr_thread_spawn("tests", tests, NULL);
	sched_run();
	return done_testing();
}
