/*
 * snapshot.h — one consistent view of the source for a whole database copy.
 *
 * The exporting connection opens a REPEATABLE READ transaction and exports
 * its snapshot; it must stay open (and idle) until every copy worker and
 * pg_dump has imported it. Workers import it as the first statement of
 * their own transaction, which then sees exactly the same data.
 */
#ifndef PGSHUTTLE_COPY_SNAPSHOT_H
#define PGSHUTTLE_COPY_SNAPSHOT_H

#include "pg/pgconn.h"

#include <stdbool.h>

struct copy_snapshot {
    pgconn *holder; /* owned: the exporting connection, inside its transaction */
    char *name;     /* owned: the snapshot identifier */
};

/* Opens a connection with conninfo and exports a snapshot from it. */
bool copy_snapshot_export(const char *conninfo, const char *label, struct copy_snapshot *snap)
    __attribute__((warn_unused_result));
/* Starts a read-only REPEATABLE READ transaction on c that uses snapshot name. */
bool copy_snapshot_import(pgconn *c, const char *name) __attribute__((warn_unused_result));
/* Ends the exporting transaction and closes its connection. */
void copy_snapshot_release(struct copy_snapshot *snap);

#endif
