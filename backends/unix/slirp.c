/*
 * slirp.c: net devices on libslirp (Debian's libslirp-dev), for a Linux
 * process without privileges.
 *
 * A net device without a tap (net.c decides) gets a libslirp instance of
 * its own: a virtual Ethernet segment whose only other host is slirp,
 * which answers ARP and DHCP, and turns the image's TCP and UDP into
 * ordinary sockets of the process (user-mode NAT). Nothing is configured
 * on the machine, so nothing needs CAP_NET_ADMIN.
 *
 * The virtual network follows the device's `ipv4` setting:
 *   "dhcp"            slirp's usual 10.0.2.0/24: the host (slirp, gateway
 *                     and the machine's 127.0.0.1) is 10.0.2.2, its DNS
 *                     forwarder 10.0.2.3, and its DHCP server leases
 *                     10.0.2.15 to the image;
 *   ADDRESS/PREFIX    that subnet, with slirp at the device's `gateway` or
 *                     else the subnet's .2, and slirp's DHCP server off
 *                     (lwIP configures the address itself).
 *
 * Host forwards: each word of the `forward` setting, [tcp:|udp:]HOST:GUEST,
 * makes slirp listen on 127.0.0.1:HOST (never another address: a forward
 * must not open the image to the network) and carry what arrives to the
 * image's port GUEST. A port that cannot be bound stops the boot with an
 * error that names it.
 *
 * Stacks. libslirp is not written for small stacks (its if_encap alone
 * keeps a 64 KiB buffer on the stack), and a handler thread has 32 KiB:
 * so libslirp runs only on the process's own stack, at boot (slirp_new,
 * the forwards) and in the poll hook, which mr_plat_block runs on the
 * scheduler's stack. Never from mr_plat_net_write, which lwIP calls from
 * any thread.
 *
 * Frames. lwIP's frames (slirp_net_write) are copied into the device's
 * bounded transmit queue (MR_EAGAIN when it is full: the caller drops the
 * frame, as a busy link would, and TCP resends it), and the poll hook
 * hands them to slirp_input at the start of the next round, before it
 * polls. slirp's frames (its send_packet callback, called from slirp_input
 * or while dispatching its sockets) are copied into the bounded receive
 * queue, which slirp_net_read empties; a frame that finds it full is
 * dropped and counted. The device's event source has no descriptor: the
 * poll hook reports it ready whenever the receive queue holds a frame.
 *
 * The single poll. libslirp keeps a socket per connection and timers of
 * its own, which change from one round to the next, so it joins
 * mr_plat_block through a poll hook (backend.h) instead of handles: before
 * poll(2) each instance adds its sockets (slirp_pollfds_fill) and lowers
 * the deadline to its TCP timers and to its armed timers; afterwards it
 * handles what the sockets reported (slirp_pollfds_poll) and the timers
 * that expired. The hook is registered when the first slirp device opens,
 * so images that use none poll as before.
 *
 * Memory: the instances and their queues (1.2 MB a device) are allocated
 * when the device opens and live as long as the process.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <slirp/libslirp.h>

#include <mirari/app.h>
#include <mirari/log.h>
#include <mirari/plat.h>

#include "backend.h"

/* The virtual link's MTU: slirp's default, that of an Ethernet. */
#define SLIRP_MTU	1500
#define FRAME_MAX	(SLIRP_MTU + ETH_HEADER)
/* Frames slirp may have waiting for lwIP; beyond that they are dropped. */
#define QUEUE_LEN	512
/* Frames lwIP may have waiting for slirp; beyond that MR_EAGAIN. */
#define TX_LEN		256
/* Forwards per device. */
#define FORWARDS	16

struct frame {
	uint16_t len;
	uint8_t data[FRAME_MAX];
};

/* A ring of (size) frames. */
struct ring {
	struct frame *frames;
	unsigned int size, head, count;
};

