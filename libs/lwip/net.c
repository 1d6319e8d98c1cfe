/*
 * net.c: the network API of <mirari/net.h>: waiting for an address, and
 * blocking TCP and UDP calls for cooperative threads on lwIP's callback
 * API.
 *
 * lwIP calls back from whichever thread is inside it (a device's receive
 * thread, the timer): its callbacks never block, they only record what
 * happened in the connection and signal the connection's event. The
 * handler's thread, blocked in mr_tcp_read or mr_tcp_write, then wakes
 * and looks. One event per connection serves data, acknowledgements and
 * errors: whoever wakes tests its own condition again.
 *
 * Received data stays in lwIP's buffers (pbufs) until read: the receive
 * window is reopened (tcp_recved) only as the application consumes it, so
 * a slow reader slows its peer instead of exhausting the pool. The queue
 * is walked by each pbuf's own length, never by tot_len, which is 16 bits
 * and overflows once a window above 64K is queued.
 *
 * Idle connections. lwIP's connections are a fixed pool (option
 * tcp_connections), and lwIP only frees one for a new client by killing a
 * connection of a lower priority: accepted connections all have their
 * listener's, so clients that connect and stay idle would keep every new
 * one out. Their owners say which ones they can lose (mr_tcp_set_idle);
 * those wait in the list idle, oldest first, and when a new connection
 * needs room the oldest one whose data has all been acknowledged is
 * closed (reclaim). The owner finds out at its next read or write.
 *
 * UDP has no window to push back with, so a socket copies each datagram
 * out of lwIP's pbufs into its own bounded queue at once (the pool stays
 * free for TCP and the devices) and drops what does not fit.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <mirari/clock.h>
#include <mirari/event.h>
#include <mirari/list.h>
#include <mirari/log.h>
#include <mirari/net.h>
#include <mirari/plat.h>
#include <mirari/thread.h>

#include "mirari_config.h"

#include "lwip/ip4_addr.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"

#include "internal.h"

mr_result_t
mr_net_wait_up(unsigned int index, mr_time_t deadline)
{
	struct mr_event *status;
	struct netif *netif = netif_device(index, &status);

	if (netif == NULL)
		return MR_ENOENT;
	while (ip4_addr_isany_val(*netif_ip4_addr(netif)))
		if (mr_event_wait(status, deadline) == MR_ETIMEDOUT)
			return MR_ETIMEDOUT;
	return MR_OK;
}

#if LWIP_TCP

/*
 * A blocked call wakes at least this often to try again even without an
 * event: a write refused for want of lwIP heap (ERR_MEM) has no callback
 * to announce that memory came back.
 */
#define RETRY	MR_MSEC(50)

struct listener {
	struct tcp_pcb *pcb;
	const char *name;
	mr_tcp_handler handler;
	void *arg;
	unsigned int max;		/* mr_tcp_listen_max, 0: no limit */
	unsigned int open;		/* accepted, not ended or reclaimed */
	unsigned long reclaimed;	/* idle ones closed for room */
	unsigned long refused;		/* reset: no memory or no room */
};

struct mr_tcp {
	struct tcp_pcb *pcb;		/* NULL once lwIP has freed it */
	struct listener *listener;
	struct pbuf *head, *tail;	/* received, not yet read */
	size_t offset;			/* bytes of head already read */
	bool eof;			/* the peer closed its side */
	bool failed;			/* reset, aborted or closed: pcb is gone */
	bool connected;			/* mr_tcp_connect: the peer accepted */
	bool reclaimed;			/* closed by us to make room */
	struct mr_link idle;		/* in the list idle, while idle */
	struct mr_event ev;
};

/* Connections marked idle, in the order they were marked. */
static struct mr_link idle = MR_LINK_INIT(idle);
static unsigned long reclaimed;	/* closed for room in lwIP's pool */

#define IDLE_CONN(link) \
	((struct mr_tcp *)((char *)(link) - offsetof(struct mr_tcp, idle)))

