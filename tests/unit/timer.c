/*
 * timer.c: the deadline heap, and timers on top of it.
 *
 * Timing checks use lower bounds and the timer's own deadlines, never
 * upper wall-clock bounds, which a loaded machine breaks: they catch a
 * timer that drifts or bursts, not a loaded machine.
 */
#include <stdint.h>
#include <stdlib.h>

#include "runtime.h"
#include "child.h"
#include "tap.h"

/* The heap against a reference: random inserts, removals and pops. */

#define NDL 300

static struct mr__deadline dls[NDL];
static uint64_t ref_order[NDL];		/* when each went in, by our count */

static void
no_expire(struct mr__deadline *dl)
{
	(void)dl;
}

static bool
heap_valid(const struct heap *h)
{
	size_t i;

	for (i = 0; i < h->n; i++) {
		if (h->v[i]->slot != i)
			return false;
		if (i > 0 && (h->v[(i - 1) / 2]->when > h->v[i]->when ||
			      (h->v[(i - 1) / 2]->when == h->v[i]->when &&
			       h->v[(i - 1) / 2]->seq > h->v[i]->seq)))
			return false;
	}
	return true;
}

/* The deadline that should come out first: earliest, then oldest. */
static struct mr__deadline *
ref_min(void)
{
	struct mr__deadline *best = NULL;
	int i;

	for (i = 0; i < NDL; i++) {
		if (dls[i].slot == SIZE_MAX)
			continue;
		if (best == NULL || dls[i].when < best->when ||
		    (dls[i].when == best->when &&
		     ref_order[i] < ref_order[best - dls]))
			best = &dls[i];
	}
	return best;
}

static void
test_heap(void)
{
	struct heap h = { 0 };
	struct mr__deadline *dl;
	uint64_t order = 0;
	int i, op, bad_order = 0, bad_shape = 0, pops = 0;

	srand(42);
	for (i = 0; i < NDL; i++) {
		dls[i].slot = SIZE_MAX;
		dls[i].expire = no_expire;
	}
	for (op = 0; op < 20000; op++) {
		i = rand() % NDL;
		switch (rand() % 3) {
		case 0:
			if (dls[i].slot != SIZE_MAX)
				break;
			dls[i].when = rand() % 50;	/* many ties */
			ref_order[i] = order++;
			heap_insert(&h, &dls[i]);
			break;
		case 1:
			if (dls[i].slot != SIZE_MAX)
				heap_remove(&h, &dls[i]);
			break;
		case 2:
			if ((dl = heap_min(&h)) != ref_min())
				bad_order++;
			if (dl != NULL) {
				heap_remove(&h, dl);
				pops++;
			}
			break;
		}
		if (!heap_valid(&h))
			bad_shape++;
	}
	is_int(bad_order, 0, "20000 random operations: the minimum is always "
	       "the earliest deadline, ties in insertion order");
	is_int(bad_shape, 0, "... the heap property and every slot hold");
	ok(pops > 1000, "... over %d pops", pops);
	while ((dl = heap_min(&h)) != NULL)
		heap_remove(&h, dl);
	for (i = 0; i < NDL && dls[i].slot == SIZE_MAX; i++)
		;
	is_int(i, NDL, "removed deadlines are marked as out of the heap");
	free(h.v);
}

/* Timers. */

static struct mr_timer timer;
static int fired, stop_at;
static mr_time_t start, times[8], whens[8];
static const char *handler_name;

static void
count(void *arg)
{
	(void)arg;
	if (fired < 8) {
		times[fired] = mr_now() - start;
		whens[fired] = timer.dl.when;	/* the next deadline, rearmed */
	}
	fired++;
	handler_name = mr_thread_name(mr_thread_self());
	if (fired == stop_at)
		mr_timer_stop(&timer);
}

static void
reset(int stop)
{
	fired = 0;
	stop_at = stop;
	start = mr_now();
}

static void
test_one_shot(void)
{
	mr_timer_init(&timer, "tick", count, NULL);
	ok(!mr_timer_active(&timer), "a timer starts inactive");
	reset(0);
	mr_timer_start(&timer, MR_MSEC(10), 0);
	ok(mr_timer_active(&timer), "mr_timer_start arms it");
	sched_run();
	is_int(fired, 1, "a one-shot timer fires once");
	ok(times[0] >= MR_MSEC(10), "... not before its delay");
	is_str(handler_name, "tick", "its handler runs in a thread named "
	       "after the timer");
	ok(!mr_timer_active(&timer), "... and it is inactive after");

	reset(0);
	mr_timer_start(&timer, MR_SEC(10), 0);
	mr_timer_start(&timer, MR_MSEC(5), 0);
	sched_run();
	ok(fired == 1 && mr_now() - start < MR_SEC(5),
	   "restarting an armed timer moves its deadline");

	reset(0);
	mr_timer_start(&timer, MR_MSEC(5), 0);
	mr_timer_stop(&timer);
	sched_run();
	ok(fired == 0 && !mr_timer_active(&timer),
	   "a stopped timer does not fire");
}

