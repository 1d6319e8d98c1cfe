/*
 * traps.c: the IDT, the TSS and its interrupt stacks, and crash reports.
 *
 * A page fault or double fault runs on a stack of its own (the TSS's IST),
 * because the fault may be a thread overflowing its stack into the guard
 * page, where there is no room left to push anything. The report names the
 * exception, the faulting address, the thread, the registers and a
 * frame-pointer backtrace (mirari run -t xen turns its addresses into
 * function names with the image's symbols), then the domain shuts down
 * with reason crash.
 */
#include <stdint.h>	/* before Xen's headers, which use it */
#include <string.h>

#include <xen/sched.h>

#include "backend.h"

#define SEL_CODE64	0x08
#define SEL_TSS		0x18
#define IST_FAULT	1
#define IST_DOUBLE	2
#define IST_SIZE	8192

struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

struct idt_gate {
	uint16_t off0;
	uint16_t sel;
	uint8_t ist;
	uint8_t type;
	uint16_t off1;
	uint32_t off2;
	uint32_t zero;
} __attribute__((packed));

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap;
} __attribute__((packed));

extern const uint64_t trap_stubs[33];
extern char upcall_entry[];
uint8_t *upcall_flag;

static struct idt_gate idt[256] __attribute__((aligned(16)));
static struct tss tss __attribute__((aligned(16)));
static char ist_fault[IST_SIZE] __attribute__((aligned(16)));
static char ist_double[IST_SIZE] __attribute__((aligned(16)));

static void
set_gate(int vector, uint64_t handler, uint8_t ist)
{
	idt[vector] = (struct idt_gate){
		.off0 = (uint16_t)handler,
		.sel = SEL_CODE64,
		.ist = ist,
		.type = 0x8e,		/* present, interrupt gate */
		.off1 = (uint16_t)(handler >> 16),
		.off2 = (uint32_t)(handler >> 32),
	};
}

void
traps_init(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = { sizeof idt - 1, (uintptr_t)idt };
	uint64_t base = (uintptr_t)&tss;
	int v;

	tss.ist[IST_FAULT - 1] = (uintptr_t)(ist_fault + IST_SIZE);
	tss.ist[IST_DOUBLE - 1] = (uintptr_t)(ist_double + IST_SIZE);
	tss.iomap = sizeof tss;
	boot_gdt[SEL_TSS / 8] = (sizeof tss - 1) | ((base & 0xffffff) << 16) |
	    (0x89ULL << 40) | (((base >> 24) & 0xff) << 56);
	boot_gdt[SEL_TSS / 8 + 1] = base >> 32;
	__asm__ volatile("ltr %w0" :: "r"(SEL_TSS));

	for (v = 0; v < 256; v++)
		set_gate(v, trap_stubs[v < 32 ? v : 32], 0);
	set_gate(14, trap_stubs[14], IST_FAULT);
	set_gate(8, trap_stubs[8], IST_DOUBLE);
	set_gate(UPCALL_VECTOR, (uintptr_t)upcall_entry, 0);
	__asm__ volatile("lidt %0" :: "m"(idtr));
}

void
traps_set_upcall_flag(uint8_t *flag)
{
	upcall_flag = flag;
}

static const char *const names[32] = {
	"divide error (#DE)", "debug (#DB)", "NMI", "breakpoint (#BP)",
	"overflow (#OF)", "bound range (#BR)", "invalid opcode (#UD)",
	"device not available (#NM)", "double fault (#DF)", "coprocessor",
	"invalid TSS (#TS)", "segment not present (#NP)",
	"stack fault (#SS)", "general protection (#GP)", "page fault (#PF)",
	"reserved", "x87 error (#MF)", "alignment check (#AC)",
	"machine check (#MC)", "SIMD error (#XM)", "virtualisation (#VE)",
	"control protection (#CP)",
};

