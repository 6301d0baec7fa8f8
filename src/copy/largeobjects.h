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
 * Copies every large object of cat from src (inside the snapshot) to dst,
 * in chunks, each object in its own target transaction. Owners and grantees
 * missing on the target are added to missing_roles (caller's list) and skipped.
 */
bool copy_large_objects(pgconn *src, pgconn *dst, const struct copy_catalog *cat,
                        const strlist *target_roles, strlist *missing_roles,
                        _Atomic int64_t *bytes) __attribute__((warn_unused_result));

#endif
