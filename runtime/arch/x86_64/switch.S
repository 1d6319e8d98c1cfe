/*
 * switch.S: context switch and thread start for x86_64 (System V ABI).
 *
 * A suspended context is nothing but its stack pointer. The registers the
 * ABI asks a callee to preserve are pushed on the context's own stack, in
 * this order from the saved stack pointer up:
 *
 *	0	MXCSR (4 bytes), x87 control word (2 bytes), padding
 *	8	r15
 *	16	r14
 *	24	r13
 *	32	r12
 *	40	rbx
 *	48	rbp
 *	56	return address
 *
 * The MXCSR control bits and the x87 control word are callee-saved too
 * (rounding mode, exception masks), so each thread keeps its own. Every
 * other register is caller-saved and the compiler has already spilled
 * whatever it needs before calling ctx_switch.
 */

	.text

/*
 * void ctx_switch(void **save_sp, void *sp)
 *
 * Suspend the running context, storing its stack pointer in *save_sp, and
 * resume the one whose stack pointer is sp.
 */
	.globl	ctx_switch
	.hidden	ctx_switch
	.type	ctx_switch, @function
	.balign	16
ctx_switch:
	.cfi_startproc
	pushq	%rbp
	.cfi_adjust_cfa_offset 8
	pushq	%rbx
	.cfi_adjust_cfa_offset 8
	pushq	%r12
	.cfi_adjust_cfa_offset 8
	pushq	%r13
	.cfi_adjust_cfa_offset 8
	pushq	%r14
	.cfi_adjust_cfa_offset 8
	pushq	%r15
	.cfi_adjust_cfa_offset 8
	subq	$8, %rsp
	.cfi_adjust_cfa_offset 8
	stmxcsr	(%rsp)
	fnstcw	4(%rsp)

	movq	%rsp, (%rdi)
	movq	%rsi, %rsp

	ldmxcsr	(%rsp)
	fldcw	4(%rsp)
	addq	$8, %rsp
	.cfi_adjust_cfa_offset -8
	popq	%r15
	.cfi_adjust_cfa_offset -8
	popq	%r14
	.cfi_adjust_cfa_offset -8
	popq	%r13
	.cfi_adjust_cfa_offset -8
	popq	%r12
	.cfi_adjust_cfa_offset -8
	popq	%rbx
	.cfi_adjust_cfa_offset -8
	popq	%rbp
	.cfi_adjust_cfa_offset -8
	ret
	.cfi_endproc
	.size	ctx_switch, . - ctx_switch

/*
 * void *ctx_init(void *top, void (*entry)(void *), void *arg)
 *
 * Lay out a new context below (top), the end of a fresh stack, so that the
 * first ctx_switch to it "returns" into ctx_start with entry in r12 and arg
 * in r13, and return its stack pointer. The new context starts with the
 * ABI's default floating-point control state, whatever its creator's is.
 */
	.globl	ctx_init
	.hidden	ctx_init
	.type	ctx_init, @function
	.balign	16
ctx_init:
	.cfi_startproc
	andq	$-16, %rdi
	leaq	-64(%rdi), %rax
	movl	$0x1f80, (%rax)		/* MXCSR: all exceptions masked */
	movl	$0x037f, 4(%rax)	/* x87: masked, extended precision */
	movq	$0, 8(%rax)
	movq	$0, 16(%rax)
	movq	%rdx, 24(%rax)
	movq	%rsi, 32(%rax)
	movq	$0, 40(%rax)
	movq	$0, 48(%rax)
	leaq	ctx_start(%rip), %rcx
	movq	%rcx, 56(%rax)
	ret
	.cfi_endproc
	.size	ctx_init, . - ctx_init

/*
 * The first code a context runs: call entry(arg) on an ABI-aligned stack.
 * rbp = 0 ends the frame-pointer chain and the undefined return address
 * tells debuggers and unwinders that this is the outermost frame. entry
 * must not return: a thread ends by switching away for good.
 */
	.type	ctx_start, @function
	.balign	16
ctx_start:
	.cfi_startproc
	.cfi_undefined rip
	xorl	%ebp, %ebp
	movq	%r13, %rdi
	andq	$-16, %rsp
	call	*%r12
	ud2
	.cfi_endproc
	.size	ctx_start, . - ctx_start

	.section .note.GNU-stack, "", @progbits
