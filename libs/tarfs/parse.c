/*
 * parse.c: read a ustar archive's headers into a sorted index.
 *
 * The archive is untrusted: every field is checked before it is used, every
 * range against the archive's size, and the first problem stops the parse
 * with a message that names the entry and the byte offset of its header.
 * Memory grows with the number of entries only, up to the limits given.
 *
 * Besides ustar headers, the extension headers that GNU tar and bsdtar
 * write for long names and large files are read: pax 'x' headers (path,
 * size, mtime) and GNU long names ('L'). They apply to the next header.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

/* Offsets and sizes of the ustar header fields (POSIX.1-1988). */
#define H_NAME		0
#define H_NAME_LEN	100
#define H_MODE		100
#define H_SIZE		124
#define H_MTIME		136
#define H_CHKSUM	148
#define H_TYPE		156
#define H_MAGIC		257
#define H_PREFIX	345
#define H_PREFIX_LEN	155

/* The longest name a header can hold: prefix '/' name. */
#define NAME_MAX_LEN	(H_PREFIX_LEN + 1 + H_NAME_LEN)

/* The largest extension header read (pax records, a GNU long name). */
#define EXT_MAX		65536

/* What extension headers say about the entry that follows them. */
struct pending {
	uint64_t off;		/* of the first one; TARFS_IMPLIED if none */
	bool pax, gnu;		/* one of each at most */
	char *path;		/* pax "path" or GNU 'L'; pax wins */
	bool pax_path;
	bool has_size, has_mtime;
	uint64_t size;
	int64_t mtime;
};

struct parser {
	tarfs_read_fn read;
	void *ctx;
	uint64_t size;
	const struct tarfs_limits *lim;
	struct tarfs_ent *ents;
	size_t count, cap;
	bool root_seen;
	struct pending ext;
	char *raw;		/* a name being read: max_path + 1 bytes */
	size_t rawlen;
	char *err;
	size_t errlen;
};

static void fail(struct parser *, const char *, ...)
	__attribute__((format(printf, 2, 3)));

static void
fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	if (p->errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
}

/*
 * A name as it may be printed in a message: the archive's bytes are not
 * ours to send to a console, so anything but printable ASCII (and the
 * quote) becomes '?'.
 */
static const char *
printable(const char *s, char *buf, size_t len)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < len; i++)
		buf[i] = s[i] >= 0x20 && s[i] < 0x7f && s[i] != '"' ? s[i] : '?';
	buf[i] = '\0';
	return buf;
}

/*
 * A numeric field: octal digits after optional spaces, ended by a space
 * or NUL and only those up to the field's end. 0 and (*v) on success, -1
 * when it is not that, -2 for GNU's base-256 form (high bit of the first
 * byte), which only numbers too large for the octal field need.
 */
static int
octal(const unsigned char *f, size_t n, uint64_t *v)
{
	uint64_t x = 0;
	size_t i = 0, start;

	if (n > 0 && (f[0] & 0x80))
		return -2;
	while (i < n && f[i] == ' ')
		i++;
	start = i;
	for (; i < n && f[i] >= '0' && f[i] <= '7'; i++) {
		if (x > UINT64_MAX >> 3)
			return -1;
		x = x << 3 | (uint64_t)(f[i] - '0');
	}
	if (i == start)
		return -1;
	for (; i < n; i++)
		if (f[i] != ' ' && f[i] != '\0')
			return -1;
	*v = x;
	return 0;
}

/*
 * Does the header's checksum hold? POSIX sums the bytes as unsigned, with
 * the checksum field counted as spaces; some historical tars summed them
 * as signed char, and their archives are still about, so either sum is
 * accepted.
 */
