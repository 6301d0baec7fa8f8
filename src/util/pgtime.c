/*
 * pgtime.c — PostgreSQL's ISO date and timestamp text into binary values.
 *
 * Only the exact forms the server's output functions write are accepted;
 * being strict costs nothing, since whatever is refused travels as text.
 */
#include "util/pgtime.h"

/* Within the server's timestamp range (4714 BC .. 294276 AD) and far from int64's limits. */
#define MAX_YEAR    294276
#define MAX_BC_YEAR 4714
/* 2000-01-01, the server's epoch, counted from 1970-01-01. */
#define EPOCH_DAYS 10957

struct cursor {
    const char *p, *end;
};

/* Reads exactly n digits (n <= 9). */
static bool digits(struct cursor *c, int n, int *v)
{
    *v = 0;
    for (int i = 0; i < n; i++, c->p++) {
        if (c->p >= c->end || *c->p < '0' || *c->p > '9')
            return false;
        *v = *v * 10 + (*c->p - '0');
    }
    return true;
}

static bool accept(struct cursor *c, char ch)
{
    if (c->p < c->end && *c->p == ch) {
        c->p++;
        return true;
    }
    return false;
}

static bool accept_bc(struct cursor *c)
{
    if (c->end - c->p == 3 && c->p[0] == ' ' && c->p[1] == 'B' && c->p[2] == 'C') {
        c->p += 3;
        return true;
    }
    return false;
}

/* Days from 1970-01-01 to y-m-d (astronomical year) in the proleptic Gregorian calendar. */
static int64_t days_since_1970(int64_t y, int m, int d)
{
    if (m <= 2)
        y--;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t year_of_era = y - era * 400;              /* 0..399 */
    int64_t month_from_march = m > 2 ? m - 3 : m + 9; /* 0..11 */
    int64_t day_of_year = (153 * month_from_march + 2) / 5 + d - 1;
    int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + day_of_era - 719468;
}

static int days_in_month(int64_t y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

/* YYYY-MM-DD (four digits or more): the year as written, month and day checked later. */
static bool read_date(struct cursor *c, int *year, int *mon, int *day)
{
    int ndigits = 0;
    *year = 0;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9' && ndigits < 7) {
        *year = *year * 10 + (*c->p++ - '0');
        ndigits++;
    }
    return ndigits >= 4 && accept(c, '-') && digits(c, 2, mon) && accept(c, '-') &&
           digits(c, 2, day);
}

/* Days since 2000-01-01, the year made astronomical when bc; false when out of range. */
static bool date_days(int year, int mon, int day, bool bc, int64_t *days)
{
    if (year == 0 || year > (bc ? MAX_BC_YEAR : MAX_YEAR) || mon < 1 || mon > 12)
        return false;
    int64_t y = bc ? 1 - (int64_t) year : year;
    if (day < 1 || day > days_in_month(y, mon))
        return false;
    *days = days_since_1970(y, mon, day) - EPOCH_DAYS;
    return true;
}

bool pgtime_parse_date(const char *s, size_t len, int32_t *out)
{
    struct cursor c = {s, s + len};
    int year, mon, day;
    int64_t days;
    if (!read_date(&c, &year, &mon, &day))
        return false;
    bool bc = accept_bc(&c);
    if (c.p != c.end || !date_days(year, mon, day, bc, &days))
        return false;
    *out = (int32_t) days;
    return true;
}

/* [.f{1,6}] after the seconds, as µs. */
static bool read_fraction(struct cursor *c, int *usec)
{
    *usec = 0;
    if (!accept(c, '.'))
        return true;
    int nf = 0;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9' && nf < 6) {
        *usec = *usec * 10 + (*c->p++ - '0');
        nf++;
    }
    if (nf == 0)
        return false;
    for (; nf < 6; nf++)
        *usec *= 10;
    return true;
}

/* +HH[:MM[:SS]] or -HH[:MM[:SS]], as seconds east of UTC. */
static bool read_offset(struct cursor *c, int *secs)
{
    if (c->p >= c->end || (*c->p != '+' && *c->p != '-'))
        return false;
    int sign = *c->p++ == '-' ? -1 : 1, h, m = 0, s = 0;
    if (!digits(c, 2, &h))
        return false;
    if (accept(c, ':')) {
        if (!digits(c, 2, &m))
            return false;
        if (accept(c, ':') && !digits(c, 2, &s))
            return false;
    }
    if (m > 59 || s > 59)
        return false;
    *secs = sign * (h * 3600 + m * 60 + s);
    return true;
}

bool pgtime_parse_timestamp(const char *s, size_t len, bool with_offset, int64_t *usecs)
{
    struct cursor c = {s, s + len};
    int year, mon, day, hour, min, sec, usec, offset = 0;
    if (!read_date(&c, &year, &mon, &day) || !accept(&c, ' ') || !digits(&c, 2, &hour) ||
        !accept(&c, ':') || !digits(&c, 2, &min) || !accept(&c, ':') || !digits(&c, 2, &sec) ||
        !read_fraction(&c, &usec))
        return false;
    if (with_offset && !read_offset(&c, &offset))
        return false;
    bool bc = accept_bc(&c);
    int64_t days;
    if (c.p != c.end || hour > 23 || min > 59 || sec > 59 || !date_days(year, mon, day, bc, &days))
        return false;
    int64_t secs = days * 86400 + hour * 3600 + min * 60 + sec - offset; /* local = UTC + offset */
    *usecs = secs * 1000000 + usec;
    return true;
}
