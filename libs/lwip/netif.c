/*
 * netif.c: an lwIP network interface on each net device of the platform.
 *
 * Net device N of app.conf (mr_device("net", N)) is opened through the
 * platform interface (mr_plat_net_*, <mirari/plat.h>) and becomes an
 * Ethernet netif with ARP, configured from the device's settings: a static
 * "ipv4" ADDRESS/PREFIX with an optional "gateway", or DHCP when "ipv4" is
 * "dhcp" or absent. The first device that opens is the default route.
 *
 * Sending is synchronous: lwIP's linkoutput hands a frame to the platform,
 * which is done with it when the call returns. When the platform cannot
 * take it now (MR_EAGAIN) the frame is dropped, as a busy link would, and
 * TCP retransmits it.
 *
 * Receiving runs in one thread per device, "net0-rx", which waits on the
 * device's event source and then reads frames until none waits, each into
 * a buffer of lwIP's pool (option pbuf_pool_size), and passes it to lwIP.
 * When the pool is empty the frame is dropped and counted. The thread
 * never ends, so, like lwIP's timer, it keeps the application alive: a
 * network image ends with mr_exit().
 *
 * Buffers. One static frame buffer for each direction serves every device:
 * threads are cooperative and neither path blocks between filling its
 * buffer and handing it on, so no other thread can touch it meanwhile.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mirari/app.h>
#include <mirari/clock.h>
#include <mirari/event.h>
#include <mirari/log.h>
#include <mirari/plat.h>
#include <mirari/thread.h>

#include "mirari_config.h"

#include "lwip/dhcp.h"
#include "lwip/etharp.h"
#include "lwip/ip4_addr.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/stats.h"
#include "lwip/tcp.h"
#include "netif/ethernet.h"

#include "internal.h"

/* Net devices lwIP can drive at once; more in app.conf are ignored. */
#define NETIF_MAX	4
/* The largest frame: a 9000-byte jumbo MTU, its header and a VLAN tag. */
#define FRAME_MAX	(9000 + 14 + 4)
#define HEADER_LEN	14
/* How long the receive thread sleeps when no event comes (a safety net). */
#define RX_IDLE		MR_SEC(1)

struct device {
	struct netif netif;
	unsigned int index;
	struct mr_plat_net_info info;
	bool open;
	char rx_name[16];		/* "net0-rx" */
	struct mr_event status;		/* signalled when the address changes */
	uint64_t tx_drops;		/* frames the platform could not take */
	uint64_t tx_errors;
	uint64_t rx_drops;		/* frames lost for want of a buffer */
	uint64_t rx_errors;		/* frames the platform refused to read */
};

static struct device devices[NETIF_MAX];
static uint8_t tx_frame[FRAME_MAX];
static uint8_t rx_frame[FRAME_MAX];
#if LWIP_TCP
static unsigned long syn_evictions;	/* half-open connections evicted */
static unsigned long syn_restarts;	/* ... given up for a new SYN */
#endif

static err_t
link_output(struct netif *netif, struct pbuf *p)
{
	struct device *dev = netif->state;
	const void *frame = p->payload;
	mr_result_t r;

	/*
	 * lwIP keeps (p) and frees it after this returns. A frame in one
	 * buffer is sent as it is; a chain is flattened first.
	 */
	if (p->next != NULL) {
		if (p->tot_len > sizeof tx_frame) {
			dev->tx_errors++;
			return ERR_IF;
		}
		pbuf_copy_partial(p, tx_frame, p->tot_len, 0);
		frame = tx_frame;
	}
	r = mr_plat_net_write(dev->index, frame, p->tot_len);
	if (r == MR_EAGAIN) {
		dev->tx_drops++;
		return ERR_OK;
	}
	if (r != MR_OK) {
		dev->tx_errors++;
		return ERR_IF;
	}
	return ERR_OK;
}

static err_t
device_netif_init(struct netif *netif)
{
	struct device *dev = netif->state;

	netif->name[0] = 'e';
	netif->name[1] = 'n';
	netif->output = etharp_output;
	netif->linkoutput = link_output;
	netif->mtu = dev->info.mtu;
	netif->hwaddr_len = ETH_HWADDR_LEN;
	memcpy(netif->hwaddr, dev->info.mac, ETH_HWADDR_LEN);
	netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP |
		       NETIF_FLAG_ETHERNET;
#if LWIP_NETIF_HOSTNAME
	netif_set_hostname(netif, mr_app_name());
#endif
	return ERR_OK;
}

