/*
 * dbjob_restart.c — starting one database's copy over after a server went
 * away (see dbjob.h).
 *
 * The copy reads one snapshot of the source. When the source restarts, or
 * the session that holds the snapshot is terminated, that snapshot is gone
 * and no new session can read the same data again: what was copied can
 * only be thrown away. So the database's copy starts over, from a new
 * snapshot (online: a new slot), into a new target database, once both
 * servers answer again. The failure that ended the attempt is held back
 * meanwhile; it is reported only when no attempt is left or a server does
 * not come back within --reconnect-timeout.
 */
#include "copy/database.h"
#include "engine/dbjob.h"
#include "pg/maintdb.h"
#include "pg/outage.h"
#include "util/fsutil.h"
#include "util/log.h"
#include "util/mem.h"

#include <stdio.h>
#include <stdlib.h>

bool dbjob_lost_server(struct db_job *job)
{
    /* --reconnect-timeout 0: the first lost connection fails the migration. */
    if (engine_db_canceled(job->run, job->db) || job->run->spec->reconnect_timeout <= 0 ||
        job->target_gave_up || job->archive.target_gave_up)
        return false;
    if (job->snap.holder != NULL && !pgconn_alive(job->snap.holder))
        job->source_lost = true;
    if (job->admin != NULL && !pgconn_alive(job->admin))
        job->target_lost = true;
    return job->source_lost || job->target_lost;
}

/* The failure held, and why the copy could not start over: the server did not come back. */
static void gave_up(struct db_job *job, const struct pg_outage *o)
{
    char *held = job->held_error ? xstrdup(job->held_error) : xstrdup("the copy failed");
    char *sqlstate = job->held_sqlstate ? xstrdup(job->held_sqlstate) : NULL;
    dbjob_forget_held(job);
    if (engine_db_canceled(job->run, job->db))
        dbjob_fail(job, sqlstate, "%s", held);
    else
        dbjob_fail(job, sqlstate,
                   "%s; and %s did not come back within --reconnect-timeout (%gs): %s", held,
                   o->what, o->timeout, o->reason ? o->reason : "connection lost");
    free(held);
    free(sqlstate);
}

/* A session to the target's maintenance database in job->admin, waiting for the server. */
static bool await_target(struct db_job *job)
{
    struct pg_outage o;
    bool ok = dbjob_admin_await(job, job->run->spec->reconnect_timeout, &o);
    if (!ok)
        gave_up(job, &o);
    pg_outage_free(&o);
    return ok;
}

/* Waits until the source's database answers (the next attempt connects by itself). */
static bool await_source(struct db_job *job)
{
    struct pg_outage o;
    char label[160];
    snprintf(label, sizeof(label), "source db=%s", job->db->name);
    pg_outage_init(&o, "source", job->src_conninfo, label, job->run->spec->reconnect_timeout);
    pgconn *c =
        pg_outage_connect(&o, job->src_conninfo, label, engine_db_stop_flag(job->run, job->db));
    if (c == NULL)
        gave_up(job, &o);
    pgconn_close(c);
    pg_outage_free(&o);
    return c != NULL;
}

/* What the failed attempt built up, so the next one starts from nothing. */
static void forget_attempt(struct db_job *job)
{
    copy_snapshot_release(&job->snap);
    schema_archive_free(&job->archive);
    copy_catalog_free(&job->cat);
    if (job->workdir) {
        fs_remove_tree(job->workdir);
        free(job->workdir);
        job->workdir = NULL;
    }
    free(job->skip);
    job->skip = NULL;
    job->nskip = 0;
    sl_free(&job->missing_roles);
    db_progress_restart_copy(job->db);
    dbjob_forget_held(job);
    job->source_lost = false;
    job->target_lost = false;
    job->target_gave_up = false;
}

bool dbjob_prepare_restart(struct db_job *job, int attempt)
{
    const char *name = job->db->name;
    const char *side = job->source_lost && job->target_lost ? "source and the target"
                       : job->source_lost                   ? "source"
                                                            : "target";
    log_warn("the %s went away during the copy (%s); %s: copying the database again from the "
             "start (attempt %d of %d)",
             side, job->held_error ? job->held_error : "connection lost",
             job->source_lost ? "the source's snapshot is gone with its sessions"
                              : "the work in progress is lost",
             attempt, DBJOB_COPY_ATTEMPTS);
    engine_phase(job->run, name,
                 "copying again from the start (attempt %d of %d): the %s went away", attempt,
                 DBJOB_COPY_ATTEMPTS, side);
    if (!await_target(job) || !await_source(job)) {
        dbjob_report_held(job);
        return false;
    }
    if (job->created) {
        if (!copy_database_drop_created(job->admin, name)) {
            dbjob_fail_conn(job, job->admin,
                            "starting the copy over: dropping the incomplete "
                            "target database");
            dbjob_report_held(job);
            return false;
        }
        log_info("dropped the incomplete target database");
        job->created = false;
    }
    forget_attempt(job);
    return true;
}
