/*
 * mirari/stats.h: counters a running image reports about itself.
 *
 * Each part of an image that holds a resource (the runtime its threads and
 * heap, a network stack its buffers, a Xen driver its grants) registers a
 * source that reports its counters by name; whoever wants them (the http
 * handler set's status route, a test, a soak) walks every source with
 * mr_stats_each. Nothing is kept: a report reads the live figures.
 *
 * Names are lower-case with '_'. A name ending in _total counts since boot
 * and _peak is a high-water mark; every other name is a level (in use now)
 * that must come back to where it was once a load has passed, so that a
 * leak shows as a level that only grows. Names are unique across sources:
 * a source's names start with its library's unless it is the runtime's.
 */
#ifndef MIRARI_STATS_H
#define MIRARI_STATS_H

#include <mirari/base.h>

/* Called once per counter of a report, with the context given to it. */
typedef void (*mr_stats_put)(void *ctx, const char *name, uint64_t value);

struct mr_stats_source {
	void (*report)(mr_stats_put put, void *ctx);
	struct mr_stats_source *next;	/* the runtime's */
};

/*
 * Add (source), owned by the caller and living as long as the image, to
 * every later report, after the sources already there. Registering one
 * twice is a bug (mr_panic).
 */
MR_API void mr_stats_register(struct mr_stats_source *source);

/*
 * Report every counter to put(ctx, name, value): the runtime's first
 * (uptime_ms, threads, threads_peak, stacks_cached, deadlines, heap_used),
 * then each source's in the order they were registered. It does not block.
 */
MR_API void mr_stats_each(mr_stats_put put, void *ctx);

#endif /* MIRARI_STATS_H */
