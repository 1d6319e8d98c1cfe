/*
 * echo: a TCP echo server (RFC 862). Each connection runs echo_conn in a
 * thread of its own, which writes back whatever it reads until the client
 * closes its side; then the library closes the connection.
 *
 * On Unix, net0 is a slirp device by default: no privilege is needed, and
 * app.conf forwards 127.0.0.1:7007 to port 7:
 *
 *	mirari configure && mirari build && mirari run &
 *	nc 127.0.0.1 7007		(type lines; they come back)
 *
 * On a tap device instead (root, CAP_NET_ADMIN), inside a network
 * namespace of its own so that it touches nothing of the machine's:
 *
 *	ip netns add echo
 *	ip netns exec echo ip tuntap add dev tap0 mode tap
 *	ip netns exec echo ip addr add 192.0.2.1/24 dev tap0
 *	ip netns exec echo ip link set tap0 up
 *	ip netns exec echo ./_build/echo net0.tap=tap0 &
 *	ip netns exec echo nc 192.0.2.10 7	(type lines; they come back)
 *	kill %1; ip netns del echo
 *
 * The address is net0's ipv4 in app.conf; port=N on the command line
 * chooses the port.
 */
#include <mirari/mirari.h>
#include <mirari/net.h>

/* A client silent for this long is disconnected. */
#define IDLE	MR_SEC(300)

static void
echo_conn(struct mr_tcp *conn, void *arg)
{
	char buf[2048];
	size_t len;

	(void)arg;
	for (;;) {
		if (mr_tcp_read(conn, buf, sizeof buf, &len,
				mr_now() + IDLE) != MR_OK || len == 0)
			return;
		if (mr_tcp_write(conn, buf, len, mr_now() + IDLE) != MR_OK)
			return;
	}
}

void
echo_main(void)
{
	int64_t port = mr_param_int("port");
	mr_result_t r;

	r = mr_tcp_listen((uint16_t)port, "echo", echo_conn, NULL);
	if (r != MR_OK) {
		mr_error("echo: cannot listen on port %lld: %s",
			 (long long)port, mr_strerror(r));
		mr_exit(1);
	}
	r = mr_net_wait_up(0, mr_now() + MR_SEC(30));
	if (r != MR_OK) {
		mr_error("echo: net0 has no address: %s", mr_strerror(r));
		mr_exit(1);
	}
	mr_info("echo: listening on port %lld", (long long)port);
}
