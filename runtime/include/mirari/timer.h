/*
 * mirari/timer.h: timer handlers.
 *
 * A timer runs a handler when it expires, every time in a new short-lived
 * thread (see mirari/thread.h), so a handler may block without delaying the
 * timer's next expiry or any other handler. A periodic timer is rearmed from
 * its previous deadline, not from the time its handler ran, so it does not
 * drift; if the platform falls behind, missed expiries are skipped rather
 * than run in a burst.
 *
 * The caller owns the storage of a struct mr_timer; it must stay valid while
 * the timer is active.
 */
#ifndef MIRARI_TIMER_H
#define MIRARI_TIMER_H

#include <mirari/base.h>
#include <mirari/thread.h>

/* private: a deadline in the scheduler's heap. */
struct mr__deadline {
	mr_time_t when;
	size_t slot;			/* index in the heap, or SIZE_MAX */
	uint64_t seq;			/* insertion order, to break ties */
	void (*expire)(struct mr__deadline *dl);
};

struct mr_timer {
	/* private fields, set by mr_timer_init and mr_timer_start */
	struct mr__deadline dl;
	mr_time_t period;
	const char *name;
	mr_thread_fn fn;
	void *arg;
	uint64_t skipped;
};

/*
 * Prepare (timer) to run fn(arg) in a thread called (name) at each expiry.
 * (name) is not copied. The timer starts inactive.
 */
MR_API void mr_timer_init(struct mr_timer *timer, const char *name,
			  mr_thread_fn fn, void *arg);

/*
 * Arm (timer) to expire (delay) nanoseconds from now, then every (period)
 * nanoseconds after that if (period) > 0. Restarting an active timer moves
 * its deadline.
 */
MR_API void mr_timer_start(struct mr_timer *timer, mr_time_t delay,
			   mr_time_t period);

/* Disarm (timer). Handler threads already started run to their end. */
MR_API void mr_timer_stop(struct mr_timer *timer);

MR_API bool mr_timer_active(const struct mr_timer *timer);

/*
 * The expiries of (timer) skipped since mr_timer_init: periods that passed
 * while the platform had fallen behind, and expiries that found no thread
 * left for the handler. With the handler's own count, every period is
 * accounted for, however loaded the machine.
 */
MR_API uint64_t mr_timer_skipped(const struct mr_timer *timer);

#endif /* MIRARI_TIMER_H */
