/*
 * parse.c: unit test of the ustar parser (libs/tarfs/parse.c), from
 * memory, with no block device and no runtime.
 *
 *	parse DIR
 *
 * DIR (made by parse.t) holds tree/, a directory, and archives of it:
 * tool.tar (tool/tar.lua), ustar.tar (GNU tar --format=ustar, with "./"
 * names), gnu-long.tar and pax.tar (GNU's long names and pax headers);
 * deep/, the tree with a path over 256 bytes, in pax-long.tar; and
 * sparse.tar, a sparse file in pax form, which tarfs refuses. Good
 * archives must give exactly their tree: every file and directory, with
 * its bytes. Bad ones are made here, header by header, one fault each,
 * and must be refused with a message that names the entry and its offset.
 */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tap.h"
#include "parse.h"

static struct tarfs_limits lim = { .max_entries = 4096, .max_path = 256 };

struct mem {
	const unsigned char *p;
	size_t len;
	int fail_at;		/* fail the read at this offset, or -1 */
};

static mr_result_t
mem_read(void *ctx, uint64_t off, void *buf, size_t len)
{
	struct mem *m = ctx;

	/* The parser must ask only for bytes inside the archive. */
	if (off > m->len || len > m->len - off) {
		tap_diag("read past the end: %llu+%zu of %zu",
			 (unsigned long long)off, len, m->len);
		abort();
	}
	if (m->fail_at >= 0 && off == (uint64_t)m->fail_at)
		return MR_EUNSPEC;
	memcpy(buf, m->p + off, len);
	return MR_OK;
}

static char err[1024];

static mr_result_t
parse_lim(const void *p, size_t len, const struct tarfs_limits *l,
	  struct tarfs_index *idx)
{
	struct mem m = { p, len, -1 };

	return tarfs_parse(mem_read, &m, len, l, idx, err, sizeof(err));
}

static mr_result_t
parse(const void *p, size_t len, struct tarfs_index *idx)
{
	return parse_lim(p, len, &lim, idx);
}

static unsigned char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *p;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0) {
		perror(path);
		exit(2);
	}
	rewind(f);
	p = malloc(n ? n : 1);
	if (p == NULL || fread(p, 1, n, f) != (size_t)n) {
		perror(path);
		exit(2);
	}
	fclose(f);
	*len = n;
	return p;
}

/* An archive being built in memory, header by header. */
struct ar {
	unsigned char b[256 * 512];
	size_t len;
};

enum sum { SUM_UNSIGNED, SUM_SIGNED };

/*
 * Append a ustar header for (name) (split at (prefix) if not NULL) of
 * (type) and (size), then (size) bytes of data padded to a block, and
 * return the header's offset. The checksum is right, summed as (sum).
 */
