/*
 * mem.h — allocation helpers that never return NULL.
 *
 * Out of memory is not a condition pgshuttle tries to survive: these print a
 * message and abort, so callers never carry an allocation error path.
 */
#ifndef PGSHUTTLE_UTIL_MEM_H
#define PGSHUTTLE_UTIL_MEM_H

#include <stdarg.h>
#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *ptr, size_t size);
/* Returns a copy of s (NULL stays NULL); the caller frees it. */
char *xstrdup(const char *s);
/* Returns a newly allocated formatted string; the caller frees it. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same with a va_list (ap is left unusable, as with vsnprintf). Caller frees. */
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

#endif
