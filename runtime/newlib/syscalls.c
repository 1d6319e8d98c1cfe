/*
 * syscalls.c: the system calls of newlib, on a platform without an OS.
 *
 * newlib is built to call _write(), _sbrk() and the like (see
 * build/newlib.sh): names reserved for the implementation, which the runtime
 * exports on such a target and nothing else outside mr_ (see `exports` in
 * runtime/manifest.lua), hence MR_API, which makes a symbol visible. Standard output and error go to the console;
 * there are no files, so everything else fails with ENOSYS, or EBADF for
 * a descriptor that is not 0, 1 or 2.
 */
#include <errno.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/times.h>

#include "runtime.h"

static char *brk_start, *brk_cur, *brk_end;

static int
fail(int error)
{
	errno = error;
	return -1;
}

MR_API _ssize_t
_write(int fd, const void *buf, size_t len)
{
	if (fd != 1 && fd != 2)
		return fail(EBADF);
	mr_plat_console_write(buf, len);
	return (_ssize_t)len;
}

MR_API _ssize_t
_read(int fd, void *buf, size_t len)
{
	(void)fd;
	(void)buf;
	(void)len;
	return fail(ENOSYS);
}

/*
 * The heap grows into the platform's region and stops at its end: malloc
 * then returns NULL, and the runtime's callers turn that into MR_ENOMEM.
 */
MR_API void *
_sbrk(ptrdiff_t incr)
{
	char *old;
	size_t size;

	if (brk_start == NULL) {
		brk_start = brk_cur = mr_plat_heap(&size);
		brk_end = brk_start + size;
	}
	if (incr > brk_end - brk_cur || incr < brk_start - brk_cur) {
		errno = ENOMEM;
		return (void *)-1;
	}
	old = brk_cur;
	brk_cur += incr;
	return old;
}

MR_API void
_exit(int status)
{
	mr_exit(status);
}

MR_API int
_close(int fd)
{
	(void)fd;
	return fail(EBADF);
}

/* The console descriptors are character devices, so stdio buffers lines. */
MR_API int
_fstat(int fd, struct stat *st)
{
	if (fd < 0 || fd > 2)
		return fail(EBADF);
	st->st_mode = S_IFCHR;
	st->st_blksize = 0;
	return 0;
}

MR_API int
_isatty(int fd)
{
	if (fd >= 0 && fd <= 2)
		return 1;
	errno = EBADF;
	return 0;
}

MR_API _off_t
_lseek(int fd, _off_t off, int whence)
{
	(void)fd;
	(void)off;
	(void)whence;
	return fail(ESPIPE);
}

MR_API int
_open(const char *path, int flags, int mode)
{
	(void)path;
	(void)flags;
	(void)mode;
	return fail(ENOSYS);
}

/* abort() and a failed assert() raise SIGABRT through here. */
MR_API int
_kill(int pid, int sig)
{
	(void)pid;
	mr_panic("abort (signal %d)", sig);
}

MR_API int
_getpid(void)
{
	return 1;
}

MR_API int
_gettimeofday(struct timeval *tv, void *tz)
{
	mr_time_t now = mr_wallclock();

	(void)tz;
	if (tv != NULL) {
		tv->tv_sec = now / 1000000000;
		tv->tv_usec = (now % 1000000000) / 1000;
	}
	return 0;
}

MR_API clock_t
_times(struct tms *t)
{
	clock_t ticks = (clock_t)(mr_now() / (1000000000 / CLOCKS_PER_SEC));

	if (t != NULL) {
		t->tms_utime = ticks;
		t->tms_stime = t->tms_cutime = t->tms_cstime = 0;
	}
	return ticks;
}

MR_API int
_unlink(const char *path)
{
	(void)path;
	return fail(ENOSYS);
}

MR_API int
_link(const char *old, const char *new)
{
	(void)old;
	(void)new;
	return fail(ENOSYS);
}

MR_API int
_stat(const char *path, struct stat *st)
{
	(void)path;
	(void)st;
	return fail(ENOSYS);
}

MR_API int
_fork(void)
{
	return fail(ENOSYS);
}

MR_API int
_execve(const char *path, char *const argv[],
	  char *const envp[])
{
	(void)path;
	(void)argv;
	(void)envp;
	return fail(ENOSYS);
}

MR_API int
_wait(int *status)
{
	(void)status;
	return fail(ENOSYS);
}
