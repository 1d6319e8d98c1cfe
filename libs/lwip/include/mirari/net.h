/*
 * mirari/net.h: TCP and UDP over IPv4 for cooperative threads, on lwIP.
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
 *
 * Addresses are IPv4 dotted strings ("192.0.2.1"); a string lwIP cannot
 * parse is MR_EINVAL.
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
 * Serve at most (max) connections of the listener on (port) at once, 0 for
 * no limit of its own (the default: lwIP's tcp_connections bound them
 * all). A handler whose connections cost memory bounds them with it. A
 * connection accepted beyond (max) makes room by closing the listener's
 * connection idle the longest (see mr_tcp_set_idle); when none is idle,
 * the new one is reset and counted. A closed one stops counting at once,
 * although its handler has yet to return. MR_ENOENT when mr_tcp_listen
 * has not made a listener on (port).
 */
MR_API mr_result_t mr_tcp_listen_max(uint16_t port, unsigned int max);

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
 * aborted. Connections do not use Nagle's algorithm (TCP_NODELAY): what
 * is written goes out at once, so write whole messages, not byte by byte.
 */
MR_API mr_result_t mr_tcp_write(struct mr_tcp *conn, const void *buf,
				size_t len, mr_time_t deadline);

/*
 * Open a TCP connection to (ip):(port) from an ephemeral port, blocking
 * until the peer accepts it or (deadline). On MR_OK (*conn) is a
 * connection of the caller's: use it with mr_tcp_read and mr_tcp_write,
 * from any thread, and give it back with mr_tcp_close exactly once. On
 * any other result (*conn) is NULL and nothing is left to close.
 *   MR_EINVAL: (ip) is not an IPv4 dotted address or (port) is 0.
 *   MR_ENOMEM: no TCP connection left (option tcp_connections) or no
 *     memory.
 *   MR_ETIMEDOUT: no answer before (deadline); the attempt is aborted.
 *   MR_EUNSPEC: refused (the peer answered with a reset, as for a closed
 *     port), no route to (ip), or lwIP gave up retrying.
 */
MR_API mr_result_t mr_tcp_connect(const char *ip, uint16_t port,
				  struct mr_tcp **conn, mr_time_t deadline);

/*
 * Close (conn) and, for a connection of mr_tcp_connect, free it: (conn)
 * is invalid afterwards. Data queued by mr_tcp_write is still sent (lwIP
 * finishes the close on its own); data received and not read is dropped.
 * Never blocks. A thread blocked in mr_tcp_read or mr_tcp_write on (conn)
 * must not exist (threads are cooperative: close from the thread that
 * uses it, or after the others returned).
 *
 * On a connection given to an mr_tcp_handler it closes the connection
 * early but does not free it: (conn) stays valid until the handler
 * returns, mr_tcp_read and mr_tcp_write on it return MR_EUNSPEC, and the
 * library frees it when the handler returns, as always. Closing it twice
 * is harmless there; closing a connect()ed one twice is a use after free.
 */
MR_API void mr_tcp_close(struct mr_tcp *conn);

/*
 * Mark (conn) idle (true) or not (false). Idle means its owner would lose
 * nothing if it went: a keep-alive connection between requests, with its
 * answers written, is the typical one. lwIP has a fixed number of
 * connections (option tcp_connections); when a SYN for a listening port
 * finds them all in use and lwIP has none of its own to free (TIME_WAIT
 * and the like), the library closes the connection idle the longest, so
 * that the new client is not kept out by idle ones. Such a connection is
 * closed as a server closes an idle one: the peer gets a FIN. Its state
 * in lwIP is freed at once, its mark ends, and mr_tcp_read and
 * mr_tcp_write on it return MR_EUNSPEC (a thread blocked in them wakes);
 * (conn) itself stays its owner's, to be closed or returned as always.
 * A listener's own limit (mr_tcp_listen_max) closes its idle connections
 * the same way.
 *
 * A connection is closed only when the peer has acknowledged everything
 * written to it. The mark ends by itself when data arrives, so a request
 * that arrives is never lost; marking a connection with received data
 * not yet read does nothing. Mark again after each exchange.
 */
