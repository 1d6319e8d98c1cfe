/*
 * udptest: a UDP echo (RFC 862) on port 7 in a thread of its own: every
 * datagram goes back to its sender. With connect=1 the main thread is also
 * a TCP client: it connects to 192.0.2.1:9000, sends a line, prints the
 * answer ("tcp: got ..."), closes, then connects to 192.0.2.1:9001, where
 * nothing listens, and prints the result ("tcp: 9001: ..."). The echo
 * keeps the image running; the test kills it.
 */
#include <stdio.h>
#include <string.h>

#include <mirari/mirari.h>
#include <mirari/net.h>

#define PEER	"192.0.2.1"

static void
udp_echo(void *arg)
{
	struct mr_udp *sock = arg;
	char buf[2048], ip[16];
	uint16_t port;
	size_t len;
	mr_result_t r;

	for (;;) {
		r = mr_udp_recvfrom(sock, buf, sizeof buf, &len, ip, &port,
				    MR_FOREVER);
		if (r == MR_EINVAL)
			mr_warn("udp: datagram from %s:%u truncated to %zu bytes",
				ip, (unsigned int)port, len);
		else if (r != MR_OK)
			continue;
		r = mr_udp_sendto(sock, ip, port, buf, len);
		if (r != MR_OK)
			mr_warn("udp: sendto %s:%u: %s", ip, (unsigned int)port,
				mr_strerror(r));
	}
}

static void
tcp_client(void)
{
	static const char line[] = "hello from mirari\n";
	struct mr_tcp *conn;
	char buf[256];
	size_t len, got = 0;
	mr_result_t r;

	r = mr_tcp_connect(PEER, 9000, &conn, mr_now() + MR_SEC(10));
	if (r != MR_OK) {
		printf("tcp: connect 9000: %s\n", mr_strerror(r));
	} else {
		r = mr_tcp_write(conn, line, sizeof line - 1,
				 mr_now() + MR_SEC(10));
		/* Read up to the end of a line or of the stream. */
		while (r == MR_OK && got < sizeof buf - 1 &&
		       memchr(buf, '\n', got) == NULL) {
			r = mr_tcp_read(conn, buf + got, sizeof buf - 1 - got,
					&len, mr_now() + MR_SEC(10));
			if (r == MR_OK && len == 0)
				break;
			got += len;
		}
		buf[got] = '\0';
		if (r != MR_OK)
			printf("tcp: 9000: %s\n", mr_strerror(r));
		else
			printf("tcp: got %s", buf);
		mr_tcp_close(conn);
	}
	r = mr_tcp_connect(PEER, 9001, &conn, mr_now() + MR_SEC(10));
	printf("tcp: 9001: %s\n", mr_strerror(r));
	if (r == MR_OK)
		mr_tcp_close(conn);
	fflush(stdout);
}

void
udptest_main(void)
{
	struct mr_udp *sock;
	mr_result_t r;

	r = mr_udp_bind(7, &sock);
	if (r != MR_OK) {
		mr_error("udp: cannot bind port 7: %s", mr_strerror(r));
		mr_exit(1);
	}
	if (mr_thread_spawn("udp-echo", udp_echo, sock) == NULL) {
		mr_error("udp: no thread for the echo");
		mr_exit(1);
	}
	r = mr_net_wait_up(0, mr_now() + MR_SEC(30));
	if (r != MR_OK) {
		mr_error("udp: net0 has no address: %s", mr_strerror(r));
		mr_exit(1);
	}
	mr_info("udp: echo on port 7");
	if (mr_param_bool("connect"))
		tcp_client();
}
