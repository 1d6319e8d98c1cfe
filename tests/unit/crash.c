/*
 * crash.c: the Unix backend's fault report. Built without sanitizers (see
 * crash.t), since AddressSanitizer replaces the handler under test.
 */
#include <mirari/mirari.h>
#include <mirari/unix.h>

#include "child.h"
#include "tap.h"

static volatile int never = -1;

/* Each call takes a frame of a few hundred bytes until the guard page. */
static int
deep(int n)
{
	volatile char pad[256];

	pad[0] = (char)n;
	if (n == never)
		return 0;
	return deep(n + 1) + pad[0];
}

static void
overflow(void)
{
	deep(0);
}

static void
wild_write(void)
{
	int *volatile p = (int *)16;

	*p = 1;
}

static void
run(void *arg)
{
	static char *argv[] = { "crash", NULL };
	struct mr_app app = { .name = "crash", .main = arg };

	mr_unix_main(1, argv, &app);
}

int
main(void)
{
	struct child c;

	child_run(&c, run, (void *)overflow);
	ok(child_aborted(&c), "a stack overflow aborts");
	ok(strncmp(c.err, "mirari: crash: segmentation fault at 0x", 39) == 0 &&
	   strstr(c.err, " (stack overflow: guard page of thread main)\n"),
	   "... saying it was one, and in which thread");
	if (strstr(c.err, "stack overflow") == NULL)
		tap_diag("stderr: %s", c.err);

	child_run(&c, run, (void *)wild_write);
	ok(child_aborted(&c) && strcmp(c.err, "mirari: crash: segmentation "
				       "fault at 0x10\n") == 0,
	   "any other fault is reported with its address");
	return done_testing();
}