struct slirpdev {
	Slirp *slirp;
	unsigned int index;
	int handle;
	struct ring rx;		/* from slirp, for lwIP */
	struct ring tx;		/* from lwIP, for slirp */
	unsigned long drops;
};

/* A timer of libslirp's (timer_new): armed when (when) >= 0. */
struct timer {
	SlirpTimerCb cb;
	void *cb_opaque;
	mr_time_t when;
	struct timer *next;
};

static struct slirpdev *devs[NET_DEVICES];
static struct timer *timers;

static bool
ring_init(struct ring *r, unsigned int size)
{
	r->size = size;
	r->head = r->count = 0;
	return (r->frames = calloc(size, sizeof(*r->frames))) != NULL;
}

/* A copy of (len) bytes of (buf) at the ring's tail; false when full. */
static bool
ring_put(struct ring *r, const void *buf, size_t len)
{
	struct frame *f;

	if (r->count == r->size)
		return false;
	f = &r->frames[(r->head + r->count++) % r->size];
	f->len = (uint16_t)len;
	memcpy(f->data, buf, len);
	return true;
}

/* The frame at the ring's head, which stays valid until the next put. */
static struct frame *
ring_take(struct ring *r)
{
	struct frame *f;

	if (r->count == 0)
		return NULL;
	f = &r->frames[r->head];
	r->head = (r->head + 1) % r->size;
	r->count--;
	return f;
}

/* slirp calls it with frames for the image: queue a copy. */
static ssize_t
cb_send_packet(const void *buf, size_t len, void *opaque)
{
	struct slirpdev *d = opaque;

	if (len > FRAME_MAX) {
		mr_debug("net%u: slirp sent a frame of %zu bytes; dropped",
			 d->index, len);
		return (ssize_t)len;
	}
	if (!ring_put(&d->rx, buf, len)) {
		/* Say it once per power of two: visible, never a flood. */
		d->drops++;
		if ((d->drops & (d->drops - 1)) == 0)
			mr_warn("net%u: slirp's frames wait faster than lwIP "
				"takes them: %lu dropped", d->index, d->drops);
	}
	return (ssize_t)len;
}

static void
cb_guest_error(const char *msg, void *opaque)
{
	struct slirpdev *d = opaque;

	mr_warn("net%u: slirp: %s", d->index, msg);
}

/* slirp's clock is ours: mr_plat_clock_monotonic's nanoseconds. */
static int64_t
cb_clock_get_ns(void *opaque)
{
	(void)opaque;
	return mr_plat_clock_monotonic();
}

static void *
cb_timer_new(SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
	struct timer *t;

	(void)opaque;
	if ((t = malloc(sizeof(*t))) == NULL)
		mr_panic("slirp: no memory for a timer");
	t->cb = cb;
	t->cb_opaque = cb_opaque;
	t->when = -1;
	t->next = timers;
	timers = t;
	return t;
}

static void
cb_timer_free(void *timer, void *opaque)
{
	struct timer **p;

	(void)opaque;
	for (p = &timers; *p != NULL; p = &(*p)->next) {
		if (*p == timer) {
			*p = ((struct timer *)timer)->next;
			free(timer);
			return;
		}
	}
}

/* (expire) is in milliseconds of cb_clock_get_ns's clock. */
static void
cb_timer_mod(void *timer, int64_t expire, void *opaque)
{
	(void)opaque;
	((struct timer *)timer)->when = expire < 0 ? 0 : MR_MSEC(expire);
}

/*
 * Descriptors are handed over on every round by slirp_pollfds_fill, so
 * there is nothing to keep here; and no other thread to wake in notify.
 */
static void
cb_register_poll_fd(int fd, void *opaque)
{
	(void)fd;
	(void)opaque;
}

static void
cb_notify(void *opaque)
{
	(void)opaque;
}

