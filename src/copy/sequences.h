/*
 * sequences.h — carrying sequence positions (last_value and is_called) from
 * the source to the target, since schema dumps and COPY do not.
 */
#ifndef PGSHUTTLE_COPY_SEQUENCES_H
#define PGSHUTTLE_COPY_SEQUENCES_H

#include "copy/catalog.h"
#include "pg/pgconn.h"

#include <stdbool.h>

/* Reads every sequence of cat on src and sets it on dst. */
bool copy_sequences(pgconn *src, pgconn *dst, const struct copy_catalog *cat)
    __attribute__((warn_unused_result));

#endif
