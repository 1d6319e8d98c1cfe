/*
 * time.c: time from Xen's pvclock, and the one-shot timer.
 *
 * Xen publishes, per vCPU, a system time (ns since the host booted) at a
 * TSC stamp and the factor that scales TSC ticks to ns; a reader combines
 * them with the current TSC. The record is versioned like a seqlock: an odd
 * or changed version means Xen was updating it, so read again. Monotonic
 * time counts from the guest's boot; the wall clock adds Xen's record of
 * the time at which system time was 0.
 */
#include <stdint.h>	/* before Xen's headers, which use it */
#include <xen/event_channel.h>

#include "backend.h"
#include "hypercall.h"

static uint64_t boot_system_time;

static inline uint64_t
rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static uint64_t
system_time(void)
{
	volatile struct vcpu_time_info *t = &shared_info->vcpu_info[0].time;
	uint32_t version;
	uint64_t delta, ns;

	do {
		version = t->version;
		rmb();
		delta = rdtsc() - t->tsc_timestamp;
		if (t->tsc_shift >= 0)
			delta <<= t->tsc_shift;
		else
			delta >>= -t->tsc_shift;
		ns = t->system_time +
		    (uint64_t)(((unsigned __int128)delta * t->tsc_to_system_mul) >> 32);
		rmb();
	} while ((version & 1) != 0 || version != t->version);
	return ns;
}

/* The timer's event needs no handler: waking the idle block is its job. */
static void
timer_event(evtchn_port_t port, void *arg)
{
	(void)port;
	(void)arg;
}

void
time_init(void)
{
	struct evtchn_bind_virq bind = { .virq = VIRQ_TIMER, .vcpu = 0 };
	long rc;

	boot_system_time = system_time();
	if ((rc = hyp_event_channel_op(EVTCHNOP_bind_virq, &bind)) != 0)
		mr_panic("binding the timer VIRQ failed: Xen error %ld", rc);
	evtchn_bind(bind.port, timer_event, NULL);
}

/*
 * Xen refreshes its record from time to time, and the new record can
 * start a little below what the old one extrapolated to: the last value
 * returned is a floor, so time never goes back (one vCPU: no atomics).
 * Before the shared info page is mapped there is no clock yet: 0.
 */
int64_t
time_monotonic(void)
{
	static uint64_t last;
	uint64_t now;

	if (shared_info == NULL)
		return 0;
	now = system_time();
	if (now < last)
		now = last;
	last = now;
	return (int64_t)(now - boot_system_time);
}

int64_t
time_wall(void)
{
	volatile struct shared_info *s = shared_info;
	uint32_t version;
	uint64_t sec, nsec;

	do {
		version = s->wc_version;
		rmb();
		sec = ((uint64_t)s->wc_sec_hi << 32) | s->wc_sec;
		nsec = s->wc_nsec;
		rmb();
	} while ((version & 1) != 0 || version != s->wc_version);
	return (int64_t)(sec * 1000000000ULL + nsec + system_time());
}

/*
 * Xen fires a timer set more than 2^50 ns ahead after 100 ms instead, so
 * a far deadline is armed at most this far ahead: the idle block wakes up
 * once every 6.5 days, sees the deadline has not come, and blocks again.
 */
#define TIMER_REACH	(INT64_C(1) << 49)

/* Arm the one-shot timer for monotonic (deadline); MR_FOREVER disarms it. */
void
time_set_deadline(int64_t deadline)
{
	int64_t now = time_monotonic();

	if (deadline == MR_FOREVER) {
		hyp_set_timer_op(0);
		return;
	}
	if (deadline - now > TIMER_REACH)
		deadline = now + TIMER_REACH;
	hyp_set_timer_op(boot_system_time + (uint64_t)(deadline > 0 ? deadline : 1));
}

mr_time_t
mr_plat_clock_monotonic(void)
{
	return time_monotonic();
}

mr_time_t
mr_plat_clock_wall(void)
{
	return time_wall();
}
