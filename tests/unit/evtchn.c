/*
 * evtchn.c: the Xen backend's event channels and idle block
 * (backends/xen/evtchn.c), on the host, against a model of Xen's side of
 * the 2-level ABI: EVTCHNOP_send sets a port pending as
 * xen/common/event_2l.c does (pending bit, then the selector and the
 * upcall flag only when they were clear, then the vCPUs polling), and
 * SCHEDOP_poll blocks as xen/common/sched/core.c's do_poll does (blocked
 * first, then a look at the ports' pending bits).
 *
 * An event can thus be delivered at exactly the moments a real one may
 * arrive: as the vCPU enters the poll, after the guest's last look; while
 * a handler runs; while the port is masked. When the model's vCPU would
 * sleep with nothing left to wake it (no timer armed, no event to come),
 * the test says so instead of hanging: that is the lost wakeup.
 *
 * backends/xen/evtchn.c is compiled into this file, with the backend's
 * hypercalls and clock replaced by the model's, and its mr_plat_block
 * renamed so that the Unix backend's stays the runtime's.
 */
/* includes: backends/xen backends/xen/include */
/* Xen's interface as the guest is built for (backends/xen/manifest.lua). */
#define __XEN_INTERFACE_VERSION__	0x00040e00

#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>

#include <xen/xen.h>
#include <xen/event_channel.h>
#include <xen/hvm/hvm_op.h>
#include <xen/sched.h>

/* The hypercalls, from the model below instead of hypercall.h. */
#define MIRARI_XEN_HYPERCALL_H
static long hyp_event_channel_op(int cmd, void *arg);
static long hyp_sched_op(int cmd, void *arg);
static long hyp_hvm_op(int cmd, void *arg);
static long hyp_memory_op(int cmd, void *arg);

#define mr_plat_block	xen_plat_block
#include "../../backends/xen/evtchn.c"

#include "tap.h"

/* Xen ---------------------------------------------------------------- */

static int64_t now;			/* the model's clock, ns */
static int64_t timer_at = -1;		/* the one-shot timer, or -1 */
static evtchn_port_t timer_port;	/* VIRQ_TIMER's port */
static bool vcpu_polling;
static unsigned int sleeps;
static uint64_t last_polled;		/* the ports of the last poll, as bits */
static jmp_buf stuck;			/* where a vCPU that never wakes goes */

/* Called as the vCPU enters SCHEDOP_poll, before Xen looks at anything. */
static void (*on_poll)(void);

static bool
test_and_set(xen_ulong_t *word, xen_ulong_t bit)
{
	return (__atomic_fetch_or(word, bit, __ATOMIC_SEQ_CST) & bit) != 0;
}

/* evtchn_2l_set_pending, then evtchn_check_pollers. */
static void
xen_set_pending(evtchn_port_t port)
{
	struct vcpu_info *v = &shared_info->vcpu_info[0];
	unsigned int w = port / 64;
	xen_ulong_t bit = 1UL << (port % 64);

	if (test_and_set(&shared_info->evtchn_pending[w], bit))
		return;
	if ((shared_info->evtchn_mask[w] & bit) == 0 &&
	    !test_and_set(&v->evtchn_pending_sel, 1UL << w))
		v->evtchn_upcall_pending = 1;	/* and a kick, unused here */
	vcpu_polling = false;			/* a poller wakes */
}

static bool
xen_is_pending(evtchn_port_t port)
{
	return (shared_info->evtchn_pending[port / 64] &
		(1UL << (port % 64))) != 0;
}

/*
 * do_poll: blocked first, then the ports looked at. Blocked, the vCPU
 * sleeps until an event wakes it; the only one left to come is the timer,
 * so time jumps to it. Without one, nothing will ever wake the vCPU.
 */
static long
xen_poll(const struct sched_poll *p)
{
	unsigned int i;

	vcpu_polling = true;
	if (on_poll != NULL)
		on_poll();
	last_polled = 0;
	for (i = 0; i < p->nr_ports; i++)
		last_polled |= UINT64_C(1) << p->ports.p[i];
	for (i = 0; i < p->nr_ports; i++)
		if (xen_is_pending(p->ports.p[i])) {
			vcpu_polling = false;
			return 0;
		}
	if (!vcpu_polling)
		return 0;
	sleeps++;
	if (timer_at < 0)
		longjmp(stuck, 1);
	now = timer_at > now ? timer_at : now;
	timer_at = -1;
	xen_set_pending(timer_port);
	return 0;
}

static evtchn_port_t next_port = 1;

static long
hyp_event_channel_op(int cmd, void *arg)
{
	switch (cmd) {
	case EVTCHNOP_send:
		xen_set_pending(((struct evtchn_send *)arg)->port);
		return 0;
	case EVTCHNOP_alloc_unbound:
		((struct evtchn_alloc_unbound *)arg)->port = next_port++;
		return 0;
	case EVTCHNOP_close:
		return 0;
	}
	return -1;
}

