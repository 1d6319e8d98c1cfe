/*
 * tarfs.c: a mounted archive is a block device and the index parse.c built
 * from it. Headers are read once, at mount, through mr_block_pread; after
 * that lookups use the index alone and reads go to the file's bytes on
 * the device. Nothing is ever written, and a mount is never undone, so
 * the index lives as long as the application.
 */
#include <stdlib.h>

#include <mirari/block.h>
#include <mirari/log.h>
#include <mirari/tarfs.h>

#include "mirari_config.h"
#include "parse.h"

struct mr_tarfs {
	struct mr_block *dev;
	struct tarfs_index idx;
};

struct source {
	struct mr_block *dev;
	mr_time_t deadline;
};

static mr_result_t
source_read(void *ctx, uint64_t off, void *buf, size_t len)
{
	struct source *s = ctx;

	return mr_block_pread(s->dev, off, buf, len, s->deadline);
}

mr_result_t
mr_tarfs_mount(const char *device, struct mr_tarfs **fs, mr_time_t deadline)
{
	static const struct tarfs_limits lim = {
		.max_entries = MR_CFG_TARFS_MAX_ENTRIES,
		.max_path = MR_CFG_TARFS_MAX_PATH,
	};
	struct mr_block_info info;
	struct source src;
	struct mr_tarfs *t;
	char err[400];	/* names in messages are cut at 160 bytes */
	mr_result_t r;

	*fs = NULL;
	if ((r = mr_block_open(device, &src.dev)) != MR_OK) {
		mr_error("tarfs %s: cannot open the block device: %s", device,
			 mr_strerror(r));
		return r;
	}
	src.deadline = deadline;
	mr_block_info(src.dev, &info);
	if ((t = malloc(sizeof(*t))) == NULL) {
		mr_error("tarfs %s: out of memory", device);
		return MR_ENOMEM;
	}
	t->dev = src.dev;
	r = tarfs_parse(source_read, &src, info.sectors * info.sector_size,
			&lim, &t->idx, err, sizeof(err));
	if (r != MR_OK) {
		if (r == MR_EINVAL || r == MR_ENOMEM)
			mr_error("tarfs %s: %s", device, err);
		else
			mr_error("tarfs %s: %s: %s", device, err,
				 mr_strerror(r));
		free(t);
		return r;
	}
	mr_debug("tarfs %s: %zu files and directories", device, t->idx.count);
	*fs = t;
	return MR_OK;
}

const struct mr_tarfs_node *
mr_tarfs_lookup(const struct mr_tarfs *fs, const char *path)
{
	const struct tarfs_ent *e = tarfs_find(&fs->idx, path);

	return e != NULL ? &e->node : NULL;
}

/* The entry of (node) if it is one of (fs)'s, else NULL. */
static const struct tarfs_ent *
entry(const struct mr_tarfs *fs, const struct mr_tarfs_node *node)
{
	uintptr_t p = (uintptr_t)node, base = (uintptr_t)fs->idx.ents;

	if (p < base || p >= base + fs->idx.count * sizeof(*fs->idx.ents) ||
	    (p - base) % sizeof(*fs->idx.ents) != 0)
		return NULL;
	return (const struct tarfs_ent *)node;
}

mr_result_t
mr_tarfs_read(const struct mr_tarfs *fs, const struct mr_tarfs_node *node,
	      uint64_t offset, void *buf, size_t size, size_t *len,
	      mr_time_t deadline)
{
	const struct tarfs_ent *e = entry(fs, node);
	mr_result_t r;
	uint64_t n;

	*len = 0;
	if (e == NULL || e->node.dir)
		return MR_EINVAL;
	if (offset >= e->node.size || size == 0)
		return MR_OK;
	n = e->node.size - offset;
	if (n > size)
		n = size;
	r = mr_block_pread(fs->dev, e->data + offset, buf, (size_t)n,
			   deadline);
	if (r == MR_OK)
		*len = (size_t)n;
	return r;
}

size_t
mr_tarfs_count(const struct mr_tarfs *fs)
{
	return fs->idx.count;
}

const struct mr_tarfs_node *
mr_tarfs_node(const struct mr_tarfs *fs, size_t i)
{
	return i < fs->idx.count ? &fs->idx.ents[i].node : NULL;
}