static bool
checksum_ok(const unsigned char *h)
{
	uint64_t want;
	long su = 0, ss = 0;

	if (octal(h + H_CHKSUM, 8, &want) != 0)
		return false;
	for (int i = 0; i < TARFS_BLOCK; i++) {
		unsigned char c = i >= H_CHKSUM && i < H_CHKSUM + 8 ?
		    ' ' : h[i];
		su += c;
		ss += (signed char)c;
	}
	return want == (uint64_t)su || want == (uint64_t)ss;
}

static bool
zero_block(const unsigned char *h)
{
	for (int i = 0; i < TARFS_BLOCK; i++)
		if (h[i] != 0)
			return false;
	return true;
}

/* Why a type of entry cannot be in the filesystem, or NULL if it can. */
static const char *
unsupported(unsigned char type)
{
	switch (type) {
	case '0': case '\0': case '7': case '5':
		return NULL;
	case '1': return "hard links are not supported";
	case '2': return "symbolic links are not supported";
	case '3': return "character devices are not supported";
	case '4': return "block devices are not supported";
	case '6': return "FIFOs are not supported";
	case 'g': return "pax global headers are not supported "
		    "(write the archive with tar --format=ustar)";
	default: return "this type of entry is not supported";
	}
}

/*
 * Make the archive's (name) a path of the index in place: a leading "./"
 * (tar -C dir . writes them) and a directory's trailing '/' go; "." and
 * "./" are the root, "". NULL when the name is fine, else why not.
 */
static const char *
normalise(char *name, bool dir)
{
	size_t len, skip = 0;
	char *c, *next;

	if (name[0] == '/')
		return "absolute names are not allowed";
	while (name[skip] == '.' && name[skip + 1] == '/')
		skip += 2;
	memmove(name, name + skip, strlen(name + skip) + 1);
	if (strcmp(name, ".") == 0)
		name[0] = '\0';
	len = strlen(name);
	if (len > 0 && name[len - 1] == '/') {
		if (!dir)
			return "a file's name ends in '/'";
		name[--len] = '\0';
	}
	if (len == 0)
		return NULL;
	for (c = name; c != NULL; c = next) {
		size_t n;

		next = strchr(c, '/');
		n = next != NULL ? (size_t)(next - c) : strlen(c);
		if (next != NULL)
			next++;
		if (n == 0)
			return "empty path components are not allowed";
		if (n == 1 && c[0] == '.')
			return "\".\" components are not allowed";
		if (n == 2 && c[0] == '.' && c[1] == '.')
			return "\"..\" components are not allowed";
	}
	return NULL;
}

/* Append a node; its (path) is the parser's from now on. */
static mr_result_t
push(struct parser *p, char *path, const struct tarfs_ent *e)
{
	char pb[160], where[32];

	if (p->count >= p->lim->max_entries) {
		if (e->hdr == TARFS_IMPLIED)
			snprintf(where, sizeof(where), "(implied)");
		else
			snprintf(where, sizeof(where), "at byte %llu",
				 (unsigned long long)e->hdr);
		fail(p, "entry \"%s\" %s: more than %zu files and directories "
		     "(tarfs.max_entries)", printable(path, pb, sizeof(pb)),
		     where, p->lim->max_entries);
		free(path);
		return MR_ENOMEM;
	}
	if (p->count == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		struct tarfs_ent *n;

		if (cap > p->lim->max_entries)
			cap = p->lim->max_entries;
		n = realloc(p->ents, cap * sizeof(*n));
		if (n == NULL) {
			fail(p, "out of memory for %zu entries", cap);
			free(path);
			return MR_ENOMEM;
		}
		p->ents = n;
		p->cap = cap;
	}
	p->ents[p->count] = *e;
	p->ents[p->count].node.path = path;
	p->count++;
	return MR_OK;
}

/* A decimal number of (n) > 0 digits, as pax writes them; 0 or -1. */
static int
decimal(const char *f, size_t n, uint64_t *v)
{
	uint64_t x = 0;

	if (n == 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (f[i] < '0' || f[i] > '9' || x > (UINT64_MAX - 9) / 10)
			return -1;
		x = x * 10 + (uint64_t)(f[i] - '0');
	}
	*v = x;
	return 0;
}

