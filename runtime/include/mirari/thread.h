/*
 * mirari/thread.h: cooperative threads.
 *
 * One vCPU, no preemption: a thread runs until it blocks (mr_yield,
 * mr_sleep, mr_event_wait, or a blocking call of a library) or returns.
 * Code between two blocking calls therefore runs atomically with respect to
 * every other thread and needs no lock.
 *
 * Each thread runs on its own stack of MR_CFG_RUNTIME_STACK_SIZE bytes with an
 * unmapped guard page below it; overflowing it is a crash, never silent
 * corruption. Threads are cheap and meant to be short-lived: every event a
 * handler is registered for runs in a thread of its own.
 */
#ifndef MIRARI_THREAD_H
#define MIRARI_THREAD_H

#include <mirari/base.h>

struct mr_thread;

typedef void (*mr_thread_fn)(void *arg);

/*
 * Create a thread that will run fn(arg) and exit when fn returns. It becomes
 * runnable at once but starts only when the caller blocks or yields.
 * (name) is not copied: it must outlive the thread (a string literal is
 * typical). Returns NULL when no memory or thread slot is left.
 */
MR_API struct mr_thread *mr_thread_spawn(const char *name, mr_thread_fn fn,
					 void *arg);

/* The running thread. */
MR_API struct mr_thread *mr_thread_self(void);

/* The name the thread was spawned with. */
MR_API const char *mr_thread_name(const struct mr_thread *thread);

/* Let every other runnable thread run once, then continue. */
MR_API void mr_yield(void);

/* Block until mr_now() >= (deadline). */
MR_API void mr_sleep_until(mr_time_t deadline);

/* Block for at least (duration) nanoseconds. */
MR_API void mr_sleep(mr_time_t duration);

/* End the running thread now, as if its function had returned. */
MR_API MR_NORETURN void mr_thread_exit(void);

#endif /* MIRARI_THREAD_H */
