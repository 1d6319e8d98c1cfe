/*
 * mirari/net.h: TCP over IPv4 for cooperative handlers, on lwIP.
 *
 * At boot the lwip library attaches every net device of app.conf
 * (`device "net0" { kind = "net", ... }`) to lwIP, with the static address
 * of its "ipv4" setting ("192.0.2.10/24") and "gateway", or with DHCP when
 * "ipv4" is "dhcp" (the default). The first device is the default route.
 *
 * The calls below block the calling thread the way mirari threads block
 * (mr_event_wait): other threads run meanwhile. Every blocking call takes
 * a (deadline), an mr_now() time or MR_FOREVER, and returns MR_ETIMEDOUT
 * when it passes. They must be called from mirari threads, never from a
 * library's init function.
 *
 * Lifetime. A network image does not end by itself: each device's receive
 * thread ("net0-rx") and lwIP's timer stay alive, and so does every
 * listening socket (it holds the application, see mr_hold). It ends with
 * mr_exit().
 */
#ifndef MIRARI_NET_H
#define MIRARI_NET_H

#include <mirari/base.h>

/* A TCP connection, owned by the library (opaque). */
struct mr_tcp;

/*
 * Handler of connections accepted by a listener. It runs in a thread of
 * its own, one per connection, and may block. The connection (conn) is
 * the library's: it is closed and freed when the handler returns, so the
 * handler MUST NOT keep (conn) beyond that.
 */
typedef void (*mr_tcp_handler)(struct mr_tcp *conn, void *arg);

/*
 * Listen on TCP (port) of every address. Each accepted connection runs
 * handler(conn, arg) in a new thread called (name); (name) is not copied
 * and must outlive the listener (a string literal is typical). (arg) is
 * passed as it is. The listener holds the application alive: it is never
 * closed. MR_EINVAL when (port) is 0 or (handler) NULL, MR_ENOMEM when
 * lwIP has no listener left (option tcp_listeners) or no memory,
 * MR_EUNSPEC when the port is in use.
 *
 * When no thread can be started for a new connection (out of memory), the
 * connection is reset and counted, and the listener carries on.
 */
MR_API mr_result_t mr_tcp_listen(uint16_t port, const char *name,
				 mr_tcp_handler handler, void *arg);

/*
 * Read at most (size) bytes of (conn) into (buf), the caller's, and their
 * number into (*len). Blocks until at least one byte has arrived, the
 * peer has closed its side, or (deadline).
 *   MR_OK with *len > 0: data.
 *   MR_OK with *len == 0: end of stream (the peer closed), now and on every
 *     later call.
 *   MR_ETIMEDOUT: nothing arrived before (deadline); *len is 0.
 *   MR_EUNSPEC: the connection was reset or aborted; *len is 0. Data that
 *     arrived before the reset is read first.
 *   MR_EINVAL: (size) is 0.
 */
MR_API mr_result_t mr_tcp_read(struct mr_tcp *conn, void *buf, size_t size,
			       size_t *len, mr_time_t deadline);

/*
 * Send the (len) bytes of (buf), all of them. The library copies them
 * before it returns, so (buf) stays the caller's and may be reused at
 * once. Blocks while the connection's send buffer (option tcp_snd_buf) is
 * full. MR_OK when every byte is queued for sending (not necessarily
 * acknowledged yet), MR_ETIMEDOUT when (deadline) passed first (some bytes
 * may have been queued), MR_EUNSPEC when the connection was reset or
 * aborted.
 */
MR_API mr_result_t mr_tcp_write(struct mr_tcp *conn, const void *buf,
				size_t len, mr_time_t deadline);

/*
 * Wait until net device (index) has an IPv4 address: at once with a
 * static address, when the DHCP server answers otherwise. MR_ENOENT when
 * there is no such device or it could not be opened at boot,
 * MR_ETIMEDOUT when (deadline) passed first.
 */
MR_API mr_result_t mr_net_wait_up(unsigned int index, mr_time_t deadline);

#endif /* MIRARI_NET_H */
