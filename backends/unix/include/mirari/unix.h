/*
 * mirari/unix.h: what the Unix backend offers beyond mirari/plat.h.
 */
#ifndef MIRARI_UNIX_H
#define MIRARI_UNIX_H

#include <mirari/app.h>

/*
 * The process entry point, called by the generated main(): turns argv[1..]
 * into a command line of key=value words (quoting words that contain
 * spaces), answers --help with the list of parameters, then mr_boot(app).
 */
MR_API MR_NORETURN void mr_unix_main(int argc, char **argv,
				     const struct mr_app *app);

/*
 * Open an event source for file descriptor (fd), ready when poll(2) reports
 * any of (events) (POLLIN, POLLOUT). Returns a handle for mr_source_event(),
 * or -1 when none is left. The caller keeps owning (fd) and must close the
 * handle with mr_unix_fd_close() before closing (fd). poll(2) is
 * level-triggered: while (fd) stays ready and nobody consumes what is
 * ready, the scheduler does not sleep, so keep a handle open only while a
 * thread reads from (or writes to) its descriptor.
 */
MR_API int mr_unix_fd_open(int fd, short events);
MR_API void mr_unix_fd_close(int handle);

#endif /* MIRARI_UNIX_H */
