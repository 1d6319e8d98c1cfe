/*
 * lwipopts.h: lwIP's configuration for mirari, made from the lwip
 * library's options in app.conf (MR_CFG_LWIP_* in mirari_config.h).
 *
 * lwIP's opt.h includes this file first and then gives every option it
 * does not set a default. The defaults of the app.conf options live in
 * libs/lwip/manifest.lua, not here: this file only maps them onto lwIP's
 * names, fixes what mirari's design decides (no OS layer, IPv4 only, no
 * sockets), and derives the sizes lwIP needs from the ones a user chooses.
 *
 * Combinations lwIP cannot build are rejected below with a message naming
 * the app.conf options to change, before lwIP's own checks in init.c (which
 * name lwIP's macros, not ours) get a chance to.
 */
#ifndef MIRARI_LWIPOPTS_H
#define MIRARI_LWIPOPTS_H

#include "mirari_config.h"

/*
 * No operating system layer: one cooperative thread at a time calls into
 * lwIP (see lwip.c), so there are no semaphores, mailboxes or critical
 * sections, and lwIP's timers are run from a mirari timer.
 */
#define NO_SYS				1
#define LWIP_TIMERS			1
#define SYS_LIGHTWEIGHT_PROT		0
#define LWIP_SOCKET			0
#define LWIP_NETCONN			0
#define LWIP_NETIF_API			0

/* Memory: lwIP's own heap and pools, static arrays of the sizes chosen. */
#define MEM_ALIGNMENT			8
#define MEM_SIZE			MR_CFG_LWIP_MEM_SIZE
#define MEMP_NUM_TCP_PCB		MR_CFG_LWIP_TCP_CONNECTIONS
#define MEMP_NUM_TCP_PCB_LISTEN		MR_CFG_LWIP_TCP_LISTENERS
#define MEMP_NUM_UDP_PCB		MR_CFG_LWIP_UDP_PCBS
#define PBUF_POOL_SIZE			MR_CFG_LWIP_PBUF_POOL_SIZE
/*
 * Queued TCP segments are shared by all connections: enough for one full
 * send buffer plus four per connection (in flight or out of order), within
 * the u16_t that counts a pool.
 */
#define MR_LWIP_SEGS_			(TCP_SND_QUEUELEN + 4 * MEMP_NUM_TCP_PCB)
#define MEMP_NUM_TCP_SEG		(MR_LWIP_SEGS_ > 65535 ? 65535 : MR_LWIP_SEGS_)
/* Buffers that point at the caller's bytes (PBUF_REF/ROM): no-copy sends. */
#define MEMP_NUM_PBUF			(16 + MEMP_NUM_TCP_PCB)

/* Protocols: IPv4 over Ethernet with ARP; ICMP echo; no IPv6 yet. */
#define LWIP_IPV4			1
#define LWIP_IPV6			0
#define LWIP_ETHERNET			1
#define LWIP_ARP			1
#define LWIP_ICMP			1
#define LWIP_RAW			0	/* raw.c is not in dep_sources */
#define LWIP_IGMP			0
#define LWIP_AUTOIP			0
#define LWIP_TCP			MR_CFG_LWIP_TCP
#define LWIP_UDP			MR_CFG_LWIP_UDP
#define LWIP_DHCP			MR_CFG_LWIP_DHCP
#define LWIP_DNS			MR_CFG_LWIP_DNS
#define LWIP_HAVE_LOOPIF		MR_CFG_LWIP_LOOPBACK
#define LWIP_NETIF_LOOPBACK		MR_CFG_LWIP_LOOPBACK
#define LWIP_NETIF_STATUS_CALLBACK	1
#define LWIP_NETIF_LINK_CALLBACK	1
#define LWIP_NETIF_HOSTNAME		1
#define LWIP_RANDOMIZE_INITIAL_LOCAL_PORTS 1

/* TCP */
#define TCP_MSS				MR_CFG_LWIP_TCP_MSS
#define TCP_WND				MR_CFG_LWIP_TCP_WND
#define TCP_SND_BUF			MR_CFG_LWIP_TCP_SND_BUF
#define TCP_SND_QUEUELEN		((4 * TCP_SND_BUF + TCP_MSS - 1) / TCP_MSS)
/*
 * A connection is writable again when half its send buffer is free, but
 * lwIP keeps the mark 4 segments below 64K and below the buffer itself.
 */
#define MR_LWIP_MIN_(a, b)		((a) < (b) ? (a) : (b))
#define MR_LWIP_MAX_(a, b)		((a) > (b) ? (a) : (b))
#define TCP_SNDLOWAT \
	MR_LWIP_MIN_(MR_LWIP_MIN_(MR_LWIP_MAX_(TCP_SND_BUF / 2, 2 * TCP_MSS + 1), \
				  TCP_SND_BUF - 1), 0xFFFF - 4 * TCP_MSS - 1)
/*
 * Windows and send buffers above 64K need window scaling (RFC 7323), with
 * the smallest shift that makes the window fit in 16 bits.
 */
