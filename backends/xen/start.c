/*
 * start.c: from the PVH entry to mr_boot().
 *
 * The order matters: the hypercall page first (everything else calls Xen),
 * then traps (so that a fault from here on is reported), memory (the final
 * page tables), the console ring, shared info and event channels, time,
 * grant tables and xenstore. Until the console ring is up, messages go to
 * I/O port 0xe9, which Xen prints on its own console.
 */
#include <stdint.h>	/* before Xen's headers, which use it */
#include <string.h>

#include <xen/hvm/params.h>
#include <xen/sched.h>

#include "backend.h"
#include "hypercall.h"

#define XEN_CPUID_FIRST	0x40000000
#define XEN_CPUID_LAST	0x40010000

static inline void
cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
			 : "a"(leaf), "c"(0));
}

static inline void
wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" :: "c"(msr), "a"((uint32_t)v),
			 "d"((uint32_t)(v >> 32)));
}

static bool hypercalls;

/*
 * Stop with (msg) before the runtime can panic: on the console (port 0xe9
 * until the ring is up) and as a crash, so that the toolstack and mirari
 * run report a failure. Halting with interrupts off would not do: Xen
 * takes a PVH guest whose only vCPU halts so as powered off, cleanly.
 */
void
xen_die(const char *msg)
{
	mr_plat_console_write(msg, strlen(msg));
	if (hypercalls)
		control_shutdown(SHUTDOWN_crash);
	for (;;)
		__asm__ volatile("cli; hlt");
}

/*
 * Xen's CPUID leaves start at 0x40000000 or, when another hypervisor's
 * come first, at a later multiple of 0x100. Leaf base+2 names the MSR
 * that makes Xen fill a page with hypercall stubs.
 */
static void
hypercall_init(void)
{
	uint32_t base, a, b, c, d;

	for (base = XEN_CPUID_FIRST; base < XEN_CPUID_LAST; base += 0x100) {
		cpuid(base, &a, &b, &c, &d);
		if (b == 0x566e6558 && c == 0x65584d4d && d == 0x4d4d566e)
			break;	/* "XenVMMXenVMM" */
	}
	if (base >= XEN_CPUID_LAST)
		xen_die("mirari: not running on Xen\n");
	cpuid(base + 2, &a, &b, &c, &d);
	wrmsr(b, (uint64_t)(uintptr_t)hypercall_page);
	hypercalls = true;
}

/*
 * The command line is copied out of the page Xen left it in, so that it
 * survives whatever the heap does with that page later.
 */
static char cmdline[MR_PARAMS_MAX_LINE + 2];

static void
copy_cmdline(const struct hvm_start_info *si)
{
	const char *s;
	size_t n;

	if (si->cmdline_paddr == 0)
		return;
	s = (const char *)(uintptr_t)si->cmdline_paddr;
	n = strnlen(s, sizeof cmdline);
	/*
	 * A line longer than the parser accepts is kept one byte too long,
	 * so that the parser reports it instead of our silently cutting it.
	 */
	if (n >= sizeof cmdline)
		n = sizeof cmdline - 1;
	memcpy(cmdline, s, n);
	cmdline[n] = '\0';
}

/* The Xen resources a guest holds, for mirari/stats.h. */
static void
report(mr_stats_put put, void *ctx)
{
	put(ctx, "xen_grants", gnttab_used());
	put(ctx, "xen_event_channels", evtchn_bound());
}

static struct mr_stats_source stats_source = { .report = report };

void
xen_start(uint32_t start_info_paddr)
{
	const struct hvm_start_info *si =
	    (const struct hvm_start_info *)(uintptr_t)start_info_paddr;

	hypercall_init();
	if (si->magic != XEN_HVM_START_MAGIC_VALUE)
		xen_die("mirari: bad PVH start info magic\n");
	traps_init();
	copy_cmdline(si);
	mm_init(si);
	console_init();
	evtchn_init();
	console_bind();
	time_init();
	gnttab_init();
	xenstore_init();
	control_init();
	control_check_devices(mr_xen_app);
	mr_stats_register(&stats_source);
	mr_boot(mr_xen_app, cmdline);
}
