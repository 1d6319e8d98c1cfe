/*
 * mirari/plat.h: the platform interface.
 *
 * This is the whole contract between the runtime and a backend
 * (backends/unix, backends/xen). A backend implements every mr_plat_*
 * function below and nothing else is asked of it; the runtime calls them
 * only from the scheduler's thread of control, never concurrently, and never
 * from an interrupt or signal context. Applications do not include this
 * header.
 *
 * Event sources. Anything that can wake the platform from mr_plat_block()
 * (a file descriptor on Unix, an event channel on Xen) is known to the
 * runtime as a small integer handle in [0, MR_PLAT_HANDLES). A driver opens
 * one with mr_source_open(), which the runtime implements, and the backend
 * reports it as ready through mr_plat_block()'s (ready) set; the runtime then
 * signals the handle's event (mr_source_event) so the threads waiting on it
 * run.
 */
#ifndef MIRARI_PLAT_H
#define MIRARI_PLAT_H

#include <mirari/base.h>
#include <mirari/event.h>

#define MR_PLAT_HANDLES 64

/*
 * Write (len) bytes of (buf) to the console. MUST write all of them or drop
 * them; MUST NOT block on anything but the console itself. The runtime's
 * log lines and crash reports come through here (stderr on Unix).
 */
MR_API void mr_plat_console_write(const char *buf, size_t len);

/* Monotonic nanoseconds since boot; MUST never decrease. */
MR_API mr_time_t mr_plat_clock_monotonic(void);

/* Nanoseconds since the Unix epoch as far as the platform knows it. */
MR_API mr_time_t mr_plat_clock_wall(void);

/*
 * The single poll. Block until mr_plat_clock_monotonic() >= (deadline) or
 * until at least one open handle is ready, whichever comes first
 * (MR_FOREVER: no deadline). Returns the set of ready handles in (ready),
 * bit h for handle h, possibly empty. MAY return early with an empty set.
 * This is the only place where the platform waits, and on Xen the only place
 * where event upcalls are taken.
 */
MR_API void mr_plat_block(mr_time_t deadline, uint64_t *ready);

/* The guard below every thread stack: one page. */
#define MR_PLAT_GUARD_SIZE 4096

/*
 * Allocate a thread stack of (size) bytes, a multiple of 4096, with
 * MR_PLAT_GUARD_SIZE inaccessible bytes directly below it (the runtime
 * names a fault there as a stack overflow). Returns the lowest usable
 * address, or NULL when no memory is left. The runtime owns the stack until
 * it gives it back with mr_plat_stack_free(base, size).
 */
MR_API void *mr_plat_stack_alloc(size_t size);
MR_API void mr_plat_stack_free(void *base, size_t size);

/*
 * The memory that the C library's heap grows into (newlib's sbrk), as
 * [base, base + *size); the runtime's system-call layer hands it out. A
 * platform whose C library manages its own heap (Unix) returns NULL and
 * a size of 0.
 */
MR_API void *mr_plat_heap(size_t *size);

/* End the application with (status); 0 is a clean exit. */
MR_API MR_NORETURN void mr_plat_exit(int status);

/*
 * Crash: the runtime has already printed why. Unix: abort(); Xen: shut the
 * domain down with reason crash.
 */
MR_API MR_NORETURN void mr_plat_crash(void);

/* "unix" or "xen". */
MR_API const char *mr_plat_target(void);

/*
 * Implemented by the runtime, for backends and drivers: allocate a handle,
 * its event, and give it back. mr_source_open returns -1 when all
 * MR_PLAT_HANDLES are in use. While any handle is open, the runtime waits in
 * mr_plat_block() instead of reporting a deadlock when every thread is
 * blocked. Closing a handle wakes the threads still waiting on its event,
 * so they find out instead of waiting forever.
 */
MR_API int mr_source_open(void);
MR_API void mr_source_close(int handle);
MR_API struct mr_event *mr_source_event(int handle);

/*
 * Implemented by the runtime, for a backend's crash report: the name of the
 * thread whose stack's guard page (the page just below the stack) holds
 * (addr), or NULL. Unlike the rest of this interface it may be called from
 * a synchronous fault handler.
 */
MR_API const char *mr_stack_guard_owner(const void *addr);

