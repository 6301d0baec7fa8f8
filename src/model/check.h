/*
 * check.h — the result of one validation check, and a list of them.
 *
 * A result says where (scope: "instance" or a database name), which check,
 * how it came out (Succeeded / Warning / Failed), how long it took, what it
 * found (naming the offending objects) and what to do about it.
 */
#ifndef PGSHUTTLE_MODEL_CHECK_H
#define PGSHUTTLE_MODEL_CHECK_H

#include "model/status.h"

#include <stddef.h>

struct check_result {
    char *scope; /* owned: "instance" or the database name */
    char *name;  /* owned: the check's name */
    enum check_status status;
    double seconds;
    char *message;     /* owned: what was found, never NULL */
    char *remediation; /* owned: the SQL or setting that fixes it, or NULL */
};

struct check_results {
    struct check_result *items; /* owned array */
    size_t n;
    size_t cap;
};

#define CHECK_RESULTS_INIT                                                                         \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }

/* Appends a result (strings are copied). */
void check_results_add(struct check_results *r, const char *scope, const char *name,
                       enum check_status status, double seconds, const char *message,
                       const char *remediation);
/* The worst status in the list (Succeeded when empty). */
enum check_status check_results_worst(const struct check_results *r);
size_t check_results_count(const struct check_results *r, enum check_status status);
void check_results_free(struct check_results *r);

#endif
