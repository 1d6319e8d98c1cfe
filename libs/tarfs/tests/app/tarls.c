/*
 * tarls: what <mirari/tarfs.h> sees in the archive on device "site".
 * The output, checked line by line by libs/tarfs/tests/mount.t:
 *
 *	count N
 *	node PATH dir MODE MTIME          for each node, in index order
 *	node PATH SIZE MODE MTIME HASH    HASH: FNV-1a 64 of the file's
 *	                                  bytes, read in chunks
 *	lookup PATH yes|no                for the paths in lookups[]
 *	text index.html                   then the file's bytes
 *	tarls done
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mirari/mirari.h>
#include <mirari/tarfs.h>

static void
fail(const char *what, mr_result_t r)
{
	printf("FAIL %s: %s\n", what, mr_strerror(r));
	mr_exit(1);
}

/*
 * The file's bytes through mr_tarfs_read in chunks of (chunk), the first
 * one shorter so the rest start at odd offsets.
 */
static uint64_t
hash(const struct mr_tarfs *fs, const struct mr_tarfs_node *n, size_t chunk)
{
	uint64_t h = 0xcbf29ce484222325ULL, off = 0;
	unsigned char *buf = malloc(chunk);
	size_t len, want = chunk > 1 ? chunk / 2 + 1 : 1;
	mr_result_t r;

	if (buf == NULL)
		fail("malloc", MR_ENOMEM);
	for (;;) {
		if ((r = mr_tarfs_read(fs, n, off, buf, want, &len,
				       MR_FOREVER)) != MR_OK)
			fail(n->path, r);
		if (len == 0)
			break;
		if (len > want || off + len > n->size)
			fail("read returned too much", MR_EUNSPEC);
		for (size_t i = 0; i < len; i++)
			h = (h ^ buf[i]) * 0x100000001b3ULL;
		off += len;
		want = chunk;
	}
	if (off != n->size)
		fail("read ended early", MR_EUNSPEC);
	free(buf);
	return h;
}

void tarls_main(void);

void
tarls_main(void)
{
	static const char *const lookups[] = {
		"", "index.html", "css", "css/site.css", "img/photo.bin",
		"nothere", "/index.html", "css/", "./css", "css//site.css",
		"../index.html",
	};
	struct mr_tarfs *fs;
	const struct mr_tarfs_node *n;
	size_t chunk = (size_t)mr_param_int("chunk"), len;
	char buf[64];
	mr_time_t t0 = mr_now();
	mr_result_t r;

	if ((r = mr_tarfs_mount("site", &fs, MR_FOREVER)) != MR_OK)
		fail("mount", r);
	/* On the console, not stdout: the tests compare stdout whole. */
	mr_info("tarls: mounted %zu nodes in %lld us", mr_tarfs_count(fs),
		(long long)(mr_now() - t0) / 1000);
	printf("count %zu\n", mr_tarfs_count(fs));
	for (size_t i = 0; i < mr_tarfs_count(fs); i++) {
		n = mr_tarfs_node(fs, i);
		if (n->dir)
			printf("node %s dir %03" PRIo32 " %" PRId64 "\n",
			       n->path, n->mode, n->mtime);
		else
			printf("node %s %" PRIu64 " %03" PRIo32 " %" PRId64
			       " %016" PRIx64 "\n", n->path, n->size, n->mode,
			       n->mtime, hash(fs, n, chunk));
	}
	if (mr_tarfs_node(fs, mr_tarfs_count(fs)) != NULL)
		fail("node past the end", MR_EUNSPEC);
	for (size_t i = 0; i < sizeof(lookups) / sizeof(lookups[0]); i++)
		printf("lookup %s %s\n", lookups[i],
		       mr_tarfs_lookup(fs, lookups[i]) ? "yes" : "no");

	/* A directory cannot be read; reading past a file's end gives 0. */
	n = mr_tarfs_lookup(fs, "css");
	if (n == NULL || mr_tarfs_read(fs, n, 0, buf, sizeof(buf), &len,
				       MR_FOREVER) != MR_EINVAL || len != 0)
		fail("reading a directory", MR_EUNSPEC);
	n = mr_tarfs_lookup(fs, "index.html");
	if (n == NULL)
		fail("index.html", MR_ENOENT);
	r = mr_tarfs_read(fs, n, n->size, buf, sizeof(buf), &len, MR_FOREVER);
	if (r != MR_OK || len != 0)
		fail("reading at the end", r);
	r = mr_tarfs_read(fs, n, n->size + 100, buf, sizeof(buf), &len,
			  MR_FOREVER);
	if (r != MR_OK || len != 0)
		fail("reading past the end", r);

	printf("text index.html\n");
	for (uint64_t off = 0;; off += len) {
		if ((r = mr_tarfs_read(fs, n, off, buf, sizeof(buf), &len,
				       MR_FOREVER)) != MR_OK)
			fail("index.html", r);
		if (len == 0)
			break;
		fwrite(buf, 1, len, stdout);
	}
	printf("tarls done\n");
	mr_exit(0);
}