static const SlirpCb callbacks = {
	.send_packet = cb_send_packet,
	.guest_error = cb_guest_error,
	.clock_get_ns = cb_clock_get_ns,
	.timer_new = cb_timer_new,
	.timer_free = cb_timer_free,
	.timer_mod = cb_timer_mod,
	.register_poll_fd = cb_register_poll_fd,
	.unregister_poll_fd = cb_register_poll_fd,
	.notify = cb_notify,
};

static int
add_poll(int fd, int events, void *opaque)
{
	short e = 0;

	(void)opaque;
	if (events & SLIRP_POLL_IN)
		e |= POLLIN;
	if (events & SLIRP_POLL_OUT)
		e |= POLLOUT;
	if (events & SLIRP_POLL_PRI)
		e |= POLLPRI;
	return poll_add(fd, e);
}

static int
get_revents(int index, void *opaque)
{
	short r = poll_revents(index);
	int e = 0;

	(void)opaque;
	if (r & POLLIN)
		e |= SLIRP_POLL_IN;
	if (r & POLLOUT)
		e |= SLIRP_POLL_OUT;
	if (r & POLLPRI)
		e |= SLIRP_POLL_PRI;
	if (r & (POLLERR | POLLNVAL))
		e |= SLIRP_POLL_ERR;
	if (r & POLLHUP)
		e |= SLIRP_POLL_HUP;
	return e;
}

static void
hook_fill(void *arg, mr_time_t *deadline, uint64_t *ready)
{
	struct frame *f;
	struct timer *t;
	mr_time_t now = mr_plat_clock_monotonic();
	uint32_t ms;
	unsigned int i;

	(void)arg;
	for (i = 0; i < NET_DEVICES; i++)
		if (devs[i] != NULL)
			while ((f = ring_take(&devs[i]->tx)) != NULL)
				slirp_input(devs[i]->slirp, f->data, f->len);
	for (t = timers; t != NULL; t = t->next)
		if (t->when >= 0 && t->when < *deadline)
			*deadline = t->when;
	for (i = 0; i < NET_DEVICES; i++) {
		if (devs[i] == NULL)
			continue;
		if (*deadline == MR_FOREVER)
			ms = UINT32_MAX;
		else if (*deadline <= now)
			ms = 0;
		else if ((*deadline - now) / MR_MSEC(1) >= UINT32_MAX)
			ms = UINT32_MAX - 1;
		else
			ms = (uint32_t)((*deadline - now) / MR_MSEC(1));
		slirp_pollfds_fill(devs[i]->slirp, &ms, add_poll, NULL);
		if (ms != UINT32_MAX && now + MR_MSEC(ms) < *deadline)
			*deadline = now + MR_MSEC(ms);
		if (devs[i]->rx.count > 0)
			*ready |= UINT64_C(1) << devs[i]->handle;
	}
}

static void
hook_dispatch(void *arg, bool error, uint64_t *ready)
{
	struct timer *t;
	mr_time_t now;
	unsigned int i;

	(void)arg;
	for (i = 0; i < NET_DEVICES; i++)
		if (devs[i] != NULL)
			slirp_pollfds_poll(devs[i]->slirp, error, get_revents,
					   NULL);
	/*
	 * A callback may arm, disarm or free any timer, so the walk starts
	 * over after each one; there are only a few.
	 */
	now = mr_plat_clock_monotonic();
again:
	for (t = timers; t != NULL; t = t->next) {
		if (t->when >= 0 && t->when <= now) {
			t->when = -1;
			t->cb(t->cb_opaque);
			goto again;
		}
	}
	for (i = 0; i < NET_DEVICES; i++)
		if (devs[i] != NULL && devs[i]->rx.count > 0)
			*ready |= UINT64_C(1) << devs[i]->handle;
}

static struct poll_hook hook = {
	.fill = hook_fill, .dispatch = hook_dispatch,
};

