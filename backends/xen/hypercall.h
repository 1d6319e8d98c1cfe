/*
 * hypercall.h: calls into Xen through the hypercall page.
 *
 * Xen fills the page (see start.c) with one 32-byte stub per hypercall;
 * arguments go in rdi, rsi, rdx, r10, r8 and the result comes back in rax.
 * The stubs clobber rcx and r11 (syscall/vmcall conventions), and Xen may
 * read or write any memory an argument points to.
 */
#ifndef MIRARI_XEN_HYPERCALL_H
#define MIRARI_XEN_HYPERCALL_H

#include <stdint.h>

#include <xen/xen.h>

extern char hypercall_page[4096];

static inline long
hypercall2(unsigned int op, unsigned long a1, unsigned long a2)
{
	register unsigned long rdi __asm__("rdi") = a1;
	register unsigned long rsi __asm__("rsi") = a2;
	long ret;

	__asm__ volatile("call *%[stub]"
			 : "=a"(ret), "+r"(rdi), "+r"(rsi)
			 : [stub] "r"(hypercall_page + op * 32)
			 : "rcx", "r11", "rdx", "r10", "r8", "memory");
	return ret;
}

static inline long
hypercall1(unsigned int op, unsigned long a1)
{
	return hypercall2(op, a1, 0);
}

static inline long
hypercall3(unsigned int op, unsigned long a1, unsigned long a2,
	   unsigned long a3)
{
	register unsigned long rdi __asm__("rdi") = a1;
	register unsigned long rsi __asm__("rsi") = a2;
	register unsigned long rdx __asm__("rdx") = a3;
	long ret;

	__asm__ volatile("call *%[stub]"
			 : "=a"(ret), "+r"(rdi), "+r"(rsi), "+r"(rdx)
			 : [stub] "r"(hypercall_page + op * 32)
			 : "rcx", "r11", "r10", "r8", "memory");
	return ret;
}

static inline long
hyp_sched_op(int cmd, void *arg)
{
	return hypercall2(__HYPERVISOR_sched_op, (unsigned long)cmd,
			  (unsigned long)arg);
}

static inline long
hyp_memory_op(int cmd, void *arg)
{
	return hypercall2(__HYPERVISOR_memory_op, (unsigned long)cmd,
			  (unsigned long)arg);
}

static inline long
hyp_event_channel_op(int cmd, void *arg)
{
	return hypercall2(__HYPERVISOR_event_channel_op, (unsigned long)cmd,
			  (unsigned long)arg);
}

static inline long
hyp_hvm_op(int cmd, void *arg)
{
	return hypercall2(__HYPERVISOR_hvm_op, (unsigned long)cmd,
			  (unsigned long)arg);
}

static inline long
hyp_grant_table_op(int cmd, void *arg, unsigned int count)
{
	return hypercall3(__HYPERVISOR_grant_table_op, (unsigned long)cmd,
			  (unsigned long)arg, count);
}

/* Absolute Xen system time in ns; 0 cancels the timer. */
static inline long
hyp_set_timer_op(uint64_t timeout)
{
	return hypercall1(__HYPERVISOR_set_timer_op, timeout);
}

#endif /* MIRARI_XEN_HYPERCALL_H */
