/*
 * traps.S: the entry stubs of the IDT.
 *
 * Every exception is fatal in mirari: its stub pushes the vector and an
 * error code (a zero when the CPU pushes none), then trap_entry saves the
 * general registers as a struct trap_frame (traps.c) and calls
 * trap_report(), which never returns. Interrupts stay disabled: the
 * event-channel upcall has a stub, since its vector is registered (see
 * evtchn.c), but the guest waits in SCHEDOP_poll and never takes it.
 */
	.text

.macro TRAP_NOERR vector
	.balign 16
trap_\vector:
	pushq	$0
	pushq	$\vector
	jmp	trap_entry
.endm

.macro TRAP_ERR vector
	.balign 16
trap_\vector:
	pushq	$\vector
	jmp	trap_entry
.endm

	TRAP_NOERR 0
	TRAP_NOERR 1
	TRAP_NOERR 2
	TRAP_NOERR 3
	TRAP_NOERR 4
	TRAP_NOERR 5
	TRAP_NOERR 6
	TRAP_NOERR 7
	TRAP_ERR 8
	TRAP_NOERR 9
	TRAP_ERR 10
	TRAP_ERR 11
	TRAP_ERR 12
	TRAP_ERR 13
	TRAP_ERR 14
	TRAP_NOERR 15
	TRAP_NOERR 16
	TRAP_ERR 17
	TRAP_NOERR 18
	TRAP_NOERR 19
	TRAP_NOERR 20
	TRAP_ERR 21
	TRAP_NOERR 22
	TRAP_NOERR 23
	TRAP_NOERR 24
	TRAP_NOERR 25
	TRAP_NOERR 26
	TRAP_NOERR 27
	TRAP_NOERR 28
	TRAP_ERR 29
	TRAP_ERR 30
	TRAP_NOERR 31
	/* Any other vector: reported as an unexpected interrupt. */
	TRAP_NOERR 255

trap_entry:
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	cld
	mov	%rsp, %rdi
	and	$-16, %rsp
	call	trap_report
1:	hlt
	jmp	1b

/* The table of stub addresses for traps.c, vectors 0-31 then the rest. */
	.section .rodata
	.balign 8
	.globl trap_stubs
	.hidden trap_stubs
trap_stubs:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,255
	.quad trap_\v
	.endr

	.text
	.balign 16
	.globl upcall_entry
	.hidden upcall_entry
upcall_entry:
	pushq	%rax
	movq	upcall_flag(%rip), %rax
	movb	$0, (%rax)
	popq	%rax
	iretq

	.section .note.GNU-stack, "", @progbits
