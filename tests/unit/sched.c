/*
 * sched.c: threads, the scheduler loop, events and event sources.
 *
 * Each test spawns threads from the boot stack and runs the scheduler loop
 * until it returns, which it does when no thread is left and nothing is
 * armed; threads record what they do in (trace). What ends the process (a
 * deadlock, a panic) runs in a child.
 */
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <unistd.h>

#include <mirari/unix.h>

#include "runtime.h"
#include "child.h"
#include "tap.h"

static char trace[1024];

static void note(const char *fmt, ...) MR_PRINTF(1, 2);

static void
note(const char *fmt, ...)
{
	size_t len = strlen(trace);
	va_list ap;

	if (len > 0 && len < sizeof trace - 1)
		trace[len++] = ' ';
	va_start(ap, fmt);
	vsnprintf(trace + len, sizeof trace - len, fmt, ap);
	va_end(ap);
}

static void
spawn(const char *name, mr_thread_fn fn, void *arg)
{
	if (mr_thread_spawn(name, fn, arg) == NULL)
		tap_diag("cannot spawn %s", name);
}

static void
run(void)
{
	trace[0] = '\0';
	sched_run();
}

static void
nothing(void *arg)
{
	(void)arg;
}

/* Spawning, yielding and ending. */

static void
yielder(void *arg)
{
	int i;

	for (i = 0; i < 3; i++) {
		note("%s%d", (const char *)arg, i);
		mr_yield();
	}
}

static void
child_thread(void *arg)
{
	(void)arg;
	note("q");
}

static void
parent_thread(void *arg)
{
	(void)arg;
	note("p");
	spawn("q", child_thread, NULL);
	note("p-spawned");
	mr_yield();
	note("p-back");
}

static struct mr_thread *self_seen;

static void
quitter(void *arg)
{
	(void)arg;
	self_seen = mr_thread_self();
	note("%s", mr_thread_name(mr_thread_self()));
	mr_thread_exit();
	note("after-exit");
}

static void
test_threads(void)
{
	struct mr_thread *t;

	ok(mr_thread_self() == NULL, "no thread runs on the boot stack");
	is_str(mr_thread_name(NULL), "-", "the boot stack's name is -");

	spawn("a", yielder, "a");
	spawn("b", yielder, "b");
	spawn("c", yielder, "c");
	run();
	is_str(trace, "a0 b0 c0 a1 b1 c1 a2 b2 c2",
	       "threads run in spawn order and yield round-robin");

	spawn("p", parent_thread, NULL);
	run();
	is_str(trace, "p p-spawned q p-back",
	       "a new thread starts when its parent yields, before it");

	t = mr_thread_spawn("quitter", quitter, NULL);
	run();
	is_str(trace, "quitter", "mr_thread_exit ends the thread at once");
	ok(self_seen == t, "mr_thread_self is the spawned thread");
	is_int(sched.nthreads, 0, "no thread is left alive");
}

static void
test_stacks(void)
{
	struct mr_thread *t;
	void *stack;
	int i;

	for (i = 0; i < 5; i++)
		spawn("n", nothing, NULL);
	run();
	is_int(sched.ncached, MR_CFG_RUNTIME_STACK_CACHE,
	       "ended threads keep stack_cache stacks, no more");

	t = mr_thread_spawn("t1", nothing, NULL);
	is_int(sched.ncached, MR_CFG_RUNTIME_STACK_CACHE - 1,
	       "a new thread takes its stack from the cache");
	stack = t->stack;
	run();
	t = mr_thread_spawn("t2", nothing, NULL);
	ok(t->stack == stack, "the stack of the thread that ended last is "
	   "reused first");
	run();

	for (i = 0; i < MR_CFG_RUNTIME_MAX_THREADS; i++)
		if (mr_thread_spawn("many", nothing, NULL) == NULL)
			break;
	is_int(i, MR_CFG_RUNTIME_MAX_THREADS, "max_threads threads can live");
	ok(mr_thread_spawn("one-too-many", nothing, NULL) == NULL,
	   "spawning one more returns NULL");
	run();
	ok(mr_thread_spawn("again", nothing, NULL) != NULL,
	   "once they have ended, spawning works again");
	run();
}

/* Sleeping. */

static mr_time_t base;

static void
sleeper(void *arg)
{
	intptr_t ms = (intptr_t)arg;
	mr_time_t start = mr_now();

	mr_sleep(MR_MSEC(ms));
	note("%d", (int)ms);
	if (mr_now() - start < MR_MSEC(ms))
		note("(early)");
}

static void
same_deadline(void *arg)
{
	mr_sleep_until(base);
	note("%s", (const char *)arg);
}

static void
test_sleep(void)
{
	spawn("s30", sleeper, (void *)30);
	spawn("s10", sleeper, (void *)10);
	spawn("s0", sleeper, (void *)0);
	spawn("s20", sleeper, (void *)20);
	run();
	is_str(trace, "0 10 20 30", "sleepers wake in deadline order, never "
	       "early");

	base = mr_now() + MR_MSEC(10);
	spawn("x", same_deadline, "x");
	spawn("y", same_deadline, "y");
	spawn("z", same_deadline, "z");
	run();
	is_str(trace, "x y z", "equal deadlines wake in the order they slept");

	base = mr_now() - MR_SEC(1);
	spawn("past", same_deadline, "past");
	run();
	is_str(trace, "past", "a deadline in the past wakes at once");
}

/* Events. */

static struct mr_event ev = MR_EVENT_INIT(ev);
static intptr_t wait_ms;

static void
waiter(void *arg)
{
	mr_time_t deadline = wait_ms ? mr_now() + MR_MSEC(wait_ms) : MR_FOREVER;
	mr_result_t r = mr_event_wait(&ev, deadline);

	note("%s:%s", (const char *)arg, r == MR_OK ? "ok" :
	     r == MR_ETIMEDOUT ? "timeout" : "?");
}

