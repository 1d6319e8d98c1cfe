/*
 * runtime.h: what the files of the runtime share and nothing else sees.
 *
 * Everything here is compiled with hidden visibility and localised when the
 * runtime's archive is built, so these names need no mr_ prefix; each
 * group carries the name of the file that implements it instead.
 */
#ifndef MIRARI_RUNTIME_H
#define MIRARI_RUNTIME_H

#include <stddef.h>

#include <mirari/mirari.h>
#include <mirari/plat.h>

#include "mirari_config.h"

#define container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

/* Saturating addition, for deadlines computed from untrusted durations. */
static inline mr_time_t
time_add(mr_time_t t, mr_time_t d)
{
	if (d > 0 && t > MR_FOREVER - d)
		return MR_FOREVER;
	if (d < 0 && t < INT64_MIN - d)
		return INT64_MIN;
	return t + d;
}

/* arch/x86_64/switch.S: the machine-dependent half of a context switch. */
void ctx_switch(void **save_sp, void *sp);
void *ctx_init(void *top, void (*entry)(void *), void *arg);

/*
 * ctx.c: contexts (a stack and the registers saved on it) and the switch
 * between them, with the annotations AddressSanitizer needs.
 */
struct ctx {
	void *sp;		/* saved stack pointer while suspended */
	const void *stack;	/* lowest address of its stack */
	size_t size;		/* of the stack; 0 while unknown (boot stack) */
};

void ctx_make(struct ctx *c, void *stack, size_t size,
	      void (*entry)(void *), void *arg);
void ctx_jump(struct ctx *from, struct ctx *to, bool from_ends);
void ctx_begin(void);

/* heap.c: the deadlines, a binary min-heap ordered by (when, seq). */
struct heap {
	struct mr__deadline **v;	/* malloc'd, owned by the heap */
	size_t n, cap;
	uint64_t seq;			/* insertions so far */
};

void heap_insert(struct heap *h, struct mr__deadline *dl);
void heap_remove(struct heap *h, struct mr__deadline *dl);

static inline struct mr__deadline *
heap_min(const struct heap *h)
{
	return h->n > 0 ? h->v[0] : NULL;
}

/* sched.c: threads and the scheduler loop. */
enum thread_state {
	THREAD_RUNNABLE,	/* in sched.runq, or running */
	THREAD_BLOCKED,		/* in an event's waiters and/or the heap */
	THREAD_EXITED		/* waiting for the scheduler to reap it */
};

struct mr_thread {
	struct mr_link link;	/* in sched.runq, an event's waiters, or
				   sched.cache once reaped */
	struct mr_link all;	/* in sched.threads while alive */
	struct ctx ctx;
	void *stack;		/* MR_CFG_RUNTIME_STACK_SIZE bytes */
	const char *name;
	mr_thread_fn fn;
	void *arg;
	struct mr__deadline wakeup;	/* in the heap while blocked with one */
	mr_result_t why;		/* MR_OK (signalled) or MR_ETIMEDOUT */
	enum thread_state state;
};

struct sched {
	struct mr_thread *current;	/* NULL on the boot stack */
	struct ctx boot;		/* where the scheduler loop runs */
	struct mr_link runq;		/* FIFO of runnable threads */
	struct mr_link threads;		/* every thread alive */
	size_t nthreads;
	size_t nthreads_peak;		/* the most alive at once */
	struct mr_link cache;		/* reaped threads, stacks kept */
	size_t ncached;
	struct heap deadlines;		/* sleeps, wait timeouts, timers */
};

extern struct sched sched;

void sched_run(void);
struct mr_thread *sched_running(const char *caller);
mr_result_t sched_block(struct mr_thread *t, mr_time_t deadline);
void sched_wake(struct mr_thread *t, mr_result_t why);

/* event.c: event sources. */
size_t source_count(void);
void source_signal(uint64_t ready);

/* log.c: the names of the levels, as log=LEVEL spells them. */
const char *log_level_name(enum mr_log_level level);
int log_level_parse(const char *name);

/* param.c: the table the accessors read, installed by mr_boot. */
void param_install(const struct mr_param_desc *desc,
		   const union mr_param_value *values, size_t n);

/* The value of string parameter (name), or NULL when there is none. */
const char *param_find_string(const char *name);

#endif /* MIRARI_RUNTIME_H */
