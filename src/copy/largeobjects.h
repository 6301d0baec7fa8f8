/*
 * largeobjects.h — copying large objects (pg_largeobject) with their owner,
 * privileges and comments; pg_dump's schema-only mode and COPY do not carry them.
 */
#ifndef PGSHUTTLE_COPY_LARGEOBJECTS_H
#define PGSHUTTLE_COPY_LARGEOBJECTS_H

#include "copy/catalog.h"
#include "pg/pgconn.h"
#include "util/buf.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * Copies the large objects of cat from src (inside the snapshot) to dst,
 * from position *next on, in chunks, each object in its own target
 * transaction. Owners and grantees missing on the target are added to
 * missing_roles (caller's list) and skipped. Adds the bytes written to
 * *bytes as they go. On failure *next is the position of the object that
 * failed (the ones before it are committed) and *pending how many of the
 * bytes added belong to it: a caller that retries takes them back unless
 * the object turns out committed (a connection lost at COMMIT).
 */
bool copy_large_objects(pgconn *src, pgconn *dst, const struct copy_catalog *cat,
                        const strlist *target_roles, strlist *missing_roles, _Atomic int64_t *bytes,
                        int *next, int64_t *pending) __attribute__((warn_unused_result));

#endif
