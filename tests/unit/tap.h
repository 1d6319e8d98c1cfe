/*
 * tap.h: the Test Anything Protocol, as much of it as the unit tests need.
 *
 *	ok(cond, "what it checks %d", n);
 *	is_int(got, want, "name");
 *	is_str(got, want, "name");
 *	return done_testing();
 *
 * Results go to stdout, diagnostics to stderr as "# " lines. done_testing()
 * prints the plan and returns the exit status: nonzero if any test failed.
 * Header-only: each test program is a single file.
 */
#ifndef MIRARI_TAP_H
#define MIRARI_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int tap_run, tap_failed;

static void tap_diag(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static void
tap_diag(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("# ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int tap_ok(int pass, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int
tap_ok(int pass, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	tap_run++;
	if (!pass)
		tap_failed++;
	printf("%sok %d - ", pass ? "" : "not ", tap_run);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!pass)
		tap_diag("failed at %s:%d", file, line);
	return pass;
}

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

static inline void
tap_is_int(long long got, long long want, const char *file, int line,
	   const char *name)
{
	if (!tap_ok(got == want, file, line, "%s", name))
		tap_diag("got %lld, want %lld", got, want);
}

static inline void
tap_is_str(const char *got, const char *want, const char *file, int line,
	   const char *name)
{
	bool same = got != NULL && want != NULL ? strcmp(got, want) == 0 :
	    got == want;

	if (!tap_ok(same, file, line, "%s", name))
		tap_diag("got '%s', want '%s'", got ? got : "(null)",
			 want ? want : "(null)");
}

#define is_int(got, want, name) \
	tap_is_int((long long)(got), (long long)(want), __FILE__, __LINE__, \
		   name)
#define is_str(got, want, name) \
	tap_is_str(got, want, __FILE__, __LINE__, name)

static int
done_testing(void)
{
	printf("1..%d\n", tap_run);
	fflush(stdout);
	if (tap_failed)
		tap_diag("%d of %d tests failed", tap_failed, tap_run);
	return tap_failed != 0;
}

#endif /* MIRARI_TAP_H */