static void
clear_pending(struct pending *x)
{
	free(x->path);
	memset(x, 0, sizeof(*x));
	x->off = TARFS_IMPLIED;
}

/*
 * The records of a pax extended header at (off), (len) bytes in (buf):
 * "LEN KEY=VALUE\n", LEN counting the whole record. path, size and mtime
 * are used; keys of GNU's sparse files are refused, since their data is
 * not laid out as a file's; every other key (times, owners, charsets,
 * vendors' keys) says nothing tarfs keeps.
 */
static mr_result_t
pax(struct parser *p, uint64_t off, const char *buf, size_t len)
{
	struct pending *x = &p->ext;
	size_t i = 0;

	while (i < len) {
		const char *key, *val, *eq;
		size_t j = i, n = 0, klen, vlen;
		uint64_t v, frac;

		if (buf[i] == '\0') {
			/* Some writers pad the records with NULs. */
			size_t k = i;

			while (k < len && buf[k] == '\0')
				k++;
			if (k == len)
				break;
		}
		for (; j < len && buf[j] >= '0' && buf[j] <= '9'; j++) {
			n = n * 10 + (size_t)(buf[j] - '0');
			if (n > len)
				break;
		}
		if (j == i || j >= len || buf[j] != ' ' || n > len - i ||
		    n < j - i + 3 || buf[i + n - 1] != '\n' ||
		    (eq = memchr(buf + j + 1, '=', i + n - 1 - (j + 1))) ==
		    NULL) {
			fail(p, "pax header at byte %llu: malformed record at "
			     "byte %zu of its data", (unsigned long long)off,
			     i);
			return MR_EINVAL;
		}
		key = buf + j + 1;
		klen = (size_t)(eq - key);
		val = eq + 1;
		vlen = (size_t)(buf + i + n - 1 - val);
		i += n;
#define KEY(k)	(klen == sizeof(k) - 1 && memcmp(key, k, klen) == 0)
		if (KEY("path")) {
			free(x->path);
			x->path = NULL;
			x->pax_path = false;
			if (vlen == 0)
				continue;	/* back to the header's name */
			if (memchr(val, '\0', vlen) != NULL ||
			    vlen > p->lim->max_path) {
				fail(p, "pax header at byte %llu: path %s",
				     (unsigned long long)off,
				     vlen > p->lim->max_path ? "longer than "
				     "tarfs.max_path" : "holds a NUL");
				return MR_EINVAL;
			}
			if ((x->path = strndup(val, vlen)) == NULL) {
				fail(p, "out of memory");
				return MR_ENOMEM;
			}
			x->pax_path = true;
		} else if (KEY("size")) {
			if (decimal(val, vlen, &x->size) != 0) {
				fail(p, "pax header at byte %llu: size is not "
				     "a decimal number", (unsigned long long)off);
				return MR_EINVAL;
			}
			x->has_size = true;
		} else if (KEY("mtime")) {
			/* [-]SECONDS[.FRACTION]; the fraction is dropped. */
			bool neg = vlen > 0 && val[0] == '-';
			const char *dot = memchr(val, '.', vlen);
			size_t ilen = (dot ? (size_t)(dot - val) : vlen) - neg;

			if (decimal(val + neg, ilen, &v) != 0 ||
			    v > INT64_MAX || (dot != NULL &&
			    decimal(dot + 1, vlen - ilen - neg - 1, &frac) != 0)) {
				fail(p, "pax header at byte %llu: mtime is not "
				     "a number of seconds", (unsigned long long)off);
				return MR_EINVAL;
			}
			x->mtime = neg ? -(int64_t)v : (int64_t)v;
			x->has_mtime = true;
		} else if (klen > 11 && memcmp(key, "GNU.sparse.", 11) == 0) {
			fail(p, "pax header at byte %llu: sparse files are not "
			     "supported", (unsigned long long)off);
			return MR_EINVAL;
		}
#undef KEY
	}
	return MR_OK;
}

