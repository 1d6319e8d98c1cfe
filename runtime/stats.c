/*
 * stats.c: the registry of counter sources, and the runtime's own.
 *
 * heap_used is what the C library's malloc has handed out and not had
 * back (mallinfo: glibc's on Unix, newlib's on Xen), small blocks and
 * mapped ones alike; it is the figure that must not creep. Under
 * AddressSanitizer, whose allocator replaces malloc's, it asks that one.
 */
#include <malloc.h>
#ifdef __SANITIZE_ADDRESS__
/* Of the sanitizers' allocator interface (GCC ships no header for it). */
size_t __sanitizer_get_current_allocated_bytes(void);
#endif

#include "runtime.h"

static struct mr_stats_source *first, **last = &first;

void
mr_stats_register(struct mr_stats_source *source)
{
	struct mr_stats_source *s;

	for (s = first; s != NULL; s = s->next)
		if (s == source)
			mr_panic("a stats source registered twice");
	source->next = NULL;
	*last = source;
	last = &source->next;
}

static uint64_t
heap_used(void)
{
#if defined(__SANITIZE_ADDRESS__)
	return __sanitizer_get_current_allocated_bytes();
#elif defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 33)
	struct mallinfo2 mi = mallinfo2();
#else
	struct mallinfo mi = mallinfo();
#endif
#ifndef __SANITIZE_ADDRESS__
	return (uint64_t)mi.uordblks + (uint64_t)mi.hblkhd;
#endif
}

void
mr_stats_each(mr_stats_put put, void *ctx)
{
	struct mr_stats_source *s;

	put(ctx, "uptime_ms", mr_now() / 1000000);
	put(ctx, "threads", sched.nthreads);
	put(ctx, "threads_peak", sched.nthreads_peak);
	put(ctx, "stacks_cached", sched.ncached);
	put(ctx, "deadlines", sched.deadlines.n);
	put(ctx, "heap_used", heap_used());
	for (s = first; s != NULL; s = s->next)
		s->report(put, ctx);
}