/* "A.B.C.D/N" into (addr) and (prefix); false when it is not one. */
static bool
parse_cidr(const char *s, struct in_addr *addr, unsigned int *prefix)
{
	char buf[INET_ADDRSTRLEN], *end;
	const char *slash = strchr(s, '/');
	unsigned long n;

	if (slash == NULL || (size_t)(slash - s) >= sizeof(buf))
		return false;
	memcpy(buf, s, (size_t)(slash - s));
	buf[slash - s] = '\0';
	if (inet_pton(AF_INET, buf, addr) != 1)
		return false;
	errno = 0;
	n = strtoul(slash + 1, &end, 10);
	if (slash[1] == '\0' || *end != '\0' || errno != 0 || n > 32)
		return false;
	*prefix = (unsigned int)n;
	return true;
}

static struct in_addr
host_order(uint32_t a)
{
	struct in_addr in = { .s_addr = htonl(a) };

	return in;
}

/*
 * Fill (cfg) and (*guest), the image's address, from the device's ipv4
 * and gateway settings. False after saying what is wrong.
 */
static bool
network(unsigned int index, const struct mr_device_desc *dev,
	SlirpConfig *cfg, struct in_addr *guest)
{
	char ipv4[64], gateway[INET_ADDRSTRLEN + 1];
	struct in_addr addr, gw;
	uint32_t mask, net, a, host, dns;
	unsigned int prefix;
	mr_result_t r;

	r = mr_device_setting(dev, "ipv4", ipv4, sizeof(ipv4));
	if (r == MR_ENOENT || (r == MR_OK && (ipv4[0] == '\0' ||
					      strcmp(ipv4, "dhcp") == 0))) {
		/* slirp's usual network, as QEMU's user networking has it. */
		cfg->vnetwork = host_order(0x0a000200);
		cfg->vnetmask = host_order(0xffffff00);
		cfg->vhost = host_order(0x0a000202);
		cfg->vnameserver = host_order(0x0a000203);
		cfg->vdhcp_start = host_order(0x0a00020f);
		*guest = cfg->vdhcp_start;
		return true;
	}
	if (r != MR_OK || !parse_cidr(ipv4, &addr, &prefix)) {
		mr_error("net%u: ipv4 = \"%.*s\": expected ADDRESS/PREFIX or "
			 "\"dhcp\"", index, 40, r == MR_OK ? ipv4 : "(too long)");
		return false;
	}
	if (prefix < 1 || prefix > 30) {
		mr_error("net%u: ipv4 = \"%s\": slirp needs a prefix from /1 to "
			 "/30, room for the image and slirp's host", index,
			 ipv4);
		return false;
	}
	mask = ~(0xffffffffu >> prefix);
	a = ntohl(addr.s_addr);
	net = a & mask;
	if (a == net || a == (net | ~mask)) {
		mr_error("net%u: ipv4 = \"%s\" is the subnet's network or "
			 "broadcast address", index, ipv4);
		return false;
	}
	r = mr_device_setting(dev, "gateway", gateway, sizeof(gateway));
	if (r == MR_OK && gateway[0] != '\0') {
		if (inet_pton(AF_INET, gateway, &gw) != 1) {
			mr_error("net%u: gateway = \"%s\": expected an IPv4 "
				 "address", index, gateway);
			return false;
		}
		host = ntohl(gw.s_addr);
		if ((host & mask) != net || host == net ||
		    host == (net | ~mask) || host == a) {
			mr_error("net%u: gateway %s: slirp's host must be "
				 "another address of %s", index, gateway,
				 ipv4);
			return false;
		}
	} else if (r == MR_ENOMEM) {
		mr_error("net%u: gateway is not an IPv4 address", index);
		return false;
	} else {
		host = net | 2;
		if (host == a)
			host = net | 1;
	}
	/* slirp's DNS forwarder: the first address nobody else has. */
	for (dns = net | 3; dns == a || dns == host; dns++)
		;
	cfg->disable_dns = (dns & mask) != net || dns == (net | ~mask);
	cfg->vnetwork = host_order(net);
	cfg->vnetmask = host_order(mask);
	cfg->vhost = host_order(host);
	cfg->vnameserver = host_order(cfg->disable_dns ? host : dns);
	cfg->vdhcp_start = addr;
	cfg->disable_dhcp = true;
	*guest = addr;
	return true;
}

