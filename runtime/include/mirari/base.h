/*
 * mirari/base.h: types and conventions shared by every mirari header.
 *
 * Every public symbol is prefixed mr_ and marked MR_API; everything else in
 * the runtime, the backends and the libraries is compiled with hidden
 * visibility and localised when its archive is built, so an application sees
 * exactly this API and nothing more.
 */
#ifndef MIRARI_BASE_H
#define MIRARI_BASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MR_API          __attribute__((visibility("default")))
#define MR_NORETURN     __attribute__((noreturn))
#define MR_PRINTF(f, a) __attribute__((format(printf, f, a)))

/*
 * Time is a signed count of nanoseconds. Monotonic times count from boot;
 * MR_FOREVER is a deadline that never passes.
 */
typedef int64_t mr_time_t;

#define MR_NSEC(n)  ((mr_time_t)(n))
#define MR_USEC(n)  ((mr_time_t)(n) * 1000)
#define MR_MSEC(n)  ((mr_time_t)(n) * 1000000)
#define MR_SEC(n)   ((mr_time_t)(n) * 1000000000)
#define MR_FOREVER  INT64_MAX

/*
 * Results. Functions that can fail return one of these; callers may rely on
 * the meaning given here and on nothing else (in particular, not on errno).
 */
typedef enum mr_result {
	MR_OK = 0,	/* success */
	MR_EAGAIN,	/* nothing available now; try again later */
	MR_ETIMEDOUT,	/* the deadline passed first */
	MR_EINVAL,	/* an argument was invalid */
	MR_ENOMEM,	/* out of memory or out of a fixed resource */
	MR_ENOENT,	/* no such thing (parameter, device, file) */
	MR_EUNSPEC	/* anything else */
} mr_result_t;

/* A short constant description of (result), e.g. "timed out". */
MR_API const char *mr_strerror(mr_result_t result);

#endif /* MIRARI_BASE_H */
