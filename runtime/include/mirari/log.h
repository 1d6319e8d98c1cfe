/*
 * mirari/log.h: logging, panic and exit.
 *
 * Log lines go to the platform console (stderr on Unix, the Xen console
 * ring on Xen) as
 *
 *	[   12.000345] info main: message
 *
 * with the time since boot, the level and the name of the running thread.
 * Lines above the current level cost one comparison. The level starts at the
 * compile-time option runtime.log_level and can be changed at boot with the
 * runtime parameter log=LEVEL.
 */
#ifndef MIRARI_LOG_H
#define MIRARI_LOG_H

#include <stdarg.h>

#include <mirari/base.h>

/* The order matches the option runtime.log_level: error, warn, info, debug. */
enum mr_log_level {
	MR_LOG_ERROR = 0,
	MR_LOG_WARN = 1,
	MR_LOG_INFO = 2,
	MR_LOG_DEBUG = 3
};

MR_API void mr_log(enum mr_log_level level, const char *fmt, ...)
	MR_PRINTF(2, 3);
MR_API void mr_vlog(enum mr_log_level level, const char *fmt, va_list ap);
MR_API void mr_log_set_level(enum mr_log_level level);
MR_API enum mr_log_level mr_log_level(void);
/*
 * How many error lines were logged so far. A caller that reports a failure
 * of a call whose callee may already have said why compares it before and
 * after, so that every failure is explained once, not twice.
 */
MR_API unsigned long mr_log_errors(void);

#define mr_error(...)	mr_log(MR_LOG_ERROR, __VA_ARGS__)
#define mr_warn(...)	mr_log(MR_LOG_WARN, __VA_ARGS__)
#define mr_info(...)	mr_log(MR_LOG_INFO, __VA_ARGS__)
#define mr_debug(...)	mr_log(MR_LOG_DEBUG, __VA_ARGS__)

/*
 * Print "panic: MESSAGE" with the running thread's name and crash: on Unix
 * the process aborts (a debugger or core dump catches it), on Xen the domain
 * shuts down with reason crash. For broken invariants, not for bad input.
 */
MR_API MR_NORETURN void mr_panic(const char *fmt, ...) MR_PRINTF(1, 2);

/*
 * End the application now with (status): 0 is a clean exit (Unix exit
 * status 0, Xen poweroff), anything else a failure. Threads still running
 * are abandoned. Returning from every handler with no timer left armed and
 * no handler registration left (a xenstore watch, a listening socket) is
 * the same as mr_exit(0).
 */
MR_API MR_NORETURN void mr_exit(int status);

#endif /* MIRARI_LOG_H */
