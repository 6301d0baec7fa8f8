/* timeutil.c — clocks and human-readable times (see timeutil.h). */
#include "util/timeutil.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <time.h>

double time_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

double time_wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

void time_format_iso(double wall, char *out, size_t outlen)
{
    time_t secs = (time_t) wall;
    int ms = (int) ((wall - (double) secs) * 1000.0);
    struct tm tm;
    localtime_r(&secs, &tm);
    char base[32], zone[8];
    strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
    strftime(zone, sizeof(zone), "%z", &tm); /* +hhmm */
    snprintf(out, outlen, "%s.%03d%.3s:%.2s", base, ms, zone, zone + 3);
}

void time_format_duration(double secs, char *out, size_t outlen)
{
    if (isnan(secs) || secs < 0) {
        snprintf(out, outlen, "-");
        return;
    }
    if (secs < 60) {
        snprintf(out, outlen, "%.1fs", secs);
        return;
    }
    long s = (long) (secs + 0.5);
    if (s < 3600)
        snprintf(out, outlen, "%ldm%02lds", s / 60, s % 60);
    else if (s < 86400)
        snprintf(out, outlen, "%ldh%02ldm", s / 3600, (s % 3600) / 60);
    else
        snprintf(out, outlen, "%ldd%02ldh", s / 86400, (s % 86400) / 3600);
}

void time_sleep(double secs)
{
    struct timespec ts = {(time_t) secs, (long) ((secs - (double) (time_t) secs) * 1e9)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}