/*
 * Network devices. The N-th device of kind "net" in app.conf
 * (mr_device("net", N)) is net device N; the platform takes what it needs
 * to open it from the device's settings (a tap name on Unix, the vif in
 * xenstore on Xen).
 *
 * mr_plat_net_open opens net device (index) on first use and fills (info):
 * its MAC address, its MTU (the largest IP packet, usually 1500) and an
 * event source handle whose event is signalled when frames wait to be
 * read. MR_ENOENT when there is no such device, MR_EINVAL when its
 * settings are unusable, MR_EUNSPEC when the host refuses it; the platform
 * SHOULD log why, naming the device (callers add a line only when it did
 * not: mr_log_errors).
 */
struct mr_plat_net_info {
	uint8_t mac[6];
	uint16_t mtu;
	int handle;
};

MR_API mr_result_t mr_plat_net_open(unsigned int index,
				    struct mr_plat_net_info *info);

/*
 * Send one Ethernet frame of (len) bytes, header included, no checksum
 * trailer. The platform is done with (frame) when this returns; the
 * caller keeps it. MR_EAGAIN when the device cannot take a frame now (the
 * caller may drop it, as a busy link would), MR_EINVAL when (len) is more
 * than the MTU plus the 14 bytes of the header.
 */
MR_API mr_result_t mr_plat_net_write(unsigned int index, const void *frame,
				     size_t len);

/*
 * Receive one frame into (buf) of (size) bytes, the caller's, and its
 * length into (*len). MR_EAGAIN when none waits: wait on the handle's
 * event, then read again until MR_EAGAIN. A frame longer than (size) is
 * dropped and MR_EINVAL returned.
 */
MR_API mr_result_t mr_plat_net_read(unsigned int index, void *buf,
				    size_t size, size_t *len);

/*
 * Block devices. The N-th device of kind "block" in app.conf
 * (mr_device("block", N)) is block device N; the platform opens it from
 * the device's settings (an image file on Unix, the vbd in xenstore on
 * Xen). Applications use <mirari/block.h>, which the runtime builds on
 * these calls; nothing else calls them.
 *
 * mr_plat_block_open opens block device (index) on first use (later calls
 * return the same info) and fills (info):
 *   sector_size  bytes per sector, a power of two >= 512 (usually 512);
 *   sectors      the device's size in sectors;
 *   max_sectors  the most sectors one request may cover (>= 8);
 *   readonly     writes are refused (MR_EINVAL);
 *   handle       the event source signalled when requests complete, or -1
 *                when the platform completes every request inside
 *                mr_plat_block_submit (Unix: pread and pwrite).
 * MR_ENOENT when there is no such device, MR_EINVAL when its settings are
 * unusable, MR_EUNSPEC when the host refuses it (the platform logs why).
 */
struct mr_plat_block_info {
	uint32_t sector_size;
	uint32_t max_sectors;
	uint64_t sectors;
	bool readonly;
	int handle;
};

MR_API mr_result_t mr_plat_block_open(unsigned int index,
				      struct mr_plat_block_info *info);

/*
 * One request: (count) sectors from (sector), into or out of (buf), the
 * caller's, (count * sector_size) bytes with no alignment asked. The
 * caller fills the first four fields and keeps the request and (buf)
 * untouched until (done) is true; the platform then has set (result):
 * MR_OK, or MR_EUNSPEC for an I/O error the host reported (and logged).
 * (plat) is the platform's.
 */
struct mr_plat_block_req {
	uint64_t sector;
	uint32_t count;
	bool write;
	void *buf;
	volatile bool done;
	mr_result_t result;
	void *plat;
};

/*
 * Start (req). MR_OK: it is under way, or already done (check req->done).
 * MR_EAGAIN: the device has no room for another request now: wait on the
 * handle's event, then submit again. MR_EINVAL (and nothing started):
 * (count) is 0 or more than max_sectors, the range ends past the device,
 * or a write to a read-only device.
 */
MR_API mr_result_t mr_plat_block_submit(unsigned int index,
					struct mr_plat_block_req *req);

/*
 * Collect the requests of (index) that have finished since the last call
 * and mark them done. The runtime calls it when the handle's event is
 * signalled; it never blocks.
 */
MR_API void mr_plat_block_reap(unsigned int index);

/*
 * Implemented by the runtime: a registration that may start handler
 * threads later (a xenstore watch, a listening socket) holds the
 * application alive. The application ends when no thread is alive, no
 * timer is armed and no hold is taken; every mr_hold() needs one
 * mr_release().
 */
MR_API void mr_hold(void);
MR_API void mr_release(void);

#endif /* MIRARI_PLAT_H */