#if MR_CFG_LWIP_TCP_WND > 0xFFFF || MR_CFG_LWIP_TCP_SND_BUF > 0xFFFF
#define LWIP_WND_SCALE			1
#if MR_CFG_LWIP_TCP_WND <= 0xFFFF
#define TCP_RCV_SCALE			0
#elif MR_CFG_LWIP_TCP_WND <= (0xFFFF << 1)
#define TCP_RCV_SCALE			1
#elif MR_CFG_LWIP_TCP_WND <= (0xFFFF << 2)
#define TCP_RCV_SCALE			2
#elif MR_CFG_LWIP_TCP_WND <= (0xFFFF << 3)
#define TCP_RCV_SCALE			3
#elif MR_CFG_LWIP_TCP_WND <= (0xFFFF << 4)
#define TCP_RCV_SCALE			4
#elif MR_CFG_LWIP_TCP_WND <= (0xFFFF << 5)
#define TCP_RCV_SCALE			5
#elif MR_CFG_LWIP_TCP_WND <= (0xFFFF << 6)
#define TCP_RCV_SCALE			6
#elif MR_CFG_LWIP_TCP_WND <= (0xFFFF << 7)
#define TCP_RCV_SCALE			7
#elif MR_CFG_LWIP_TCP_WND <= (0xFFFF << 8)
#define TCP_RCV_SCALE			8
#elif MR_CFG_LWIP_TCP_WND <= (0xFFFF << 9)
#define TCP_RCV_SCALE			9
#elif MR_CFG_LWIP_TCP_WND <= (0xFFFF << 10)
#define TCP_RCV_SCALE			10
#elif MR_CFG_LWIP_TCP_WND <= (0xFFFF << 11)
#define TCP_RCV_SCALE			11
#else
#error lwip: tcp_wnd is above 64M, more than the manifest allows: lower tcp_wnd in use "lwip" { ... } of app.conf
#endif
#else
#define LWIP_WND_SCALE			0
#endif

/* Checksums in software, both ways: the devices offload nothing yet. */
#define CHECKSUM_GEN_IP			1
#define CHECKSUM_GEN_UDP		1
#define CHECKSUM_GEN_TCP		1
#define CHECKSUM_GEN_ICMP		1
#define CHECKSUM_CHECK_IP		1
#define CHECKSUM_CHECK_UDP		1
#define CHECKSUM_CHECK_TCP		1
#define CHECKSUM_CHECK_ICMP		1

/*
 * Counters of memory and pools (read by mr_lwip_stats) and of each
 * protocol's traffic and drops; no printing of them.
 */
#define LWIP_STATS			1
#define LWIP_STATS_LARGE		1
#define LWIP_STATS_DISPLAY		0
#define MEM_STATS			1
#define MEMP_STATS			1
#define SYS_STATS			0

/*
 * Combinations lwIP cannot build. Each message names the app.conf options
 * of `use "lwip" { ... }` to change.
 */
#if MR_CFG_LWIP_DHCP && !MR_CFG_LWIP_UDP
#error lwip: dhcp = true needs udp = true: in use "lwip" { ... } of app.conf, set udp = true or dhcp = false
#endif
#if MR_CFG_LWIP_DNS && !MR_CFG_LWIP_UDP
#error lwip: dns = true needs udp = true: in use "lwip" { ... } of app.conf, set udp = true or dns = false
#endif
#if MR_CFG_LWIP_TCP && MR_CFG_LWIP_TCP_WND < MR_CFG_LWIP_TCP_MSS
#error lwip: tcp_wnd is smaller than one segment (tcp_mss): in use "lwip" { ... } of app.conf, raise tcp_wnd or lower tcp_mss
#endif
#if MR_CFG_LWIP_TCP && MR_CFG_LWIP_TCP_SND_BUF < 2 * MR_CFG_LWIP_TCP_MSS
#error lwip: tcp_snd_buf must hold at least two segments (2 * tcp_mss): in use "lwip" { ... } of app.conf, raise tcp_snd_buf or lower tcp_mss
#endif
#if MR_CFG_LWIP_TCP && MR_CFG_LWIP_TCP_WND > MR_CFG_LWIP_PBUF_POOL_SIZE * MR_CFG_LWIP_TCP_MSS
#error lwip: tcp_wnd is more than the receive buffers hold (pbuf_pool_size * tcp_mss): in use "lwip" { ... } of app.conf, raise pbuf_pool_size or lower tcp_wnd
#endif
#if MR_CFG_LWIP_TCP && (4 * MR_CFG_LWIP_TCP_SND_BUF + MR_CFG_LWIP_TCP_MSS - 1) / MR_CFG_LWIP_TCP_MSS > 0xFFFF
#error lwip: tcp_snd_buf is more than 65535 segments of tcp_mss: in use "lwip" { ... } of app.conf, lower tcp_snd_buf or raise tcp_mss
#endif

#endif /* MIRARI_LWIPOPTS_H */
