/*
 * blocktest: <mirari/block.h> on a writable scratch disk and a read-only
 * one. Each check prints "NAME ok" or "NAME FAIL why"; the test that runs
 * it (tests/unix/block.t, tests/xen/block.t) also checks from the host
 * what the image holds afterwards, so the patterns below are the ones the
 * tests compute:
 *
 *   scratch.img, written here: byte at offset o is SCRATCH(o) in sectors
 *     [5, 2105), [3000, 3100) and [4000, 4400); the last sector holds
 *     END_MARK; every other byte stays 0.
 *   ro.img, written by the test: byte at offset o is RO(o).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mirari/block.h>
#include <mirari/mirari.h>

#define SCRATCH(o)	((uint8_t)(((o) >> 9) * 31 + ((o) & 511) * 7 + 3))
#define RO(o)		((uint8_t)(((o) >> 9) * 17 + ((o) & 511) * 5 + 11))
#define END_MARK	"mirari block test: the last sector\n"

#define A_FIRST		5
#define A_COUNT		2100	/* more than one request on both targets */
#define B_FIRST		3000
#define B_COUNT		100
#define C_FIRST		4000
#define C_THREADS	40	/* more than a Xen ring's 32 slots */
#define C_COUNT		10

static struct mr_block *scratch, *rodisk;
static struct mr_block_info sinfo, rinfo;
static int failures;

static void
check(const char *name, bool ok, const char *fmt, ...)
	MR_PRINTF(3, 4);

static void
check(const char *name, bool ok, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		printf("%s ok\n", name);
		return;
	}
	failures++;
	printf("%s FAIL ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static void
fill(uint8_t *p, uint64_t offset, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = SCRATCH(offset + i);
}

/* The first offset in (p) that differs from the pattern, or -1. */
static int64_t
differs(const uint8_t *p, uint64_t offset, size_t len, bool ro)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != (ro ? RO(offset + i) : SCRATCH(offset + i)))
			return (int64_t)(offset + i);
	return -1;
}

static void
region_check(const char *name, mr_result_t r, const uint8_t *p,
	     uint64_t offset, size_t len, bool ro)
{
	int64_t at = r == MR_OK ? differs(p, offset, len, ro) : -1;

	check(name, r == MR_OK && at < 0, "%s, first wrong byte at %" PRId64,
	      mr_strerror(r), at);
}

/* C: threads with requests in flight at once, more than the ring holds. */
static int c_left;
static struct mr_event c_done = MR_EVENT_INIT(c_done);
static int c_failed;

static void
c_thread(void *arg)
{
	uintptr_t i = (uintptr_t)arg;
	uint64_t sector = C_FIRST + i * C_COUNT;
	uint8_t buf[C_COUNT * 512];
	mr_time_t deadline = mr_now() + MR_SEC(60);
	mr_result_t r;

	fill(buf, sector * 512, sizeof(buf));
	r = mr_block_write(scratch, sector, C_COUNT, buf, deadline);
	if (r == MR_OK) {
		memset(buf, 0, sizeof(buf));
		r = mr_block_read(scratch, sector, C_COUNT, buf, deadline);
	}
	if (r != MR_OK || differs(buf, sector * 512, sizeof(buf), false) >= 0)
		c_failed++;
	if (--c_left == 0)
		mr_event_signal(&c_done);
}

static void
whole_and_partial(uint8_t *big)
{
	uint64_t a = (uint64_t)A_FIRST * 512;
	size_t alen = (size_t)A_COUNT * 512;
	uint8_t small[3000];
	mr_result_t r;
	int64_t at;

	fill(big, a, alen);
	r = mr_block_write(scratch, A_FIRST, A_COUNT, big, MR_FOREVER);
	check("write_many", r == MR_OK, "%s", mr_strerror(r));
	memset(big, 0, alen);
	r = mr_block_read(scratch, A_FIRST, A_COUNT, big, MR_FOREVER);
	region_check("read_many", r, big, a, alen, false);
	memset(big, 0, alen);
	r = mr_block_read(scratch, A_FIRST, A_COUNT, big,
			  mr_now() + MR_SEC(60));
	region_check("read_many_deadline", r, big, a, alen, false);

	/* Byte ranges: across sectors, inside one, the last byte, none. */
	r = mr_block_pread(scratch, a + 100, small, sizeof(small), MR_FOREVER);
	region_check("pread_across", r, small, a + 100, sizeof(small), false);
	r = mr_block_pread(scratch, a + 700, small, 10, mr_now() + MR_SEC(60));
	region_check("pread_inside", r, small, a + 700, 10, false);
	r = mr_block_pread(scratch, a + alen - 1, small, 1, MR_FOREVER);
	region_check("pread_last_byte", r, small, a + alen - 1, 1, false);
	r = mr_block_pread(scratch, sinfo.sectors * 512, small, 0, MR_FOREVER);
	check("pread_empty_at_end", r == MR_OK, "%s", mr_strerror(r));

	/* B: a buffer at an odd address, through a deadline. */
	fill(big + 1, (uint64_t)B_FIRST * 512, B_COUNT * 512);
	r = mr_block_write(scratch, B_FIRST, B_COUNT, big + 1,
			   mr_now() + MR_SEC(60));
	check("write_unaligned", r == MR_OK, "%s", mr_strerror(r));
	memset(big, 0, B_COUNT * 512 + 1);
	r = mr_block_read(scratch, B_FIRST, B_COUNT, big + 1, MR_FOREVER);
	region_check("read_unaligned", r, big + 1, (uint64_t)B_FIRST * 512,
		     B_COUNT * 512, false);

	/* What nobody wrote reads as zeros. */
	r = mr_block_read(scratch, 0, A_FIRST, big, MR_FOREVER);
	for (at = 0; r == MR_OK && at < A_FIRST * 512; at++)
		if (big[at] != 0)
			break;
	check("read_zeros", r == MR_OK && at == A_FIRST * 512,
	      "%s, byte %" PRId64 " is not 0", mr_strerror(r), at);
}

