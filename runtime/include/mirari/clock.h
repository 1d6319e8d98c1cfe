/* mirari/clock.h: monotonic and wall-clock time. */
#ifndef MIRARI_CLOCK_H
#define MIRARI_CLOCK_H

#include <mirari/base.h>

/* Nanoseconds since boot. Never goes backwards. */
MR_API mr_time_t mr_now(void);

/* Nanoseconds since the Unix epoch, as the platform knows it (may jump). */
MR_API mr_time_t mr_wallclock(void);

#endif /* MIRARI_CLOCK_H */
