/*
 * port.c: what lwIP asks of its platform in NO_SYS mode (arch/cc.h and
 * sys_now), on top of the runtime: the clock, the log, panic and a
 * pseudo-random generator.
 */
#include <stdarg.h>
#include <stdio.h>

#include <mirari/clock.h>
#include <mirari/log.h>

#include "lwip/opt.h"
#include "lwip/sys.h"

/*
 * lwIP's clock: milliseconds from any origin, wrapping at 2^32 (lwIP
 * compares times by difference, so the wrap after 49 days is harmless).
 */
u32_t
sys_now(void)
{
	return (u32_t)(mr_now() / MR_MSEC(1));
}

/*
 * LWIP_PLATFORM_DIAG: lwIP prints a line in several calls, so the pieces
 * are gathered here and logged when the '\n' comes (or the line is full).
 */
void
port_diag(const char *fmt, ...)
{
	static char line[160];
	static size_t len;
	char piece[160];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(piece, sizeof piece, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	for (const char *c = piece; *c != '\0'; c++) {
		if (*c != '\n')
			line[len++] = *c;
		if (*c == '\n' || len == sizeof line - 1) {
			line[len] = '\0';
			mr_debug("lwip: %s", line);
			len = 0;
		}
	}
}

/* LWIP_PLATFORM_ASSERT: a broken invariant inside lwIP. */
void
port_assert(const char *msg, const char *file, int line)
{
	mr_panic("lwip: assertion \"%s\" failed at %s:%d", msg, file, line);
}

/*
 * LWIP_RAND: xorshift64*, seeded at first use from the clocks and the
 * CPU's time-stamp counter. Good enough to spread initial ports and
 * DHCP and DNS ids; not a source of secrets (a platform entropy source,
 * mr_plat_random, is still to come).
 */
uint32_t
port_rand(void)
{
	static uint64_t state;
	uint32_t lo, hi;

	if (state == 0) {
		__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
		state = ((uint64_t)hi << 32 | lo) ^ (uint64_t)mr_wallclock() ^
			((uint64_t)mr_now() << 17) ^ 0x9e3779b97f4a7c15ULL;
		if (state == 0)
			state = 1;
	}
	state ^= state >> 12;
	state ^= state << 25;
	state ^= state >> 27;
	return (uint32_t)((state * 0x2545f4914f6cdd1dULL) >> 32);
}
