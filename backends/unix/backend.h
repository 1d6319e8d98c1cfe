/*
 * backend.h: what the files of the Unix backend share.
 */
#ifndef MIRARI_UNIX_BACKEND_H
#define MIRARI_UNIX_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mirari/app.h>
#include <mirari/base.h>
#include <mirari/plat.h>

/* Net devices the backend drives, tap or slirp. */
#define NET_DEVICES	8
#define ETH_HEADER	14

/* crash.c: report a fault, naming the thread whose stack overflowed. */
void crash_install(void);

/*
 * stop.c: SIGINT, SIGTERM and SIGHUP end the image cleanly from the idle
 * path, SIGPIPE is ignored, and an image started by mirari run stops when
 * mirari run dies.
 */
void stop_install(void);

/*
 * platform.c: poll hooks. A driver whose descriptors and deadlines change
 * from one round to the next (libslirp: a socket per connection, timers of
 * its own) joins the single poll(2) through a hook instead of keeping
 * handles open. On every mr_plat_block, (fill) runs before poll(2): it adds
 * descriptors with poll_add(), may lower (*deadline), and sets the bits of
 * handles that are ready without waiting in (*ready), in which case poll(2)
 * does not sleep. (dispatch) runs after poll(2), with (error) true when
 * poll(2) failed (EINTR): it reads what its descriptors reported with
 * poll_revents() and may set more bits in (*ready). The hook is the
 * caller's and stays registered for the life of the process.
 */
struct poll_hook {
	void (*fill)(void *arg, mr_time_t *deadline, uint64_t *ready);
	void (*dispatch)(void *arg, bool error, uint64_t *ready);
	void *arg;
	struct poll_hook *next;
};

void poll_hook_add(struct poll_hook *hook);
/* Watch (fd) for (events) in this round: an index, -1 when out of memory. */
int poll_add(int fd, short events);
/* What poll(2) reported for the descriptor poll_add() gave (index). */
short poll_revents(int index);

/*
 * net.c: a MAC address for net device (index) from its `mac` setting, or
 * made up from (seed) when it has none; false after logging why not.
 */
bool net_mac(unsigned int index, const struct mr_device_desc *dev,
	     const char *seed, uint8_t mac[6]);

/*
 * slirp.c: net devices on libslirp, for the devices without a tap; the
 * same contract as mr_plat_net_open, _write and _read. slirp.c is built
 * only into images that have a net device (see manifest.lua).
 */
mr_result_t slirp_net_open(unsigned int index,
			   const struct mr_device_desc *dev,
			   struct mr_plat_net_info *info);
mr_result_t slirp_net_write(unsigned int index, const void *frame,
			    size_t len);
mr_result_t slirp_net_read(unsigned int index, void *buf, size_t size,
			   size_t *len);

#endif /* MIRARI_UNIX_BACKEND_H */
