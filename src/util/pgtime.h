/*
 * pgtime.h — PostgreSQL's date and timestamp text (DateStyle ISO, as the
 * server prints them) read into the values its binary formats carry.
 *
 *   date         YYYY-MM-DD[ BC]                            days since 2000-01-01
 *   timestamp    YYYY-MM-DD HH:MM:SS[.ffffff][ BC]          µs since 2000-01-01 00:00
 *   timestamptz  the same with an offset before any BC:     µs since 2000-01-01 00:00 UTC
 *                +HH[:MM[:SS]] or -HH[:MM[:SS]]
 *
 * Years have four digits or more; BC years count back from 1 BC (year 0 of
 * the proleptic Gregorian calendar). Anything else, "infinity" included, is
 * refused (false): the caller then keeps the text.
 */
#ifndef PGSHUTTLE_UTIL_PGTIME_H
#define PGSHUTTLE_UTIL_PGTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

bool pgtime_parse_date(const char *s, size_t len, int32_t *days);
/* with_offset: a timestamptz (the offset is required), else a timestamp (none allowed). */
bool pgtime_parse_timestamp(const char *s, size_t len, bool with_offset, int64_t *usecs);

#endif
