/*
 * hello: registers a timer handler that greets `count` times, `interval`
 * apart, then stops the timer. With no thread and no timer left, the
 * runtime ends the application with status 0.
 */
#include <stdio.h>

#include <mirari/mirari.h>

static struct mr_timer greeter;
static int64_t remaining;

static void
greet(void *arg)
{
	(void)arg;
	printf("Hello from mirari (%s)\n", mr_target());
	if (--remaining == 0)
		mr_timer_stop(&greeter);
}

void
hello_main(void)
{
	remaining = mr_param_int("count");
	if (remaining == 0)
		return;
	mr_timer_init(&greeter, "greet", greet, NULL);
	mr_timer_start(&greeter, 0, mr_param_duration("interval"));
}
