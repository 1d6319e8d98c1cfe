/*
 * switch.c: the context switch on its own, without the scheduler: many
 * round trips, the registers the ABI says survive a call, the floating-point
 * control state of each context, and the stack a new context starts on.
 */
#include <stdint.h>
#include <stdlib.h>
#include <xmmintrin.h>

#include "runtime.h"
#include "tap.h"

#define STACK_SIZE 65536
#define ROUNDS 100000

static struct ctx main_ctx;

static void *
new_stack(void)
{
	void *stack = mr_plat_stack_alloc(STACK_SIZE);

	if (stack == NULL) {
		tap_diag("no memory for a stack");
		exit(1);
	}
	return stack;
}

/* Ping-pong: each side counts its turns. */
static struct ctx pong_ctx;
static long pings, pongs;

static void
pong(void *arg)
{
	long *turns = arg;

	ctx_begin();
	for (;;) {
		(*turns)++;
		ctx_jump(&pong_ctx, &main_ctx, false);
	}
}

static void
test_ping_pong(void)
{
	ctx_make(&pong_ctx, new_stack(), STACK_SIZE, pong, &pongs);
	for (pings = 0; pings < ROUNDS; pings++) {
		ctx_jump(&main_ctx, &pong_ctx, false);
		if (pongs != pings + 1)
			break;
	}
	is_int(pings, ROUNDS, "100000 round trips complete");
	is_int(pongs, ROUNDS, "the other context ran once per round trip");
}

/*
 * regs_jump(from, to, seed, out): set rbx, rbp, r12-r15 to seed+0..5, call
 * ctx_jump(from, to, false), store those six registers as they are when it
 * returns into out[0..5], and restore the caller's. Seven pushes keep the
 * stack 16-byte aligned at the call.
 */
void regs_jump(struct ctx *from, struct ctx *to, uint64_t seed,
	       uint64_t *out);
__asm__(
	"	.text\n"
	"	.type	regs_jump, @function\n"
	"regs_jump:\n"
	"	pushq	%rbp\n"
	"	pushq	%rbx\n"
	"	pushq	%r12\n"
	"	pushq	%r13\n"
	"	pushq	%r14\n"
	"	pushq	%r15\n"
	"	pushq	%rcx\n"
	"	leaq	0(%rdx), %rbx\n"
	"	leaq	1(%rdx), %rbp\n"
	"	leaq	2(%rdx), %r12\n"
	"	leaq	3(%rdx), %r13\n"
	"	leaq	4(%rdx), %r14\n"
	"	leaq	5(%rdx), %r15\n"
	"	xorl	%edx, %edx\n"
	"	call	ctx_jump\n"
	"	popq	%rcx\n"
	"	movq	%rbx, 0(%rcx)\n"
	"	movq	%rbp, 8(%rcx)\n"
	"	movq	%r12, 16(%rcx)\n"
	"	movq	%r13, 24(%rcx)\n"
	"	movq	%r14, 32(%rcx)\n"
	"	movq	%r15, 40(%rcx)\n"
	"	popq	%r15\n"
	"	popq	%r14\n"
	"	popq	%r13\n"
	"	popq	%r12\n"
	"	popq	%rbx\n"
	"	popq	%rbp\n"
	"	ret\n"
	"	.size	regs_jump, . - regs_jump\n");

#define SEED_MAIN  UINT64_C(0xaaaa000000000000)
#define SEED_OTHER UINT64_C(0xbbbb000000000000)

static struct ctx regs_ctx;
static uint64_t other_out[6];

static void
regs_other(void *arg)
{
	(void)arg;
	ctx_begin();
	for (;;)
		regs_jump(&regs_ctx, &main_ctx, SEED_OTHER, other_out);
}

static bool
regs_match(const uint64_t *out, uint64_t seed)
{
	int i;

	for (i = 0; i < 6; i++)
		if (out[i] != seed + (uint64_t)i)
			return false;
	return true;
}

static void
test_callee_saved(void)
{
	uint64_t out[6];

	ctx_make(&regs_ctx, new_stack(), STACK_SIZE, regs_other, NULL);
	regs_jump(&main_ctx, &regs_ctx, SEED_MAIN, out);
	ok(regs_match(out, SEED_MAIN),
	   "rbx, rbp, r12-r15 survive a switch to a new context and back");
	regs_jump(&main_ctx, &regs_ctx, SEED_MAIN, out);
	ok(regs_match(out, SEED_MAIN), "... and a second round trip");
	ok(regs_match(other_out, SEED_OTHER),
	   "the other context gets its own registers back");
}

