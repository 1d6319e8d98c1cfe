/*
 * log.c: logging, panic and exit, and the small services of base.h and
 * clock.h that are plain calls into the platform.
 */
#include <stdio.h>
#include <string.h>

#include "runtime.h"

/* A line longer than this is cut and ends with "...". */
#define LOG_LINE_MAX 512

static enum mr_log_level log_level = MR_CFG_RUNTIME_LOG_LEVEL;

static const char *const level_names[] = {
	[MR_LOG_ERROR] = "error",
	[MR_LOG_WARN] = "warn",
	[MR_LOG_INFO] = "info",
	[MR_LOG_DEBUG] = "debug",
};

const char *
log_level_name(enum mr_log_level level)
{
	return level_names[level];
}

/* The level called (name), or -1. */
int
log_level_parse(const char *name)
{
	int i;

	for (i = MR_LOG_ERROR; i <= MR_LOG_DEBUG; i++)
		if (strcmp(name, level_names[i]) == 0)
			return i;
	return -1;
}

/*
 * Assemble one line in a buffer on the stack and hand it to the console in
 * one write, so that lines from the runtime and from a crash report never
 * interleave and logging needs no memory allocation.
 */
static void
emit(const char *level, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];
	size_t len, room = sizeof line - 1;	/* keep one byte for '\n' */
	mr_time_t now = mr_plat_clock_monotonic();
	int n;

	n = snprintf(line, room, "[%5lld.%06lld] %s %s: ",
		     (long long)(now / MR_SEC(1)),
		     (long long)(now % MR_SEC(1) / MR_USEC(1)), level,
		     mr_thread_name(sched.current));
	len = n < 0 ? 0 : (size_t)n < room ? (size_t)n : room - 1;
	n = vsnprintf(line + len, room - len, fmt, ap);
	if (n > 0 && (size_t)n >= room - len) {
		len = room - 1;
		memcpy(line + len - 3, "...", 3);
	} else if (n > 0) {
		len += (size_t)n;
	}
	line[len++] = '\n';
	mr_plat_console_write(line, len);
}

static unsigned long errors_logged;

void
mr_vlog(enum mr_log_level level, const char *fmt, va_list ap)
{
	if (level == MR_LOG_ERROR)
		errors_logged++;
	if (level <= log_level)
		emit(level_names[level], fmt, ap);
}

void
mr_log(enum mr_log_level level, const char *fmt, ...)
{
	va_list ap;

	if (level == MR_LOG_ERROR)
		errors_logged++;
	if (level > log_level)
		return;
	va_start(ap, fmt);
	emit(level_names[level], fmt, ap);
	va_end(ap);
}

void
mr_log_set_level(enum mr_log_level level)
{
	if (level >= MR_LOG_ERROR && level <= MR_LOG_DEBUG)
		log_level = level;
}

enum mr_log_level
mr_log_level(void)
{
	return log_level;
}

unsigned long
mr_log_errors(void)
{
	return errors_logged;
}

void
mr_panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit("panic", fmt, ap);
	va_end(ap);
	mr_plat_crash();
}

void
mr_exit(int status)
{
	mr_plat_exit(status);
}

const char *
mr_strerror(mr_result_t result)
{
	switch (result) {
	case MR_OK:		return "success";
	case MR_EAGAIN:		return "try again";
	case MR_ETIMEDOUT:	return "timed out";
	case MR_EINVAL:		return "invalid argument";
	case MR_ENOMEM:		return "out of memory";
	case MR_ENOENT:		return "no such entry";
	case MR_EUNSPEC:	return "unspecified error";
	}
	return "unknown error";
}

mr_time_t
mr_now(void)
{
	return mr_plat_clock_monotonic();
}

mr_time_t
mr_wallclock(void)
{
	return mr_plat_clock_wall();
}
