/*
 * gnttab.c: grant tables, version 1.
 *
 * The table's frames are placed by Xen over pages of our own bss
 * (XENMEM_add_to_physmap), so the identity map reaches them with no
 * further mapping. Free references are kept on a stack.
 */
#include <stdint.h>	/* before Xen's headers, which use it */
#include <string.h>

#include <xen/grant_table.h>
#include <xen/memory.h>

#include "backend.h"
#include "hypercall.h"

#define FRAMES		4
#define ENTRIES		(FRAMES * PAGE_SIZE / sizeof(grant_entry_v1_t))

static grant_entry_v1_t table[ENTRIES] __attribute__((aligned(PAGE_SIZE)));
static grant_ref_t free_refs[ENTRIES];
static size_t nfree;

void
gnttab_init(void)
{
	struct xen_add_to_physmap xatp = { .domid = DOMID_SELF,
					   .space = XENMAPSPACE_grant_table };
	unsigned int i;
	long rc;

	for (i = 0; i < FRAMES; i++) {
		xatp.idx = i;
		xatp.gpfn = ((uintptr_t)table >> PAGE_SHIFT) + i;
		if ((rc = hyp_memory_op(XENMEM_add_to_physmap, &xatp)) != 0)
			mr_panic("mapping grant frame %u failed: Xen error %ld",
				 i, rc);
	}
	/* The first references are reserved for the toolstack. */
	for (i = ENTRIES; i-- > GNTTAB_NR_RESERVED_ENTRIES;)
		free_refs[nfree++] = i;
}

size_t
gnttab_used(void)
{
	return ENTRIES - GNTTAB_NR_RESERVED_ENTRIES - nfree;
}

mr_result_t
mr_gnttab_grant(uint16_t domid, uint64_t pfn, bool readonly, uint32_t *ref)
{
	grant_ref_t r;

	if (pfn > UINT32_MAX)
		return MR_EINVAL;	/* version 1 entries hold 32-bit frames */
	if (nfree == 0)
		return MR_ENOMEM;
	r = free_refs[--nfree];
	table[r].frame = (uint32_t)pfn;
	table[r].domid = domid;
	/* The other side may use the entry as soon as the flags say so. */
	wmb();
	table[r].flags = GTF_permit_access | (readonly ? GTF_readonly : 0);
	*ref = r;
	return MR_OK;
}

mr_result_t
mr_gnttab_end(uint32_t ref)
{
	uint16_t flags;

	if (ref < GNTTAB_NR_RESERVED_ENTRIES || ref >= ENTRIES)
		return MR_EINVAL;
	flags = __atomic_load_n(&table[ref].flags, __ATOMIC_ACQUIRE);
	if ((flags & GTF_permit_access) == 0)
		return MR_EINVAL;	/* never granted, or ended already */
	do {
		if (flags & (GTF_reading | GTF_writing))
			return MR_EAGAIN;
	} while (!__atomic_compare_exchange_n(&table[ref].flags, &flags, 0,
					      false, __ATOMIC_SEQ_CST,
					      __ATOMIC_SEQ_CST));
	free_refs[nfree++] = ref;
	return MR_OK;
}
