/*
 * offline.c — one database, offline: everything from one snapshot that a
 * plain connection exports (see dbjob.h for the steps). When a server goes
 * away on the way, the snapshot or the work in progress is lost and the
 * database is copied again from a new one (dbjob_restart.c).
 */
#include "engine/dbjob.h"
#include "pg/outage.h"

#include <stdio.h>

/* One attempt: a snapshot, the copy, and what is read from the same snapshot at the end. */
static bool copy_once(struct db_job *job)
{
    char label[160];
    snprintf(label, sizeof(label), "source db=%s", job->db->name);
    if (!copy_snapshot_export(job->src_conninfo, label, &job->snap)) {
        /* Not lost: never had. A source down now is for the next attempt to wait for. */
        job->source_lost = pgconn_lost(job->snap.holder);
        return dbjob_fail_conn(job, job->snap.holder, "opening the source snapshot");
    }
    return dbjob_copy(job) && !engine_db_canceled(job->run, job->db) &&
           dbjob_finish(job, job->snap.holder);
}

bool engine_offline_database(struct engine_run *run, struct db_progress *db,
                             const struct pg_tools *tools)
{
    struct db_job job;
    bool ok = dbjob_begin(&job, run, db, tools);
    for (int attempt = 1; ok; attempt++) {
        job.hold_failures = attempt < DBJOB_COPY_ATTEMPTS;
        if (copy_once(&job))
            break;
        if (attempt == DBJOB_COPY_ATTEMPTS || !dbjob_lost_server(&job)) {
            dbjob_report_held(&job);
            ok = false;
        } else
            ok = dbjob_prepare_restart(&job, attempt + 1);
    }
    job.hold_failures = false;
    dbjob_end(&job, ok);
    return ok;
}