/*
 * An extension header at (off) of type (type), its data of (size) bytes
 * already checked to lie inside the archive: pax records ('x'), a GNU long
 * name ('L') or long link name ('K', of no use: links are refused when
 * their own header comes).
 */
static mr_result_t
extension(struct parser *p, uint64_t off, unsigned char type, uint64_t size)
{
	struct pending *x = &p->ext;
	const char *what = type == 'x' ? "pax header" : "GNU long name";
	char *buf;
	mr_result_t r = MR_OK;

	if (type == 'x' ? x->pax : x->gnu) {
		fail(p, "%s at byte %llu: a second one for the same entry",
		     what, (unsigned long long)off);
		return MR_EINVAL;
	}
	if (size > EXT_MAX) {
		fail(p, "%s at byte %llu: %llu bytes (at most %d supported)",
		     what, (unsigned long long)off, (unsigned long long)size,
		     EXT_MAX);
		return MR_EINVAL;
	}
	if (x->off == TARFS_IMPLIED)
		x->off = off;
	if (type == 'x')
		x->pax = true;
	else if (type == 'L')
		x->gnu = true;
	if (type == 'K')
		return MR_OK;
	if ((buf = malloc(size + 1)) == NULL) {
		fail(p, "out of memory");
		return MR_ENOMEM;
	}
	if (size > 0 && (r = p->read(p->ctx, off + TARFS_BLOCK, buf,
				     (size_t)size)) != MR_OK) {
		fail(p, "%s at byte %llu: read failed", what,
		     (unsigned long long)off);
		goto out;
	}
	buf[size] = '\0';
	if (type == 'x') {
		r = pax(p, off, buf, (size_t)size);
	} else if (!x->pax_path) {
		size_t n = strlen(buf);

		if (n == 0 || n > p->lim->max_path) {
			fail(p, "%s at byte %llu: %s", what,
			     (unsigned long long)off, n == 0 ? "empty" :
			     "longer than tarfs.max_path");
			r = MR_EINVAL;
		} else if ((x->path = strdup(buf)) == NULL) {
			fail(p, "out of memory");
			r = MR_ENOMEM;
		}
	}
out:
	free(buf);
	return r;
}

/*
 * One header at (off), (h); (*next) is where the next one starts. The
 * checks go from what makes the block a header at all to what the entry
 * says, so the message names the first thing wrong.
 */
