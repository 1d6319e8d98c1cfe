/*
 * mirari/block.h: block devices for cooperative threads.
 *
 * A block device is declared in app.conf (`device "disk0" { kind = "block",
 * file = "disk.img" }`, or `from = "htdocs"` for a read-only image that
 * mirari build makes from a directory) and opened here by its name. On
 * Unix it is a file read with pread(2); on Xen it is a vbd of the domain,
 * attached by the generated xl configuration and driven by blkfront.
 *
 * The calls below block the calling thread the way mirari threads block:
 * other threads run while a request is in flight, and several threads may
 * have requests in flight on one device at once. Every blocking call takes
 * a (deadline), an mr_now() time or MR_FOREVER. They must be called from
 * mirari threads, never from a library's init function.
 *
 * Buffers are always the caller's: the library copies into and out of
 * them and asks no alignment.
 */
#ifndef MIRARI_BLOCK_H
#define MIRARI_BLOCK_H

#include <mirari/base.h>

/* A block device, owned by the runtime (opaque); never freed. */
struct mr_block;

struct mr_block_info {
	uint64_t sectors;	/* size in sectors */
	uint32_t sector_size;	/* bytes per sector, a power of two >= 512 */
	bool readonly;		/* writes are refused */
};

/*
 * Open the block device called (name) in app.conf ("disk0"). Opening it
 * again returns the same device. MR_ENOENT when app.conf declares no block
 * device of that name, MR_EINVAL when its settings are unusable or (name)
 * or (dev) is NULL, MR_EUNSPEC when the host refuses it (the platform logs
 * why).
 */
MR_API mr_result_t mr_block_open(const char *name, struct mr_block **dev);

MR_API void mr_block_info(const struct mr_block *dev,
			  struct mr_block_info *info);

/*
 * Read or write (count) sectors from (sector), (count * sector_size) bytes
 * of (buf). Requests larger than the device takes at once are split,
 * and the parts submitted in order, several in flight at once. MR_OK
 * when all is done; MR_EINVAL when (count) is 0, the range ends past the
 * device, or a write goes to a read-only device (nothing was done);
 * MR_ETIMEDOUT when (deadline) passed first; MR_EUNSPEC for an I/O
 * error. After MR_ETIMEDOUT or MR_EUNSPEC the content of (buf), or of
 * the sectors written, is unspecified.
 *
 * A write is done when the host has it (as a write(2) is), not
 * necessarily on stable storage.
 *
 * Deadlines: no request is started once (deadline) has passed. A request
 * the host has taken cannot be called back, though, and the host may
 * write into its buffer until it ends. So with a (deadline) other than
 * MR_FOREVER each request goes through a buffer of the library's (one
 * copy more): when the deadline passes, that request is left to finish on
 * its own (its memory is freed when it does) and the call returns
 * MR_ETIMEDOUT at once; (buf) is not touched afterwards. With MR_FOREVER,
 * (buf) is given to the host directly. Should the library's buffer be
 * impossible to allocate, the call waits for the request in flight to
 * end, then returns MR_ETIMEDOUT.
 */
MR_API mr_result_t mr_block_read(struct mr_block *dev, uint64_t sector,
				 uint32_t count, void *buf,
				 mr_time_t deadline);
MR_API mr_result_t mr_block_write(struct mr_block *dev, uint64_t sector,
				  uint32_t count, const void *buf,
				  mr_time_t deadline);

/*
 * Read (len) bytes at byte (offset) into (buf): any offset and length
 * within the device, reading whole sectors underneath. Results as for
 * mr_block_read; MR_EINVAL when the range ends past the device; MR_OK
 * with nothing read when (len) is 0 and (offset) is within the device or
 * at its end.
 */
MR_API mr_result_t mr_block_pread(struct mr_block *dev, uint64_t offset,
				  void *buf, size_t len, mr_time_t deadline);

#endif /* MIRARI_BLOCK_H */
