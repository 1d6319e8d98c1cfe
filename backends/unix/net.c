/*
 * net.c: mirari/plat.h's network devices for a Linux process, on tap
 * devices or on libslirp.
 *
 * Net device N is the N-th device of kind "net" in app.conf. When its
 * setting `tap` is absent or empty (boot parameter net0.tap=), the device
 * is a slirp one: user-mode NAT inside the process, no privilege needed,
 * implemented in slirp.c; net.c keeps the table of devices, chooses, and
 * hands the slirp ones over. The MAC address (setting `mac`, or one made
 * up) is chosen here for both kinds.
 *
 * Otherwise `tap` names the Linux tap interface the process attaches to
 * through /dev/net/tun (IFF_TAP | IFF_NO_PI: one read(2) or write(2) is
 * one Ethernet frame, no packet-information header, no checksum trailer).
 * Attaching needs CAP_NET_ADMIN unless the tap was made persistent for
 * the process's user (`ip tuntap add dev tap0 mode tap user $USER`).
 *
 * The host owns the other side: it creates the tap (or lets us create a
 * transient one), gives it an address, brings it up and routes or bridges
 * it. Nothing is configured on our side of the link: the guest's IP stack
 * speaks Ethernet through the descriptor, and attaching is enough for the
 * kernel to see the carrier. The MTU is the interface's, read once when
 * the device is opened.
 *
 * Each tap's descriptor is non-blocking and registered with the single
 * poll(2) (mr_unix_fd_open) for POLLIN, so mr_source_event(info.handle) is
 * signalled while frames wait to be read.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <mirari/app.h>
#include <mirari/log.h>
#include <mirari/plat.h>
#include <mirari/unix.h>

#include "backend.h"

#define DEFAULT_MTU	1500

/*
 * slirp.c is built only into images with a net device; an image with lwip
 * and no device links net.c without it, and never gets this far. The
 * references are weak so that such an image links; manifest.lua makes
 * the others pull slirp.o in.
 */
#pragma weak slirp_net_open
#pragma weak slirp_net_write
#pragma weak slirp_net_read

struct netdev {
	bool open;
	bool slirp;		/* no tap: slirp.c drives it */
	bool write_failed;	/* an unexpected write error was logged */
	bool read_failed;	/* an unexpected read error was logged */
	int fd;
	char tap[IFNAMSIZ];
	struct mr_plat_net_info info;
};

static struct netdev devs[NET_DEVICES];

/*
 * Where the rest of a frame longer than the caller's buffer goes, so that
 * it is consumed (and dropped) in one read. Static: there is one thread of
 * control, and nobody looks at what lands here.
 */
static unsigned char overflow[65536];

/* "xx:xx:xx:xx:xx:xx" into (mac); false when it is not one. */
static bool
parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	char end;
	int i;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &end) != 6)
		return false;
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return true;
}

/*
 * A locally administered unicast address (02:..), from the tap's name and
 * the process id: stable for one run, different for two processes on two
 * taps of one bridge, and never an address a vendor gave out.
 */
static void
make_mac(const char *tap, uint8_t mac[6])
{
	uint32_t h = 2166136261u;	/* FNV-1a */
	unsigned int pid = (unsigned int)getpid();

	for (; *tap != '\0'; tap++)
		h = (h ^ (uint8_t)*tap) * 16777619u;
	mac[0] = 0x02;
	mac[1] = (uint8_t)(h >> 24);
	mac[2] = (uint8_t)(h >> 16);
	mac[3] = (uint8_t)(h >> 8) ^ (uint8_t)(pid >> 16);
	mac[4] = (uint8_t)h ^ (uint8_t)(pid >> 8);
	mac[5] = (uint8_t)pid;
}