static mr_result_t
header(struct parser *p, uint64_t off, const unsigned char *h, uint64_t *next)
{
	struct pending *x = &p->ext;
	char *raw = p->raw, shown[160], *path;
	size_t nlen, plen;
	uint64_t size, mtime, mode, room;
	const char *why;
	bool posix, dir;
	unsigned char type = h[H_TYPE];
	struct tarfs_ent e;
	int r;

	if (!checksum_ok(h)) {
		fail(p, "header at byte %llu: bad checksum (not a tar header, "
		     "or a corrupted one)", (unsigned long long)off);
		return MR_EINVAL;
	}
	posix = memcmp(h + H_MAGIC, "ustar\0", 6) == 0;
	if (!posix && memcmp(h + H_MAGIC, "ustar ", 6) != 0) {
		fail(p, "header at byte %llu: no ustar magic (a pre-POSIX "
		     "archive?)", (unsigned long long)off);
		return MR_EINVAL;
	}
	room = p->size - off - TARFS_BLOCK;

	if (type == 'x' || type == 'L' || type == 'K') {
		if ((r = octal(h + H_SIZE, 12, &size)) != 0 || size > room) {
			fail(p, "extension header at byte %llu: %s",
			     (unsigned long long)off, r != 0 ? "size field is "
			     "not an octal number" : "size reaches past the "
			     "end of the archive");
			return MR_EINVAL;
		}
		*next = off + TARFS_BLOCK + size;
		*next += (TARFS_BLOCK - *next % TARFS_BLOCK) % TARFS_BLOCK;
		return extension(p, off, type, size);
	}

	/*
	 * The name: an extension's, else ustar's prefix, if any, then the
	 * name, each NUL-ended unless it fills its field. GNU's own format
	 * keeps other things where the prefix would be.
	 */
	if (x->path != NULL) {
		snprintf(raw, p->rawlen, "%s", x->path);
	} else {
		nlen = strnlen((const char *)h + H_NAME, H_NAME_LEN);
		plen = posix ? strnlen((const char *)h + H_PREFIX,
				       H_PREFIX_LEN) : 0;
		memcpy(raw, h + H_PREFIX, plen);
		if (plen > 0)
			raw[plen++] = '/';
		memcpy(raw + plen, h + H_NAME, nlen);
		raw[plen + nlen] = '\0';
	}
	printable(raw, shown, sizeof(shown));
	if (raw[0] == '\0') {
		fail(p, "header at byte %llu: empty name",
		     (unsigned long long)off);
		return MR_EINVAL;
	}

	if ((why = unsupported(type)) != NULL) {
		fail(p, "entry \"%s\" at byte %llu: %s (type '%c')", shown,
		     (unsigned long long)off, why,
		     type >= 0x20 && type < 0x7f ? type : '?');
		return MR_EINVAL;
	}
	dir = type == '5';

	/* A pax size or mtime replaces the field, which may then be junk. */
	r = 0;
	if (x->has_size)
		size = x->size;
	else
		r = octal(h + H_SIZE, 12, &size);
	if (r != 0 || (!x->has_mtime && octal(h + H_MTIME, 12, &mtime) != 0) ||
	    octal(h + H_MODE, 8, &mode) != 0) {
		const char *field = r != 0 ? "size" : (!x->has_mtime &&
		    octal(h + H_MTIME, 12, &mtime) != 0) ? "mtime" : "mode";

		fail(p, "entry \"%s\" at byte %llu: %s field is not an octal "
		     "number%s", shown, (unsigned long long)off, field,
		     r == -2 ? " (GNU base-256 sizes of 8 GiB or more are not "
		     "supported; pax sizes are)" : "");
		return MR_EINVAL;
	}
	if (x->has_mtime)
		mtime = (uint64_t)x->mtime;
	if (size > room) {
		fail(p, "entry \"%s\" at byte %llu: size %llu reaches past the "
		     "end of the archive (%llu bytes left)", shown,
		     (unsigned long long)off, (unsigned long long)size,
		     (unsigned long long)room);
		return MR_EINVAL;
	}
	/* size <= room, so neither sum can wrap. */
	*next = off + TARFS_BLOCK + size;
	*next += (TARFS_BLOCK - *next % TARFS_BLOCK) % TARFS_BLOCK;

	if ((why = normalise(raw, dir)) != NULL) {
		fail(p, "entry \"%s\" at byte %llu: %s", shown,
		     (unsigned long long)off, why);
		return MR_EINVAL;
	}
	if (strlen(raw) > p->lim->max_path) {
		fail(p, "entry \"%s\" at byte %llu: path longer than %zu "
		     "bytes (tarfs.max_path)", shown, (unsigned long long)off,
		     p->lim->max_path);
		return MR_EINVAL;
	}
	clear_pending(x);

	if (raw[0] == '\0') {
		/* The root itself, as "./": it lends the root its times. */
		if (!dir) {
			fail(p, "entry \"%s\" at byte %llu: the root is not a "
			     "directory", shown, (unsigned long long)off);
			return MR_EINVAL;
		}
		if (p->root_seen) {
			fail(p, "entry \"%s\" at byte %llu: duplicate of the "
			     "root at byte %llu", shown,
			     (unsigned long long)off,
			     (unsigned long long)p->ents[0].hdr);
			return MR_EINVAL;
		}
		p->root_seen = true;
		p->ents[0].node.mtime = (int64_t)mtime;
		p->ents[0].node.mode = (uint32_t)(mode & 0777);
		p->ents[0].hdr = off;
		return MR_OK;
	}

	memset(&e, 0, sizeof(e));
	e.node.size = dir ? 0 : size;
	e.node.mtime = (int64_t)mtime;
	e.node.mode = (uint32_t)(mode & 0777);
	e.node.dir = dir;
	e.data = off + TARFS_BLOCK;
	e.hdr = off;
	if ((path = strdup(raw)) == NULL) {
		fail(p, "out of memory");
		return MR_ENOMEM;
	}
	return push(p, path, &e);
}

