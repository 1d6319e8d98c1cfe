/*
 * sched.c: cooperative threads and the scheduler loop.
 *
 * The loop runs on the boot stack. Each thread runs until it blocks, yields
 * or ends, and every one of those switches back to the loop, never directly
 * to another thread: that keeps one place where threads are reaped, where
 * deadlines expire and where the platform is asked to wait. A round of the
 * loop runs every thread that was runnable when the round began, once, in
 * FIFO order; a thread that yields therefore goes after all of them.
 */
#include <stdlib.h>

#include "runtime.h"

/* What mr_plat_stack_alloc guarantees below each stack (mirari/plat.h). */

struct sched sched = {
	.runq = MR_LINK_INIT(sched.runq),
	.threads = MR_LINK_INIT(sched.threads),
	.cache = MR_LINK_INIT(sched.cache),
};

/* The running thread; (caller) names the offender if there is none. */
struct mr_thread *
sched_running(const char *caller)
{
	if (sched.current == NULL)
		mr_panic("%s called outside a thread", caller);
	return sched.current;
}

/*
 * Block (t), the running thread, until sched_wake() or (deadline). The
 * caller has already queued it wherever a waker will find it.
 */
mr_result_t
sched_block(struct mr_thread *t, mr_time_t deadline)
{
	t->state = THREAD_BLOCKED;
	if (deadline != MR_FOREVER) {
		t->wakeup.when = deadline;
		heap_insert(&sched.deadlines, &t->wakeup);
	}
	ctx_jump(&t->ctx, &sched.boot, false);
	return t->why;
}

/* Make the blocked thread (t) runnable, telling it (why). */
void
sched_wake(struct mr_thread *t, mr_result_t why)
{
	mr_link_remove(&t->link);
	if (t->wakeup.slot != SIZE_MAX)
		heap_remove(&sched.deadlines, &t->wakeup);
	t->why = why;
	t->state = THREAD_RUNNABLE;
	mr_link_append(&sched.runq, &t->link);
}

/* A blocked thread's deadline passed first. */
static void
thread_timeout(struct mr__deadline *dl)
{
	sched_wake(container_of(dl, struct mr_thread, wakeup), MR_ETIMEDOUT);
}

static void
thread_start(void *arg)
{
	struct mr_thread *t = arg;

	ctx_begin();
	t->fn(t->arg);
	mr_thread_exit();
}

/*
 * A thread is a malloc'd struct and a stack from the platform. Ended
 * threads keep their stacks in sched.cache, up to the configured number,
 * so that the short-lived handler threads of a busy application cost no
 * allocation at all.
 */
struct mr_thread *
mr_thread_spawn(const char *name, mr_thread_fn fn, void *arg)
{
	struct mr_thread *t;

	if (sched.nthreads >= MR_CFG_RUNTIME_MAX_THREADS)
		return NULL;
	if (!mr_link_empty(&sched.cache)) {
		t = container_of(sched.cache.next, struct mr_thread, link);
		mr_link_remove(&t->link);
		sched.ncached--;
	} else {
		if ((t = malloc(sizeof *t)) == NULL)
			return NULL;
		t->stack = mr_plat_stack_alloc(MR_CFG_RUNTIME_STACK_SIZE);
		if (t->stack == NULL) {
			free(t);
			return NULL;
		}
	}
	ctx_make(&t->ctx, t->stack, MR_CFG_RUNTIME_STACK_SIZE, thread_start, t);
	t->name = name;
	t->fn = fn;
	t->arg = arg;
	t->wakeup.slot = SIZE_MAX;
	t->wakeup.expire = thread_timeout;
	t->why = MR_OK;
	t->state = THREAD_RUNNABLE;
	mr_link_append(&sched.threads, &t->all);
	if (++sched.nthreads > sched.nthreads_peak)
		sched.nthreads_peak = sched.nthreads;
	mr_link_append(&sched.runq, &t->link);
	return t;
}

/* A variable, so that a cache of 0 is no comparison that is always false. */
static const size_t stack_cache = MR_CFG_RUNTIME_STACK_CACHE;

static void
reap(struct mr_thread *t)
{
	mr_link_remove(&t->all);
	sched.nthreads--;
	if (sched.ncached < stack_cache) {
		/* At the front: the stack used last is the warmest. */
		mr_link_append(sched.cache.next, &t->link);
		sched.ncached++;
	} else {
		mr_plat_stack_free(t->stack, MR_CFG_RUNTIME_STACK_SIZE);
		free(t);
	}
}

