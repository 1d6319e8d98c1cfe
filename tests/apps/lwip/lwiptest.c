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
	uint64_t ticks, skipped, periods;
	mr_result_t r;
	int ok = 1;

	mr_lwip_stats(&s);
	printf("heap %zu pool %zu\n", s.heap_size, s.pbufs_total);
	r = mr_lwip_selftest();
	printf("selftest: %s\n", mr_strerror(r));
	ok &= r == MR_OK;

	/*
	 * About one run a timer_interval (app.conf: 50ms, 20 in a second),
	 * never more than the time allows. Fewer when the process was late
	 * (a loaded or emulated machine), but every period is accounted for:
	 * it ran, or it was counted as skipped (expiries are skipped then,
	 * not bunched). Waking at the end of the second exactly, this thread
	 * runs only after every deadline up to it has been expired (the
	 * deadlines come out in order), so of the periods of that second at
	 * most one is neither yet: the last, its handler spawned but not run.
	 */
	mr_lwip_stats(&s);
	start = mr_now();
	mr_sleep_until(start + MR_SEC(1));
	mr_lwip_stats(&t);
	ms = (mr_now() - start) / MR_MSEC(1);
	periods = (uint64_t)(MR_SEC(1) / t.tick_interval);
	ticks = t.ticks - s.ticks;
	skipped = t.ticks_skipped - s.ticks_skipped;
	printf("ticks: %llu in %lld ms, %llu skipped, every %lld ms\n",
	       (unsigned long long)ticks, (long long)ms,
	       (unsigned long long)skipped,
	       (long long)(t.tick_interval / MR_MSEC(1)));
	ok &= ticks + skipped + 1 >= periods && ticks <= (uint64_t)ms /
	      (uint64_t)(t.tick_interval / MR_MSEC(1)) + 1;
	ok &= t.pbufs_used == 0 && t.udp_used == 0;
	printf("own names: %d\n", clash_sum());
	ok &= clash_sum() == 156;
	printf("%s\n", ok ? "lwip ok" : "lwip FAILED");
	mr_exit(ok ? 0 : 1);
}
