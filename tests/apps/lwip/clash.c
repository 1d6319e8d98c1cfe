/*
 * clash.c: names that lwIP and the library's port define, defined again
 * by the application. They are local in libmr_lwip.a, so the image links
 * and each side keeps its own.
 */
int lwip_stats = 1;
int netif_list = 2;
unsigned char ram_heap[3] = { 3 };

int lwip_init(void) { return 10; }
int pbuf_alloc(void) { return 20; }
unsigned sys_now(void) { return 30; }
int tcp_input(void) { return 40; }
int port_rand(void) { return 50; }

int
clash_sum(void)
{
	return lwip_stats + netif_list + ram_heap[0] + lwip_init() +
	    pbuf_alloc() + (int)sys_now() + tcp_input() + port_rand();
}
