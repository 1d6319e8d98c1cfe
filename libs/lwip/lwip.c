/*
 * lwip.c: lwIP in NO_SYS mode on mirari's scheduler.
 *
 * lwIP without an OS layer must be called from one thread of control at a
 * time, and its timers must be run regularly. mirari's threads are
 * cooperative and lwIP never blocks, so any mirari thread may call into
 * lwIP: the call runs to its end before another thread runs. The timers
 * run from a periodic mirari timer, whose handler calls
 * sys_check_timeouts() and then delivers packets queued on loopback.
 * At boot, netif.c attaches the net devices of app.conf to lwIP.
 */
#include <mirari/lwip.h>
#include <mirari/stats.h>
#include <mirari/timer.h>

#include "mirari_config.h"

#include "lwip/init.h"
#include "lwip/memp.h"
#include "lwip/netif.h"
#include "lwip/stats.h"
#include "lwip/timeouts.h"

#include "internal.h"

static struct mr_timer tick_timer;
static uint64_t ticks;

static void
tick(void *arg)
{
	(void)arg;
	ticks++;
	sys_check_timeouts();
#if LWIP_NETIF_LOOPBACK
	netif_poll_all();
#endif
}

/* The counters of mr_lwip_stats, for mirari/stats.h. */
static void
report(mr_stats_put put, void *ctx)
{
	struct mr_lwip_stats s;

	mr_lwip_stats(&s);
	put(ctx, "lwip_heap_used", s.heap_used);
	put(ctx, "lwip_pbufs", s.pbufs_used);
	put(ctx, "lwip_pbuf_refs", lwip_stats.memp[MEMP_PBUF]->used);
	put(ctx, "lwip_tcp_pcbs", s.tcp_used);
#if LWIP_TCP
	put(ctx, "lwip_tcp_segs", lwip_stats.memp[MEMP_TCP_SEG]->used);
#endif
	put(ctx, "lwip_udp_pcbs", s.udp_used);
	put(ctx, "lwip_errors_total", s.errors);
}

static struct mr_stats_source stats_source = { .report = report };

void
mr_lwip_init(void)
{
	lwip_init();
	mr_stats_register(&stats_source);
	mr_timer_init(&tick_timer, "lwip", tick, NULL);
	mr_timer_start(&tick_timer, MR_CFG_LWIP_TIMER_INTERVAL,
		       MR_CFG_LWIP_TIMER_INTERVAL);
	netif_devices_start();
}

void
mr_lwip_stats(struct mr_lwip_stats *stats)
{
	*stats = (struct mr_lwip_stats){
		.ticks = ticks,
		.ticks_skipped = mr_timer_skipped(&tick_timer),
		.tick_interval = MR_CFG_LWIP_TIMER_INTERVAL,
		.heap_size = lwip_stats.mem.avail,
		.heap_used = lwip_stats.mem.used,
		.pbufs_total = lwip_stats.memp[MEMP_PBUF_POOL]->avail,
		.pbufs_used = lwip_stats.memp[MEMP_PBUF_POOL]->used,
		.errors = lwip_stats.mem.err,
	};
	for (int i = 0; i < MEMP_MAX; i++)
		stats->errors += lwip_stats.memp[i]->err;
#if LWIP_TCP
	stats->tcp_used = lwip_stats.memp[MEMP_TCP_PCB]->used;
#endif
#if LWIP_UDP
	stats->udp_used = lwip_stats.memp[MEMP_UDP_PCB]->used;
#endif
}
