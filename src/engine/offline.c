/*
 * offline.c — one database, offline: everything from one snapshot that a
 * plain connection exports (see dbjob.h for the steps).
 */
#include "engine/dbjob.h"

#include <stdio.h>

bool engine_offline_database(struct engine_run *run, struct db_progress *db,
                             const struct pg_tools *tools)
{
    struct db_job job;
    bool ok = dbjob_begin(&job, run, db, tools);
    if (ok) {
        char label[160];
        snprintf(label, sizeof(label), "source db=%s", db->name);
        ok = copy_snapshot_export(job.src_conninfo, label, &job.snap);
        if (!ok)
            dbjob_fail_conn(&job, job.snap.holder, "opening the source snapshot");
    }
    ok = ok && dbjob_copy(&job) && !engine_canceled(run) && dbjob_finish(&job, job.snap.holder);
    dbjob_end(&job, ok);
    return ok;
}
