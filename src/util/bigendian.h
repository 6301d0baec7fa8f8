/*
 * bigendian.h — unsigned integers in network byte order, as PostgreSQL's
 * protocol and binary formats carry them.
 */
#ifndef PGSHUTTLE_UTIL_BIGENDIAN_H
#define PGSHUTTLE_UTIL_BIGENDIAN_H

#include <stddef.h>
#include <stdint.h>

/* The n (at most 8) bytes at p, most significant first. */
static inline uint64_t be_load(const unsigned char *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

/* The low n (at most 8) bytes of v into p, most significant first. */
static inline void be_store(unsigned char *p, uint64_t v, size_t n)
{
    for (size_t i = n; i-- > 0;) {
        p[i] = (unsigned char) (v & 0xff);
        v >>= 8;
    }
}

#endif
