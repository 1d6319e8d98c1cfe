/*
 * timer.c: timers, whose handlers run in threads of their own.
 */
#include "runtime.h"

/*
 * Called by the scheduler loop when the deadline passes. A periodic timer
 * is rearmed before its handler is even spawned, from its previous
 * deadline rather than from now, so handlers never add up to drift; if the
 * loop fell behind by whole periods, those expiries are skipped.
 */
static void
timer_expire(struct mr__deadline *dl)
{
	struct mr_timer *timer = container_of(dl, struct mr_timer, dl);
	mr_time_t now, next, missed;

	if (timer->period > 0) {
		now = mr_plat_clock_monotonic();
		next = time_add(dl->when, timer->period);
		if (next <= now) {
			missed = (now - next) / timer->period + 1;
			next = time_add(next, missed * timer->period);
			timer->skipped += (uint64_t)missed;
		}
		dl->when = next;
		heap_insert(&sched.deadlines, dl);
	}
	if (mr_thread_spawn(timer->name, timer->fn, timer->arg) == NULL) {
		timer->skipped++;
		mr_warn("timer %s: no thread left for its handler, expiry "
			"skipped", timer->name);
	}
}

void
mr_timer_init(struct mr_timer *timer, const char *name, mr_thread_fn fn,
	      void *arg)
{
	timer->dl.slot = SIZE_MAX;
	timer->dl.expire = timer_expire;
	timer->period = 0;
	timer->skipped = 0;
	timer->name = name;
	timer->fn = fn;
	timer->arg = arg;
}

void
mr_timer_start(struct mr_timer *timer, mr_time_t delay, mr_time_t period)
{
	mr_timer_stop(timer);
	timer->dl.when = time_add(mr_plat_clock_monotonic(), delay);
	timer->period = period > 0 ? period : 0;
	heap_insert(&sched.deadlines, &timer->dl);
}

void
mr_timer_stop(struct mr_timer *timer)
{
	if (timer->dl.slot != SIZE_MAX)
		heap_remove(&sched.deadlines, &timer->dl);
}

bool
mr_timer_active(const struct mr_timer *timer)
{
	return timer->dl.slot != SIZE_MAX;
}

uint64_t
mr_timer_skipped(const struct mr_timer *timer)
{
	return timer->skipped;
}
