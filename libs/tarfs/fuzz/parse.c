/* sources: parse.c */
/*
 * parse.c: libFuzzer target for the ustar parser. The input is the whole
 * archive, as if it were the block device; the parser must refuse or
 * index it without reading outside it, leaking or tripping a sanitizer,
 * and an index it builds must hold what tarfs promises: sorted unique
 * paths, the root first, files inside the archive.
 */
#include <stdlib.h>
#include <string.h>

#include "parse.h"

struct mem {
	const uint8_t *p;
	size_t len;
};

static mr_result_t
mem_read(void *ctx, uint64_t off, void *buf, size_t len)
{
	const struct mem *m = ctx;

	if (off > m->len || len > m->len - off)
		abort();
	memcpy(buf, m->p + off, len);
	return MR_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Small limits, so the fuzzer reaches them too. */
	static const struct tarfs_limits lim = {
		.max_entries = 64, .max_path = 200,
	};
	struct mem m = { data, size };
	struct tarfs_index idx;
	char err[512];

	if (tarfs_parse(mem_read, &m, size, &lim, &idx, err,
			sizeof(err)) != MR_OK) {
		if (idx.count != 0 || err[0] == '\0')
			abort();
		return 0;
	}
	if (idx.count == 0 || idx.count > lim.max_entries ||
	    idx.ents[0].node.path[0] != '\0' || !idx.ents[0].node.dir)
		abort();
	for (size_t i = 0; i < idx.count; i++) {
		const struct tarfs_ent *e = &idx.ents[i];

		if (i > 0 && strcmp(idx.ents[i - 1].node.path,
				    e->node.path) >= 0)
			abort();
		if (strlen(e->node.path) > lim.max_path ||
		    strstr(e->node.path, "//") || e->node.path[0] == '/')
			abort();
		if (!e->node.dir && (e->data > size ||
				     e->node.size > size - e->data))
			abort();
		if (tarfs_find(&idx, e->node.path) != e)
			abort();
	}
	tarfs_index_free(&idx);
	return 0;
}
