/*
 * console.c: the console, a ring shared with xenconsoled (io/console.h).
 *
 * Output is copied into the ring and the backend is notified; when the ring
 * is full we wait for xenconsoled to drain it rather than drop output,
 * because the console is where crash reports go. Before the ring is set
 * up, and if it never is, bytes go to I/O port 0xe9, which Xen prints on
 * its own console with guest_loglvl=all.
 */
#include <stdint.h>	/* before Xen's headers, which use it */
#include <string.h>

#include <xen/io/console.h>
#include <xen/hvm/params.h>
#include <xen/sched.h>

#include "backend.h"
#include "hypercall.h"
#include "ring.h"

static struct xencons_interface *ring;
static evtchn_port_t port;

void
console_early_write(const char *buf, size_t len)
{
	while (len-- > 0)
		__asm__ volatile("outb %0, $0xe9" :: "a"(*buf++));
}

/*
 * xenconsoled signals when it has taken output; writers that wait for room
 * poll the ring, so there is nothing to do here but take the event.
 */
static void
drained(evtchn_port_t p, void *arg)
{
	(void)p;
	(void)arg;
}

void
console_init(void)
{
	uint64_t pfn = hvm_param(HVM_PARAM_CONSOLE_PFN);

	if (pfn == 0)
		return;
	mm_map_page(pfn << PAGE_SHIFT);
	ring = (struct xencons_interface *)(uintptr_t)(pfn << PAGE_SHIFT);
	port = (evtchn_port_t)hvm_param(HVM_PARAM_CONSOLE_EVTCHN);
}

/* Once event channels are up: take xenconsoled's events. */
void
console_bind(void)
{
	if (ring != NULL)
		evtchn_bind(port, drained, NULL);
}

/*
 * How long a writer waits for xenconsoled to make room before it drops
 * output: a console backend that is gone must not keep the guest, or its
 * shutdown, waiting for ever.
 */
#define CONSOLE_PATIENCE	MR_SEC(2)

/* Let xenconsoled run; false once it has been stuck since (start). */
static bool
wait_for_backend(int64_t start)
{
	evtchn_notify(port);
	hyp_sched_op(SCHEDOP_yield, NULL);
	return time_monotonic() - start < CONSOLE_PATIENCE;
}

/* Wait until xenconsoled has taken everything out of the ring. */
void
console_flush(void)
{
	int64_t start = time_monotonic();

	if (ring == NULL)
		return;
	while (__atomic_load_n(&ring->out_cons, __ATOMIC_ACQUIRE) !=
	       ring->out_prod)
		if (!wait_for_backend(start))
			return;
}

void
mr_plat_console_write(const char *buf, size_t len)
{
	int64_t start = time_monotonic();
	size_t n;

	if (ring == NULL) {
		console_early_write(buf, len);
		return;
	}
	while (len > 0) {
		if (xen_ring_put(ring->out, sizeof ring->out, &ring->out_prod,
				 &ring->out_cons, buf, len, &n) != MR_OK) {
			/* A backend that corrupts the indices loses us. */
			console_early_write(buf, len);
			return;
		}
		if (n == 0) {
			if (!wait_for_backend(start))
				return;
			continue;
		}
		buf += n;
		len -= n;
	}
	evtchn_notify(port);
}
