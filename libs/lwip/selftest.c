/*
 * selftest.c: mr_lwip_selftest, a check of the stack that needs no device.
 *
 * It runs lwIP's code paths that a build for a new target can get wrong
 * (buffer layout and alignment, byte order, checksums, the loopback
 * interface) and checks that every buffer it took came back. The network
 * part drives the loopback interface by hand (netif_poll_all), so it never
 * blocks and does not depend on the timer.
 */
#include <string.h>

#include <mirari/log.h>
#include <mirari/lwip.h>

#include "lwip/ip_addr.h"
#include "lwip/memp.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/stats.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		mr_error("lwip selftest: %s:%d: %s", __func__, __LINE__, #cond); \
		return false;						\
	}								\
} while (0)

/* A pool chain of three buffers, and at least 6000 bytes for the rest. */
#define CHAIN_LEN	(2 * PBUF_POOL_BUFSIZE + 100)
static uint8_t pattern[LWIP_MAX(CHAIN_LEN, 6000)];

static bool
same(struct pbuf *p, uint16_t offset, const uint8_t *want, uint16_t len)
{
	static uint8_t got[sizeof pattern];

	return pbuf_copy_partial(p, got, len, offset) == len &&
	    memcmp(got, want, len) == 0;
}

/* Heap buffers: one piece, headers added and removed in front. */
static bool
ram_buffers(void)
{
	struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, 1000, PBUF_RAM);

	CHECK(p != NULL && p->next == NULL && p->len == 1000);
	CHECK(((uintptr_t)p->payload & (MEM_ALIGNMENT - 1)) == 0);
	CHECK(pbuf_take(p, pattern, 1000) == ERR_OK);
	CHECK(pbuf_add_header(p, 20) == 0 && p->tot_len == 1020);
	CHECK(pbuf_remove_header(p, 20) == 0 && same(p, 0, pattern, 1000));
	CHECK(pbuf_get_at(p, 999) == pattern[999]);
	pbuf_ref(p);
	CHECK(pbuf_free(p) == 0);	/* still referenced */
	CHECK(pbuf_free(p) == 1);
	return true;
}

/* Pool buffers: a chain of frame-sized pieces, then the whole pool. */
static bool
pool_buffers(void)
{
	struct pbuf *p = pbuf_alloc(PBUF_RAW, CHAIN_LEN, PBUF_POOL), *q;
	size_t n = 0, full;

	CHECK(p != NULL && pbuf_clen(p) == 3 && p->tot_len == CHAIN_LEN);
	CHECK(pbuf_take(p, pattern, CHAIN_LEN) == ERR_OK);
	CHECK(same(p, 50, pattern + 50, CHAIN_LEN - 100));
	CHECK(pbuf_memcmp(p, CHAIN_LEN - 100, pattern + CHAIN_LEN - 100, 100) == 0);
	CHECK(pbuf_free(p) == 3);

	/* Take every pool buffer left, then give them all back. */
	p = NULL;
	while ((q = pbuf_alloc(PBUF_RAW, 1, PBUF_POOL)) != NULL) {
		q->next = p;
		p = q;
		n++;
	}
	full = lwip_stats.memp[MEMP_PBUF_POOL]->used;
	if (p != NULL)
		pbuf_free(p);	/* its count of buffers freed is a u8_t */
	CHECK(n > 0 && n <= PBUF_POOL_SIZE && full == PBUF_POOL_SIZE);
	CHECK(lwip_stats.memp[MEMP_PBUF_POOL]->used == PBUF_POOL_SIZE - n);
	return true;
}