static err_t
on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct mr_tcp *c = arg;

	(void)pcb;
	if (p == NULL) {
		c->eof = true;
	} else if (err != ERR_OK) {
		pbuf_free(p);
		return err;
	} else {
		/*
		 * The chain is ours now: append it, its pbufs one by one.
		 * Data ends the idle mark: what arrives is never lost to a
		 * reclaim before the owner has read it.
		 */
		mr_link_remove(&c->idle);
		if (c->tail == NULL)
			c->head = p;
		else
			c->tail->next = p;
		while (p->next != NULL)
			p = p->next;
		c->tail = p;
	}
	mr_event_signal(&c->ev);
	return ERR_OK;
}

static err_t
on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	struct mr_tcp *c = arg;

	(void)pcb;
	(void)len;
	mr_event_signal(&c->ev);
	return ERR_OK;
}

/* lwIP has already freed the pcb (reset, or aborted for want of memory). */
static void
on_err(void *arg, err_t err)
{
	struct mr_tcp *c = arg;

	(void)err;
	mr_link_remove(&c->idle);
	c->pcb = NULL;
	c->failed = true;
	mr_event_signal(&c->ev);
}

static void
rx_free(struct mr_tcp *c)
{
	struct pbuf *p;

	while ((p = c->head) != NULL) {
		c->head = p->next;
		p->next = NULL;
		pbuf_free(p);
	}
	c->tail = NULL;
	c->offset = 0;
}

/*
 * Part (c) from its pcb, which lwIP no longer reports on, and drop what
 * it received; (c) stays, failed, and its pcb is the caller's to close.
 */
static void
conn_detach(struct mr_tcp *c)
{
	struct tcp_pcb *pcb = c->pcb;

	mr_link_remove(&c->idle);
	rx_free(c);
	c->pcb = NULL;
	c->failed = true;
	if (pcb != NULL) {
		/* Data arriving after this is dropped by lwIP's default. */
		tcp_arg(pcb, NULL);
		tcp_recv(pcb, NULL);
		tcp_sent(pcb, NULL);
		tcp_err(pcb, NULL);
	}
}

/* Close (c)'s pcb, if any, and drop what it received; (c) stays. */
static void
conn_shut(struct mr_tcp *c)
{
	struct tcp_pcb *pcb = c->pcb;

	conn_detach(c);
	if (pcb != NULL && tcp_close(pcb) != ERR_OK)
		tcp_abort(pcb);
}

/* Close (c) and free it; lwIP finishes the close on its own. */
static void
conn_close(struct mr_tcp *c)
{
	conn_shut(c);
	free(c);
}

/*
 * Close (c), idle, to free its pcb now. The peer gets a FIN, as from any
 * server that closes an idle connection, but the pcb is freed at once
 * instead of living on through FIN_WAIT and TIME_WAIT: the room is needed
 * now. The peer's ACK and FIN then find no connection and are answered
 * with a reset, which it sees after the end of stream, when it no longer
 * matters. When the FIN cannot leave at once (no memory for it), a reset
 * tells the peer instead.
 */
static void
conn_reclaim(struct mr_tcp *c)
{
	struct tcp_pcb *pcb = c->pcb;

	conn_detach(c);
	if (tcp_shutdown(pcb, 0, 1) == ERR_OK && pcb->unsent == NULL &&
	    (pcb->state == FIN_WAIT_1 || pcb->state == LAST_ACK))
		tcp_abandon(pcb, 0);
	else
		tcp_abort(pcb);
	if (c->listener != NULL && !c->reclaimed)
		c->listener->open--;
	c->reclaimed = true;
	mr_event_signal(&c->ev);
}

/*
 * Reclaim the connection idle the longest of listener (only), or of any
 * owner when (only) is NULL. False when none can go now. The first one
 * closed, and every 10,000th, is logged with the limit that was reached.
 */
static bool
reclaim(struct listener *only)
{
	struct mr_link *link;
	struct mr_tcp *c;

	for (link = idle.next; link != &idle; link = link->next) {
		c = IDLE_CONN(link);
		if (only != NULL && c->listener != only)
			continue;
		/* Not before the peer has all it was sent: it would lose it. */
		if (c->pcb->unsent != NULL || c->pcb->unacked != NULL ||
		    (c->pcb->state != ESTABLISHED &&
		     c->pcb->state != CLOSE_WAIT))
			continue;
		conn_reclaim(c);
		if (only != NULL && only->reclaimed++ % 10000 == 0)
			mr_warn("tcp port %u: at its limit of %u connections: "
				"closing the one idle the longest; %lu so far",
				(unsigned int)only->pcb->local_port, only->max,
				only->reclaimed);
		if (only == NULL && reclaimed++ % 10000 == 0)
			mr_warn("tcp: all %d connections (tcp_connections) in "
				"use: closing the one idle the longest; %lu so "
				"far", MEMP_NUM_TCP_PCB, reclaimed);
		return true;
	}
	return false;
}