static void
signal_all(void *arg)
{
	(void)arg;
	note("signal");
	mr_event_signal(&ev);
}

static void
signal_one(void *arg)
{
	(void)arg;
	note("one:%d", mr_event_signal_one(&ev));
	mr_yield();
	note("one:%d", mr_event_signal_one(&ev));
	mr_yield();
	note("one:%d", mr_event_signal_one(&ev));
}

static void
late_signal(void *arg)
{
	(void)arg;
	mr_sleep(MR_MSEC(40));
	note("late:%d", mr_event_signal_one(&ev));
}

static void
test_events(void)
{
	mr_time_t start;

	wait_ms = 0;
	spawn("w1", waiter, "w1");
	spawn("w2", waiter, "w2");
	spawn("w3", waiter, "w3");
	spawn("sig", signal_all, NULL);
	run();
	is_str(trace, "signal w1:ok w2:ok w3:ok",
	       "mr_event_signal wakes every waiter in the order they waited");

	spawn("w1", waiter, "w1");
	spawn("w2", waiter, "w2");
	spawn("sig", signal_one, NULL);
	run();
	is_str(trace, "one:1 w1:ok one:1 w2:ok one:0",
	       "mr_event_signal_one wakes the longest waiter, false if none");

	wait_ms = 20;
	start = mr_now();
	spawn("w", waiter, "w");
	spawn("late", late_signal, NULL);
	run();
	is_str(trace, "w:timeout late:0",
	       "a wait times out, and leaves the event's queue when it does");
	ok(mr_now() - start >= MR_MSEC(40), "... not before its deadline");

	wait_ms = 10000;
	start = mr_now();
	spawn("w", waiter, "w");
	spawn("sig", signal_all, NULL);
	run();
	is_str(trace, "signal w:ok", "a wait with a deadline can be signalled");
	ok(mr_now() - start < MR_SEC(5), "its deadline is disarmed: the loop "
	   "ends without waiting for it");
	is_int(sched.deadlines.n, 0, "the deadline heap is empty");
}

/* Event sources. */

static int pipefd[2], handle;

static void
reader(void *arg)
{
	mr_time_t deadline = arg != NULL ? MR_FOREVER : mr_now() + MR_SEC(5);
	mr_result_t r = mr_event_wait(mr_source_event(handle), deadline);
	char c = '?';

	if (r == MR_OK && read(pipefd[0], &c, 1) != 1)
		c = '!';
	note("read:%s:%c", mr_strerror(r), c);
	mr_unix_fd_close(handle);
}

static void
write_pipe(void *arg)
{
	(void)arg;
	note("write");
	if (write(pipefd[1], "x", 1) != 1)
		note("write failed");
}

static void
closer(void *arg)
{
	(void)arg;
	note("close");
	mr_unix_fd_close(handle);
}

static void
forever_reader(void *arg)
{
	(void)arg;
	note("woken:%s", mr_strerror(mr_event_wait(mr_source_event(handle),
						   MR_FOREVER)));
}

static void
test_sources(void)
{
	struct mr_timer timer;
	pid_t pid;

	if (pipe(pipefd) < 0) {
		tap_diag("pipe failed");
		exit(1);
	}
	handle = mr_unix_fd_open(pipefd[0], POLLIN);
	ok(handle >= 0, "mr_unix_fd_open gives a handle");
	mr_timer_init(&timer, "writer", write_pipe, NULL);
	mr_timer_start(&timer, MR_MSEC(20), 0);
	spawn("reader", reader, NULL);
	run();
	is_str(trace, "write read:success:x", "a thread waiting on a pipe "
	       "wakes when a timer's handler writes to it");

	/* Nothing in the program can wake the reader: only the platform. */
	handle = mr_unix_fd_open(pipefd[0], POLLIN);
	if ((pid = fork()) == 0) {
		usleep(50000);
		_exit(write(pipefd[1], "y", 1) == 1 ? 0 : 1);
	}
	spawn("reader", reader, (void *)1);
	run();
	waitpid(pid, NULL, 0);
	is_str(trace, "read:success:y", "with a source open, all threads "
	       "blocked is no deadlock: the loop waits for the platform");

	handle = mr_unix_fd_open(pipefd[0], POLLIN);
	spawn("r", forever_reader, NULL);
	spawn("c", closer, NULL);
	run();
	is_str(trace, "close woken:success",
	       "closing a source wakes the threads waiting on it");
	close(pipefd[0]);
	close(pipefd[1]);
}

/* What ends the process. */

static void
deadlocked(void *arg)
{
	(void)arg;
	spawn("stuck", waiter, "stuck");
	wait_ms = 0;
	sched_run();
}

static void
yield_outside(void *arg)
{
	(void)arg;
	mr_yield();
}

static void
test_fatal(void)
{
	struct child c;

	child_run(&c, deadlocked, NULL);
	ok(child_aborted(&c), "a deadlock aborts");
	ok(strstr(c.err, "] panic -: deadlock: 1 threads blocked and nothing "
		  "can wake them (one is 'stuck')\n") != NULL,
	   "... naming a thread that is stuck");
	if (strstr(c.err, "deadlock") == NULL)
		tap_diag("stderr: %s", c.err);

	child_run(&c, yield_outside, NULL);
	ok(child_aborted(&c) &&
	   strstr(c.err, "panic -: mr_yield called outside a thread") != NULL,
	   "blocking outside a thread is a panic");
}

int
main(void)
{
	test_threads();
	test_stacks();
	test_sleep();
	test_events();
	test_sources();
	test_fatal();
	return done_testing();
}
