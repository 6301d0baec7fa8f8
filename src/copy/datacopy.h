/*
 * datacopy.h — the parallel data phase of one database.
 *
 * N copy workers, each with a source connection inside the shared snapshot
 * and a target connection, take table parts largest first and stream them
 * with COPY. As soon as the last part of a table is in, its indexes and
 * constraints go to M index workers, then an ANALYZE of the table. Large
 * objects are copied by a copy worker like one more table. A foreign key is
 * added as soon as both of its tables are indexed. A target session lost
 * meanwhile reconnects and retries its item (never doing it twice); the
 * first other error stops everything and is returned with the table or
 * index it happened on.
 */
#ifndef PGSHUTTLE_COPY_DATACOPY_H
#define PGSHUTTLE_COPY_DATACOPY_H

#include "copy/catalog.h"
#include "model/events.h"
#include "model/progress.h"
#include "util/buf.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct datacopy_config {
    const char *src_conninfo;         /* the source database */
    const char *dst_conninfo;         /* the target database */
    const char *snapshot;             /* exported snapshot every source session imports */
    int jobs;                         /* copy workers */
    int index_jobs;                   /* index workers */
    int64_t split_bytes;              /* split tables larger than this; 0 = automatic, <0 = never */
    const char *maintenance_work_mem; /* for index builds, e.g. "512MB" */
    const char *toast_compression;    /* default_toast_compression of copy sessions, or NULL */
    const _Atomic bool *cancel;       /* set by the caller to stop */
    struct db_progress *progress;
    const struct event_sink *events;
    const strlist *target_roles; /* roles on the target (for large object owners) */
    /*
     * Seconds a worker keeps reconnecting to a target that went away (then
     * retries its part, index or constraint); 0: a lost target session fails
     * the data phase at once.
     */
    double reconnect_timeout;
    bool defer_fkeys; /* build no foreign key: they come at cutover (copy/deferred.h); the
                         caller sets constraints_total */
};

struct datacopy_result {
    char *error;           /* owned: first failure, NULL on success */
    char *error_sqlstate;  /* owned or NULL */
    strlist missing_roles; /* large object owners/grantees missing on the target */
    /*
     * The failure was a lost source session (a restart, a terminated
     * backend): its exported snapshot cannot be imported again, so the
     * database's copy can only start over with a new one.
     */
    bool source_lost;
    /* The failure was a target that stayed away longer than reconnect_timeout. */
    bool target_gave_up;
};

/* Runs the data phase. planner is the snapshot connection (used to plan key ranges). */
bool copy_data_run(pgconn *planner, const struct copy_catalog *cat,
                   const struct datacopy_config *cfg, struct datacopy_result *res)
    __attribute__((warn_unused_result));
void copy_data_result_free(struct datacopy_result *res);

#endif
