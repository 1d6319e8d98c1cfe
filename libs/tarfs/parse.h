/*
 * parse.h: the ustar parser behind tarfs, internal to the library.
 *
 * The parser knows nothing of block devices or of the runtime: it reads
 * the archive through a callback, so tarfs.c drives it over mr_block_pread
 * and the unit tests and the fuzzer (libs/tarfs/fuzz/parse.c) over bytes
 * in memory. Everything it allocates is bounded by the archive's size and
 * by the limits it is given.
 */
#ifndef TARFS_PARSE_H
#define TARFS_PARSE_H

#include <mirari/tarfs.h>

#define TARFS_BLOCK	512

/*
 * Read (len) bytes at byte (off) of the archive into (buf). The parser
 * asks only for ranges inside the (size) it was given. MR_OK or an error
 * result, which stops the parse and is returned from tarfs_parse.
 */
typedef mr_result_t (*tarfs_read_fn)(void *ctx, uint64_t off, void *buf,
				     size_t len);

struct tarfs_limits {
	size_t max_entries;	/* nodes, the root and implied ones included */
	size_t max_path;	/* bytes of a path, without the NUL */
};

/* A node and where its bytes start in the archive. */
struct tarfs_ent {
	struct mr_tarfs_node node;	/* first: a node pointer is an entry */
	uint64_t data;			/* byte offset of the file's data */
	uint64_t hdr;			/* byte offset of its header, for
					   messages; TARFS_IMPLIED if none */
};

#define TARFS_IMPLIED	UINT64_MAX

/* The index: (count) entries sorted by path, the root ("") first. */
struct tarfs_index {
	struct tarfs_ent *ents;
	size_t count;
};

/*
 * Read the archive of (size) bytes through (read, ctx) and build its index
 * into (*idx), which the caller then owns (tarfs_index_free). On failure
 * (*idx) is empty and, for MR_EINVAL and MR_ENOMEM, (err) holds a message
 * naming the entry and its byte offset, truncated to (errlen). Results:
 * MR_OK; MR_EINVAL for a malformed or unsupported archive; MR_ENOMEM when
 * it has more than (lim->max_entries) nodes or malloc fails; whatever
 * (read) returns otherwise.
 */
mr_result_t tarfs_parse(tarfs_read_fn read, void *ctx, uint64_t size,
			const struct tarfs_limits *lim, struct tarfs_index *idx,
			char *err, size_t errlen);

void tarfs_index_free(struct tarfs_index *idx);

/* The entry of (path) in (idx), or NULL. */
const struct tarfs_ent *tarfs_find(const struct tarfs_index *idx,
				   const char *path);

#endif /* TARFS_PARSE_H */