/*
 * libslirp listens for a TCP forward with a backlog of 1 (its tcp_listen),
 * so clients connecting at once see their SYNs dropped and resent a second
 * later. Linux lets listen(2) be called again on a listening socket to
 * change its backlog: find slirp's socket, the one listening on
 * 127.0.0.1:(port), among the process's descriptors, and give it the
 * usual SOMAXCONN. When it is not found the forward still works.
 */
static void
widen_backlog(unsigned long port)
{
	struct sockaddr_in sin;
	socklen_t len;
	int fd, listening, max = (int)sysconf(_SC_OPEN_MAX);

	if (max < 0 || max > 65536)
		max = 65536;
	for (fd = 3; fd < max; fd++) {
		len = sizeof(sin);
		if (getsockname(fd, (struct sockaddr *)&sin, &len) < 0 ||
		    sin.sin_family != AF_INET ||
		    sin.sin_addr.s_addr != htonl(INADDR_LOOPBACK) ||
		    ntohs(sin.sin_port) != port)
			continue;
		len = sizeof(listening);
		if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening,
			       &len) == 0 && listening) {
			listen(fd, SOMAXCONN);
			return;
		}
	}
}

/*
 * Each word of the forward setting, [tcp:|udp:]HOST:GUEST, becomes a
 * forward from 127.0.0.1:HOST. False after saying which one failed.
 */
static bool
forwards(struct slirpdev *d, const struct mr_device_desc *dev,
	 struct in_addr guest, char *log, size_t logsize)
{
	char list[FORWARDS * 16 + 1], *word, *save, *rest, *end;
	struct in_addr loopback = { .s_addr = htonl(INADDR_LOOPBACK) };
	unsigned long host, port;
	size_t used = 0;
	bool udp;
	mr_result_t r;
	int n = 0, err;

	log[0] = '\0';
	r = mr_device_setting(dev, "forward", list, sizeof(list));
	if (r == MR_ENOENT)
		return true;
	if (r != MR_OK) {
		mr_error("net%u: forward: the list is too long (at most %d "
			 "forwards)", d->index, FORWARDS);
		return false;
	}
	for (word = strtok_r(list, ",", &save); word != NULL;
	     word = strtok_r(NULL, ",", &save)) {
		udp = false;
		rest = word;
		if (strncmp(rest, "tcp:", 4) == 0) {
			rest += 4;
		} else if (strncmp(rest, "udp:", 4) == 0) {
			udp = true;
			rest += 4;
		}
		errno = 0;
		host = strtoul(rest, &end, 10);
		port = 0;
		if (end != rest && *end == ':' && end[1] >= '0' && end[1] <= '9')
			port = strtoul(end + 1, &end, 10);
		if (errno != 0 || *end != '\0' || host < 1 || host > 65535 ||
		    port < 1 || port > 65535 || ++n > FORWARDS) {
			mr_error("net%u: forward \"%s\": expected "
				 "[tcp:|udp:]HOST:GUEST with ports from 1 to "
				 "65535, such as 8080:80 (at most %d)",
				 d->index, word, FORWARDS);
			return false;
		}
		if (slirp_add_hostfwd(d->slirp, udp, loopback, (int)host, guest,
				      (int)port) < 0) {
			err = errno;
			mr_error("net%u: forward %s: cannot listen on "
				 "127.0.0.1:%lu/%s: %s; forward another host "
				 "port: mirari run --forward %sPORT:%lu, or the "
				 "boot parameter %s.forward=%sPORT:%lu",
				 d->index, word, host, udp ? "udp" : "tcp",
				 err == EADDRINUSE ?
				 "the port is taken by another socket" :
				 strerror(err), udp ? "udp:" : "", port,
				 dev->name, udp ? "udp:" : "", port);
			return false;
		}
		if (!udp)
			widen_backlog(host);
		used += (size_t)snprintf(log + used, logsize - used,
					 "%s127.0.0.1:%lu->%lu/%s",
					 used > 0 ? ", " : "", host, port,
					 udp ? "udp" : "tcp");
		if (used >= logsize)
			used = logsize - 1;
	}
	return true;
}