static void
status_changed(struct netif *netif)
{
	struct device *dev = netif->state;
	char addr[IP4ADDR_STRLEN_MAX];

	if (!ip4_addr_isany_val(*netif_ip4_addr(netif))) {
		ip4addr_ntoa_r(netif_ip4_addr(netif), addr, sizeof addr);
		mr_info("net%u: address %s", dev->index, addr);
	}
	mr_event_signal(&dev->status);
}

#if LWIP_TCP
/*
 * Half-open connections (SYN_RCVD) that a full pool keeps: a quarter of
 * it, at least one. Beyond that a new SYN that finds no room evicts the
 * oldest of them.
 */
#define HALF_OPEN_MAX \
	(MEMP_NUM_TCP_PCB / 4 > 0 ? MEMP_NUM_TCP_PCB / 4 : 1)

/* (port) of (addr), in network order, has a listener. */
static bool
listening(u32_t addr, u16_t port)
{
	struct tcp_pcb_listen *l;

	for (l = tcp_listen_pcbs.listen_pcbs; l != NULL; l = l->next)
		if (l->local_port == port &&
		    (ip_addr_isany(&l->local_ip) ||
		     ip4_addr_get_u32(ip_2_ip4(&l->local_ip)) == addr))
			return true;
	return false;
}

/*
 * Room for a new connection, before its SYN (SYN without ACK) reaches
 * lwIP, which lacks two defences.
 *
 * SYN floods. Each SYN to a listening port makes a connection in SYN_RCVD
 * that lwIP keeps for TCP_SYN_RCVD_TIMEOUT (20 s) when the peer never
 * answers (a spoofed source), and when the pool (tcp_connections) runs
 * out it evicts only connections of a lower priority than the listener's,
 * never those: a few hundred SYNs would shut every new client out for
 * 20 s. So a SYN that finds the pool full, with HALF_OPEN_MAX or more
 * half-open connections in it, has the oldest of them aborted (its
 * source gets a reset). Only a full pool evicts: a burst of real clients
 * (a hundred connecting at once, more SYNs than HALF_OPEN_MAX within one
 * round trip of a loaded machine) takes the room there is, as lwIP alone
 * would, where a fixed cap reset the oldest of them in mid-handshake. A
 * flood fills the room, and then each of its SYNs evicts the oldest
 * half-open connection, so a real client is evicted only if as many
 * newer SYNs as there are half-open connections (a quarter of the pool
 * at least) arrive within its round trip.
 *
 * Idle connections. For the same reason, established connections that
 * sit idle (keep-alive clients between requests) would fill the pool and
 * keep new clients out until their owners' timeouts. When the pool is
 * still full and lwIP has nothing of its own to free for the SYN (TIME_WAIT,
 * LAST_ACK and CLOSING connections, which it kills first), the library
 * closes the connection marked idle the longest (net.c). A SYN that
 * lwIP would not take anyway (no listener) or that repeats one of a
 * connection it has costs nobody their connection.
 *
 * A peer that starts over. lwIP 2.1.3 answers a SYN to a half-open
 * connection only when it repeats the first one (the same sequence
 * number: the SYN-ACK again); any other SYN it drops without a word. So a
 * client whose new connection reuses the address and port of a half-open
 * one (a port used again soon; or a stale one a SYN flood left with this
 * client's address, which is how it was seen) got no answer to any of its
 * SYNs until that half-open connection timed out, 20 s later. Its new SYN
 * says it has started over: the half-open connection goes, without a
 * reset (the peer no longer knows it), and the SYN makes a new one. A
 * spoofed SYN can end a real client's half-open connection this way only
 * by guessing its port within one round trip; that client's ACK then
 * meets the new connection and is answered with a reset, and it tries
 * again: as from a SYN flood that evicts it, no worse.
 */
