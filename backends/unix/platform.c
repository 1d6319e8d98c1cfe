/*
 * platform.c: mirari/plat.h for an ordinary Linux process.
 *
 * The console is stderr, the clocks are clock_gettime's, thread stacks are
 * anonymous mappings, and mr_plat_block is one poll(2) over the file
 * descriptors that drivers registered with mr_unix_fd_open(), and those
 * that poll hooks (backend.h: libslirp's sockets) add for one round.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <mirari/plat.h>
#include <mirari/log.h>
#include <mirari/unix.h>

#include "backend.h"

/* One page, below each thread stack. */

void
mr_plat_console_write(const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(STDERR_FILENO, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;		/* nowhere to complain: drop it */
		buf += n;
		len -= (size_t)n;
	}
}

static mr_time_t
clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return MR_SEC(ts.tv_sec) + ts.tv_nsec;
}

/* Boot is the first time anyone asks; mr_unix_main asks first thing. */
mr_time_t
mr_plat_clock_monotonic(void)
{
	static mr_time_t origin = -1;
	mr_time_t now = clock_ns(CLOCK_MONOTONIC);

	if (origin < 0)
		origin = now;
	return now - origin;
}

mr_time_t
mr_plat_clock_wall(void)
{
	return clock_ns(CLOCK_REALTIME);
}

/* Registered descriptors, by handle; a slot whose events are 0 is free. */
static struct pollfd watched[MR_PLAT_HANDLES];

int
mr_unix_fd_open(int fd, short events)
{
	int h;

	if ((h = mr_source_open()) < 0)
		return -1;
	watched[h].fd = fd;
	watched[h].events = events;
	return h;
}

void
mr_unix_fd_close(int h)
{
	mr_source_close(h);
	watched[h].events = 0;
}

/*
 * poll(2) counts in milliseconds, so the timeout is rounded up: waking a
 * little late is harmless, waking early would make the scheduler come
 * straight back here and spin until the deadline.
 */
static int
timeout_ms(mr_time_t deadline)
{
	mr_time_t now, ms;

	if (deadline == MR_FOREVER)
		return -1;
	now = mr_plat_clock_monotonic();
	if (deadline <= now)
		return 0;
	ms = (deadline - now + MR_MSEC(1) - 1) / MR_MSEC(1);
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

/*
 * This round's pollfd array: the registered handles first, then what the
 * hooks add. The handles always fit in the static array; a round with
 * more descriptors (a slirp device adds one per connection it forwards)
 * moves to a heap array that is kept for the next rounds.
 */
static struct pollfd first_fds[MR_PLAT_HANDLES];
static struct pollfd *round_fds = first_fds;
static size_t round_n, round_size = MR_PLAT_HANDLES;
static struct poll_hook *hooks;

void
poll_hook_add(struct poll_hook *hook)
{
	hook->next = hooks;
	hooks = hook;
}

int
poll_add(int fd, short events)
{
	struct pollfd *p;
	size_t size;

	if (round_n == round_size) {
		size = round_size * 2;
		if (round_fds == first_fds) {
			if ((p = malloc(size * sizeof(*p))) != NULL)
				memcpy(p, first_fds, sizeof(first_fds));
		} else {
			p = realloc(round_fds, size * sizeof(*p));
		}
		if (p == NULL)
			return -1;
		round_fds = p;
		round_size = size;
	}
	round_fds[round_n].fd = fd;
	round_fds[round_n].events = events;
	round_fds[round_n].revents = 0;
	return (int)round_n++;
}

short
poll_revents(int index)
{
	return index >= 0 && (size_t)index < round_n ? round_fds[index].revents
						      : 0;
}

void
mr_plat_block(mr_time_t deadline, uint64_t *ready)
{
	int handles[MR_PLAT_HANDLES];
	struct poll_hook *hook;
	size_t i, nhandles = 0;
	int h, rc;

	round_n = 0;	/* the handles fit in first_fds: poll_add cannot fail */
	for (h = 0; h < MR_PLAT_HANDLES; h++) {
		if (watched[h].events != 0) {
			(void)poll_add(watched[h].fd, watched[h].events);
			handles[nhandles++] = h;
		}
	}
	*ready = 0;
	for (hook = hooks; hook != NULL; hook = hook->next)
		hook->fill(hook->arg, &deadline, ready);
	rc = poll(round_fds, round_n, *ready != 0 ? 0 : timeout_ms(deadline));
	if (rc < 0 && errno != EINTR)
		mr_panic("poll: %s", strerror(errno));
	for (i = 0; rc > 0 && i < nhandles; i++)
		if (round_fds[i].revents != 0)
			*ready |= UINT64_C(1) << handles[i];
	for (hook = hooks; hook != NULL; hook = hook->next)
		hook->dispatch(hook->arg, rc < 0, ready);
}

/*
 * The whole mapping is made inaccessible first and the stack opened up
 * above the guard page, so there is no moment when the guard is usable.
 */
void *
mr_plat_stack_alloc(size_t size)
{
	char *p;

	p = mmap(NULL, size + MR_PLAT_GUARD_SIZE, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	if (mprotect(p + MR_PLAT_GUARD_SIZE, size, PROT_READ | PROT_WRITE) < 0) {
		munmap(p, size + MR_PLAT_GUARD_SIZE);
		return NULL;
	}
	return p + MR_PLAT_GUARD_SIZE;
}

void
mr_plat_stack_free(void *base, size_t size)
{
	munmap((char *)base - MR_PLAT_GUARD_SIZE, size + MR_PLAT_GUARD_SIZE);
}

/*
 * exit(3), not _exit(2): the application's printf output is buffered by
 * stdio and must reach its destination, and the sanitizers' exit-time
 * checks (LeakSanitizer) must run.
 */
void
mr_plat_exit(int status)
{
	exit(status);
}

void
mr_plat_crash(void)
{
	fflush(NULL);
	abort();
}

const char *
mr_plat_target(void)
{
	return "unix";
}

/* glibc's malloc manages the heap of a Unix process. */
void *
mr_plat_heap(size_t *size)
{
	*size = 0;
	return NULL;
}
