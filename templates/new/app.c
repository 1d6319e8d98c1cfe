/* {{name}}: a mirari application. */
#include <stdio.h>

#include <mirari/mirari.h>

static struct mr_timer tick;
static int64_t left;

/* Runs in a new thread at every expiry of the timer. */
static void
on_tick(void *arg)
{
	(void)arg;
	printf("tick %lld from {{name}} (%s)\n", (long long)left, mr_target());
	if (--left == 0)
		mr_timer_stop(&tick);	/* nothing left to do: the app exits 0 */
}

void
{{name}}_main(void)
{
	left = mr_param_int("ticks");
	mr_timer_init(&tick, "tick", on_tick, NULL);
	mr_timer_start(&tick, 0, mr_param_duration("interval"));
}