static void
refusals(uint8_t *big)
{
	uint64_t n = sinfo.sectors;
	mr_result_t r;

	r = mr_block_write(rodisk, 0, 1, big, MR_FOREVER);
	check("write_readonly", r == MR_EINVAL, "%s", mr_strerror(r));
	r = mr_block_read(scratch, n, 1, big, MR_FOREVER);
	check("read_at_end", r == MR_EINVAL, "%s", mr_strerror(r));
	r = mr_block_read(scratch, n - 1, 2, big, MR_FOREVER);
	check("read_across_end", r == MR_EINVAL, "%s", mr_strerror(r));
	r = mr_block_write(scratch, n - 1, 2, big, MR_FOREVER);
	check("write_across_end", r == MR_EINVAL, "%s", mr_strerror(r));
	r = mr_block_read(scratch, UINT64_MAX, 1, big, MR_FOREVER);
	check("read_huge_sector", r == MR_EINVAL, "%s", mr_strerror(r));
	r = mr_block_read(scratch, 1, UINT32_MAX, big, MR_FOREVER);
	check("read_huge_count", r == MR_EINVAL, "%s", mr_strerror(r));
	r = mr_block_read(scratch, 0, 0, big, MR_FOREVER);
	check("read_none", r == MR_EINVAL, "%s", mr_strerror(r));
	r = mr_block_pread(scratch, n * 512 - 10, big, 11, MR_FOREVER);
	check("pread_across_end", r == MR_EINVAL, "%s", mr_strerror(r));
	r = mr_block_pread(scratch, n * 512 + 1, big, 0, MR_FOREVER);
	check("pread_past_end", r == MR_EINVAL, "%s", mr_strerror(r));
	r = mr_block_pread(scratch, UINT64_MAX, big, 2, MR_FOREVER);
	check("pread_huge_offset", r == MR_EINVAL, "%s", mr_strerror(r));
}

/*
 * A deadline that has passed starts nothing and leaves the buffer alone;
 * deadlines a microsecond away may catch requests in flight, which must
 * neither write into the buffer after the call nor break later calls.
 */
static void
deadlines(uint8_t *big)
{
	mr_result_t r;
	size_t i;
	int timedout = 0, wrong = 0;
	uint64_t a = (uint64_t)A_FIRST * 512;

	memset(big, 0xaa, 8 * 512);
	r = mr_block_read(scratch, A_FIRST, 8, big, mr_now() - 1);
	for (i = 0; i < 8 * 512 && big[i] == 0xaa; i++)
		;
	check("deadline_passed", r == MR_ETIMEDOUT && i == 8 * 512,
	      "%s, buffer changed at %zu", mr_strerror(r), i);

	for (i = 0; i < 20; i++) {
		memset(big, 0xaa, 64 * 512);
		r = mr_block_read(scratch, A_FIRST, 64, big,
				  mr_now() + MR_USEC(1));
		if (r == MR_ETIMEDOUT) {
			timedout++;
			/* Let the abandoned request end, then look. */
			mr_sleep(MR_MSEC(20));
			if (big[0] != 0xaa || big[64 * 512 - 1] != 0xaa)
				wrong++;
		} else if (r != MR_OK || differs(big, a, 64 * 512, false) >= 0) {
			wrong++;
		}
	}
	printf("tiny_deadlines timedout=%d of 20\n", timedout);
	check("tiny_deadlines", wrong == 0,
	      "%d reads wrong or written after their deadline", wrong);
	memset(big, 0, 64 * 512);
	r = mr_block_read(scratch, A_FIRST, 64, big, MR_FOREVER);
	region_check("read_after_deadlines", r, big, a, 64 * 512, false);
}

/*
 * Figures, not checks: 1 MiB written and read back in one call (the data
 * region A already holds, so the image stays as the test expects), the
 * read once more through the bounce buffers of a deadline, and the mean
 * time of a one-sector read.
 */
