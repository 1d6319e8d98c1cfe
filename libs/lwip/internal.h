/*
 * internal.h: what the lwip library's files share; not installed.
 */
#ifndef MIRARI_LWIP_INTERNAL_H
#define MIRARI_LWIP_INTERNAL_H

#include <mirari/base.h>

/* netif.c: a netif per net device of app.conf, and their receive threads. */
void netif_devices_start(void);
/*
 * The netif of net device (index) and the event signalled when its address
 * changes, or NULL when the device is not there or did not open.
 */
struct netif;
struct mr_event;
struct netif *netif_device(unsigned int index, struct mr_event **status);

/*
 * net.c: close the connection marked idle the longest (mr_tcp_set_idle)
 * whose data the peer has all acknowledged, freeing its pcb now, so that
 * a new connection has room. False when there is none.
 */
bool net_reclaim_idle(void);

#endif /* MIRARI_LWIP_INTERNAL_H */
