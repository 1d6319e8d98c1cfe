/*
 * backend.h: what the files of the Xen backend share and nothing else sees.
 * Everything here has hidden visibility and is localised in the archive.
 */
#ifndef MIRARI_XEN_BACKEND_H
#define MIRARI_XEN_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xen/xen.h>
#include <xen/event_channel.h>
#include <xen/arch-x86/hvm/start_info.h>

#include <mirari/mirari.h>
#include <mirari/plat.h>
#include <mirari/xen.h>

#define PAGE_SIZE	4096UL
#define PAGE_SHIFT	12
#define PAGE_ALIGN(x)	(((x) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))

#define barrier()	__asm__ volatile("" ::: "memory")
#define rmb()		__atomic_thread_fence(__ATOMIC_ACQUIRE)
#define wmb()		__atomic_thread_fence(__ATOMIC_RELEASE)
#define mb()		__atomic_thread_fence(__ATOMIC_SEQ_CST)

/* The vector of the event-channel upcall (evtchn.c, traps.c). */
#define UPCALL_VECTOR	0xf3

/* Linker symbols of xen.ld. */
extern char _image_start[], _etext[], _erodata[], _end[];

/* entry.S */
extern uint64_t boot_gdt[];
extern char boot_stack_guard[], boot_stack[], boot_stack_top[];

/* start.c: the C entry point and the hypercall page. */
void xen_start(uint32_t start_info_paddr);
MR_NORETURN void xen_die(const char *msg);
extern const struct mr_app *const mr_xen_app;

/* console.c: the console ring, and port 0xe9 before it is up. */
void console_early_write(const char *buf, size_t len);
void console_init(void);
void console_bind(void);
void console_flush(void);

/* mm.c: memory map, page tables, the heap and guarded stacks. */
void mm_init(const struct hvm_start_info *si);
void mm_map_page(uint64_t paddr);
void *mm_heap(size_t *size);
bool mm_is_guard(uint64_t addr);

/* traps.c: IDT, exception reports. */
void traps_init(void);
void traps_set_upcall_flag(uint8_t *flag);

/* time.c: Xen's pvclock and the one-shot timer. */
void time_init(void);
int64_t time_monotonic(void);
int64_t time_wall(void);
void time_set_deadline(int64_t deadline);

/* evtchn.c: event channels, the upcall, and the idle block. */
extern struct shared_info *shared_info;
void evtchn_init(void);
typedef void (*evtchn_handler)(evtchn_port_t port, void *arg);
void evtchn_bind(evtchn_port_t port, evtchn_handler fn, void *arg);
void evtchn_unbind(evtchn_port_t port);
void evtchn_unmask(evtchn_port_t port);
void evtchn_notify(evtchn_port_t port);
bool evtchn_poll(void);
unsigned int evtchn_bound(void);	/* ports with a handler now */
void evtchn_block(int64_t deadline);
uint64_t hvm_param(uint32_t index);

/* gnttab.c */
void gnttab_init(void);
size_t gnttab_used(void);		/* references granted now */

/* xenstore.c */
void xenstore_init(void);
void xenstore_pump(void);
mr_result_t xenstore_watch(struct mr_xs_watch *w, const char *path,
			   const char *name, void (*fn)(void *arg), void *arg);
mr_result_t xenstore_unwatch(struct mr_xs_watch *w);

/*
 * xenbus.c: for the split drivers. Keys are "(dir)/(key)" in xenstore;
 * xenbus_state is the xenbus state in (dir)/state, or -1 when it cannot be
 * read; xenbus_pause waits (how_long), letting other threads run unless
 * (in_platform) or there is no thread.
 */
uint64_t xen_pfn(const void *p);
void xenbus_pause(mr_time_t how_long, bool in_platform);
mr_result_t xenbus_read(const char *dir, const char *key, char *buf,
			size_t size);
mr_result_t xenbus_write(mr_xs_tx_t tx, const char *dir, const char *key,
			 const char *value);
mr_result_t xenbus_write_uint(mr_xs_tx_t tx, const char *dir,
			      const char *key, uint64_t value);
bool xenbus_parse_uint(const char *s, uint64_t max, uint64_t *v);
int xenbus_state(const char *dir);
/*
 * Write the (n) keys of (keys) into (dir) in one transaction, retried
 * while another writer makes it fail (MR_EAGAIN after ten tries).
 */
struct xenbus_key {
	const char *key;
	const char *value;
};
mr_result_t xenbus_publish(const char *dir, const struct xenbus_key *keys,
			   size_t n);
/*
 * Wait until the xenbus state in (dir) is (want) or later, polling every
 * XENBUS_POLL for at most (limit); false, logged with (who) ("net0"),
 * when the other end closes first (unless closing is what is waited
 * for), is gone, or does not get there in time.
 */
#define XENBUS_POLL	MR_MSEC(20)
bool xenbus_wait_state(const char *who, const char *dir, int want,
		       mr_time_t limit, bool in_platform);

/* control.c: shutdown requests, the device manifest, exit and crash. */
void control_init(void);
void control_check_devices(const struct mr_app *app);
MR_NORETURN void control_shutdown(unsigned int reason);
/*
 * Drivers register a function that closes their devices (the xenbus
 * Closing/Closed handshake with the backend, so the toolstack finds them
 * closed); control.c runs each once before a poweroff or a reboot, never
 * before a crash. It may wait for the backend, within a bound.
 */
void control_on_close(void (*fn)(void));

#endif /* MIRARI_XEN_BACKEND_H */