static size_t
add_sum(struct ar *a, const char *prefix, const char *name, char type,
	uint64_t size, enum sum sum)
{
	unsigned char *h = a->b + a->len;
	size_t off = a->len;
	long s = 0;

	memset(h, 0, 512);
	memcpy(h, name, strnlen(name, 100));
	memcpy(h + 100, "0000644", 8);
	memcpy(h + 108, "0000000", 8);
	memcpy(h + 116, "0000000", 8);
	snprintf((char *)h + 124, 12, "%011llo", (unsigned long long)size);
	memcpy(h + 136, "00000001750", 12);	/* 1000 */
	h[156] = type;
	memcpy(h + 257, "ustar\0" "00", 8);
	if (prefix != NULL)
		memcpy(h + 345, prefix, strnlen(prefix, 155));
	memset(h + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		s += sum == SUM_SIGNED ? (signed char)h[i] : h[i];
	snprintf((char *)h + 148, 8, "%06lo", (unsigned long)s & 0777777);
	a->len += 512;
	for (uint64_t i = 0; i < size && a->len < sizeof(a->b); i++)
		a->b[a->len++] = 'a' + i % 26;
	a->len = (a->len + 511) / 512 * 512;
	return off;
}

static size_t
add(struct ar *a, const char *name, char type, uint64_t size)
{
	return add_sum(a, NULL, name, type, size, SUM_UNSIGNED);
}

/* Recompute the checksum of the header at (off) after an edit. */
static void
resum(struct ar *a, size_t off)
{
	unsigned char *h = a->b + off;
	unsigned long s = 0;

	memset(h + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		s += h[i];
	snprintf((char *)h + 148, 8, "%06lo", s);
}

static void
end(struct ar *a)
{
	memset(a->b + a->len, 0, 1024);
	a->len += 1024;
}

/* (a) must be refused with (want) in the message, and the entry's offset. */
static void
refused(struct ar *a, mr_result_t want_r, const char *want, const char *at,
	const char *what)
{
	struct tarfs_index idx;
	mr_result_t r = parse(a->b, a->len, &idx);

	ok(r == want_r && strstr(err, want) != NULL &&
	   (at == NULL || strstr(err, at) != NULL) && idx.count == 0 &&
	   idx.ents == NULL, "%s: refused", what);
	if (r != want_r || strstr(err, want) == NULL ||
	    (at != NULL && strstr(err, at) == NULL))
		tap_diag("result %d, message \"%s\"; want \"%s\" and \"%s\"",
			 r, err, want, at ? at : "");
	tarfs_index_free(&idx);
}

/* The archive of the tree, checked against the tree on disk. */
static const struct tarfs_index *check_idx;
static size_t tree_len, tree_seen, tree_bad;
static const unsigned char *check_ar;

static int
visit(const char *fpath, const struct stat *st, int flag, struct FTW *ftw)
{
	const char *rel = fpath + tree_len;
	const struct tarfs_ent *e;

	(void)flag;
	(void)ftw;
	if (*rel == '/')
		rel++;
	tree_seen++;
	e = tarfs_find(check_idx, rel);
	if (e == NULL) {
		tap_diag("\"%s\" not found", rel);
		tree_bad++;
		return 0;
	}
	if (S_ISDIR(st->st_mode) != e->node.dir) {
		tap_diag("\"%s\": directory or not", rel);
		tree_bad++;
	} else if (S_ISREG(st->st_mode)) {
		size_t len;
		unsigned char *p = slurp(fpath, &len);

		if (e->node.size != len || memcmp(check_ar + e->data, p, len)) {
			tap_diag("\"%s\": size %llu or bytes differ (%zu)", rel,
				 (unsigned long long)e->node.size, len);
			tree_bad++;
		}
		free(p);
	}
	return 0;
}

static void
good(const char *dir, const char *name, const char *treename,
     bool explicit_root)
{
	char path[4096], tree[4096];
	struct tarfs_index idx;
	unsigned char *p;
	size_t len;
	bool sorted = true;
	mr_result_t r;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tree, sizeof(tree), "%s/%s", dir, treename);
	p = slurp(path, &len);
	r = parse(p, len, &idx);
	if (!ok(r == MR_OK, "%s: parsed", name))
		tap_diag("%s", err);
	check_idx = &idx;
	check_ar = p;
	tree_len = strlen(tree);
	tree_seen = tree_bad = 0;
	nftw(tree, visit, 16, FTW_PHYS);
	ok(tree_bad == 0, "%s: every file and directory of the tree, with "
	   "its bytes", name);
	ok(idx.count == tree_seen, "%s: nothing else (%zu nodes, the root "
	   "included)", name, tree_seen);
	for (size_t i = 1; i < idx.count; i++)
		if (strcmp(idx.ents[i - 1].node.path, idx.ents[i].node.path) >= 0)
			sorted = false;
	ok(sorted && idx.count > 0 && idx.ents[0].node.path[0] == '\0' &&
	   idx.ents[0].node.dir, "%s: sorted by path, the root first", name);
	ok(idx.count > 0 && (idx.ents[0].hdr != TARFS_IMPLIED) == explicit_root,
	   "%s: the root is %s", name, explicit_root ? "its \"./\" entry" :
	   "implied");
	ok(tarfs_find(&idx, "sub/") == NULL && tarfs_find(&idx, "/sub") ==
	   NULL && tarfs_find(&idx, "nothere") == NULL &&
	   tarfs_find(&idx, "./sub") == NULL,
	   "%s: no node for other spellings or missing paths", name);
	tarfs_index_free(&idx);
	free(p);
}

static void
implied(void)
{
	struct ar a = { .len = 0 };
	struct tarfs_index idx;
	const struct tarfs_ent *e;
	static const struct {
		const char *path;
		bool dir;
	} want[] = {
		{ "", true }, { "a", true }, { "a-c", false }, { "a/b", true },
		{ "a/b/c", true }, { "a/b/c/f", false }, { "a/b/d", true },
		{ "a/b/d/g", false }, { "x", true }, { "x/y", true },
		{ "x/y/h", false },
	};
	bool same = true;

	add(&a, "a/b/c/f", '0', 3);
	add(&a, "x/y/h", '0', 1);
	add(&a, "a-c", '0', 0);
	add(&a, "a/b/d/", '5', 0);
	add(&a, "a/b/d/g", '0', 600);
	end(&a);
	if (!ok(parse(a.b, a.len, &idx) == MR_OK, "implied directories: "
		"parsed"))
		tap_diag("%s", err);
	is_int(idx.count, 11, "implied directories: each parent once");
	for (size_t i = 0; i < idx.count && i < 11; i++)
		if (strcmp(idx.ents[i].node.path, want[i].path) != 0 ||
		    idx.ents[i].node.dir != want[i].dir)
			same = false;
	ok(same, "implied directories: the paths, in order, dirs and files");
	e = tarfs_find(&idx, "a/b/d/g");
	ok(e != NULL && e->node.size == 600 && e->data == 3072 + 512 &&
	   e->node.mtime == 1000 && e->node.mode == 0644 && !e->node.dir,
	   "implied directories: a file's size, data offset, time and mode");
	e = tarfs_find(&idx, "a/b");
	ok(e != NULL && e->node.dir && e->node.mode == 0755 &&
	   e->hdr == TARFS_IMPLIED, "implied directories: a/b is one");
	tarfs_index_free(&idx);

	/* Implied directories count against max_entries. */
	struct tarfs_limits small = { .max_entries = 10, .max_path = 256 };
	ok(parse_lim(a.b, a.len, &small, &idx) == MR_ENOMEM &&
	   strstr(err, "max_entries") && strstr(err, "implied"),
	   "implied directories count against max_entries");
	tap_diag("message: %s", err);
	small.max_entries = 11;
	ok(parse_lim(a.b, a.len, &small, &idx) == MR_OK,
	   "max_entries: exactly enough");
	tarfs_index_free(&idx);
	small.max_entries = 5;
	ok(parse_lim(a.b, a.len, &small, &idx) == MR_ENOMEM &&
	   strstr(err, "\"a/b/d/g\" at byte 3072") && idx.count == 0,
	   "max_entries: explicit entries");
	small.max_entries = 4096;
	small.max_path = 6;
	ok(parse_lim(a.b, a.len, &small, &idx) == MR_EINVAL &&
	   strstr(err, "\"a/b/c/f\" at byte 0: path longer than 6"),
	   "max_path");
}

static void
fields(void)
{
	struct ar a;
	struct tarfs_index idx;
	size_t off;

	/* The ustar prefix: "dir/name" from two fields. */
	a.len = 0;
	add_sum(&a, "some/long/prefix", "name.txt", '0', 5, SUM_UNSIGNED);
	end(&a);
	ok(parse(a.b, a.len, &idx) == MR_OK &&
	   tarfs_find(&idx, "some/long/prefix/name.txt") != NULL &&
	   tarfs_find(&idx, "some/long") != NULL &&
	   tarfs_find(&idx, "name.txt") == NULL, "prefix field joined");
	tarfs_index_free(&idx);

	/* GNU's own format keeps times where ustar's prefix is. */
	a.len = 0;
	off = add_sum(&a, "junk", "name.txt", '0', 5, SUM_UNSIGNED);
	memcpy(a.b + off + 257, "ustar  ", 8);
	resum(&a, off);
	end(&a);
	ok(parse(a.b, a.len, &idx) == MR_OK &&
	   tarfs_find(&idx, "name.txt") != NULL && idx.count == 2,
	   "GNU magic: no prefix");
	tarfs_index_free(&idx);

	/* Historical tars summed signed chars. */
	a.len = 0;
	add_sum(&a, NULL, "caf\xe9", '0', 1, SUM_SIGNED);
	end(&a);
	ok(parse(a.b, a.len, &idx) == MR_OK && tarfs_find(&idx, "caf\xe9"),
	   "signed checksum accepted");
	tarfs_index_free(&idx);
	a.len = 0;
	add_sum(&a, NULL, "caf\xe9", '0', 1, SUM_UNSIGNED);
	end(&a);
	ok(parse(a.b, a.len, &idx) == MR_OK, "unsigned checksum accepted");
	tarfs_index_free(&idx);

	/* Numbers padded with spaces, or filling their field. */
	a.len = 0;
	off = add(&a, "f", '0', 3);
	memcpy(a.b + off + 124, "          3 ", 12);
	memcpy(a.b + off + 136, "777777777777", 12);
	resum(&a, off);
	end(&a);
	ok(parse(a.b, a.len, &idx) == MR_OK && idx.count == 2 &&
	   idx.ents[1].node.size == 3 &&
	   idx.ents[1].node.mtime == 68719476735LL, "numbers with spaces, "
	   "and filling their field");
	tarfs_index_free(&idx);

	/* A directory's data, if a tar gives it some, is skipped. */
	a.len = 0;
	add(&a, "d/", '5', 700);
	add(&a, "d/f", '0', 2);
	ok(parse(a.b, a.len, &idx) == MR_OK && idx.count == 3 &&
	   idx.ents[1].node.size == 0 && idx.ents[2].data == 2048,
	   "a directory's data is skipped; no end marker at the end");
	tarfs_index_free(&idx);

	/* A file's data may end the archive, unpadded. */
	a.len = 0;
	add(&a, "f", '0', 5);
	ok(parse(a.b, 517, &idx) == MR_OK && idx.count == 2,
	   "data unpadded at the archive's end");
	tarfs_index_free(&idx);

	/* One zero block ends the archive; what follows is not read. */
	a.len = 0;
	add(&a, "f", '0', 5);
	memset(a.b + a.len, 0, 512);
	memset(a.b + a.len + 512, 0xff, 512);
	a.len += 1024;
	ok(parse(a.b, a.len, &idx) == MR_OK && idx.count == 2,
	   "a zero block ends the archive");
	tarfs_index_free(&idx);

	/* An empty archive, and no archive at all: the root alone. */
	ok(parse(a.b, 0, &idx) == MR_OK && idx.count == 1 &&
	   tarfs_find(&idx, "") != NULL, "empty device: the root alone");
	tarfs_index_free(&idx);
}

static void
bad(void)
{
	struct ar a;
	size_t off;
	struct mem m;
	struct tarfs_index idx;

	a.len = 0;
	add(&a, "a.txt", '0', 3);
	a.b[3] ^= 1;
	end(&a);
	refused(&a, MR_EINVAL, "bad checksum", "header at byte 0", "checksum");

	a.len = 0;
	add(&a, "a.txt", '0', 3);
	off = add(&a, "b.txt", '0', 3);
	memset(a.b + off + 148, 'z', 8);
	end(&a);
	refused(&a, MR_EINVAL, "bad checksum", "at byte 1024",
		"checksum field not a number");

	a.len = 0;
	add(&a, "a.txt", '0', 3);
	memset(a.b + a.len, 'x', 512);
	a.len += 512;
	refused(&a, MR_EINVAL, "bad checksum", "header at byte 1024",
		"garbage after the last entry");

	a.len = 0;
	off = add(&a, "v7", '0', 3);
	memset(a.b + off + 257, 0, 8);
	resum(&a, off);
	end(&a);
	refused(&a, MR_EINVAL, "no ustar magic", "at byte 0", "no magic");

	a.len = 0;
	off = add(&a, "a.txt", '0', 3);
	memcpy(a.b + off + 124, "0000000001x\0", 12);
	resum(&a, off);
	end(&a);
	refused(&a, MR_EINVAL, "size field is not an octal number",
		"\"a.txt\" at byte 0", "size not octal");

	a.len = 0;
	off = add(&a, "a.txt", '0', 3);
	memcpy(a.b + off + 124, "\0\0\0\0\0\0\0\0\0\0\0\0", 12);
	resum(&a, off);
	end(&a);
	refused(&a, MR_EINVAL, "size field is not an octal number",
		"\"a.txt\" at byte 0", "size empty");

	a.len = 0;
	off = add(&a, "a.txt", '0', 3);
	memcpy(a.b + off + 136, "0000000008\0", 12);
	resum(&a, off);
	end(&a);
	refused(&a, MR_EINVAL, "mtime field is not an octal number",
		"\"a.txt\" at byte 0", "mtime not octal");

	a.len = 0;
	off = add(&a, "a.txt", '0', 3);
	memcpy(a.b + off + 100, "064 4\0\0\0", 8);
	resum(&a, off);
	end(&a);
	refused(&a, MR_EINVAL, "mode field is not an octal number",
		"\"a.txt\" at byte 0", "mode not octal");

	a.len = 0;
	off = add(&a, "big", '0', 3);
	memcpy(a.b + off + 124, "\x80\0\0\0\0\0\0\x02\0\0\0\0", 12);
	resum(&a, off);
	end(&a);
	refused(&a, MR_EINVAL, "base-256", "\"big\" at byte 0",
		"base-256 size");

	a.len = 0;
	add(&a, "a.txt", '0', 3);
	off = add(&a, "huge", '0', 3);
	memcpy(a.b + off + 124, "77777777777\0", 12);
	resum(&a, off);
	end(&a);
	refused(&a, MR_EINVAL, "size 8589934591 reaches past the end",
		"\"huge\" at byte 1024", "huge size");

	a.len = 0;
	add(&a, "a.txt", '0', 3000);
	a.len = 512 + 2999;
	refused(&a, MR_EINVAL, "size 3000 reaches past the end of the archive "
		"(2999 bytes left)", "\"a.txt\" at byte 0",
		"truncated data");

	a.len = 0;
	add(&a, "a.txt", '0', 3);
	add(&a, "b.txt", '0', 3);
	a.len = 1024 + 300;
	refused(&a, MR_EINVAL, "cut short", "header at byte 1024",
		"truncated header");

	static const struct {
		const char *name, *why, *what;
	} names[] = {
		{ "../etc/passwd", "\"..\" components", "leading .." },
		{ "a/../../b", "\"..\" components", "inner .." },
		{ "a/..", "\"..\" components", "trailing .." },
		{ "/etc/passwd", "absolute names", "absolute name" },
		{ "a//b", "empty path components", "empty component" },
		{ "a/./b", "\".\" components", "inner ." },
		{ "a/", "a file's name ends in '/'", "file with a '/'" },
		{ "", "empty name", "empty name" },
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		a.len = 0;
		add(&a, "ok", '0', 1);
		add(&a, names[i].name, '0', 1);
		end(&a);
		refused(&a, MR_EINVAL, names[i].why, "at byte 1024",
			names[i].what);
	}
	a.len = 0;
	add_sum(&a, "..", "x", '0', 1, SUM_UNSIGNED);
	end(&a);
	refused(&a, MR_EINVAL, "\"..\" components", "\"../x\" at byte 0",
		".. in the prefix field");

	static const struct {
		char type;
		const char *why;
	} types[] = {
		{ '1', "hard links are not supported" },
		{ '2', "symbolic links are not supported" },
		{ '3', "character devices are not supported" },
		{ '4', "block devices are not supported" },
		{ '6', "FIFOs are not supported" },
		{ 'g', "pax global headers are not supported" },
		{ 'V', "this type of entry is not supported (type 'V')" },
	};
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		char what[32];

		a.len = 0;
		add(&a, "ok", '0', 1);
		add(&a, "link", types[i].type, 0);
		end(&a);
		snprintf(what, sizeof(what), "type '%c'", types[i].type);
		refused(&a, MR_EINVAL, types[i].why, "\"link\" at byte 1024",
			what);
	}

	a.len = 0;
	add(&a, "a.txt", '0', 3);
	add(&a, "b", '0', 3);
	add(&a, "a.txt", '0', 3);
	end(&a);
	refused(&a, MR_EINVAL, "duplicate of the entry at byte ",
		"\"a.txt\" at byte", "duplicate file");

	a.len = 0;
	add(&a, "d/", '5', 0);
	add(&a, "d", '5', 0);
	end(&a);
	refused(&a, MR_EINVAL, "duplicate", "\"d\" at byte", "duplicate dir");

	a.len = 0;
	add(&a, "./", '5', 0);
	add(&a, ".", '5', 0);
	end(&a);
	refused(&a, MR_EINVAL, "duplicate of the root at byte 0",
		"\".\" at byte 512", "duplicate root");

	a.len = 0;
	add(&a, "./", '0', 0);
	end(&a);
	refused(&a, MR_EINVAL, "the root is not a directory", "at byte 0",
		"root as a file");

	a.len = 0;
	add(&a, "a", '0', 3);
	add(&a, "a-b", '0', 3);
	add(&a, "a/b/c", '0', 3);
	end(&a);
	refused(&a, MR_EINVAL, "\"a\" (at byte 0) is a file, not a directory",
		"\"a/b/c\" at byte 2048", "a file with something inside");

	a.len = 0;
	add(&a, "a/b", '0', 3);
	add(&a, "a", '0', 3);
	end(&a);
	refused(&a, MR_EINVAL, "\"a\" (at byte 1024) is a file",
		"\"a/b\" at byte 0", "a file after what is inside it");

	a.len = 0;
	add(&a, "a", '0', 3);
	add(&a, "b", '0', 3);
	end(&a);
	m = (struct mem){ a.b, a.len, 1024 };
	ok(tarfs_parse(mem_read, &m, a.len, &lim, &idx, err, sizeof(err)) ==
	   MR_EUNSPEC && strstr(err, "header at byte 1024: read failed") &&
	   idx.count == 0, "a failed read stops the parse with its result");
}

