/*
 * entry.S: the PVH entry point, from 32-bit protected mode to C.
 *
 * Xen starts a PVH guest at the address in its XEN_ELFNOTE_PHYS32_ENTRY note
 * in 32-bit protected mode, paging off, flat segments, interrupts off and
 * %ebx holding the physical address of struct hvm_start_info. We identity
 * map the first GiB with 2 MiB pages, enter long mode and call
 * xen_start(start_info) on the boot stack; mm.c replaces these page tables
 * with finer ones as soon as C runs.
 */
#include <xen/elfnote.h>

#define CR0_PE		0x00000001
#define CR0_MP		0x00000002
#define CR0_EM		0x00000004
#define CR0_WP		0x00010000	/* read-only pages bind the kernel too */
#define CR0_PG		0x80000000
#define CR4_PAE		0x00000020
#define CR4_OSFXSR	0x00000200
#define CR4_OSXMMEXCPT	0x00000400
#define MSR_EFER	0xc0000080
#define EFER_LME	0x00000100
#define EFER_NXE	0x00000800
#define PTE_P_W		0x003
#define PDE_P_W_PS	0x083

#define SEL_CODE64	0x08
#define SEL_DATA	0x10

/* An ELF note of type (type) read by Xen's loader. */
#define ELFNOTE(type, directive, value)			\
	.pushsection .note.Xen, "a", @note;		\
	.balign 4;					\
	.long 2f - 1f;					\
	.long 4f - 3f;					\
	.long type;					\
1:	.asciz "Xen";					\
2:	.balign 4;					\
3:	directive value;				\
4:	.balign 4;					\
	.popsection

	ELFNOTE(XEN_ELFNOTE_GUEST_OS, .asciz, "mirari")
	ELFNOTE(XEN_ELFNOTE_XEN_VERSION, .asciz, "xen-3.0")
	ELFNOTE(XEN_ELFNOTE_PHYS32_ENTRY, .long, mr_xen_pvh_start)

	.section .text.boot, "ax", @progbits
	.code32
	/* Global, so that the linker's ENTRY finds it in the archive. */
	.globl mr_xen_pvh_start
mr_xen_pvh_start:
	cli
	cld
	mov	%ebx, %esi		/* start_info, for xen_start */
	lgdt	boot_gdt_desc
	mov	$SEL_DATA, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	mov	$boot_stack_top, %esp

	/* boot_pd maps the first GiB with 2 MiB pages. */
	mov	$boot_pd, %edi
	xor	%ecx, %ecx
1:	mov	%ecx, %eax
	shl	$21, %eax
	or	$PDE_P_W_PS, %eax
	mov	%eax, (%edi,%ecx,8)
	movl	$0, 4(%edi,%ecx,8)
	inc	%ecx
	cmp	$512, %ecx
	jne	1b
	movl	$(boot_pdpt + PTE_P_W), boot_pml4
	movl	$(boot_pd + PTE_P_W), boot_pdpt

	mov	$boot_pml4, %eax
	mov	%eax, %cr3
	mov	%cr4, %eax
	or	$(CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT), %eax
	mov	%eax, %cr4
	mov	$MSR_EFER, %ecx
	rdmsr
	or	$(EFER_LME | EFER_NXE), %eax
	wrmsr
	mov	%cr0, %eax
	and	$~CR0_EM, %eax
	or	$(CR0_PG | CR0_PE | CR0_MP | CR0_WP), %eax
	mov	%eax, %cr0
	ljmp	$SEL_CODE64, $start64

	.code64
start64:
	mov	$SEL_DATA, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	xor	%eax, %eax
	mov	%eax, %fs
	mov	%eax, %gs
	mov	$boot_stack_top, %rsp
	fninit
	xor	%ebp, %ebp
	mov	%esi, %edi		/* zero-extends: the upper half is undefined */
	call	xen_start
2:	hlt
	jmp	2b

/*
 * The hypercall page: Xen writes its stubs here when start.c gives it the
 * page's address. It is code, so it lives in text.
 */
	.section .text.hypercall_page, "ax", @progbits
	.balign 4096
	.globl hypercall_page
	.hidden hypercall_page
hypercall_page:
	.skip 4096

/*
 * The GDT: flat 64-bit code and data, and a slot for the TSS that traps.c
 * fills in (the TSS is where the interrupt stacks are named).
 */
	.data
	.balign 16
	.globl boot_gdt
	.hidden boot_gdt
boot_gdt:
	.quad 0				/* null */
	.quad 0x00af9a000000ffff	/* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: data */
	.quad 0, 0			/* 0x18: TSS, 16 bytes */
boot_gdt_end:
	.balign 8
	.word 0
boot_gdt_desc:
	.word boot_gdt_end - boot_gdt - 1
	.quad boot_gdt

/*
 * Boot page tables and the boot stack, which stays the scheduler's stack.
 * The page below the stack is left unmapped by mm.c as its guard.
 */
	.bss
	.balign 4096
	.globl boot_pml4, boot_stack_guard, boot_stack, boot_stack_top
	.hidden boot_pml4, boot_stack_guard, boot_stack, boot_stack_top
boot_pml4:
	.skip 4096
boot_pdpt:
	.skip 4096
boot_pd:
	.skip 4096
boot_stack_guard:
	.skip 4096
boot_stack:
	.skip 32768
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