/*
 * Order of paths component by component: '/' sorts before every other
 * byte, so a directory's entries come right after it ("a", "a/b", "a-c"),
 * which the check of parents below relies on.
 */
static int
tree_order(const void *a, const void *b)
{
	const unsigned char *x = (const unsigned char *)
	    ((const struct tarfs_ent *)a)->node.path;
	const unsigned char *y = (const unsigned char *)
	    ((const struct tarfs_ent *)b)->node.path;

	for (;; x++, y++) {
		int kx = *x == '/' ? 1 : *x == '\0' ? 0 : *x + 1;
		int ky = *y == '/' ? 1 : *y == '\0' ? 0 : *y + 1;

		if (kx != ky || kx == 0)
			return kx - ky;
	}
}

static int
path_order(const void *a, const void *b)
{
	return strcmp(((const struct tarfs_ent *)a)->node.path,
		      ((const struct tarfs_ent *)b)->node.path);
}

/*
 * Refuse duplicates and files with something inside them, and add the
 * directories that paths imply without an entry of their own. In tree
 * order each entry's parents are its predecessor's (which exist by now:
 * explicit or implied already) down to where the two paths part, then
 * directories that nothing before it named.
 */
static mr_result_t
complete(struct parser *p)
{
	size_t n = p->count;
	char shown[160], other[160];

	qsort(p->ents + 1, n - 1, sizeof(*p->ents), tree_order);
	for (size_t i = 1; i < n; i++) {
		/* Entries through the index: push may move the array. */
		const char *q = p->ents[i - 1].node.path;
		const char *path = p->ents[i].node.path;
		size_t k = 0, common = 0;
		mr_result_t r;

		printable(path, shown, sizeof(shown));
		if (strcmp(q, path) == 0) {
			fail(p, "entry \"%s\" at byte %llu: duplicate of the "
			     "entry at byte %llu", shown,
			     (unsigned long long)p->ents[i].hdr,
			     (unsigned long long)p->ents[i - 1].hdr);
			return MR_EINVAL;
		}
		/* common: length of the longest whole-component prefix. */
		while (q[k] != '\0' && q[k] == path[k]) {
			k++;
			if (q[k] == '/' && path[k] == '/')
				common = k;
		}
		if (i > 1 && q[k] == '\0' && path[k] == '/') {
			if (!p->ents[i - 1].node.dir) {
				fail(p, "entry \"%s\" at byte %llu: \"%s\" "
				     "(at byte %llu) is a file, not a "
				     "directory", shown,
				     (unsigned long long)p->ents[i].hdr,
				     printable(q, other, sizeof(other)),
				     (unsigned long long)p->ents[i - 1].hdr);
				return MR_EINVAL;
			}
			common = k;
		}
		for (size_t j = common ? common + 1 : 0; path[j] != '\0'; j++) {
			struct tarfs_ent e;
			char *parent;

			if (path[j] != '/')
				continue;
			if ((parent = strndup(path, j)) == NULL) {
				fail(p, "out of memory");
				return MR_ENOMEM;
			}
			memset(&e, 0, sizeof(e));
			e.node.mode = 0755;
			e.node.dir = true;
			e.hdr = TARFS_IMPLIED;
			if ((r = push(p, parent, &e)) != MR_OK)
				return r;
		}
	}
	qsort(p->ents, p->count, sizeof(*p->ents), path_order);
	return MR_OK;
}