/*
 * A periodic timer keeps its phase: every deadline is the first one plus
 * a whole number of periods, however late the handlers ran. This holds on
 * a loaded machine too, where wall-clock bounds would not.
 */
static bool
on_schedule(int n, mr_time_t period)
{
	int i;

	for (i = 1; i < n; i++) {
		mr_time_t d = whens[i] - whens[i - 1];

		if (d <= 0 || d % period != 0)
			return false;
	}
	return true;
}

static void
test_periodic(void)
{
	mr_timer_init(&timer, "tick", count, NULL);
	reset(5);
	mr_timer_start(&timer, MR_MSEC(20), MR_MSEC(20));
	sched_run();
	is_int(fired, 5, "a periodic timer fires until its handler stops it");
	ok(times[4] >= MR_MSEC(100), "5 periods of 20 ms take at least 100 ms "
	   "(%lld us)", (long long)(times[4] / 1000));
	ok(on_schedule(5, MR_MSEC(20)), "its deadlines are whole periods apart");
}

/* A handler that blocks for longer than the period does not delay it. */
static void
slow(void *arg)
{
	count(arg);
	mr_sleep(MR_MSEC(30));
}

static void
test_no_drift(void)
{
	mr_timer_init(&timer, "slow", slow, NULL);
	reset(5);
	mr_timer_start(&timer, MR_MSEC(20), MR_MSEC(20));
	sched_run();
	is_int(fired, 5, "handlers that sleep through the next expiry");
	ok(on_schedule(5, MR_MSEC(20)),
	   "... do not make the timer drift: deadlines stay whole periods "
	   "apart (last handler at %lld us)", (long long)(times[4] / 1000));
}

/* A thread that keeps the CPU for 55 ms makes the timer miss 5 periods. */
static void
hog(void *arg)
{
	(void)arg;
	while (mr_now() - start < MR_MSEC(55))
		;
}

static void
test_skip(void)
{
	mr_timer_init(&timer, "tick", count, NULL);
	reset(2);
	mr_timer_start(&timer, MR_MSEC(10), MR_MSEC(10));
	mr_thread_spawn("hog", hog, NULL);
	sched_run();
	is_int(fired, 2, "a timer that fell behind");
	ok(times[0] >= MR_MSEC(55), "... fires once when the loop is back");
	ok(times[1] >= MR_MSEC(60), "... then on its schedule again, the "
	   "missed expiries skipped rather than run in a burst (%lld us)",
	   (long long)(times[1] / 1000));
	/* 20, 30, 40 and 50 ms at least; more if this machine was late too. */
	ok(mr_timer_skipped(&timer) >= 4, "... and counted as skipped (%llu)",
	   (unsigned long long)mr_timer_skipped(&timer));
	ok(times[1] >= MR_MSEC(10) * (int64_t)(mr_timer_skipped(&timer) + 2),
	   "... every period fired or skipped: the second run is on the "
	   "deadline after the skipped ones");
}

/* Handler threads cannot be spawned while every thread slot is taken. */
static struct mr_event release = MR_EVENT_INIT(release);

static void
hold_slot(void *arg)
{
	(void)arg;
	mr_event_wait(&release, MR_FOREVER);
}

static void
releaser(void *arg)
{
	(void)arg;
	mr_sleep(MR_MSEC(35));
	mr_event_signal(&release);
}

static void
starved(void *arg)
{
	int i;

	(void)arg;
	mr_timer_init(&timer, "full", count, NULL);
	reset(1);
	mr_timer_start(&timer, MR_MSEC(10), MR_MSEC(10));
	mr_thread_spawn("releaser", releaser, NULL);
	for (i = 1; i < MR_CFG_RUNTIME_MAX_THREADS; i++)
		mr_thread_spawn("hold", hold_slot, NULL);
	sched_run();
	printf("fired=%d first=%lld skipped=%llu\n", fired, (long long)times[0],
	       (unsigned long long)mr_timer_skipped(&timer));
}

static void
test_no_thread(void)
{
	struct child c;
	int n = -1;
	long long first = 0;
	unsigned long long skipped = 0;

	child_run(&c, starved, NULL);
	ok(strstr(c.err, " warn -: timer full: no thread left for its "
		  "handler, expiry skipped\n") != NULL,
	   "with no thread left, an expiry is skipped with a warning");
	sscanf(c.out, "fired=%d first=%lld skipped=%llu", &n, &first, &skipped);
	ok(n == 1 && first >= MR_MSEC(35),
	   "... and the timer is kept: it fires once threads are back");
	ok(skipped >= 1, "... and the expiry that found no thread is counted "
	   "as skipped (%llu)", skipped);
}

int
main(void)
{
	test_heap();
	test_one_shot();
	test_periodic();
	test_no_drift();
	test_skip();
	test_no_thread();
	return done_testing();
}
