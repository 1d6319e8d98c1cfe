/*
 * evtchn.c: event channels (2-level ABI), the upcall, and the idle block.
 *
 * Xen delivers events by setting bits in the shared info page and, for a
 * PVH guest, by injecting the callback vector chosen here. The vector is
 * taken only inside evtchn_block(), the one place where interrupts are
 * enabled (traps_halt: sti; hlt), and its handler (traps.S) merely
 * clears the upcall flag: the events themselves are found and dispatched
 * by evtchn_poll() in ordinary code, so nothing else in the guest runs
 * concurrently with anything.
 */
#include <stdint.h>	/* before Xen's headers, which use it */
#include <string.h>

#include <xen/event_channel.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>
#include <xen/memory.h>

#include "backend.h"
#include "hypercall.h"

#define MAX_PORTS	1024	/* ports this guest will ever bind */

struct shared_info *shared_info;
static char shared_info_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

static struct {
	evtchn_handler fn;
	void *arg;
} handlers[MAX_PORTS];

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
	handlers[port].fn = fn;
	handlers[port].arg = arg;
	evtchn_unmask(port);
}

void
evtchn_unbind(evtchn_port_t port)
{
	if (port < MAX_PORTS)
		handlers[port].fn = NULL;
}

/*
 * An event that arrived while the port was masked is pending but was not
 * announced in the selector; announcing it here lets evtchn_poll() find it
 * (what EVTCHNOP_unmask would do, without the hypercall).
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
 */
bool
evtchn_poll(void)
{
	bool any = false;
	struct vcpu_info *v = &shared_info->vcpu_info[0];
	xen_ulong_t sel, pending;
	unsigned int w, b;
	evtchn_port_t port;

	v->evtchn_upcall_pending = 0;
	sel = __atomic_exchange_n(&v->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
	while (sel != 0) {
		w = (unsigned int)__builtin_ctzl(sel);
		sel &= sel - 1;
		pending = shared_info->evtchn_pending[w] &
		    ~shared_info->evtchn_mask[w];
		while (pending != 0) {
			b = (unsigned int)__builtin_ctzl(pending);
			pending &= pending - 1;
			port = w * 64 + b;
			__atomic_fetch_and(&shared_info->evtchn_pending[w],
					   ~(1UL << b), __ATOMIC_SEQ_CST);
			any = true;
			if (port < MAX_PORTS && handlers[port].fn != NULL) {
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
 * Block until an event has been dispatched or (deadline) has passed.
 * traps_halt() enables interrupts only for its hlt, so an event that
 * arrives after the last poll wakes the hlt instead of being missed.
 */
void
evtchn_block(int64_t deadline)
{
	struct vcpu_info *v = &shared_info->vcpu_info[0];

	/* A poll: nothing to wait for, so no timer to set. */
	if (deadline <= time_monotonic()) {
		evtchn_poll();
		return;
	}
	time_set_deadline(deadline);
	for (;;) {
		if (evtchn_poll() || time_monotonic() >= deadline)
			break;
		if (__atomic_load_n(&v->evtchn_pending_sel, __ATOMIC_SEQ_CST) == 0)
			traps_halt();
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
