/*
 * stop.c: how a Unix image is asked to stop, and what it survives.
 *
 * SIGINT, SIGTERM and SIGHUP are the process's `xl shutdown`: the handler
 * only writes the signal's number into a pipe, and the poll hook below sees
 * the pipe readable in the idle path, where the image ends as it would on
 * a poweroff, with the status a shell expects of a process stopped by that
 * signal (128 + the signal's number: 130 for Ctrl-C, 143 for SIGTERM), so
 * that stdio is flushed and the sanitizers' exit-time checks run. An image
 * whose threads never go idle cannot stop that way: the third signal ends
 * it at once, as if nothing were installed.
 *
 * SIGPIPE is ignored. A write to a socket whose peer has reset it
 * (libslirp's send(2) of the answer to a forwarded connection that a client
 * abandoned), or to a console pipe whose reader has gone, then fails with
 * EPIPE and the writer handles it, instead of the whole image being killed
 * by a client. QEMU, libslirp's main user, does the same.
 *
 * Started by `mirari run`, which names itself in MIRARI_RUN_PARENT, the
 * image also asks the kernel for a SIGTERM when that parent dies, however
 * it dies (kill PID, timeout(1), systemd, SIGKILL): a supervisor that is
 * gone must not leave its image running, holding its ports.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <mirari/log.h>

#include "backend.h"

static int stop_pipe[2] = { -1, -1 };
static volatile sig_atomic_t stop_count;
static int stop_index = -1;

static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };

static void
on_stop(int sig)
{
	unsigned char b = (unsigned char)sig;
	int saved = errno;

	if (++stop_count >= 3) {
		signal(sig, SIG_DFL);
		raise(sig);
	}
	/* A full pipe already holds a request: dropping this one is fine. */
	(void)!write(stop_pipe[1], &b, 1);
	errno = saved;
}

static const char *
signal_name(int sig)
{
	switch (sig) {
	case SIGINT:	return "SIGINT";
	case SIGTERM:	return "SIGTERM";
	case SIGHUP:	return "SIGHUP";
	}
	return "a signal";
}

static void
stop_fill(void *arg, mr_time_t *deadline, uint64_t *ready)
{
	(void)arg;
	(void)deadline;
	(void)ready;
	stop_index = poll_add(stop_pipe[0], POLLIN);
}

static void
stop_dispatch(void *arg, bool error, uint64_t *ready)
{
	unsigned char b;

	(void)arg;
	(void)error;
	(void)ready;
	if ((poll_revents(stop_index) & POLLIN) == 0)
		return;
	if (read(stop_pipe[0], &b, 1) != 1)
		return;
	mr_info("stopping: %s", signal_name(b));
	mr_exit(128 + b);
}

static struct poll_hook stop_hook = { stop_fill, stop_dispatch, NULL, NULL };

void
stop_install(void)
{
	struct sigaction sa;
	const char *parent;
	size_t i;

	signal(SIGPIPE, SIG_IGN);

	if (pipe2(stop_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		mr_panic("pipe: %s", strerror(errno));
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a signal that lands in poll(2) ends it at once. */
	for (i = 0; i < sizeof stop_signals / sizeof stop_signals[0]; i++)
		sigaction(stop_signals[i], &sa, NULL);
	poll_hook_add(&stop_hook);

	/*
	 * The parent may have died before the request reached the kernel:
	 * then the image is already orphaned and stops as if told to.
	 */
	if ((parent = getenv("MIRARI_RUN_PARENT")) != NULL) {
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0)
			mr_warn("cannot follow mirari run: prctl: %s",
				strerror(errno));
		else if (getppid() != (pid_t)strtol(parent, NULL, 10))
			raise(SIGTERM);
		unsetenv("MIRARI_RUN_PARENT");
	}
}