static void
figures(uint8_t *big)
{
	size_t len = 2048 * 512;
	mr_time_t t0, w, rd, rdl, one;
	int i;

	fill(big, (uint64_t)A_FIRST * 512, len);
	t0 = mr_now();
	if (mr_block_write(scratch, A_FIRST, 2048, big, MR_FOREVER) != MR_OK)
		return;
	w = mr_now() - t0;
	t0 = mr_now();
	if (mr_block_read(scratch, A_FIRST, 2048, big, MR_FOREVER) != MR_OK)
		return;
	rd = mr_now() - t0;
	t0 = mr_now();
	if (mr_block_read(scratch, A_FIRST, 2048, big,
			  mr_now() + MR_SEC(60)) != MR_OK)
		return;
	rdl = mr_now() - t0;
	t0 = mr_now();
	for (i = 0; i < 256; i++)
		if (mr_block_read(scratch, (uint64_t)(A_FIRST + i * 7), 1, big,
				  MR_FOREVER) != MR_OK)
			return;
	one = (mr_now() - t0) / 256;
	printf("figures: write 1 MiB %" PRId64 " us, read 1 MiB %" PRId64
	       " us (%" PRId64 " us with a deadline), one sector %" PRId64
	       " ns\n", w / 1000, rd / 1000, rdl / 1000, one);
}

static mr_result_t
open_one(const char *name, struct mr_block **dev, struct mr_block_info *info)
{
	mr_result_t r = mr_block_open(name, dev);

	if (r != MR_OK) {
		printf("open %s: %s\n", name, mr_strerror(r));
		return r;
	}
	mr_block_info(*dev, info);
	printf("%s sectors=%" PRIu64 " sector_size=%" PRIu32 " readonly=%d\n",
	       name, info->sectors, info->sector_size, info->readonly);
	return MR_OK;
}

/*
 * Read until the host takes the disk away: a request in flight when the
 * backend closes must fail, not wait forever (the deadline is MR_FOREVER).
 */
static void
spin(void)
{
	static uint8_t buf[64 * 512];
	unsigned long n = 0;
	mr_result_t r;

	if (open_one("scratch", &scratch, &sinfo) != MR_OK)
		mr_exit(1);
	printf("spinning\n");
	fflush(stdout);
	while ((r = mr_block_read(scratch, n % 64 * 64, 64, buf,
				  MR_FOREVER)) == MR_OK)
		n++;
	printf("spin: read failed after %lu reads: %s\n", n, mr_strerror(r));
	r = mr_block_read(scratch, 0, 1, buf, MR_FOREVER);
	printf("spin: then: %s\n", mr_strerror(r));
}

void
blocktest_main(void)
{
	const char *only = mr_param_string("only");
	struct mr_block *again;
	uint8_t *big, *ro;
	size_t rlen;
	uintptr_t i;
	mr_result_t r;

	if (mr_param_bool("spin")) {
		spin();
		return;
	}
	if (only[0] != '\0') {
		struct mr_block_info info;

		if (open_one(only, &again, &info) != MR_OK)
			mr_exit(1);
		printf("blocktest done\n");
		return;
	}
	if (open_one("scratch", &scratch, &sinfo) != MR_OK ||
	    open_one("rodisk", &rodisk, &rinfo) != MR_OK)
		mr_exit(1);
	r = mr_block_open("nosuch", &again);
	check("open_unknown", r == MR_ENOENT, "%s", mr_strerror(r));
	r = mr_block_open("scratch", &again);
	check("open_again", r == MR_OK && again == scratch, "%s",
	      mr_strerror(r));
	check("scratch_writable", !sinfo.readonly && sinfo.sector_size == 512 &&
	      sinfo.sectors > C_FIRST + C_THREADS * C_COUNT, "info is wrong");
	check("rodisk_readonly", rinfo.readonly, "rodisk is writable");

	if ((big = malloc((size_t)A_COUNT * 512 + 1)) == NULL)
		mr_panic("no memory for the test's buffer");
	whole_and_partial(big);
	refusals(big);
	deadlines(big);

	c_left = C_THREADS;
	for (i = 0; i < C_THREADS; i++)
		if (mr_thread_spawn("c", c_thread, (void *)i) == NULL)
			mr_panic("no thread");
	while (c_left > 0)
		mr_event_wait(&c_done, MR_FOREVER);
	check("threads", c_failed == 0, "%d of %d threads saw wrong data",
	      c_failed, C_THREADS);

	rlen = (size_t)rinfo.sectors * 512;
	if ((ro = malloc(rlen)) == NULL)
		mr_panic("no memory for the read-only disk");
	r = mr_block_read(rodisk, 0, (uint32_t)rinfo.sectors, ro, MR_FOREVER);
	region_check("read_readonly", r, ro, 0, rlen, true);
	free(ro);

	figures(big);
	memset(big, 0, 512);
	memcpy(big, END_MARK, strlen(END_MARK));
	r = mr_block_write(scratch, sinfo.sectors - 1, 1, big, MR_FOREVER);
	check("write_last", r == MR_OK, "%s", mr_strerror(r));
	free(big);
	printf("blocktest done failures=%d\n", failures);
	mr_exit(failures == 0 ? 0 : 1);
}