bool
net_reclaim_idle(void)
{
	return reclaim(NULL);
}

void
mr_tcp_set_idle(struct mr_tcp *c, bool is_idle)
{
	mr_link_remove(&c->idle);
	if (is_idle && c->pcb != NULL && c->head == NULL)
		mr_link_append(&idle, &c->idle);
}

static void
conn_thread(void *arg)
{
	struct mr_tcp *c = arg;
	struct listener *l = c->listener;

	l->handler(c, l->arg);
	if (!c->reclaimed)
		l->open--;
	conn_close(c);
}

static err_t
on_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct listener *l = arg;
	const char *why = "no memory";
	struct mr_tcp *c;

	if (err != ERR_OK || pcb == NULL)
		return ERR_VAL;
	/*
	 * A listener at its limit makes room by closing its connection idle
	 * the longest; when none is idle, every one is busy and the new one
	 * has to go.
	 */
	if (l->max > 0 && l->open >= l->max && !reclaim(l)) {
		why = "all busy";
		goto refuse;
	}
	c = calloc(1, sizeof *c);
	if (c == NULL)
		goto refuse;
	c->pcb = pcb;
	c->listener = l;
	mr_link_init(&c->idle);
	mr_event_init(&c->ev);
	/*
	 * No Nagle: mr_tcp_write already hands over whole answers, and a
	 * partial last segment held back until the peer's (delayed) ACK
	 * costs a large answer up to 40 ms with a Linux client.
	 */
	tcp_nagle_disable(pcb);
	tcp_arg(pcb, c);
	tcp_recv(pcb, on_recv);
	tcp_sent(pcb, on_sent);
	tcp_err(pcb, on_err);
	if (mr_thread_spawn(l->name, conn_thread, c) == NULL) {
		tcp_arg(pcb, NULL);
		free(c);
		goto refuse;
	}
	l->open++;
	return ERR_OK;
refuse:
	if (l->refused++ % 10000 == 0)
		mr_warn("tcp port %u: a connection reset (%s, %u open); "
			"%lu so far", (unsigned int)l->pcb->local_port, why,
			l->open, l->refused);
	tcp_abort(pcb);
	return ERR_ABRT;
}

mr_result_t
mr_tcp_listen(uint16_t port, const char *name, mr_tcp_handler handler,
	      void *arg)
{
	struct listener *l;
	struct tcp_pcb *pcb, *lpcb;
	err_t err;

	if (port == 0 || handler == NULL || name == NULL)
		return MR_EINVAL;
	l = calloc(1, sizeof *l);
	if (l == NULL)
		return MR_ENOMEM;
	pcb = tcp_new_ip_type(IPADDR_TYPE_V4);
	if (pcb == NULL) {
		free(l);
		return MR_ENOMEM;
	}
	err = tcp_bind(pcb, IP4_ADDR_ANY, port);
	if (err != ERR_OK) {
		tcp_close(pcb);
		free(l);
		return err == ERR_USE ? MR_EUNSPEC : MR_ENOMEM;
	}
	/* On success tcp_listen frees (pcb) and returns a smaller one. */
	lpcb = tcp_listen(pcb);
	if (lpcb == NULL) {
		tcp_close(pcb);
		free(l);
		return MR_ENOMEM;
	}
	*l = (struct listener){ .pcb = lpcb, .name = name, .handler = handler,
				.arg = arg };
	tcp_arg(lpcb, l);
	tcp_accept(lpcb, on_accept);
	mr_hold();
	return MR_OK;
}

mr_result_t
mr_tcp_listen_max(uint16_t port, unsigned int max)
{
	struct tcp_pcb_listen *lpcb;

	for (lpcb = tcp_listen_pcbs.listen_pcbs; lpcb != NULL;
	     lpcb = lpcb->next) {
		if (lpcb->local_port == port && lpcb->accept == on_accept) {
			((struct listener *)lpcb->callback_arg)->max = max;
			return MR_OK;
		}
	}
	return MR_ENOENT;
}

