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

void
mr_lwip_init(void)
{
	lwip_init();
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
