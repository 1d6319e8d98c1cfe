/*
 * event.c: events, and the event sources that let the platform signal them.
 */
#include "runtime.h"

void
mr_event_init(struct mr_event *ev)
{
	mr_link_init(&ev->waiters);
}

mr_result_t
mr_event_wait(struct mr_event *ev, mr_time_t deadline)
{
	struct mr_thread *t = sched_running("mr_event_wait");

	mr_link_append(&ev->waiters, &t->link);
	return sched_block(t, deadline);
}

/*
 * Waking removes a thread from the queue and it cannot wait again before
 * it runs, so the loop ends after the threads waiting now.
 */
void
mr_event_signal(struct mr_event *ev)
{
	while (!mr_link_empty(&ev->waiters))
		sched_wake(container_of(ev->waiters.next, struct mr_thread,
					link), MR_OK);
}

bool
mr_event_signal_one(struct mr_event *ev)
{
	if (mr_link_empty(&ev->waiters))
		return false;
	sched_wake(container_of(ev->waiters.next, struct mr_thread, link),
		   MR_OK);
	return true;
}

/* Handle h is open when bit h is set; sources[h] is its event. */
static uint64_t sources_open;
static struct mr_event sources[MR_PLAT_HANDLES];

int
mr_source_open(void)
{
	int h;

	for (h = 0; h < MR_PLAT_HANDLES; h++) {
		if ((sources_open & (UINT64_C(1) << h)) == 0) {
			sources_open |= UINT64_C(1) << h;
			mr_event_init(&sources[h]);
			return h;
		}
	}
	return -1;
}

/*
 * Threads still waiting on a closed source are woken, so that they find out
 * (typically from a read that fails) instead of waiting forever.
 */
void
mr_source_close(int h)
{
	if (h < 0 || h >= MR_PLAT_HANDLES ||
	    (sources_open & (UINT64_C(1) << h)) == 0)
		mr_panic("mr_source_close: handle %d is not open", h);
	mr_event_signal(&sources[h]);
	sources_open &= ~(UINT64_C(1) << h);
}

struct mr_event *
mr_source_event(int h)
{
	if (h < 0 || h >= MR_PLAT_HANDLES ||
	    (sources_open & (UINT64_C(1) << h)) == 0)
		mr_panic("mr_source_event: handle %d is not open", h);
	return &sources[h];
}

size_t
source_count(void)
{
	return (size_t)__builtin_popcountll(sources_open);
}

/* Signal the event of every open handle in (ready), a set from the platform. */
void
source_signal(uint64_t ready)
{
	int h;

	ready &= sources_open;
	while (ready != 0) {
		h = __builtin_ctzll(ready);
		ready &= ready - 1;
		mr_event_signal(&sources[h]);
	}
}
