/*
 * utc_time.h — times as the API writes and reads them: ISO 8601 in UTC,
 * "2026-12-07T09:00:00Z" (whole seconds), for the migration resource and
 * the migration window.
 */
#ifndef PGSHUTTLE_MODEL_UTC_TIME_H
#define PGSHUTTLE_MODEL_UTC_TIME_H

#include <stdbool.h>
#include <stddef.h>

#define UTC_TIME_SIZE 32

/* Writes wall (seconds since the epoch) as "YYYY-MM-DDTHH:MM:SSZ" into out. */
void utc_time_format(double wall, char *out, size_t outlen);

/*
 * Reads "YYYY-MM-DDTHH:MM:SS[.fraction]" followed by "Z" or "+00:00" into
 * *wall (seconds since the epoch). Strict: any other form, an offset other
 * than UTC or an impossible date (2026-02-30) gives false.
 */
bool utc_time_parse(const char *text, double *wall) __attribute__((warn_unused_result));

#endif