static void
syn_guard(const uint8_t *frame, size_t len)
{
	struct tcp_pcb *pcb, *oldest = NULL;
	unsigned int half_open = 0;
	bool reclaimable = tcp_tw_pcbs != NULL;
	u32_t src, dst, seq;
	u16_t sport, dport;
	size_t ihl;

	/* Ethernet, IPv4, first fragment, TCP, flags SYN and not ACK. */
	if (len < HEADER_LEN + 20 || frame[12] != 0x08 || frame[13] != 0x00)
		return;
	frame += HEADER_LEN;
	len -= HEADER_LEN;
	ihl = (size_t)(frame[0] & 0x0f) * 4;
	if ((frame[0] >> 4) != 4 || ihl < 20 || len < ihl + 14 ||
	    frame[9] != IP_PROTO_TCP || (frame[6] & 0x1f) != 0 || frame[7] != 0)
		return;
	if ((frame[ihl + 13] & (TCP_SYN | TCP_ACK)) != TCP_SYN)
		return;
	/* Addresses and ports as lwIP keeps them: network and host order. */
	memcpy(&src, frame + 12, 4);
	memcpy(&dst, frame + 16, 4);
	sport = (u16_t)(frame[ihl] << 8 | frame[ihl + 1]);
	dport = (u16_t)(frame[ihl + 2] << 8 | frame[ihl + 3]);
	seq = (u32_t)frame[ihl + 4] << 24 | (u32_t)frame[ihl + 5] << 16 |
	      (u32_t)frame[ihl + 6] << 8 | frame[ihl + 7];
	if (!listening(dst, dport))
		return;

	for (pcb = tcp_active_pcbs; pcb != NULL; pcb = pcb->next)
		if (pcb->remote_port == sport && pcb->local_port == dport &&
		    ip4_addr_get_u32(ip_2_ip4(&pcb->remote_ip)) == src &&
		    ip4_addr_get_u32(ip_2_ip4(&pcb->local_ip)) == dst)
			break;
	if (pcb != NULL) {
		/*
		 * lwIP answers a SYN that repeats the first one, and one to
		 * a synchronized connection (a challenge ACK); not a new
		 * SYN to a half-open connection (above).
		 */
		if (pcb->state != SYN_RCVD || seq == pcb->rcv_nxt - 1)
			return;
		if (syn_restarts++ % 10000 == 0)
			mr_warn("tcp: a SYN from %u.%u.%u.%u:%u starts over: its "
				"half-open connection is dropped; %lu so far",
				frame[12], frame[13], frame[14], frame[15],
				(unsigned int)sport, syn_restarts);
		tcp_abandon(pcb, 0);
	}

	for (pcb = tcp_active_pcbs; pcb != NULL; pcb = pcb->next) {
		if (pcb->state == LAST_ACK || pcb->state == CLOSING)
			reclaimable = true;
		if (pcb->state != SYN_RCVD)
			continue;
		half_open++;
		if (oldest == NULL ||
		    (u32_t)(tcp_ticks - pcb->tmr) >= (u32_t)(tcp_ticks - oldest->tmr))
			oldest = pcb;
	}
	if (lwip_stats.memp[MEMP_TCP_PCB]->used < MEMP_NUM_TCP_PCB ||
	    reclaimable)
		return;
	if (half_open >= HALF_OPEN_MAX) {
		if (syn_evictions++ % 10000 == 0)
			mr_warn("tcp: all %d connections in use, %u of them "
				"half-open: evicting the oldest (a SYN flood?); "
				"%lu so far", MEMP_NUM_TCP_PCB, half_open,
				syn_evictions);
		tcp_abort(oldest);
	} else {
		net_reclaim_idle();
	}
}
#endif

static void
rx_thread(void *arg)
{
	struct device *dev = arg;
	struct mr_event *ready = mr_source_event(dev->info.handle);
	struct pbuf *p;
	mr_result_t r;
	size_t len;

	for (;;) {
		while ((r = mr_plat_net_read(dev->index, rx_frame,
					     sizeof rx_frame, &len)) != MR_EAGAIN) {
			if (r != MR_OK) {
				/* Too long (MR_EINVAL, already dropped) or refused. */
				dev->rx_errors++;
				if (r == MR_EINVAL)
					continue;
				break;
			}
			p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_POOL);
			if (p == NULL) {
				dev->rx_drops++;
				continue;
			}
#if LWIP_TCP
			syn_guard(rx_frame, len);
#endif
			pbuf_take(p, rx_frame, (u16_t)len);
			/* On success lwIP owns (p); on error it is still ours. */
			if (dev->netif.input(p, &dev->netif) != ERR_OK)
				pbuf_free(p);
		}
		mr_event_wait(ready, mr_now() + RX_IDLE);
	}
}

/*
 * "192.0.2.10/24" into (addr) and (mask). The prefix is required: a
 * missing one is more likely a mistake than a wish for /32.
 */
static bool
parse_cidr(const char *text, ip4_addr_t *addr, ip4_addr_t *mask)
{
	char host[IP4ADDR_STRLEN_MAX];
	const char *slash = strchr(text, '/');
	char *end;
	unsigned long len;

	if (slash == NULL || (size_t)(slash - text) >= sizeof host)
		return false;
	memcpy(host, text, (size_t)(slash - text));
	host[slash - text] = '\0';
	if (!ip4addr_aton(host, addr))
		return false;
	len = strtoul(slash + 1, &end, 10);
	if (slash[1] == '\0' || *end != '\0' || len > 32)
		return false;
	ip4_addr_set_u32(mask, len == 0 ? 0 : lwip_htonl(0xffffffffUL << (32 - len)));
	return true;
}

