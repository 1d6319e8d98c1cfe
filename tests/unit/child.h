/*
 * child.h: run a piece of a test in a child process, for what ends a
 * process (a panic, a deadlock report, mr_exit) or needs a fresh one.
 */
#ifndef MIRARI_CHILD_H
#define MIRARI_CHILD_H

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct child {
	int status;		/* as waitpid(2) reports it */
	char out[8192];		/* what it wrote to stdout, NUL-terminated */
	char err[8192];		/* ... and to stderr */
};

static inline void
child_slurp(FILE *f, char *buf, size_t len)
{
	size_t n;

	rewind(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

/*
 * Run fn(arg) in a child process whose stdout and stderr go to temporary
 * files, wait for it and fill (c). If fn returns, the child exits with 0.
 */
static inline void
child_run(struct child *c, void (*fn)(void *), void *arg)
{
	FILE *out = tmpfile(), *err = tmpfile();
	pid_t pid;

	if (out == NULL || err == NULL) {
		perror("tmpfile");
		exit(1);
	}
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) < 0) {
		perror("fork");
		exit(1);
	}
	if (pid == 0) {
		dup2(fileno(out), STDOUT_FILENO);
		dup2(fileno(err), STDERR_FILENO);
		fn(arg);
		exit(0);
	}
	waitpid(pid, &c->status, 0);
	child_slurp(out, c->out, sizeof c->out);
	child_slurp(err, c->err, sizeof c->err);
}

static inline bool
child_aborted(const struct child *c)
{
	return WIFSIGNALED(c->status) && WTERMSIG(c->status) == SIGABRT;
}

static inline int
child_exit_status(const struct child *c)
{
	return WIFEXITED(c->status) ? WEXITSTATUS(c->status) : -1;
}

#endif /* MIRARI_CHILD_H */
