/* utc_time.c — ISO 8601 UTC text to and from epoch seconds (see utc_time.h). */
#include "model/utc_time.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

void utc_time_format(double wall, char *out, size_t outlen)
{
    time_t t = (time_t) floor(wall);
    struct tm tm;
    if (gmtime_r(&t, &tm) == NULL || strftime(out, outlen, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(out, outlen, "?");
}

/* n digits at *p into *out; advances *p. */
static bool digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char) (*p)[i]))
            return false;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return true;
}

static bool expect(const char **p, char c)
{
    if (**p != c)
        return false;
    (*p)++;
    return true;
}

bool utc_time_parse(const char *text, double *wall)
{
    if (text == NULL)
        return false;
    const char *p = text;
    int year, mon, day, hour, min, sec;
    if (!digits(&p, 4, &year) || !expect(&p, '-') || !digits(&p, 2, &mon) || !expect(&p, '-') ||
        !digits(&p, 2, &day) || !expect(&p, 'T') || !digits(&p, 2, &hour) || !expect(&p, ':') ||
        !digits(&p, 2, &min) || !expect(&p, ':') || !digits(&p, 2, &sec))
        return false;
    double fraction = 0, scale = 0.1;
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char) *p))
            return false;
        while (isdigit((unsigned char) *p)) {
            fraction += (*p - '0') * scale;
            scale /= 10;
            p++;
        }
    }
    if (strcmp(p, "Z") != 0 && strcmp(p, "+00:00") != 0)
        return false;
    if (year < 1970 || mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 ||
        sec > 59)
        return false;
    struct tm tm = {.tm_year = year - 1900,
                    .tm_mon = mon - 1,
                    .tm_mday = day,
                    .tm_hour = hour,
                    .tm_min = min,
                    .tm_sec = sec};
    time_t t = timegm(&tm);
    /* timegm normalises 2026-02-30 into March: refuse what it had to move */
    struct tm back;
    if (t == (time_t) -1 || gmtime_r(&t, &back) == NULL || back.tm_mday != day ||
        back.tm_mon != mon - 1)
        return false;
    *wall = (double) t + fraction;
    return true;
}
