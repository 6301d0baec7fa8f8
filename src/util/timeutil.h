/* timeutil.h — clocks and human-readable times and durations. */
#ifndef PGSHUTTLE_UTIL_TIMEUTIL_H
#define PGSHUTTLE_UTIL_TIMEUTIL_H

#include <stddef.h>

/* Seconds on a monotonic clock: for intervals and rates. */
double time_now(void);
/* Seconds since the Unix epoch: for timestamps shown to people. */
double time_wall(void);
/* ISO 8601 local time with milliseconds and offset, e.g. 2026-11-24T17:01:02.345+00:00. */
void time_format_iso(double wall, char *out, size_t outlen);
/* A duration as 0.4s, 12.3s, 4m05s, 2h03m, 3d04h; negative or NaN as "-". */
void time_format_duration(double secs, char *out, size_t outlen);
/* Sleeps for secs (fractions allowed), resuming after signals. */
void time_sleep(double secs);

#endif