/*
 * Configure (dev) from its settings in app.conf and add it to lwIP.
 * Returns false after logging why the device is left out.
 */
static bool
device_add(struct device *dev, const struct mr_device_desc *desc)
{
	char ipv4[64], gateway[IP4ADDR_STRLEN_MAX + 1];
	ip4_addr_t addr, mask, gw;
	bool dhcp = false;

	ip4_addr_set_zero(&addr);
	ip4_addr_set_zero(&mask);
	ip4_addr_set_zero(&gw);
	if (mr_device_setting(desc, "ipv4", ipv4, sizeof ipv4) != MR_OK ||
	    strcmp(ipv4, "dhcp") == 0) {
		dhcp = true;
	} else if (!parse_cidr(ipv4, &addr, &mask)) {
		mr_error("%s: ipv4 \"%s\" (from app.conf or the boot parameter "
			 "%s.ipv4): expected ADDRESS/PREFIX or \"dhcp\"",
			 desc->name, ipv4, desc->name);
		return false;
	}
	if (mr_device_setting(desc, "gateway", gateway, sizeof gateway) == MR_OK &&
	    !ip4addr_aton(gateway, &gw)) {
		mr_error("%s: gateway \"%s\" (from app.conf or the boot "
			 "parameter %s.gateway): expected an IPv4 address",
			 desc->name, gateway, desc->name);
		return false;
	}
#if !LWIP_DHCP
	if (dhcp) {
		mr_error("%s: ipv4 is \"dhcp\" but lwip is built with dhcp = false: "
			 "give it a static address or set dhcp = true", desc->name);
		return false;
	}
#endif
	if (netif_add(&dev->netif, &addr, &mask, &gw, dev, device_netif_init,
		      ethernet_input) == NULL) {
		mr_error("%s: lwIP refused the interface", desc->name);
		return false;
	}
	netif_set_status_callback(&dev->netif, status_changed);
	if (netif_default == NULL)
		netif_set_default(&dev->netif);
	netif_set_up(&dev->netif);
	netif_set_link_up(&dev->netif);
#if LWIP_DHCP
	if (dhcp && dhcp_start(&dev->netif) != ERR_OK) {
		mr_error("%s: cannot start DHCP", desc->name);
		return false;
	}
#endif
	return true;
}

/*
 * A net device that app.conf declares but that cannot be started would
 * leave a network image running without its network: the boot stops
 * instead, after saying which device and why (exit status 1; on Xen the
 * domain ends as a crash).
 */
void
netif_devices_start(void)
{
	const struct mr_device_desc *desc;
	struct device *dev;
	mr_result_t r;
	unsigned int failed = 0;
	unsigned long errors;

	for (unsigned int i = 0; (desc = mr_device("net", i)) != NULL; i++) {
		if (i >= NETIF_MAX) {
			mr_warn("%s: lwip drives %d net devices at most; ignored",
				desc->name, NETIF_MAX);
			continue;
		}
		dev = &devices[i];
		dev->index = i;
		mr_event_init(&dev->status);
		errors = mr_log_errors();
		r = mr_plat_net_open(i, &dev->info);
		if (r != MR_OK) {
			/* The platform says why, in its own words, as a rule. */
			if (mr_log_errors() == errors)
				mr_error("%s: cannot open: %s", desc->name,
					 mr_strerror(r));
			failed++;
			continue;
		}
		if (dev->info.mtu == 0 || dev->info.mtu > FRAME_MAX - HEADER_LEN - 4) {
			mr_error("%s: MTU %u is beyond what lwip handles (%d)",
				 desc->name, dev->info.mtu, FRAME_MAX - HEADER_LEN - 4);
			failed++;
			continue;
		}
		if (!device_add(dev, desc)) {
			failed++;
			continue;
		}
		snprintf(dev->rx_name, sizeof dev->rx_name, "%.12s-rx", desc->name);
		if (mr_thread_spawn(dev->rx_name, rx_thread, dev) == NULL) {
			mr_error("%s: no thread for receiving", desc->name);
			netif_remove(&dev->netif);
			failed++;
			continue;
		}
		dev->open = true;
	}
	if (failed > 0) {
		mr_error("lwip: %u net device%s of app.conf could not be started",
			 failed, failed == 1 ? "" : "s");
		mr_exit(1);
	}
}

struct netif *
netif_device(unsigned int index, struct mr_event **status)
{
	if (index >= NETIF_MAX || !devices[index].open)
		return NULL;
	*status = &devices[index].status;
	return &devices[index].netif;
}
