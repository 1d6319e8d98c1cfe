/*
 * mirari/event.h: events that threads wait on.
 *
 * An event is a wait queue without memory, like a condition variable: a
 * signal wakes the threads waiting at that moment and is otherwise lost.
 * Because threads are cooperative, "test the condition, then wait" cannot
 * race with a signal, so the usual pattern is
 *
 *	while (!ready)
 *		if (mr_event_wait(&ev, deadline) == MR_ETIMEDOUT)
 *			return MR_ETIMEDOUT;
 *
 * The caller owns the storage of a struct mr_event; it must not be freed or
 * reinitialised while a thread waits on it.
 */
#ifndef MIRARI_EVENT_H
#define MIRARI_EVENT_H

#include <mirari/base.h>
#include <mirari/list.h>

struct mr_event {
	struct mr_link waiters;		/* private: blocked threads, FIFO */
};

#define MR_EVENT_INIT(ev) { MR_LINK_INIT((ev).waiters) }

MR_API void mr_event_init(struct mr_event *ev);

/*
 * Block the running thread until (ev) is signalled or mr_now() >= (deadline)
 * (MR_FOREVER: no deadline). Returns MR_OK when signalled and MR_ETIMEDOUT
 * when the deadline passed first.
 */
MR_API mr_result_t mr_event_wait(struct mr_event *ev, mr_time_t deadline);

/* Make every thread waiting on (ev) runnable, in the order they waited. */
MR_API void mr_event_signal(struct mr_event *ev);

/* Make the longest-waiting thread runnable, if any; true if one was woken. */
MR_API bool mr_event_signal_one(struct mr_event *ev);

#endif /* MIRARI_EVENT_H */
