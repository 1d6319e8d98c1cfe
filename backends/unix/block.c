/*
 * block.c: mirari/plat.h's block devices for a Linux process, on image
 * files.
 *
 * Block device N is the N-th device of kind "block" in app.conf; its
 * setting `path` is the absolute path of the image (a regular file, or a
 * block special file such as /dev/loop0) and `readonly=true` opens it
 * read-only, so that the kernel too refuses writes. Sectors are 512 bytes
 * and the device is as long as the file, which must be a whole number of
 * sectors: a file of any other size is refused rather than rounded, since
 * either rounding would lie about the last sector.
 *
 * Requests are done with pread(2) and pwrite(2) inside
 * mr_plat_block_submit, so every request is complete when submit returns
 * and the device has no event source (handle -1). An image file lives in
 * the page cache, so this blocks the process only as long as a copy takes
 * (or, on a cold cache, one disk read).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mirari/app.h>
#include <mirari/log.h>
#include <mirari/plat.h>

#define BLOCK_DEVICES	16
#define SECTOR		512
/* 1 MiB a request: no single system call holds up the process for long. */
#define MAX_SECTORS	2048

struct blockdev {
	bool open;
	bool failed;		/* an I/O error was logged */
	int fd;
	struct mr_plat_block_info info;
};

static struct blockdev devs[BLOCK_DEVICES];

/* The image's size in bytes, or -1 after saying why it is unusable. */
static int64_t
image_size(unsigned int index, int fd, const char *path)
{
	struct stat st;
	uint64_t bytes;

	if (fstat(fd, &st) < 0) {
		mr_error("block%u: %s: %s", index, path, strerror(errno));
		return -1;
	}
	if (S_ISREG(st.st_mode)) {
		bytes = (uint64_t)st.st_size;
	} else if (S_ISBLK(st.st_mode)) {
		if (ioctl(fd, BLKGETSIZE64, &bytes) < 0) {
			mr_error("block%u: %s: cannot read the size: %s",
				 index, path, strerror(errno));
			return -1;
		}
	} else {
		mr_error("block%u: %s is neither a regular file nor a block "
			 "device", index, path);
		return -1;
	}
	if (bytes % SECTOR != 0) {
		mr_error("block%u: %s is %llu bytes, not a whole number of "
			 "%d-byte sectors (truncate -s to a multiple of %d)",
			 index, path, (unsigned long long)bytes, SECTOR,
			 SECTOR);
		return -1;
	}
	return (int64_t)bytes;
}

mr_result_t
mr_plat_block_open(unsigned int index, struct mr_plat_block_info *info)
{
	const struct mr_device_desc *dev;
	struct blockdev *d;
	char path[4096], ro[8];
	mr_result_t r;
	int64_t size;
	int fd, err;

	if ((dev = mr_device("block", index)) == NULL)
		return MR_ENOENT;
	if (index >= BLOCK_DEVICES) {
		mr_error("block%u: the Unix backend drives %d block devices at "
			 "most", index, BLOCK_DEVICES);
		return MR_EINVAL;
	}
	d = &devs[index];
	if (d->open) {
		*info = d->info;
		return MR_OK;
	}

	r = mr_device_setting(dev, "path", path, sizeof(path));
	if (r != MR_OK || path[0] != '/') {
		mr_error("block%u: device '%s' has %s", index, dev->name,
			 r == MR_ENOENT ? "no image path" :
			 r == MR_ENOMEM ? "an image path too long" :
			 "an image path that is not absolute");
		return MR_EINVAL;
	}
	r = mr_device_setting(dev, "readonly", ro, sizeof(ro));
	if (r == MR_OK && strcmp(ro, "true") != 0 && strcmp(ro, "false") != 0) {
		mr_error("block%u: device '%s': readonly=%s is neither true "
			 "nor false", index, dev->name, ro);
		return MR_EINVAL;
	}
	/* app.conf's default: a device is read-only unless it says not. */
	d->info.readonly = r != MR_OK || strcmp(ro, "true") == 0;

	fd = open(path, (d->info.readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		mr_error("block%u: device '%s': %s: %s%s", index, dev->name,
			 path, strerror(err),
			 err == EACCES || err == EROFS ? (d->info.readonly ?
			 "" : " (readonly = true in app.conf opens it "
			 "read-only)") : "");
		return MR_EUNSPEC;
	}
	if ((size = image_size(index, fd, path)) < 0) {
		close(fd);
		return MR_EINVAL;
	}
	d->fd = fd;
	d->info.sector_size = SECTOR;
	d->info.max_sectors = MAX_SECTORS;
	d->info.sectors = (uint64_t)size / SECTOR;
	d->info.handle = -1;
	d->open = true;
	mr_info("block%u: %s, %llu sectors%s", index, path,
		(unsigned long long)d->info.sectors,
		d->info.readonly ? ", read-only" : "");
	*info = d->info;
	return MR_OK;
}

/*
 * The whole range, through short transfers and signals; false after
 * logging the first failure of the device.
 */
static bool
transfer(unsigned int index, struct blockdev *d,
	 struct mr_plat_block_req *req)
{
	size_t len = (size_t)req->count * SECTOR, done = 0;
	off_t off = (off_t)(req->sector * SECTOR);
	char *p = req->buf;
	ssize_t n;

	while (done < len) {
		if (req->write)
			n = pwrite(d->fd, p + done, len - done,
				   off + (off_t)done);
		else
			n = pread(d->fd, p + done, len - done,
				  off + (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (!d->failed) {
				d->failed = true;
				mr_error("block%u: %s of sector %llu: %s",
					 index, req->write ? "write" : "read",
					 (unsigned long long)(req->sector +
					 done / SECTOR), n < 0 ?
					 strerror(errno) : "the image has "
					 "shrunk");
			}
			return false;
		}
		done += (size_t)n;
	}
	return true;
}

mr_result_t
mr_plat_block_submit(unsigned int index, struct mr_plat_block_req *req)
{
	struct blockdev *d;

	if (index >= BLOCK_DEVICES || !devs[index].open)
		return MR_EINVAL;
	d = &devs[index];
	if (req->count == 0 || req->count > d->info.max_sectors ||
	    req->sector > d->info.sectors ||
	    req->count > d->info.sectors - req->sector ||
	    (req->write && d->info.readonly))
		return MR_EINVAL;
	req->result = transfer(index, d, req) ? MR_OK : MR_EUNSPEC;
	req->done = true;
	return MR_OK;
}

/* Nothing is ever in flight: submit completes every request. */
void
mr_plat_block_reap(unsigned int index)
{
	(void)index;
}
