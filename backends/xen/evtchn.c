/*
 * evtchn.c: event channels (2-level ABI) and the idle block.
 *
 * Xen delivers an event by setting the port's bit in the shared info
 * page's evtchn_pending (for an unmasked port, also its word's bit in the
 * vCPU's selector, and the vCPU's upcall flag). This guest takes no
 * interrupt for it: interrupts stay disabled everywhere, evtchn_poll()
 * reads the pending bits in ordinary code and runs each port's handler,
 * and when nothing is runnable evtchn_block() waits in SCHEDOP_poll on
 * the ports that have handlers. Xen marks the vCPU blocked first and looks
 * at those ports' pending bits after, and an event sets its pending bit
 * before Xen looks for a vCPU polling to wake, so an event that comes at
 * any moment after our last look is either seen by that check or wakes
 * us. The wait is on a level (a pending bit), not on an edge that can come
 * and go unseen, so no wakeup can be lost, whatever the timing.
 *
 * Why not "sti; hlt" and an upcall vector, which this file used first:
 * the upcall's handler must clear the upcall flag, and Xen raises the
 * upcall again only when an event sets a selector bit that was clear. An
 * upcall taken just before the hlt (QEMU's emulated SVM does not always
 * honour the sti shadow) left the vCPU halted with its flag clear and its
 * selector bits still set: no later event, the timer's included, could
 * wake it, and the guest sat in its idle loop for good.
 *
 * The callback vector is still registered, though never taken: Xen's
 * toolstack reads it (HVM_PARAM_CALLBACK_IRQ) to tell a guest with PV
 * drivers from one without.
 */
#include <stdint.h>	/* before Xen's headers, which use it */
#include <string.h>

#include <xen/event_channel.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>
#include <xen/memory.h>
#include <xen/sched.h>

#include "backend.h"
#include "hypercall.h"

#define MAX_PORTS	1024	/* ports this guest will ever bind */
#define MAX_POLLED	128	/* SCHEDOP_poll takes at most 128 ports */

struct shared_info *shared_info;
static char shared_info_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

static struct {
	evtchn_handler fn;
	void *arg;
} handlers[MAX_PORTS];

/* The ports with a handler: what the idle block waits on. */
static evtchn_port_t polled[MAX_POLLED];
static unsigned int npolled;

/* Runtime handles made ready by events since mr_plat_block last returned. */
static uint64_t ready_handles;

static void
die(const char *what, long rc)
{
	mr_panic("%s failed: Xen error %ld", what, rc);
}

uint64_t
hvm_param(uint32_t index)
{
	struct xen_hvm_param p = { .domid = DOMID_SELF, .index = index };

	if (hyp_hvm_op(HVMOP_get_param, &p) != 0)
		return 0;
	return p.value;
}

void
evtchn_init(void)
{
	struct xen_add_to_physmap xatp = {
		.domid = DOMID_SELF,
		.space = XENMAPSPACE_shared_info,
		.idx = 0,
		.gpfn = (uintptr_t)shared_info_page >> PAGE_SHIFT,
	};
	struct xen_hvm_param cb = {
		.domid = DOMID_SELF,
		.index = HVM_PARAM_CALLBACK_IRQ,
		.value = ((uint64_t)HVM_PARAM_CALLBACK_TYPE_VECTOR << 56) |
		    UPCALL_VECTOR,
	};
	long rc;

	if ((rc = hyp_memory_op(XENMEM_add_to_physmap, &xatp)) != 0)
		die("mapping the shared info page", rc);
	shared_info = (struct shared_info *)shared_info_page;
	traps_set_upcall_flag(&shared_info->vcpu_info[0].evtchn_upcall_pending);
	if ((rc = hyp_hvm_op(HVMOP_set_param, &cb)) != 0)
		die("setting the callback vector", rc);
}

void
evtchn_bind(evtchn_port_t port, evtchn_handler fn, void *arg)
{
	if (port >= MAX_PORTS)
		mr_panic("event channel port %u is beyond %u", port, MAX_PORTS);
	if (handlers[port].fn == NULL) {
		if (npolled == MAX_POLLED)
			mr_panic("more than %u event channels", MAX_POLLED);
		polled[npolled++] = port;
	}
	handlers[port].fn = fn;
	handlers[port].arg = arg;
	evtchn_unmask(port);
}

unsigned int
evtchn_bound(void)
{
	return npolled;
}

void
evtchn_unbind(evtchn_port_t port)
{
	unsigned int i;

	if (port >= MAX_PORTS || handlers[port].fn == NULL)
		return;
	handlers[port].fn = NULL;
	for (i = 0; i < npolled; i++)
		if (polled[i] == port) {
			polled[i] = polled[--npolled];
			break;
		}
}

/*
 * An event that arrived while the port was masked is pending but was not
 * announced in the selector. evtchn_poll() reads the pending bits, not the
 * selector, so it finds it anyway; announcing it keeps the shared page as
 * EVTCHNOP_unmask would leave it, without the hypercall.
 */