MR_API void mr_tcp_set_idle(struct mr_tcp *conn, bool idle);

/* A UDP socket, owned by the library (opaque). */
struct mr_udp;

/* Datagrams a socket keeps until they are read; more are dropped. */
#define MR_UDP_QUEUE	32

/*
 * Bind a UDP socket to (port) of every address, 0 for an ephemeral port.
 * On MR_OK (*sock) is the caller's until mr_udp_close. Datagrams that
 * arrive are copied out of lwIP's buffers at once and queued in the
 * socket, up to MR_UDP_QUEUE of them; when the queue is full a new
 * datagram is dropped (and counted, see mr_udp_dropped). A socket does not
 * hold the application alive by itself.
 *   MR_EUNSPEC: (port) is in use.
 *   MR_ENOMEM: no UDP socket left (option udp_pcbs) or no memory.
 *   MR_ENOENT: lwIP is built with udp = false.
 * On any result but MR_OK (*sock) is NULL.
 */
MR_API mr_result_t mr_udp_bind(uint16_t port, struct mr_udp **sock);

/*
 * Send the (len) bytes of (buf) as one datagram from (sock)'s port to
 * (ip):(port). The library copies them before it returns, so (buf) stays
 * the caller's. Never blocks; whether the datagram arrives is not known
 * (UDP). When the peer's hardware address is not known yet, lwIP queues
 * the datagram behind an ARP request (or drops it if that queue is full).
 *   MR_EINVAL: (ip) is not an IPv4 dotted address, (port) is 0, or (len)
 *     is more than 65507 bytes.
 *   MR_ENOMEM: no memory for the datagram (lwIP's heap, option mem_size).
 *   MR_EUNSPEC: no route to (ip), or the device refused the datagram.
 */
MR_API mr_result_t mr_udp_sendto(struct mr_udp *sock, const char *ip,
				 uint16_t port, const void *buf, size_t len);

/*
 * Take the oldest queued datagram of (sock): copy at most (size) bytes of
 * it into (buf), the caller's, their number into (*len), and the sender's
 * address into (ip) (a dotted string, NUL-terminated, at most 16 bytes
 * with the NUL) and its port into (*port). Blocks until a datagram is
 * queued or (deadline).
 *   MR_OK: a whole datagram; an empty one has *len == 0.
 *   MR_EINVAL: the datagram was larger than (size): its first (size) bytes
 *     are in (buf), *len is (size), (ip) and (*port) are set, and the rest
 *     is lost (the datagram is consumed, as with recvfrom(2)).
 *   MR_ETIMEDOUT: nothing queued before (deadline); *len is 0, (ip) and
 *     (*port) are untouched.
 * (ip) and (port) may be NULL when the sender does not matter.
 * At most one thread should wait on a socket at a time (several may: each
 * datagram goes to one of them).
 */
MR_API mr_result_t mr_udp_recvfrom(struct mr_udp *sock, void *buf,
				   size_t size, size_t *len, char ip[16],
				   uint16_t *port, mr_time_t deadline);

/*
 * Datagrams (sock) dropped since it was bound because its queue was full
 * or no memory was left to copy them.
 */
MR_API uint64_t mr_udp_dropped(const struct mr_udp *sock);

/*
 * Close (sock): its port is free again, queued datagrams are dropped and
 * (sock) is freed. No thread may be blocked in mr_udp_recvfrom on it.
 */
MR_API void mr_udp_close(struct mr_udp *sock);

/*
 * Wait until net device (index) has an IPv4 address: at once with a
 * static address, when the DHCP server answers otherwise. MR_ENOENT when
 * there is no such device or it could not be opened at boot,
 * MR_ETIMEDOUT when (deadline) passed first.
 */
MR_API mr_result_t mr_net_wait_up(unsigned int index, mr_time_t deadline);

#endif /* MIRARI_NET_H */