/* Floating-point control state: rounding modes in MXCSR and the x87. */
#define MXCSR_ROUNDING 0x6000
#define MXCSR_DOWN     0x2000
#define MXCSR_UP       0x4000
#define FCW_DOUBLE     0x027f

static struct ctx fp_ctx;
static unsigned int fp_first_mxcsr, fp_later_mxcsr;
static unsigned short fp_first_fcw, fp_later_fcw;

static unsigned short
get_fcw(void)
{
	unsigned short w;

	__asm__ volatile("fnstcw %0" : "=m"(w));
	return w;
}

static void
set_fcw(unsigned short w)
{
	__asm__ volatile("fldcw %0" : : "m"(w));
}

static void
fp_other(void *arg)
{
	(void)arg;
	ctx_begin();
	fp_first_mxcsr = _mm_getcsr();
	fp_first_fcw = get_fcw();
	_mm_setcsr((_mm_getcsr() & ~MXCSR_ROUNDING) | MXCSR_UP);
	set_fcw(FCW_DOUBLE);
	ctx_jump(&fp_ctx, &main_ctx, false);
	fp_later_mxcsr = _mm_getcsr();
	fp_later_fcw = get_fcw();
	ctx_jump(&fp_ctx, &main_ctx, false);
}

static void
test_fp_state(void)
{
	unsigned int saved = _mm_getcsr();
	unsigned short saved_fcw = get_fcw();

	ctx_make(&fp_ctx, new_stack(), STACK_SIZE, fp_other, NULL);
	_mm_setcsr((saved & ~MXCSR_ROUNDING) | MXCSR_DOWN);
	set_fcw(0x0c7f);	/* round toward zero */
	ctx_jump(&main_ctx, &fp_ctx, false);
	is_int(fp_first_mxcsr, 0x1f80, "a new context starts with the "
	       "default MXCSR, not its creator's");
	is_int(fp_first_fcw, 0x037f, "... and the default x87 control word");
	is_int(_mm_getcsr() & MXCSR_ROUNDING, MXCSR_DOWN,
	       "MXCSR rounding survives the other context changing its own");
	is_int(get_fcw(), 0x0c7f, "so does the x87 control word");
	ctx_jump(&main_ctx, &fp_ctx, false);
	is_int(fp_later_mxcsr & MXCSR_ROUNDING, MXCSR_UP,
	       "the other context gets its MXCSR back");
	is_int(fp_later_fcw, FCW_DOUBLE, "... and its x87 control word");
	_mm_setcsr(saved);
	set_fcw(saved_fcw);
}

/*
 * align_probe records the stack pointer and frame pointer a new context
 * starts its entry function with, before any compiled code can move them.
 */
uintptr_t probe_rsp, probe_rbp;
void align_probe(void *arg);
void align_entry(void *arg);
__asm__(
	"	.text\n"
	"	.type	align_probe, @function\n"
	"align_probe:\n"
	"	movq	%rsp, probe_rsp(%rip)\n"
	"	movq	%rbp, probe_rbp(%rip)\n"
	"	jmp	align_entry\n"
	"	.size	align_probe, . - align_probe\n");

static struct ctx align_ctx;

void
align_entry(void *arg)
{
	(void)arg;
	ctx_begin();
	ctx_jump(&align_ctx, &main_ctx, true);
}

static void
test_alignment(void)
{
	static const size_t shorten[] = { 0, 1, 4, 8, 12, 24 };
	void *stack = new_stack();
	size_t i;

	for (i = 0; i < sizeof shorten / sizeof shorten[0]; i++) {
		probe_rsp = 1;
		ctx_make(&align_ctx, stack, STACK_SIZE - shorten[i],
			 align_probe, NULL);
		ctx_jump(&main_ctx, &align_ctx, false);
		ok((probe_rsp + 8) % 16 == 0, "stack top %zu bytes short: "
		   "rsp + 8 is 16-byte aligned at entry", shorten[i]);
	}
	is_int(probe_rbp, 0, "the frame-pointer chain ends at a new context");
	ok(probe_rsp < (uintptr_t)stack + STACK_SIZE &&
	   probe_rsp > (uintptr_t)stack, "the context runs on its own stack");
}

int
main(void)
{
	test_ping_pong();
	test_callee_saved();
	test_fp_state();
	test_alignment();
	return done_testing();
}