/* A buffer that refers to the caller's bytes, chained after a heap one. */
static bool
ref_buffers(void)
{
	struct pbuf *head = pbuf_alloc(PBUF_RAW, 100, PBUF_RAM);
	struct pbuf *ref = pbuf_alloc(PBUF_RAW, 2000, PBUF_REF);
	struct pbuf *flat;

	CHECK(head != NULL && ref != NULL);
	CHECK(pbuf_take(head, pattern, 100) == ERR_OK);
	ref->payload = pattern + 100;
	pbuf_cat(head, ref);
	CHECK(head->tot_len == 2100 && same(head, 0, pattern, 2100));
	flat = pbuf_alloc(PBUF_RAW, 2100, PBUF_RAM);
	CHECK(flat != NULL && pbuf_copy(flat, head) == ERR_OK);
	CHECK(same(flat, 0, pattern, 2100));
	pbuf_free(flat);
	CHECK(pbuf_free(head) == 2);
	return true;
}

#if LWIP_HAVE_LOOPIF
static const ip_addr_t loopback = IPADDR4_INIT_BYTES(127, 0, 0, 1);
#endif

/* Deliver what was sent on loopback until (done) or nothing moves. */
static void
poll_until(const bool *done)
{
#if LWIP_NETIF_LOOPBACK
	for (int i = 0; i < 100 && !*done; i++)
		netif_poll_all();
#else
	(void)done;
#endif
}

#if LWIP_UDP && LWIP_HAVE_LOOPIF
struct dgram_state {
	bool done;
	uint16_t len, port;
};

static void
udp_received(void *arg, struct udp_pcb *pcb, struct pbuf *p,
	     const ip_addr_t *addr, u16_t port)
{
	struct dgram_state *st = arg;

	(void)pcb;
	if (ip_addr_cmp(addr, &loopback) && same(p, 0, pattern, p->tot_len)) {
		st->len = p->tot_len;
		st->port = port;
	}
	st->done = true;
	pbuf_free(p);
}

/* One datagram to itself over 127.0.0.1, checksummed both ways. */
static bool
udp_loopback(void)
{
	struct dgram_state st = { 0 };
	struct udp_pcb *pcb = udp_new();
	struct pbuf *p;
	err_t err;

	CHECK(pcb != NULL);
	CHECK(udp_bind(pcb, &loopback, 0) == ERR_OK && pcb->local_port != 0);
	udp_recv(pcb, udp_received, &st);
	p = pbuf_alloc(PBUF_TRANSPORT, 1200, PBUF_RAM);
	CHECK(p != NULL && pbuf_take(p, pattern, 1200) == ERR_OK);
	err = udp_sendto(pcb, p, &loopback, pcb->local_port);
	pbuf_free(p);
	CHECK(err == ERR_OK);
	poll_until(&st.done);
	udp_remove(pcb);
	CHECK(st.done && st.len == 1200 && st.port != 0);
	return true;
}
#endif

#if LWIP_TCP && LWIP_HAVE_LOOPIF
/*
 * A client sends (pattern) to a server over 127.0.0.1, which echoes it.
 * The length fits both send buffers and the window, so each side writes
 * all of it at once and the test only has to deliver packets.
 */
#define TCP_LEN ((uint16_t)LWIP_MIN(sizeof pattern, LWIP_MIN(TCP_SND_BUF, TCP_WND)))

struct echo_state {
	struct tcp_pcb *server;
	uint16_t got;
	bool failed, done;
};

static err_t
client_received(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct echo_state *st = arg;

	if (p == NULL || err != ERR_OK) {
		st->failed = st->done = true;
		return ERR_OK;
	}
	if (!same(p, 0, pattern + st->got, p->tot_len))
		st->failed = true;
	st->got += p->tot_len;
	tcp_recved(pcb, p->tot_len);
	pbuf_free(p);
	if (st->got >= TCP_LEN)
		st->done = true;
	return ERR_OK;
}

static err_t
server_received(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	static uint8_t buf[sizeof pattern];
	struct echo_state *st = arg;
	uint16_t len;

	if (p == NULL || err != ERR_OK) {
		st->failed = st->done = true;
		return ERR_OK;
	}
	len = p->tot_len;
	pbuf_copy_partial(p, buf, len, 0);
	if (tcp_write(pcb, buf, len, TCP_WRITE_FLAG_COPY) != ERR_OK)
		st->failed = st->done = true;
	tcp_recved(pcb, len);
	pbuf_free(p);
	tcp_output(pcb);
	return ERR_OK;
}

