/*
 * mirari/tarfs.h: a read-only filesystem over a block device holding a
 * ustar archive (POSIX.1-1988 ustar, as `mirari build` writes from a
 * directory and as tar(1) writes with --format=ustar; the pax and GNU
 * long-name headers of tar --format=pax or gnu are understood too).
 *
 * mr_tarfs_mount reads every header once and builds an index in memory;
 * lookups never touch the device again and reads go straight to the
 * file's bytes. The archive is trusted for nothing: a bad header checksum,
 * a size reaching past the device, a name that climbs out of the root
 * ("..", absolute) or repeats, a link, anything but regular files and
 * directories, all stop the mount with a message naming the entry and
 * its offset, never a crash.
 *
 * Paths are '/'-separated and relative to the archive's root, with no
 * leading '/', no "." or ".." component and no empty component ("" is the
 * root, "css/site.css" a file). Directories the archive implies (a file
 * "a/b" without an entry "a/") exist all the same.
 */
#ifndef MIRARI_TARFS_H
#define MIRARI_TARFS_H

#include <mirari/base.h>

/* A mounted archive (opaque); never unmounted. */
struct mr_tarfs;

/* A file or directory of a mounted archive, owned by it. */
struct mr_tarfs_node {
	const char *path;	/* as described above, NUL-terminated */
	uint64_t size;		/* bytes; 0 for a directory */
	int64_t mtime;		/* seconds since the epoch, from the header */
	uint32_t mode;		/* permission bits */
	bool dir;
};

/*
 * Mount the block device called (device) in app.conf. On MR_OK (*fs) is
 * the archive. MR_EINVAL when the archive is malformed (the reason is
 * logged), MR_ENOMEM when the index does not fit in memory, and the
 * results of mr_block_open and mr_block_read otherwise.
 */
MR_API mr_result_t mr_tarfs_mount(const char *device, struct mr_tarfs **fs,
				  mr_time_t deadline);

/* The node at (path) (see above), or NULL when there is none. */
MR_API const struct mr_tarfs_node *mr_tarfs_lookup(const struct mr_tarfs *fs,
						   const char *path);

/*
 * Read at most (size) bytes of (node) from byte (offset) into (buf), the
 * caller's, and their number into (*len): fewer only at the end of the
 * file, 0 at or past it. MR_EINVAL for a directory; the results of
 * mr_block_read otherwise.
 */
MR_API mr_result_t mr_tarfs_read(const struct mr_tarfs *fs,
				 const struct mr_tarfs_node *node,
				 uint64_t offset, void *buf, size_t size,
				 size_t *len, mr_time_t deadline);

/* Number of nodes, and node (i) in [0, count) sorted by path. */
MR_API size_t mr_tarfs_count(const struct mr_tarfs *fs);
MR_API const struct mr_tarfs_node *mr_tarfs_node(const struct mr_tarfs *fs,
						 size_t i);

#endif /* MIRARI_TARFS_H */