/* The interface's MTU, or DEFAULT_MTU when the host does not say. */
static uint16_t
tap_mtu(const char *tap)
{
	struct ifreq ifr;
	int s, mtu = DEFAULT_MTU;

	if ((s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return DEFAULT_MTU;
	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, tap, IFNAMSIZ - 1);
	if (ioctl(s, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu > 0)
		mtu = ifr.ifr_mtu;
	close(s);
	return mtu > UINT16_MAX - ETH_HEADER ? UINT16_MAX - ETH_HEADER
					     : (uint16_t)mtu;
}

/*
 * Refused for want of privilege, whether /dev/net/tun would not open
 * (EACCES, EPERM: its mode, a container's device policy) or TUNSETIFF
 * would not attach (EPERM): the same remedy either way. (why) says which.
 */
static void
tap_refused(unsigned int index, const char *name, const char *why)
{
	mr_error("net%u: attaching to tap %s needs CAP_NET_ADMIN (run as root), "
		 "or a tap made for this user (ip tuntap add dev %s mode tap "
		 "user $USER)%s", index, name, name, why);
}

/* Attach to tap (name); the descriptor, or -1 after saying why. */
static int
tap_attach(unsigned int index, const char *name)
{
	struct ifreq ifr;
	char why[96];
	int fd, err;

	if ((fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC)) < 0) {
		err = errno;
		if (err == EACCES || err == EPERM) {
			snprintf(why, sizeof why, ", and this user cannot "
				 "open /dev/net/tun (%s)", strerror(err));
			tap_refused(index, name, why);
		} else {
			mr_error("net%u: /dev/net/tun: %s%s", index,
				 strerror(err), err == ENOENT ?
				 " (is the tun module loaded?)" : "");
		}
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		err = errno;
		close(fd);
		if (err == EPERM)
			tap_refused(index, name, "");
		else if (err == EBUSY)
			mr_error("net%u: tap %s is busy: another process is "
				 "attached, or it is a tun or has other flags",
				 index, name);
		else
			mr_error("net%u: tap %s: %s", index, name,
				 strerror(err));
		return -1;
	}
	return fd;
}

bool
net_mac(unsigned int index, const struct mr_device_desc *dev,
	const char *seed, uint8_t mac[6])
{
	char s[32];
	mr_result_t r;

	r = mr_device_setting(dev, "mac", s, sizeof(s));
	if (r == MR_ENOENT || (r == MR_OK && s[0] == '\0')) {
		make_mac(seed, mac);
		return true;
	}
	if (r != MR_OK) {
		mr_error("net%u: mac is not a MAC address such as "
			 "02:00:00:00:00:01", index);
		return false;
	}
	if (!parse_mac(s, mac) || (mac[0] & 1)) {
		mr_error("net%u: mac %s is not a unicast MAC address such as "
			 "02:00:00:00:00:01", index, s);
		return false;
	}
	return true;
}

static mr_result_t
tap_open(unsigned int index, struct netdev *d)
{
	int fd, h;

	if ((fd = tap_attach(index, d->tap)) < 0)
		return MR_EUNSPEC;
	if ((h = mr_unix_fd_open(fd, POLLIN)) < 0) {
		mr_error("net%u: no event source left", index);
		close(fd);
		return MR_ENOMEM;
	}
	d->fd = fd;
	d->info.mtu = tap_mtu(d->tap);
	d->info.handle = h;
	mr_info("net%u: tap %s, mac %02x:%02x:%02x:%02x:%02x:%02x, mtu %u",
		index, d->tap, d->info.mac[0], d->info.mac[1], d->info.mac[2],
		d->info.mac[3], d->info.mac[4], d->info.mac[5], d->info.mtu);
	return MR_OK;
}

mr_result_t
mr_plat_net_open(unsigned int index, struct mr_plat_net_info *info)
{
	const struct mr_device_desc *dev;
	struct netdev *d;
	char fwd[2];	/* enough to tell an empty forward setting */
	mr_result_t r;

	if ((dev = mr_device("net", index)) == NULL)
		return MR_ENOENT;
	if (index >= NET_DEVICES) {
		mr_error("net%u: the Unix backend drives %d net devices at most",
			 index, NET_DEVICES);
		return MR_EINVAL;
	}
	d = &devs[index];
	if (d->open) {
		*info = d->info;
		return MR_OK;
	}

	r = mr_device_setting(dev, "tap", d->tap, sizeof(d->tap));
	if (r == MR_ENOMEM) {
		mr_error("net%u: device '%s': tap name too long (at most %d "
			 "characters)", index, dev->name, IFNAMSIZ - 1);
		return MR_EINVAL;
	}
	d->slirp = r == MR_ENOENT || d->tap[0] == '\0';
	/*
	 * app.conf's forwards are for slirp; a tap given at boot (net0.tap=)
	 * replaces slirp, and the forwards with it.
	 */
	r = mr_device_setting(dev, "forward", fwd, sizeof(fwd));
	if (!d->slirp && r != MR_ENOENT && !(r == MR_OK && fwd[0] == '\0'))
		mr_warn("net%u: device '%s' is on tap %s: its forwards are "
			"slirp's and do not apply", index, dev->name, d->tap);
	if (!net_mac(index, dev, d->slirp ? dev->name : d->tap, d->info.mac))
		return MR_EINVAL;
	if (d->slirp && slirp_net_open == NULL) {
		mr_error("net%u: device '%s' has no tap and this image is built "
			 "without slirp", index, dev->name);
		return MR_EINVAL;
	}
	r = d->slirp ? slirp_net_open(index, dev, &d->info) : tap_open(index, d);
	if (r != MR_OK)
		return r;
	d->open = true;
	*info = d->info;
	return MR_OK;
}

static struct netdev *
opened(unsigned int index)
{
	return index < NET_DEVICES && devs[index].open ? &devs[index] : NULL;
}

/* A tap takes or refuses a whole frame in one write(2). */
mr_result_t
mr_plat_net_write(unsigned int index, const void *frame, size_t len)
{
	struct netdev *d = opened(index);
	ssize_t n;

	if (d == NULL || len < ETH_HEADER ||
	    len > (size_t)d->info.mtu + ETH_HEADER)
		return MR_EINVAL;
	if (d->slirp)
		return slirp_net_write(index, frame, len);
	do
		n = write(d->fd, frame, len);
	while (n < 0 && errno == EINTR);
	if (n == (ssize_t)len)
		return MR_OK;
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return MR_EAGAIN;
	if (!d->write_failed) {
		d->write_failed = true;
		mr_error("net%u: write to tap %s: %s", index, d->tap,
			 n < 0 ? strerror(errno) : "short write");
	}
	return MR_EUNSPEC;
}

/*
 * One readv(2) into the caller's (buf) and then the overflow area: a frame
 * that does not fit in (buf) is consumed whole, and detected by its
 * length, without a copy for the frames that fit.
 */
mr_result_t
mr_plat_net_read(unsigned int index, void *buf, size_t size, size_t *len)
{
	struct netdev *d = opened(index);
	struct iovec iov[2];
	ssize_t n;

	if (d == NULL)
		return MR_EINVAL;
	if (d->slirp)
		return slirp_net_read(index, buf, size, len);
	iov[0].iov_base = buf;
	iov[0].iov_len = size;
	iov[1].iov_base = overflow;
	iov[1].iov_len = sizeof(overflow);
	do
		n = readv(d->fd, iov, 2);
	while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return MR_EAGAIN;
	if (n < 0) {
		if (!d->read_failed) {
			d->read_failed = true;
			mr_error("net%u: read from tap %s: %s", index, d->tap,
				 strerror(errno));
		}
		return MR_EUNSPEC;
	}
	if ((size_t)n > size) {
		mr_debug("net%u: dropped a frame of %zd bytes (buffer %zu)",
			 index, n, size);
		return MR_EINVAL;
	}
	*len = (size_t)n;
	return MR_OK;
}