/*
 * Wait for (c)'s event until (deadline), waking at least every RETRY.
 * MR_ETIMEDOUT only when (deadline) has passed.
 */
static mr_result_t
conn_wait(struct mr_tcp *c, mr_time_t deadline)
{
	mr_time_t now = mr_now(), until;

	if (now >= deadline)
		return MR_ETIMEDOUT;
	until = deadline - now > RETRY ? now + RETRY : deadline;
	mr_event_wait(&c->ev, until);
	return MR_OK;
}

static err_t
on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct mr_tcp *c = arg;

	(void)pcb;
	(void)err;	/* always ERR_OK: failures go to on_err */
	c->connected = true;
	mr_event_signal(&c->ev);
	return ERR_OK;
}

mr_result_t
mr_tcp_connect(const char *ip, uint16_t port, struct mr_tcp **conn,
	       mr_time_t deadline)
{
	ip_addr_t addr;
	struct mr_tcp *c;
	err_t err;

	*conn = NULL;
	if (ip == NULL || port == 0 || !ipaddr_aton(ip, &addr) ||
	    !IP_IS_V4(&addr))
		return MR_EINVAL;
	c = calloc(1, sizeof *c);
	if (c == NULL)
		return MR_ENOMEM;
	mr_link_init(&c->idle);
	mr_event_init(&c->ev);
	c->pcb = tcp_new_ip_type(IPADDR_TYPE_V4);
	if (c->pcb == NULL) {
		free(c);
		return MR_ENOMEM;
	}
	tcp_nagle_disable(c->pcb);	/* as for accepted connections */
	tcp_arg(c->pcb, c);
	tcp_recv(c->pcb, on_recv);
	tcp_sent(c->pcb, on_sent);
	tcp_err(c->pcb, on_err);
	err = tcp_connect(c->pcb, &addr, port, on_connected);
	if (err != ERR_OK) {
		conn_close(c);
		return err == ERR_MEM ? MR_ENOMEM : MR_EUNSPEC;
	}
	while (!c->connected) {
		if (c->failed) {
			/* on_err: lwIP has freed the pcb already. */
			conn_close(c);
			return MR_EUNSPEC;
		}
		if (conn_wait(c, deadline) == MR_ETIMEDOUT) {
			/* Abort, not close: no FIN for a connection never made. */
			tcp_arg(c->pcb, NULL);
			tcp_err(c->pcb, NULL);
			tcp_abort(c->pcb);
			c->pcb = NULL;
			conn_close(c);
			return MR_ETIMEDOUT;
		}
	}
	*conn = c;
	return MR_OK;
}

void
mr_tcp_close(struct mr_tcp *c)
{
	if (c == NULL)
		return;
	if (c->listener != NULL)
		conn_shut(c);	/* conn_thread frees it when the handler returns */
	else
		conn_close(c);
}

mr_result_t
mr_tcp_read(struct mr_tcp *c, void *buf, size_t size, size_t *len,
	    mr_time_t deadline)
{
	uint8_t *out = buf;
	size_t done = 0, n;
	struct pbuf *p;

	*len = 0;
	if (size == 0)
		return MR_EINVAL;
	while (c->head == NULL) {
		if (c->failed)
			return MR_EUNSPEC;
		if (c->eof)
			return MR_OK;
		if (conn_wait(c, deadline) == MR_ETIMEDOUT)
			return MR_ETIMEDOUT;
	}
	while (done < size && (p = c->head) != NULL) {
		n = p->len - c->offset;
		if (n > size - done)
			n = size - done;
		memcpy(out + done, (uint8_t *)p->payload + c->offset, n);
		done += n;
		c->offset += n;
		if (c->offset == p->len) {
			/* Detach the emptied pbuf alone; the rest stays queued. */
			c->head = p->next;
			if (c->head == NULL)
				c->tail = NULL;
			p->next = NULL;
			pbuf_free(p);
			c->offset = 0;
		}
	}
	/* Reopen the window by what was consumed (tcp_recved takes 16 bits). */
	for (size_t left = done; c->pcb != NULL && left > 0; left -= n) {
		n = left > 0xffff ? 0xffff : left;
		tcp_recved(c->pcb, (u16_t)n);
	}
	*len = done;
	return MR_OK;
}

