/*
 * mirari/lwip.h: the lwIP TCP/IP stack, as the lwip library runs it.
 *
 * Selecting the library (`use "lwip" { ... }` in app.conf) builds lwIP
 * 2.1.3 into the image, configured by the library's options, and starts it
 * at boot: mr_lwip_init runs before the application's main, initialises
 * lwIP and arms a periodic timer (option timer_interval) whose handler runs
 * lwIP's own timers (TCP retransmissions, ARP, DHCP, ...). Because that
 * timer stays armed, an application that uses lwip does not end by
 * returning from its handlers: it ends with mr_exit().
 *
 * lwIP's functions are not part of the API: its symbols are hidden in the
 * library's archive. Everything here is called from mirari threads, which
 * run one at a time, so lwIP needs no lock.
 */
#ifndef MIRARI_LWIP_H
#define MIRARI_LWIP_H

#include <mirari/base.h>

/* The library's initialiser, called once at boot by the generated glue. */
MR_API void mr_lwip_init(void);

/* Counters of the stack, for tests and monitoring. */
struct mr_lwip_stats {
	uint64_t ticks;		/* runs of lwIP's timers since boot */
	uint64_t ticks_skipped;	/* periods skipped: the platform was late */
	mr_time_t tick_interval; /* their period (option timer_interval) */
	size_t heap_size;	/* bytes of lwIP's heap (option mem_size) */
	size_t heap_used;	/* of which in use now */
	size_t pbufs_total;	/* receive buffers (option pbuf_pool_size) */
	size_t pbufs_used;	/* of which in use now */
	size_t tcp_used;	/* TCP connections open now */
	size_t udp_used;	/* UDP endpoints open now */
	uint64_t errors;	/* failed heap and pool allocations, ever */
};

/* Fill (stats), owned by the caller, with the current counters. */
MR_API void mr_lwip_stats(struct mr_lwip_stats *stats);

/*
 * Exercise the stack without a device: allocate, fill, chain, copy and
 * free buffers of each kind, and send a UDP datagram to itself over the
 * loopback interface (options udp and loopback). Checks that every buffer
 * came back. Returns MR_OK, or MR_EUNSPEC after logging (at error level)
 * which check failed. For tests; it does not block.
 */
MR_API mr_result_t mr_lwip_selftest(void);

#endif /* MIRARI_LWIP_H */