struct mr_thread *
mr_thread_self(void)
{
	return sched.current;
}

const char *
mr_thread_name(const struct mr_thread *t)
{
	return t != NULL ? t->name : "-";
}

void
mr_yield(void)
{
	struct mr_thread *t = sched_running("mr_yield");

	mr_link_append(&sched.runq, &t->link);
	ctx_jump(&t->ctx, &sched.boot, false);
}

void
mr_sleep_until(mr_time_t deadline)
{
	sched_block(sched_running("mr_sleep_until"), deadline);
}

void
mr_sleep(mr_time_t duration)
{
	mr_sleep_until(time_add(mr_plat_clock_monotonic(), duration));
}

void
mr_thread_exit(void)
{
	struct mr_thread *t = sched_running("mr_thread_exit");

	t->state = THREAD_EXITED;
	ctx_jump(&t->ctx, &sched.boot, true);
	mr_panic("ended thread %s was resumed", t->name);
}

/*
 * The name of the thread whose stack's guard page holds (addr), or NULL.
 * The Unix backend calls this from its SIGSEGV handler; the fault is
 * synchronous, so the thread list is not being changed under it.
 */
const char *
mr_stack_guard_owner(const void *addr)
{
	struct mr_link *l;
	uintptr_t a = (uintptr_t)addr;

	for (l = sched.threads.next; l != &sched.threads; l = l->next) {
		struct mr_thread *t = container_of(l, struct mr_thread, all);
		uintptr_t base = (uintptr_t)t->stack;

		if (a < base && a >= base - MR_PLAT_GUARD_SIZE)
			return t->name;
	}
	return NULL;
}

static void
run(struct mr_thread *t)
{
	mr_link_remove(&t->link);
	sched.current = t;
	ctx_jump(&sched.boot, &t->ctx, false);
	sched.current = NULL;
	if (t->state == THREAD_EXITED)
		reap(t);
}

/* Expire every deadline that has passed; reads the clock only if needed. */
static void
expire(void)
{
	struct mr__deadline *dl;
	mr_time_t now;

	if (heap_min(&sched.deadlines) == NULL)
		return;
	now = mr_plat_clock_monotonic();
	while ((dl = heap_min(&sched.deadlines)) != NULL && dl->when <= now) {
		heap_remove(&sched.deadlines, dl);
		dl->expire(dl);
	}
}

static MR_NORETURN void
deadlock(void)
{
	struct mr_link *l;
	const char *name = "?";

	for (l = sched.threads.next; l != &sched.threads; l = l->next) {
		struct mr_thread *t = container_of(l, struct mr_thread, all);

		if (t->state == THREAD_BLOCKED) {
			name = t->name;
			break;
		}
	}
	mr_panic("deadlock: %zu threads blocked and nothing can wake them "
		 "(one is '%s')", sched.nthreads, name);
}

/* Registrations that may start threads later; see mr_hold(). */
static unsigned long holds;

void
mr_hold(void)
{
	holds++;
}

void
mr_release(void)
{
	if (holds == 0)
		mr_panic("mr_release without mr_hold");
	holds--;
}

/*
 * Nothing is runnable: wait in the platform for the next deadline or a
 * source. Returns false when the application has ended, that is when no
 * thread is alive and no deadline can start a new one. Threads alive with
 * neither a deadline nor an open source to wake them never will.
 */
static bool
idle(void)
{
	struct mr__deadline *next = heap_min(&sched.deadlines);
	uint64_t ready;

	if (next == NULL && sched.nthreads == 0 && holds == 0)
		return false;
	if (next == NULL && source_count() == 0)
		deadlock();
	mr_plat_block(next != NULL ? next->when : MR_FOREVER, &ready);
	source_signal(ready);
	return true;
}

/*
 * The scheduler loop, on the boot stack. Returns when the application has
 * ended; the state it leaves is clean, so a test may run it again.
 */
void
sched_run(void)
{
	struct mr_link *l, *last;
	uint64_t ready;
	bool was_last;

	for (;;) {
		expire();
		if (mr_link_empty(&sched.runq)) {
			if (!idle())
				return;
			continue;
		}
		/* Busy threads must not starve sources of their turn. */
		if (source_count() > 0) {
			mr_plat_block(0, &ready);
			source_signal(ready);
		}
		last = sched.runq.prev;
		do {
			l = sched.runq.next;
			was_last = l == last;
			run(container_of(l, struct mr_thread, link));
		} while (!was_last);
	}
}