mr_result_t
mr_tcp_write(struct mr_tcp *c, const void *buf, size_t len,
	     mr_time_t deadline)
{
	const uint8_t *in = buf;
	size_t done = 0, n;
	err_t err;

	while (done < len) {
		if (c->failed || c->pcb == NULL)
			return MR_EUNSPEC;
		n = tcp_sndbuf(c->pcb);
		if (n > len - done)
			n = len - done;
		if (n > 0xffff)
			n = 0xffff;
		err = ERR_MEM;
		if (n > 0 && tcp_sndqueuelen(c->pcb) < TCP_SND_QUEUELEN)
			err = tcp_write(c->pcb, in + done, (u16_t)n,
					TCP_WRITE_FLAG_COPY |
					(done + n < len ? TCP_WRITE_FLAG_MORE : 0));
		if (err == ERR_OK) {
			done += n;
			continue;
		}
		if (err != ERR_MEM)
			return MR_EUNSPEC;
		/* Full: push out what is queued and wait for acknowledgements. */
		tcp_output(c->pcb);
		if (conn_wait(c, deadline) == MR_ETIMEDOUT)
			return MR_ETIMEDOUT;
	}
	if (c->failed || c->pcb == NULL)
		return MR_EUNSPEC;
	tcp_output(c->pcb);
	return MR_OK;
}

#else /* !LWIP_TCP */

mr_result_t
mr_tcp_connect(const char *ip, uint16_t port, struct mr_tcp **conn,
	       mr_time_t deadline)
{
	(void)ip;
	(void)port;
	(void)deadline;
	*conn = NULL;
	mr_error("mr_tcp_connect: lwip is built with tcp = false");
	return MR_ENOENT;
}

void
mr_tcp_close(struct mr_tcp *c)
{
	(void)c;
}

void
mr_tcp_set_idle(struct mr_tcp *c, bool is_idle)
{
	(void)c;
	(void)is_idle;
}

/* Built with tcp = false: the API is there, and says there is no TCP. */
mr_result_t
mr_tcp_listen(uint16_t port, const char *name, mr_tcp_handler handler,
	      void *arg)
{
	(void)port;
	(void)name;
	(void)handler;
	(void)arg;
	mr_error("mr_tcp_listen: lwip is built with tcp = false");
	return MR_ENOENT;
}

mr_result_t
mr_tcp_listen_max(uint16_t port, unsigned int max)
{
	(void)port;
	(void)max;
	return MR_ENOENT;
}

mr_result_t
mr_tcp_read(struct mr_tcp *c, void *buf, size_t size, size_t *len,
	    mr_time_t deadline)
{
	(void)c;
	(void)buf;
	(void)size;
	(void)deadline;
	*len = 0;
	return MR_EINVAL;
}

mr_result_t
mr_tcp_write(struct mr_tcp *c, const void *buf, size_t len,
	     mr_time_t deadline)
{
	(void)c;
	(void)buf;
	(void)len;
	(void)deadline;
	return MR_EINVAL;
}

#endif /* LWIP_TCP */

#if LWIP_UDP

/* A datagram received and not yet read; (len) bytes follow. */
struct dgram {
	ip4_addr_t from;
	uint16_t port;
	size_t len;
	uint8_t data[];
};

struct mr_udp {
	struct udp_pcb *pcb;
	struct dgram *queue[MR_UDP_QUEUE];	/* a ring */
	unsigned int first, count;
	uint64_t dropped;
	struct mr_event ev;
};

static void
on_udp_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p,
	    const ip_addr_t *addr, u16_t port)
{
	struct mr_udp *s = arg;
	struct dgram *d;

	(void)pcb;
	if (s->count == MR_UDP_QUEUE || !IP_IS_V4(addr) ||
	    (d = malloc(sizeof *d + p->tot_len)) == NULL) {
		s->dropped++;
		pbuf_free(p);
		return;
	}
	d->from = *ip_2_ip4(addr);
	d->port = port;
	d->len = pbuf_copy_partial(p, d->data, p->tot_len, 0);
	pbuf_free(p);
	s->queue[(s->first + s->count) % MR_UDP_QUEUE] = d;
	s->count++;
	mr_event_signal_one(&s->ev);
}