/* Is (addr) a mapped, 8-byte aligned address we may read? */
static bool
readable(uint64_t addr)
{
	size_t heap_size;
	char *heap = mm_heap(&heap_size);

	return (addr & 7) == 0 && addr >= PAGE_SIZE &&
	    addr + 16 <= (uintptr_t)heap + heap_size && !mm_is_guard(addr) &&
	    mr_stack_guard_owner((const void *)addr) == NULL;
}

/*
 * The report is written with these few helpers rather than printf: the C
 * library may be what faulted, and they need no heap and little stack.
 */
static void
put(const char *s)
{
	mr_plat_console_write(s, strlen(s));
}

static void
put_hex(uint64_t v, int digits)
{
	char buf[19];
	int i, n = 0;

	buf[n++] = '0';
	buf[n++] = 'x';
	for (i = 15; i >= 0; i--) {
		int d = (int)((v >> (i * 4)) & 15);

		if (d != 0 || i < digits || n > 2)
			buf[n++] = "0123456789abcdef"[d];
	}
	mr_plat_console_write(buf, (size_t)n);
}

static void
put_reg(const char *name, uint64_t v)
{
	put(name);
	put_hex(v, 16);
}

void trap_report(struct trap_frame *f) MR_NORETURN;

void
trap_report(struct trap_frame *f)
{
	static int nested;
	const char *owner;
	uint64_t cr2 = 0, rbp;
	int i;

	if (nested++ > 0) {
		console_early_write("mirari: crash while reporting a crash\n", 38);
		control_shutdown(SHUTDOWN_crash);
	}
	if (f->vector == 14)
		__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	put("mirari: crash: ");
	put(f->vector < 32 && names[f->vector] ? names[f->vector] :
	    "unexpected interrupt");
	if (f->vector == 14) {
		put(" at ");
		put_hex(cr2, 1);
		put((f->error & 16) ? ": execution" : (f->error & 2) ?
		    ": write" : ": read");
		put((f->error & 1) ? " of a protected page" :
		    " of a page that is not mapped");
		owner = mr_stack_guard_owner((const void *)cr2);
		if (owner != NULL) {
			put(" (stack overflow: guard page of thread ");
			put(owner);
			put(")");
		} else if (mm_is_guard(cr2)) {
			put(" (stack overflow: guard page of the scheduler)");
		}
	}
	put("\n  thread ");
	put(mr_thread_name(mr_thread_self()));
	put_reg(", rip ", f->rip);
	put_reg(", error ", f->error);
	put_reg("\n  rax ", f->rax);
	put_reg(" rbx ", f->rbx);
	put_reg(" rcx ", f->rcx);
	put_reg(" rdx ", f->rdx);
	put_reg("\n  rsi ", f->rsi);
	put_reg(" rdi ", f->rdi);
	put_reg(" rbp ", f->rbp);
	put_reg(" rsp ", f->rsp);
	put_reg("\n  r8  ", f->r8);
	put_reg(" r9  ", f->r9);
	put_reg(" r10 ", f->r10);
	put_reg(" r11 ", f->r11);
	put_reg("\n  r12 ", f->r12);
	put_reg(" r13 ", f->r13);
	put_reg(" r14 ", f->r14);
	put_reg(" r15 ", f->r15);
	put("\n  stack:");
	for (i = 0; i < 8 && readable(f->rsp + 8 * (uint64_t)i); i++) {
		put(" ");
		put_hex(((uint64_t *)f->rsp)[i], 1);
	}
	put("\n  backtrace: ");
	put_hex(f->rip, 1);
	for (rbp = f->rbp, i = 0; i < 16 && readable(rbp); i++) {
		uint64_t ret = ((uint64_t *)rbp)[1], next = ((uint64_t *)rbp)[0];

		if (ret == 0)
			break;
		put(" ");
		put_hex(ret, 1);
		if (next <= rbp)
			break;
		rbp = next;
	}
	put("\n");
	control_shutdown(SHUTDOWN_crash);
}