mr_result_t
slirp_net_open(unsigned int index, const struct mr_device_desc *dev,
	       struct mr_plat_net_info *info)
{
	SlirpConfig cfg;
	struct slirpdev *d;
	struct in_addr guest;
	char net[INET_ADDRSTRLEN], host[INET_ADDRSTRLEN], fwd[FORWARDS * 40];
	static bool hooked;

	memset(&cfg, 0, sizeof(cfg));
	cfg.version = 4;
	cfg.in_enabled = true;
	cfg.if_mtu = SLIRP_MTU;
	cfg.if_mru = SLIRP_MTU;
	if (!network(index, dev, &cfg, &guest))
		return MR_EINVAL;
	if ((d = calloc(1, sizeof(*d))) == NULL ||
	    !ring_init(&d->rx, QUEUE_LEN) || !ring_init(&d->tx, TX_LEN)) {
		if (d != NULL) {
			free(d->rx.frames);
			free(d);
		}
		mr_error("net%u: no memory for slirp's queues", index);
		return MR_ENOMEM;
	}
	d->index = index;
	if ((d->slirp = slirp_new(&cfg, &callbacks, d)) == NULL) {
		mr_error("net%u: libslirp refused its configuration", index);
		goto fail;
	}
	if (!forwards(d, dev, guest, fwd, sizeof(fwd)))
		goto fail;
	if ((d->handle = mr_source_open()) < 0) {
		mr_error("net%u: no event source left", index);
		goto fail;
	}
	devs[index] = d;
	if (!hooked) {
		poll_hook_add(&hook);
		hooked = true;
	}
	info->mtu = SLIRP_MTU;
	info->handle = d->handle;
	inet_ntop(AF_INET, &cfg.vnetwork, net, sizeof(net));
	inet_ntop(AF_INET, &cfg.vhost, host, sizeof(host));
	mr_info("net%u: slirp %s/%d, host %s, %s, mac "
		"%02x:%02x:%02x:%02x:%02x:%02x, mtu %u%s%s", index, net,
		__builtin_popcount(cfg.vnetmask.s_addr), host,
		cfg.disable_dhcp ? "static" : "dhcp", info->mac[0], info->mac[1],
		info->mac[2], info->mac[3], info->mac[4], info->mac[5],
		info->mtu, fwd[0] != '\0' ? ", forward " : "", fwd);
	return MR_OK;
fail:
	if (d->slirp != NULL)
		slirp_cleanup(d->slirp);
	free(d->rx.frames);
	free(d->tx.frames);
	free(d);
	return MR_EUNSPEC;
}

/* The frame waits for the poll hook: see "Stacks" above. */
mr_result_t
slirp_net_write(unsigned int index, const void *frame, size_t len)
{
	struct slirpdev *d = index < NET_DEVICES ? devs[index] : NULL;

	if (d == NULL || len > FRAME_MAX)
		return MR_EINVAL;
	return ring_put(&d->tx, frame, len) ? MR_OK : MR_EAGAIN;
}

mr_result_t
slirp_net_read(unsigned int index, void *buf, size_t size, size_t *len)
{
	struct slirpdev *d = index < NET_DEVICES ? devs[index] : NULL;
	struct frame *f;

	if (d == NULL)
		return MR_EINVAL;
	if ((f = ring_take(&d->rx)) == NULL)
		return MR_EAGAIN;
	if (f->len > size) {
		mr_debug("net%u: dropped a frame of %u bytes (buffer %zu)",
			 index, f->len, size);
		return MR_EINVAL;
	}
	memcpy(buf, f->data, f->len);
	*len = f->len;
	return MR_OK;
}