mr_result_t
mr_udp_bind(uint16_t port, struct mr_udp **sock)
{
	struct mr_udp *s;
	err_t err;

	*sock = NULL;
	s = calloc(1, sizeof *s);
	if (s == NULL)
		return MR_ENOMEM;
	mr_event_init(&s->ev);
	s->pcb = udp_new_ip_type(IPADDR_TYPE_V4);
	if (s->pcb == NULL) {
		free(s);
		return MR_ENOMEM;
	}
	err = udp_bind(s->pcb, IP4_ADDR_ANY, port);
	if (err != ERR_OK) {
		udp_remove(s->pcb);
		free(s);
		return err == ERR_USE ? MR_EUNSPEC : MR_ENOMEM;
	}
	udp_recv(s->pcb, on_udp_recv, s);
	*sock = s;
	return MR_OK;
}

mr_result_t
mr_udp_sendto(struct mr_udp *s, const char *ip, uint16_t port,
	      const void *buf, size_t len)
{
	ip_addr_t addr;
	struct pbuf *p;
	err_t err;

	if (ip == NULL || port == 0 || len > 65507 ||
	    !ipaddr_aton(ip, &addr) || !IP_IS_V4(&addr))
		return MR_EINVAL;
	p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)len, PBUF_RAM);
	if (p == NULL)
		return MR_ENOMEM;
	if (len > 0)
		memcpy(p->payload, buf, len);
	err = udp_sendto(s->pcb, p, &addr, port);
	pbuf_free(p);
	if (err == ERR_OK)
		return MR_OK;
	return err == ERR_MEM || err == ERR_BUF ? MR_ENOMEM : MR_EUNSPEC;
}

mr_result_t
mr_udp_recvfrom(struct mr_udp *s, void *buf, size_t size, size_t *len,
		char ip[16], uint16_t *port, mr_time_t deadline)
{
	struct dgram *d;
	mr_result_t r = MR_OK;
	size_t n;

	*len = 0;
	while (s->count == 0)
		if (mr_event_wait(&s->ev, deadline) == MR_ETIMEDOUT &&
		    s->count == 0)
			return MR_ETIMEDOUT;
	d = s->queue[s->first];
	s->queue[s->first] = NULL;
	s->first = (s->first + 1) % MR_UDP_QUEUE;
	s->count--;
	n = d->len;
	if (n > size) {
		n = size;
		r = MR_EINVAL;
	}
	if (n > 0)
		memcpy(buf, d->data, n);
	*len = n;
	if (ip != NULL)
		ip4addr_ntoa_r(&d->from, ip, 16);
	if (port != NULL)
		*port = d->port;
	free(d);
	return r;
}

uint64_t
mr_udp_dropped(const struct mr_udp *s)
{
	return s->dropped;
}

void
mr_udp_close(struct mr_udp *s)
{
	if (s == NULL)
		return;
	udp_remove(s->pcb);
	while (s->count > 0) {
		free(s->queue[s->first]);
		s->first = (s->first + 1) % MR_UDP_QUEUE;
		s->count--;
	}
	free(s);
}

#else /* !LWIP_UDP */

/* Built with udp = false: the API is there, and says there is no UDP. */
mr_result_t
mr_udp_bind(uint16_t port, struct mr_udp **sock)
{
	(void)port;
	*sock = NULL;
	mr_error("mr_udp_bind: lwip is built with udp = false");
	return MR_ENOENT;
}

mr_result_t
mr_udp_sendto(struct mr_udp *s, const char *ip, uint16_t port,
	      const void *buf, size_t len)
{
	(void)s;
	(void)ip;
	(void)port;
	(void)buf;
	(void)len;
	return MR_EINVAL;
}

mr_result_t
mr_udp_recvfrom(struct mr_udp *s, void *buf, size_t size, size_t *len,
		char ip[16], uint16_t *port, mr_time_t deadline)
{
	(void)s;
	(void)buf;
	(void)size;
	(void)ip;
	(void)port;
	(void)deadline;
	*len = 0;
	return MR_EINVAL;
}

uint64_t
mr_udp_dropped(const struct mr_udp *s)
{
	(void)s;
	return 0;
}

void
mr_udp_close(struct mr_udp *s)
{
	(void)s;
}

#endif /* LWIP_UDP */