mr_result_t
tarfs_parse(tarfs_read_fn read, void *ctx, uint64_t size,
	    const struct tarfs_limits *lim, struct tarfs_index *idx,
	    char *err, size_t errlen)
{
	struct parser p = {
		.read = read, .ctx = ctx, .size = size, .lim = lim,
		.err = err, .errlen = errlen,
	};
	unsigned char h[TARFS_BLOCK];
	struct tarfs_ent root;
	uint64_t off = 0, next;
	mr_result_t r;
	char *rootpath;

	idx->ents = NULL;
	idx->count = 0;
	if (errlen > 0)
		err[0] = '\0';
	clear_pending(&p.ext);
	if (lim->max_entries < 1) {
		fail(&p, "max_entries must be at least 1");
		return MR_EINVAL;
	}
	p.rawlen = (lim->max_path > NAME_MAX_LEN ? lim->max_path :
		    NAME_MAX_LEN) + 1;
	if ((p.raw = malloc(p.rawlen)) == NULL) {
		fail(&p, "out of memory");
		return MR_ENOMEM;
	}
	memset(&root, 0, sizeof(root));
	root.node.mode = 0755;
	root.node.dir = true;
	root.hdr = TARFS_IMPLIED;
	if ((rootpath = strdup("")) == NULL) {
		fail(&p, "out of memory");
		r = MR_ENOMEM;
		goto out;
	}
	if ((r = push(&p, rootpath, &root)) != MR_OK)
		goto out;

	/*
	 * Two zero blocks end an archive; one is enough for us, and the
	 * archive may also just stop between entries (at the device's end,
	 * or in the zero padding after it). A header cut short is an error.
	 */
	for (; off < size; off = next) {
		if (size - off < TARFS_BLOCK) {
			fail(&p, "header at byte %llu: cut short by the end of "
			     "the archive (%llu bytes)",
			     (unsigned long long)off,
			     (unsigned long long)size);
			r = MR_EINVAL;
			goto out;
		}
		if ((r = read(ctx, off, h, sizeof(h))) != MR_OK) {
			fail(&p, "header at byte %llu: read failed",
			     (unsigned long long)off);
			goto out;
		}
		if (zero_block(h))
			break;
		if ((r = header(&p, off, h, &next)) != MR_OK)
			goto out;
	}
	if (p.ext.off != TARFS_IMPLIED) {
		fail(&p, "extension header at byte %llu: no entry follows it",
		     (unsigned long long)p.ext.off);
		r = MR_EINVAL;
		goto out;
	}
	if ((r = complete(&p)) != MR_OK)
		goto out;
	idx->ents = p.ents;
	idx->count = p.count;
	free(p.raw);
	return MR_OK;
out:
	idx->ents = p.ents;
	idx->count = p.count;
	tarfs_index_free(idx);
	clear_pending(&p.ext);
	free(p.raw);
	return r;
}

void
tarfs_index_free(struct tarfs_index *idx)
{
	for (size_t i = 0; i < idx->count; i++)
		free((char *)idx->ents[i].node.path);
	free(idx->ents);
	idx->ents = NULL;
	idx->count = 0;
}

static int
find_order(const void *key, const void *ent)
{
	return strcmp(key, ((const struct tarfs_ent *)ent)->node.path);
}

const struct tarfs_ent *
tarfs_find(const struct tarfs_index *idx, const char *path)
{
	if (path == NULL || idx->count == 0)
		return NULL;
	return bsearch(path, idx->ents, idx->count, sizeof(*idx->ents),
		       find_order);
}