static err_t
accepted(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct echo_state *st = arg;

	if (pcb == NULL || err != ERR_OK) {
		st->failed = st->done = true;
		return ERR_VAL;
	}
	st->server = pcb;
	tcp_arg(pcb, st);
	tcp_recv(pcb, server_received);
	return ERR_OK;
}

static err_t
connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct echo_state *st = arg;

	/* No copy: (pattern) outlives the connection. */
	if (err != ERR_OK || tcp_write(pcb, pattern, TCP_LEN, 0) != ERR_OK)
		st->failed = st->done = true;
	else
		tcp_output(pcb);
	return ERR_OK;
}

static void
errored(void *arg, err_t err)
{
	struct echo_state *st = arg;

	(void)err;
	st->failed = st->done = true;
}

/* Drop (pcb) with a reset, its callbacks first so none runs. */
static void
forget(struct tcp_pcb *pcb)
{
	tcp_arg(pcb, NULL);
	tcp_recv(pcb, NULL);
	tcp_err(pcb, NULL);
	tcp_abort(pcb);
}

static bool
tcp_loopback(void)
{
	struct echo_state st = { 0 };
	struct tcp_pcb *listener = tcp_new(), *client;
	bool never = false;

	CHECK(listener != NULL);
	CHECK(tcp_bind(listener, &loopback, 0) == ERR_OK);
	listener = tcp_listen(listener);
	CHECK(listener != NULL);
	tcp_arg(listener, &st);
	tcp_accept(listener, accepted);

	client = tcp_new();
	CHECK(client != NULL);
	tcp_arg(client, &st);
	tcp_recv(client, client_received);
	tcp_err(client, errored);
	CHECK(tcp_connect(client, &loopback, listener->local_port, connected) == ERR_OK);
	poll_until(&st.done);
	CHECK(!st.failed && st.done && st.got == TCP_LEN && st.server != NULL);

	forget(client);
	forget(st.server);
	CHECK(tcp_close(listener) == ERR_OK);
	poll_until(&never);	/* the resets, to nobody */
	return true;
}
#endif

mr_result_t
mr_lwip_selftest(void)
{
	struct mr_lwip_stats before, after;
	size_t refs;
	bool done = false;

	for (size_t i = 0; i < sizeof pattern; i++)
		pattern[i] = (uint8_t)(i * 7 + i / 251);
	poll_until(&done);
	mr_lwip_stats(&before);
	refs = lwip_stats.memp[MEMP_PBUF]->used;
	if (!ram_buffers() || !pool_buffers() || !ref_buffers())
		return MR_EUNSPEC;
#if LWIP_UDP && LWIP_HAVE_LOOPIF
	if (!udp_loopback())
		return MR_EUNSPEC;
#endif
#if LWIP_TCP && LWIP_HAVE_LOOPIF
	/* A connection to itself is two: with tcp_connections = 1, skip it. */
	if (MEMP_NUM_TCP_PCB >= 2 && !tcp_loopback())
		return MR_EUNSPEC;
#endif
	mr_lwip_stats(&after);
	if (after.heap_used != before.heap_used ||
	    after.pbufs_used != before.pbufs_used ||
	    lwip_stats.memp[MEMP_PBUF]->used != refs) {
		mr_error("lwip selftest: buffers not returned: heap %zu -> %zu "
			 "bytes, pool %zu -> %zu, references %zu -> %zu",
			 before.heap_used, after.heap_used, before.pbufs_used,
			 after.pbufs_used, refs,
			 (size_t)lwip_stats.memp[MEMP_PBUF]->used);
		return MR_EUNSPEC;
	}
	return MR_OK;
}