/* Append an extension header of (type) with (data), as tar writes them. */
static size_t
add_ext(struct ar *a, char type, const char *data, size_t len)
{
	size_t off = add(a, "././@LongLink", type, 0);

	snprintf((char *)a->b + off + 124, 12, "%011llo",
		 (unsigned long long)len);
	resum(a, off);
	memcpy(a->b + a->len, data, len);
	a->len = (a->len + len + 511) / 512 * 512;
	return off;
}

/* A pax record: "LEN key=value\n", LEN counting itself. */
static const char *
rec(const char *kv)
{
	static char buf[8][1024];
	static int i;
	size_t n = strlen(kv) + 2, digits = 1;
	char *b = buf[i++ % 8];

	/* The length counts its own digits. */
	while (snprintf(NULL, 0, "%zu", n + digits) != (int)digits)
		digits++;
	snprintf(b, 1024, "%zu %s\n", n + digits, kv);
	return b;
}

static void
extensions(void)
{
	struct ar a;
	struct tarfs_index idx;
	const struct tarfs_ent *e;
	char long_path[300], kv[400], data[1024];
	size_t off;

	/* pax: path, size (past what octal holds) and mtime replace. */
	memset(long_path, 'p', 200);
	memcpy(long_path + 50, "/", 1);
	long_path[200] = '\0';
	snprintf(kv, sizeof(kv), "path=%s", long_path);
	snprintf(data, sizeof(data), "%s%s%s%s", rec("atime=1.5"), rec(kv),
		 rec("size=700"), rec("mtime=-5.25"));
	a.len = 0;
	add_ext(&a, 'x', data, strlen(data));
	off = add(&a, "short", '0', 700);
	memcpy(a.b + off + 124, "\x80\0\0\0\0\0\0\0\0\0\0\x01", 12);
	memcpy(a.b + off + 136, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xfb", 12);
	resum(&a, off);
	add(&a, "next", '0', 1);
	end(&a);
	if (!ok(parse(a.b, a.len, &idx) == MR_OK, "pax: parsed"))
		tap_diag("%s", err);
	e = tarfs_find(&idx, long_path);
	ok(e != NULL && e->node.size == 700 && e->node.mtime == -5 &&
	   e->data == off + 512, "pax: path, size and mtime of the entry");
	ok(tarfs_find(&idx, "short") == NULL && tarfs_find(&idx, "next") &&
	   tarfs_find(&idx, "next")->node.mtime == 1000,
	   "pax: only for the next entry");
	tarfs_index_free(&idx);

	/* An empty path value goes back to the header's name. */
	snprintf(data, sizeof(data), "%s%s", rec("path=elsewhere"), rec("path="));
	a.len = 0;
	add_ext(&a, 'x', data, strlen(data));
	add(&a, "mine", '0', 1);
	ok(parse(a.b, a.len, &idx) == MR_OK && tarfs_find(&idx, "mine"),
	   "pax: an empty path keeps the header's name");
	tarfs_index_free(&idx);

	/* GNU long names; a long link name is read and forgotten. */
	a.len = 0;
	add_ext(&a, 'L', long_path, strlen(long_path) + 1);
	add(&a, "cut", '0', 3);
	end(&a);
	ok(parse(a.b, a.len, &idx) == MR_OK &&
	   tarfs_find(&idx, long_path) != NULL && idx.count == 3,
	   "GNU long name");
	tarfs_index_free(&idx);
	a.len = 0;
	add_ext(&a, 'K', long_path, strlen(long_path) + 1);
	add(&a, "lnk", '2', 0);
	end(&a);
	refused(&a, MR_EINVAL, "symbolic links are not supported",
		"\"lnk\" at byte 1024", "GNU long link name, then the link");

	static const struct {
		const char *data, *why, *what;
	} bad[] = {
		{ "5 a=b\n", "malformed record at byte 0", "pax: short length" },
		{ "7 a=b\n", "malformed record at byte 0", "pax: long length" },
		{ "6 a=bx", "malformed record", "pax: no newline" },
		{ "6 abc\n", "malformed record", "pax: no '='" },
		{ "x a=b\n", "malformed record", "pax: no length" },
		{ "6 a=b\n99999999999999999999999 a=b\n",
		  "malformed record at byte 6", "pax: huge length" },
		{ "0 \n", "malformed record", "pax: zero length" },
		{ "size=1x", "size is not a decimal number", "pax: size" },
		{ "size=", "size is not a decimal number", "pax: empty size" },
		{ "size=99999999999999999999", "size is not a decimal",
		  "pax: size overflow" },
		{ "mtime=1.x", "mtime is not a number", "pax: mtime" },
		{ "mtime=-", "mtime is not a number", "pax: mtime -" },
		{ "mtime=99999999999999999999", "mtime is not a number",
		  "pax: mtime overflow" },
		{ "GNU.sparse.major=1", "sparse files are not supported",
		  "pax: sparse" },
		{ "path=../x", "\"..\" components", "pax: path with .." },
		{ "6 a=b\nX", "malformed record at byte 6", "pax: stray byte" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *d = bad[i].data;

		/* Records with a newline are given whole, the rest by rec(). */
		if (strchr(d, '\n') == NULL && (d[0] < '0' || d[0] > '9'))
			d = rec(d);
		a.len = 0;
		add_ext(&a, 'x', d, strlen(d));
		add(&a, "f", '0', 1);
		end(&a);
		refused(&a, MR_EINVAL, bad[i].why, NULL, bad[i].what);
	}

	a.len = 0;
	add_ext(&a, 'x', "", 0);
	add_ext(&a, 'x', "", 0);
	add(&a, "f", '0', 1);
	end(&a);
	refused(&a, MR_EINVAL, "pax header at byte 512: a second one", NULL,
		"two pax headers for one entry");

	a.len = 0;
	add(&a, "f", '0', 1);
	add_ext(&a, 'L', "g", 2);
	end(&a);
	refused(&a, MR_EINVAL, "extension header at byte 1024: no entry "
		"follows it", NULL, "an extension header at the end");

	a.len = 0;
	add_ext(&a, 'L', "", 1);
	add(&a, "f", '0', 1);
	end(&a);
	refused(&a, MR_EINVAL, "GNU long name at byte 0: empty", NULL,
		"empty GNU long name");

	a.len = 0;
	off = add_ext(&a, 'x', "", 0);
	memcpy(a.b + off + 124, "00000200001\0", 12);	/* 65537 */
	resum(&a, off);
	a.len = sizeof(a.b);
	refused(&a, MR_EINVAL, "65537 bytes (at most 65536 supported)", NULL,
		"a huge extension header");

	a.len = 0;
	off = add_ext(&a, 'x', "", 0);
	memcpy(a.b + off + 124, "00000001001\0", 12);
	resum(&a, off);
	a.len = 1024;
	refused(&a, MR_EINVAL, "extension header at byte 0: size reaches past",
		NULL, "an extension header past the end");

	/* A path longer than max_path, from pax. */
	memset(long_path, 'q', 299);
	long_path[299] = '\0';
	snprintf(kv, sizeof(kv), "path=%s", long_path);
	snprintf(data, sizeof(data), "%s", rec(kv));
	a.len = 0;
	add_ext(&a, 'x', data, strlen(data));
	add(&a, "f", '0', 1);
	end(&a);
	refused(&a, MR_EINVAL, "path longer than tarfs.max_path", NULL,
		"pax path over max_path");
}

int
main(int argc, char **argv)
{
	char path[4096];
	struct tarfs_index idx;
	unsigned char *p;
	size_t len;

	if (argc != 2) {
		fprintf(stderr, "usage: parse DIR\n");
		return 2;
	}
	good(argv[1], "tool.tar", "tree", false);
	good(argv[1], "ustar.tar", "tree", true);

	good(argv[1], "gnu-long.tar", "tree", true);
	good(argv[1], "pax.tar", "tree", true);
	lim.max_path = 1024;
	good(argv[1], "pax-long.tar", "deep", true);
	lim.max_path = 256;
	snprintf(path, sizeof(path), "%s/pax-long.tar", argv[1]);
	p = slurp(path, &len);
	ok(parse(p, len, &idx) == MR_EINVAL &&
	   strstr(err, "longer than tarfs.max_path"),
	   "pax-long.tar: paths over max_path refused");
	free(p);
	snprintf(path, sizeof(path), "%s/sparse.tar", argv[1]);
	p = slurp(path, &len);
	ok(parse(p, len, &idx) == MR_EINVAL &&
	   strstr(err, "sparse files are not supported"),
	   "GNU tar's sparse files in a pax archive: refused");
	tap_diag("message: %s", err);
	free(p);

	implied();
	fields();
	bad();
	extensions();
	return done_testing();
}
