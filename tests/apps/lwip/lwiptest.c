/*
 * lwiptest: checks the lwip library without a network device. Prints the
 * sizes lwIP was built with (from app.conf), the selftest's result, how
 * often lwIP's timers ran during one second and what the application's own
 * definitions of lwIP's names (clash.c) return, then "lwip ok" if all is
 * as expected. The library's timer keeps the application alive, so it
 * ends with mr_exit.
 */
#include <stdio.h>

#include <mirari/mirari.h>
#include <mirari/lwip.h>

int clash_sum(void);

void
lwiptest_main(void)
{
	struct mr_lwip_stats s, t;
	mr_time_t start, ms;
	uint64_t ticks;
	mr_result_t r;
	int ok = 1;

	mr_lwip_stats(&s);
	printf("heap %zu pool %zu\n", s.heap_size, s.pbufs_total);
	r = mr_lwip_selftest();
	printf("selftest: %s\n", mr_strerror(r));
	ok &= r == MR_OK;

	/*
	 * timer_interval = 50ms: about 20 runs in a second, never more than
	 * the time allows; fewer only if the scheduler fell behind (expiries
	 * are skipped then, not bunched), which a loaded or emulated machine
	 * may do, but not below half.
	 */
	mr_lwip_stats(&s);
	start = mr_now();
	mr_sleep(MR_SEC(1));
	mr_lwip_stats(&t);
	ms = (mr_now() - start) / MR_MSEC(1);
	ticks = t.ticks - s.ticks;
	printf("ticks: %llu in %lld ms\n", (unsigned long long)ticks, (long long)ms);
	ok &= ticks >= (uint64_t)ms / 100 && ticks <= (uint64_t)ms / 50 + 1;
	ok &= t.pbufs_used == 0 && t.udp_used == 0;
	printf("own names: %d\n", clash_sum());
	ok &= clash_sum() == 156;
	printf("%s\n", ok ? "lwip ok" : "lwip FAILED");
	mr_exit(ok ? 0 : 1);
}
