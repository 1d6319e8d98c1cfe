/*
 * mm.c: memory map, page tables, the heap and guarded stacks.
 *
 * The guest keeps an identity map (virtual == physical), rebuilt here with
 * 4 KiB pages so that every page can have its own protection:
 *
 *	page 0			not mapped: a NULL dereference faults
 *	text			read-only, executable
 *	rodata			read-only, not executable
 *	data, bss, the rest	read-write, not executable
 *	guard pages		not mapped: under the boot stack and under
 *				every thread stack
 *
 * Page-table pages come from a pool placed right after the image, where
 * Xen left the start info, the memory map and the command line: they are
 * read (start.c, ram_end()) before the first pool page is cleared. The heap
 * (newlib's sbrk) is the rest of the RAM region the image was loaded in.
 * Pages outside RAM that Xen shares with us (console, xenstore) are mapped
 * on demand with mm_map_page().
 */
#include <stdint.h>	/* before Xen's headers, which use it */
#include <malloc.h>
#include <string.h>

#include <xen/memory.h>

#include "backend.h"
#include "hypercall.h"

#define PTE_P		0x001ULL
#define PTE_W		0x002ULL
#define PTE_NX		(1ULL << 63)
#define PTE_ADDR	0x000ffffffffff000ULL
#define PTE_TABLE	(PTE_P | PTE_W)
#define PTE_DATA	(PTE_P | PTE_W | PTE_NX)

#define MEMMAP_MAX	32
#define MEMMAP_RAM	1

/* How many more table pages mm_map_page may need over the guest's life. */
#define POOL_SPARE	16

static uint64_t *pml4;
static char *pool, *pool_end;
static char *heap_start, *heap_end;

static void *
pool_page(void)
{
	void *p;

	if (pool + PAGE_SIZE > pool_end)
		xen_die("mirari: out of page-table pages\n");
	p = pool;
	pool += PAGE_SIZE;
	memset(p, 0, PAGE_SIZE);
	return p;
}

/* The page-table entry of (va), allocating tables on the way if (alloc). */
static uint64_t *
pte_of(uint64_t va, bool alloc)
{
	uint64_t *t = pml4;
	int shift;

	for (shift = 39; shift > 12; shift -= 9) {
		uint64_t *e = &t[(va >> shift) & 511];

		if ((*e & PTE_P) == 0) {
			if (!alloc)
				return NULL;
			*e = (uint64_t)(uintptr_t)pool_page() | PTE_TABLE;
		}
		t = (uint64_t *)(uintptr_t)(*e & PTE_ADDR);
	}
	return &t[(va >> 12) & 511];
}

static inline void
invlpg(uint64_t va)
{
	__asm__ volatile("invlpg (%0)" :: "r"(va) : "memory");
}

/* Protection of the page at (va) in the initial map. */
static uint64_t
protection(uint64_t va)
{
	if (va == 0 || va == (uintptr_t)boot_stack_guard)
		return 0;
	if (va >= (uintptr_t)_image_start && va < (uintptr_t)_etext)
		return PTE_P;
	if (va >= (uintptr_t)_etext && va < (uintptr_t)_erodata)
		return PTE_P | PTE_NX;
	return PTE_DATA;
}

/*
 * The end of the RAM region holding the image, from the start info's
 * memory map (version 1) or from Xen's copy of it.
 */
static uint64_t
ram_end(const struct hvm_start_info *si)
{
	struct hvm_memmap_table_entry map[MEMMAP_MAX];
	unsigned int i, n = 0;
	uint64_t image = (uintptr_t)_image_start;

	if (si->version >= 1 && si->memmap_paddr != 0) {
		n = si->memmap_entries < MEMMAP_MAX ? si->memmap_entries :
		    MEMMAP_MAX;
		memcpy(map, (void *)(uintptr_t)si->memmap_paddr,
		       n * sizeof map[0]);
	} else {
		/* Xen's copy is in the BIOS's format: 20 bytes an entry. */
		struct e820 {
			uint64_t addr, size;
			uint32_t type;
		} __attribute__((packed)) e820[MEMMAP_MAX];
		struct xen_memory_map mm = { .nr_entries = MEMMAP_MAX };

		set_xen_guest_handle(mm.buffer, e820);
		if (hyp_memory_op(XENMEM_memory_map, &mm) == 0)
			n = mm.nr_entries < MEMMAP_MAX ? mm.nr_entries :
			    MEMMAP_MAX;
		for (i = 0; i < n; i++)
			map[i] = (struct hvm_memmap_table_entry){
				.addr = e820[i].addr, .size = e820[i].size,
				.type = e820[i].type };
	}
	for (i = 0; i < n; i++)
		if (map[i].type == MEMMAP_RAM && map[i].addr <= image &&
		    image < map[i].addr + map[i].size)
			return (map[i].addr + map[i].size) & ~(PAGE_SIZE - 1);
	xen_die("mirari: no RAM region holds the image\n");
	return 0;
}

void
mm_init(const struct hvm_start_info *si)
{
	uint64_t end = ram_end(si), va, pages;

	/*
	 * Tables for the whole region: one page per 2 MiB, per GiB and the
	 * top two, plus spares for pages mapped later.
	 */
	pages = (end >> 21) + (end >> 30) + 4 + POOL_SPARE;
	pool = _end;
	pool_end = _end + pages * PAGE_SIZE;
	if ((uint64_t)(uintptr_t)pool_end >= end)
		xen_die("mirari: not enough memory for the page tables\n");
	pml4 = pool_page();
	for (va = 0; va < end; va += PAGE_SIZE)
		*pte_of(va, true) = va | protection(va);
	heap_start = pool_end;
	heap_end = (char *)(uintptr_t)end;
	__asm__ volatile("mov %0, %%cr3" :: "r"(pml4) : "memory");
}

/* Map the page at physical address (paddr), read-write, not executable. */
void
mm_map_page(uint64_t paddr)
{
	paddr &= ~(PAGE_SIZE - 1);
	*pte_of(paddr, true) = paddr | PTE_DATA;
	invlpg(paddr);
}

void *
mm_heap(size_t *size)
{
	*size = (size_t)(heap_end - heap_start);
	return heap_start;
}

bool
mm_is_guard(uint64_t addr)
{
	return addr >= (uintptr_t)boot_stack_guard &&
	    addr < (uintptr_t)boot_stack_guard + PAGE_SIZE;
}

void *
mr_plat_heap(size_t *size)
{
	return mm_heap(size);
}

/*
 * A stack is a page-aligned block from the heap whose lowest page is
 * unmapped while it serves as a stack.
 */
void *
mr_plat_stack_alloc(size_t size)
{
	char *p = memalign(PAGE_SIZE, size + MR_PLAT_GUARD_SIZE);

	if (p == NULL)
		return NULL;
	*pte_of((uintptr_t)p, false) = 0;
	invlpg((uintptr_t)p);
	return p + MR_PLAT_GUARD_SIZE;
}

void
mr_plat_stack_free(void *base, size_t size)
{
	char *p = (char *)base - MR_PLAT_GUARD_SIZE;

	(void)size;
	*pte_of((uintptr_t)p, false) = (uintptr_t)p | PTE_DATA;
	invlpg((uintptr_t)p);
	free(p);
}