void
evtchn_unmask(evtchn_port_t port)
{
	unsigned int w = port / 64;
	xen_ulong_t bit = 1UL << (port % 64);

	__atomic_fetch_and(&shared_info->evtchn_mask[w], ~bit,
			   __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&shared_info->evtchn_pending[w], __ATOMIC_SEQ_CST) &
	    bit)
		__atomic_fetch_or(&shared_info->vcpu_info[0].evtchn_pending_sel,
				  1UL << w, __ATOMIC_SEQ_CST);
}

void
evtchn_notify(evtchn_port_t port)
{
	struct evtchn_send send = { .port = port };

	hyp_event_channel_op(EVTCHNOP_send, &send);
}

/*
 * Dispatch every pending, unmasked port; true if there was one. A port
 * with no handler is reported and masked, so that it cannot keep the
 * guest busy.
 *
 * The upcall flag and the selector only say where to look, and only for
 * events whose bits went from clear to set; the pending bits are what
 * counts, so every word of them is read each time (16 words): an event is
 * handled if and only if its bit is set, which is also what SCHEDOP_poll
 * waits for. The flag and the selector are cleared first, so that Xen
 * keeps announcing new events as it expects.
 */
bool
evtchn_poll(void)
{
	struct vcpu_info *v = &shared_info->vcpu_info[0];
	xen_ulong_t pending;
	unsigned int w, b;
	evtchn_port_t port;
	bool any = false;

	__atomic_store_n(&v->evtchn_upcall_pending, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&v->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
	for (w = 0; w < MAX_PORTS / 64; w++) {
		pending = __atomic_load_n(&shared_info->evtchn_pending[w],
					  __ATOMIC_SEQ_CST) &
		    ~__atomic_load_n(&shared_info->evtchn_mask[w],
				     __ATOMIC_SEQ_CST);
		while (pending != 0) {
			b = (unsigned int)__builtin_ctzl(pending);
			pending &= pending - 1;
			port = w * 64 + b;
			/*
			 * Cleared before its handler runs: an event that
			 * comes while it runs sets the bit again, to be
			 * handled on the next poll.
			 */
			__atomic_fetch_and(&shared_info->evtchn_pending[w],
					   ~(1UL << b), __ATOMIC_SEQ_CST);
			any = true;
			if (handlers[port].fn != NULL) {
				handlers[port].fn(port, handlers[port].arg);
			} else {
				mr_warn("event on port %u, which has no handler: "
					"masking it", port);
				__atomic_fetch_or(&shared_info->evtchn_mask[w],
						  1UL << b, __ATOMIC_SEQ_CST);
			}
		}
	}
	return any;
}

/*
 * Block until an event has been dispatched or (deadline) has passed. The
 * timer's port is among those polled, so the deadline ends the poll too;
 * a poll that returns with nothing to dispatch (a spurious wakeup, the
 * timer of an earlier deadline) just polls again.
 */
void
evtchn_block(int64_t deadline)
{
	struct sched_poll poll = { .timeout = 0 };
	long rc;

	/* A poll: nothing to wait for, so no timer to set. */
	if (deadline <= time_monotonic()) {
		evtchn_poll();
		return;
	}
	time_set_deadline(deadline);
	set_xen_guest_handle(poll.ports, polled);
	while (!evtchn_poll() && time_monotonic() < deadline) {
		poll.nr_ports = npolled;
		if ((rc = hyp_sched_op(SCHEDOP_poll, &poll)) != 0)
			mr_panic("SCHEDOP_poll on %u ports failed: Xen error %ld",
				 npolled, rc);
	}
}

void
mr_plat_block(mr_time_t deadline, uint64_t *ready)
{
	evtchn_block(deadline);
	*ready = ready_handles;
	ready_handles = 0;
}

/* An event on a port opened with mr_evtchn_open makes its handle ready. */
static void
source_ready(evtchn_port_t port, void *arg)
{
	(void)port;
	ready_handles |= UINT64_C(1) << (uintptr_t)arg;
}

mr_result_t
mr_evtchn_open(uint32_t port, int *handle)
{
	int h = mr_source_open();

	if (h < 0)
		return MR_ENOMEM;
	if (port >= MAX_PORTS || handlers[port].fn != NULL) {
		mr_source_close(h);
		return MR_EINVAL;
	}
	evtchn_bind(port, source_ready, (void *)(uintptr_t)h);
	*handle = h;
	return MR_OK;
}

void
mr_evtchn_close(uint32_t port, int handle)
{
	struct evtchn_close close = { .port = port };

	evtchn_unbind(port);
	__atomic_fetch_or(&shared_info->evtchn_mask[port / 64],
			  1UL << (port % 64), __ATOMIC_SEQ_CST);
	hyp_event_channel_op(EVTCHNOP_close, &close);
	ready_handles &= ~(UINT64_C(1) << handle);
	mr_source_close(handle);
}

mr_result_t
mr_evtchn_alloc_unbound(uint16_t remote, uint32_t *port)
{
	struct evtchn_alloc_unbound op = { .dom = DOMID_SELF,
					   .remote_dom = remote };

	if (hyp_event_channel_op(EVTCHNOP_alloc_unbound, &op) != 0)
		return MR_EUNSPEC;
	*port = op.port;
	return MR_OK;
}

void
mr_evtchn_notify(uint32_t port)
{
	evtchn_notify(port);
}
