/*
 * stats.c: the counter registry of mirari/stats.h. The runtime's counters
 * come first and follow what the scheduler and malloc hold; sources are
 * reported in the order they were registered; a source registered twice is
 * a panic.
 */
#include <stdlib.h>

#include "runtime.h"
#include "child.h"
#include "tap.h"

#define MAXC 32

struct report {
	const char *names[MAXC];
	uint64_t values[MAXC];
	int n;
};

static void
collect(void *ctx, const char *name, uint64_t value)
{
	struct report *r = ctx;

	if (r->n < MAXC) {
		r->names[r->n] = name;
		r->values[r->n] = value;
	}
	r->n++;
}

static uint64_t
value(const struct report *r, const char *name)
{
	for (int i = 0; i < r->n && i < MAXC; i++)
		if (strcmp(r->names[i], name) == 0)
			return r->values[i];
	return UINT64_MAX;
}

static void
report_a(mr_stats_put put, void *ctx)
{
	put(ctx, "a_level", 7);
}

static void
report_b(mr_stats_put put, void *ctx)
{
	put(ctx, "b_total", 8);
	put(ctx, "b_level", 9);
}

static struct mr_stats_source a = { .report = report_a };
static struct mr_stats_source b = { .report = report_b };

static struct report seen;

static void
look(void *arg)
{
	(void)arg;
	seen.n = 0;
	mr_stats_each(collect, &seen);
}

static void
idle(void *arg)
{
	(void)arg;
	mr_sleep(MR_MSEC(5));
}

static void
register_twice(void *arg)
{
	(void)arg;
	mr_stats_register(&a);
}

int
main(void)
{
	struct report r = { .n = 0 };
	struct child c;
	void *volatile held;	/* volatile: no malloc/free pair to elide */
	uint64_t heap0;

	mr_stats_each(collect, &r);
	is_int(r.n, 6, "the runtime reports six counters of its own");
	is_str(r.names[0], "uptime_ms", "uptime_ms first");
	is_int((long long)value(&r, "threads"), 0, "no thread alive outside the loop");
	heap0 = value(&r, "heap_used");

	held = malloc(1 << 20);
	r.n = 0;
	mr_stats_each(collect, &r);
	ok(value(&r, "heap_used") >= heap0 + (1 << 20),
	   "heap_used follows malloc (%llu -> %llu)", (unsigned long long)heap0,
	   (unsigned long long)value(&r, "heap_used"));
	free(held);
	r.n = 0;
	mr_stats_each(collect, &r);
	ok(value(&r, "heap_used") < heap0 + (1 << 20), "... and free");

	mr_thread_spawn("look", look, NULL);
	mr_thread_spawn("idle", idle, NULL);
	mr_thread_spawn("idle", idle, NULL);
	sched_run();
	is_int((long long)value(&seen, "threads"), 3, "threads counts those alive");
	is_int((long long)value(&seen, "deadlines"), 0, "no deadline before the sleeps began");
	r.n = 0;
	mr_stats_each(collect, &r);
	is_int((long long)value(&r, "threads"), 0, "threads comes back to 0 when they end");
	is_int((long long)value(&r, "threads_peak"), 3, "threads_peak keeps the most");
	ok(value(&r, "stacks_cached") >= 1, "their stacks are cached for reuse");

	mr_stats_register(&a);
	mr_stats_register(&b);
	r.n = 0;
	mr_stats_each(collect, &r);
	is_int(r.n, 9, "sources add their counters");
	ok(r.n == 9 && strcmp(r.names[6], "a_level") == 0 && strcmp(r.names[7], "b_total") == 0 &&
	   strcmp(r.names[8], "b_level") == 0 && r.values[8] == 9,
	   "after the runtime's, in the order they were registered");

	child_run(&c, register_twice, NULL);
	ok(child_aborted(&c) && strstr(c.err, "a stats source registered twice") != NULL,
	   "registering a source twice is a panic");
	return done_testing();
}
