/*
 * ctx.c: creating contexts and switching between them.
 *
 * The switch itself is in arch/x86_64/switch.S. This file adds what a
 * portable C caller needs around it: the stack bounds of each context, and
 * the fiber annotations that let AddressSanitizer follow a program whose
 * stack pointer jumps between stacks it did not allocate. Without them ASan
 * reports false stack overflows and keeps stale redzones alive. They are the
 * only sanitizer-specific code in the runtime, and compile to nothing in an
 * ordinary build.
 */
#include "runtime.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>

/*
 * The context being left, so that the one being entered can record its
 * stack bounds: ASan learns the boot stack's only that way.
 */
static struct ctx *ctx_leaving;

static void
san_start(struct ctx *from, struct ctx *to, void **fake, bool from_ends)
{
	ctx_leaving = from;
	__sanitizer_start_switch_fiber(from_ends ? NULL : fake, to->stack,
				       to->size);
}

static void
san_finish(void *fake)
{
	__sanitizer_finish_switch_fiber(fake, &ctx_leaving->stack,
					&ctx_leaving->size);
}

/*
 * A reused stack still carries the poisoned redzones of the frames its last
 * thread never returned from.
 */
static void
san_new_stack(void *stack, size_t size)
{
	ASAN_UNPOISON_MEMORY_REGION(stack, size);
}
#else
#define san_start(from, to, fake, ends)	((void)(fake), (void)(ends))
#define san_finish(fake)		((void)(fake))
#define san_new_stack(stack, size)	((void)0)
#endif

/*
 * Prepare (c) to run entry(arg) on (stack), (size) bytes that the caller
 * owns and keeps until the context has ended. entry must call ctx_begin()
 * first and must never return.
 */
void
ctx_make(struct ctx *c, void *stack, size_t size, void (*entry)(void *),
	 void *arg)
{
	san_new_stack(stack, size);
	c->stack = stack;
	c->size = size;
	c->sp = ctx_init((char *)stack + size, entry, arg);
}

/*
 * Suspend the running context into (from) and resume (to). Returns when
 * some context jumps back to (from). (from_ends) says that (from) will
 * never be resumed, so its sanitizer state can be dropped.
 */
void
ctx_jump(struct ctx *from, struct ctx *to, bool from_ends)
{
	void *fake = NULL;

	san_start(from, to, &fake, from_ends);
	ctx_switch(&from->sp, to->sp);
	san_finish(fake);
}

/* The first thing a new context does: complete the switch that started it. */
void
ctx_begin(void)
{
	san_finish(NULL);
}