static long
hyp_sched_op(int cmd, void *arg)
{
	return cmd == SCHEDOP_poll ? xen_poll(arg) : -1;
}

static long
hyp_hvm_op(int cmd, void *arg)
{
	(void)cmd;
	(void)arg;
	return 0;
}

/* XENMEM_add_to_physmap of the shared info page: it is ours already. */
static long
hyp_memory_op(int cmd, void *arg)
{
	(void)cmd;
	(void)arg;
	return 0;
}

/* What evtchn.c takes from time.c and traps.c. */
int64_t
time_monotonic(void)
{
	return now;
}

void
time_set_deadline(int64_t deadline)
{
	timer_at = deadline == MR_FOREVER ? -1 : deadline;
}

void
traps_set_upcall_flag(uint8_t *flag)
{
	(void)flag;
}

/* The guest ------------------------------------------------------------ */

static unsigned int handled[8];		/* per test port */
static evtchn_port_t ports[8];

static void
count(evtchn_port_t port, void *arg)
{
	(void)port;
	handled[(uintptr_t)arg]++;
}

/* Block as the scheduler does; false if the vCPU would never wake. */
static bool
block(int64_t deadline)
{
	if (setjmp(stuck) != 0) {
		on_poll = NULL;
		return false;
	}
	evtchn_block(deadline);
	on_poll = NULL;
	return true;
}

/* An event from the other end, at the worst moment: as the vCPU polls. */
static void
send_port1(void)
{
	on_poll = NULL;
	xen_set_pending(ports[1]);
}

/* A handler during which the other end sends again, on the same port. */
static void
again(evtchn_port_t port, void *arg)
{
	static bool sent;

	(void)arg;
	handled[2]++;
	if (!sent) {
		sent = true;
		xen_set_pending(port);
	}
}

int
main(void)
{
	uintptr_t i;

	evtchn_init();
	timer_port = next_port++;
	evtchn_bind(timer_port, count, (void *)0);
	for (i = 1; i < 4; i++) {
		ports[i] = next_port++;
		evtchn_bind(ports[i], i == 2 ? again : count, (void *)i);
	}

	/* Nothing pending and no deadline: the model's vCPU never wakes. */
	ok(!block(MR_FOREVER), "with nothing to come, the model reports a "
	   "vCPU that would sleep for good (the test can see a lost wakeup)");

	/* The race: an event lands after the last look, as the vCPU blocks. */
	sleeps = 0;
	on_poll = send_port1;
	ok(block(MR_FOREVER), "an event that arrives as the guest blocks "
	   "wakes it");
	is_int(handled[1], 1, "and its handler ran");
	is_int(sleeps, 0, "without sleeping: Xen saw the port pending");

	/* With a deadline too, and again: each time, not only the first. */
	for (i = 0; i < 3; i++) {
		on_poll = send_port1;
		if (!block(now + MR_SEC(1)))
			break;
	}
	is_int(handled[1], 4, "three more such events, three more runs");

	/* Sent while its own handler runs: handled on the next look. */
	xen_set_pending(ports[2]);
	ok(block(MR_FOREVER), "an event during its handler is not lost");
	ok(block(MR_FOREVER), "nor the one its handler saw arrive");
	is_int(handled[2], 2, "the handler ran for both");

	/*
	 * Pending while masked: Xen sets no selector bit and raises no
	 * upcall. Unmasked, it must still be found.
	 */
	shared_info->evtchn_mask[0] |= 1UL << ports[3];
	xen_set_pending(ports[3]);
	ok(shared_info->vcpu_info[0].evtchn_pending_sel == 0,
	   "an event on a masked port announces nothing");
	evtchn_unmask(ports[3]);
	ok(block(MR_FOREVER), "unmasked, its event wakes the guest");
	is_int(handled[3], 1, "and is handled");

	/* The deadline alone ends a block, through the timer's port. */
	sleeps = 0;
	ok(block(now + MR_MSEC(5)), "a deadline ends the block");
	is_int(sleeps, 1, "after one sleep, until the timer");
	is_int(handled[0], 1, "the timer's port was among those polled");

	/* An unbound port is polled no more; the others still are. */
	evtchn_unbind(ports[1]);
	ok(block(now + MR_MSEC(5)), "a block after a port is unbound");
	ok(last_polled == ((UINT64_C(1) << timer_port) |
			   (UINT64_C(1) << ports[2]) | (UINT64_C(1) << ports[3])),
	   "it polls the timer's port and the two bound ports left");
	xen_set_pending(ports[1]);
	ok(block(now + MR_MSEC(5)), "an event on the unbound port");
	is_int(handled[1], 4, "runs no handler (it is masked, with a warning)");
	return done_testing();
}
