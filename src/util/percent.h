/*
 * percent.h — %XX escapes, as URLs and libpq's connection URIs write bytes.
 * The decoders (the API's of a request's path and query, pg's of a URI's
 * parts) differ in what they do with a bad escape; what an escape is, is
 * read here.
 */
#ifndef PGSHUTTLE_UTIL_PERCENT_H
#define PGSHUTTLE_UTIL_PERCENT_H

#include <stddef.h>

/*
 * The byte the escape at s[i] (a '%' of s, n bytes long) stands for, or -1
 * if it is none: fewer than two hex digits follow it within s, or it is %00
 * (which libpq rejects and which would cut a C string short).
 */
int percent_escape_at(const char *s, size_t n, size_t i);

/* The value of hex digit c (0-9, a-f, A-F), or -1 if it is none. */
int percent_hex_value(char c);

#endif
