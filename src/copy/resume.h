/*
 * resume.h — after a target session of the data phase was lost: what it
 * had already committed, so that a retry neither repeats nor skips work.
 *
 * The loss can come right after the server committed and before its reply
 * reached pgshuttle. Each check runs on the new session and tells the
 * caller whether the lost work is on the target: a part's transaction by
 * its transaction ID (txid_status), an index or a constraint by its name,
 * a large object by its OID.
 */
#ifndef PGSHUTTLE_COPY_RESUME_H
#define PGSHUTTLE_COPY_RESUME_H

#include "copy/catalog.h"
#include "pg/pgconn.h"

#include <stdbool.h>
#include <stdint.h>

/*
 * Whether transaction xid (from txid_current()) committed. Waits while it is
 * still in progress (a terminated backend finishing its commit), and fails
 * (logged) when it still is after 30 s.
 */
bool copy_resume_committed(pgconn *dst, int64_t xid, bool *committed) PG_WUR;

/*
 * Whether index x exists, valid, on the target (*built), and whether its
 * constraint does (*constrained). An invalid index (a failed CREATE INDEX
 * CONCURRENTLY or a build cut short) is dropped so it is built again.
 */
bool copy_resume_index(pgconn *dst, const struct copy_catalog *cat, const struct cat_index *x,
                       bool *built, bool *constrained) PG_WUR;

/* Whether table qtable (qualified, quoted) has a constraint called name. */
bool copy_resume_constraint(pgconn *dst, const char *qtable, const char *name, bool *exists) PG_WUR;

/* Whether large object oid exists on the target. */
bool copy_resume_large_object(pgconn *dst, uint32_t oid, bool *exists) PG_WUR;

#endif
