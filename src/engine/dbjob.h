/*
 * dbjob.h — one database's copy, the part offline and online migrations
 * share (engine-internal). The caller provides the source snapshot
 * (job->snap: a connection inside it, and its name), then:
 *
 *   dbjob_begin → [snapshot] → dbjob_copy → ... → dbjob_finish → dbjob_end
 *
 * dbjob_copy: catalog, target database (dropped first with --overwrite),
 * schema pre-data, data, indexes and constraints, schema post-data.
 * dbjob_finish: with job->deferred, the foreign keys, triggers and rules the
 * target lacks; sequences (read through the connection given: the snapshot
 * offline, the live source at an online cutover), materialized views, the
 * database's settings, grants and comment. dbjob_end reports the database's
 * outcome and, after a failure, drops the incomplete target database.
 */
#ifndef PGSHUTTLE_ENGINE_DBJOB_H
#define PGSHUTTLE_ENGINE_DBJOB_H

#include "copy/catalog.h"
#include "copy/schema.h"
#include "copy/snapshot.h"
#include "engine/internal.h"
#include "pg/outage.h"
#include "pg/pgconn.h"
#include "util/buf.h"

struct db_job {
    struct engine_run *run;
    struct db_progress *db;
    const struct pg_tools *tools;
    char *src_conninfo; /* owned */
    char *dst_conninfo; /* owned */
    pgconn *admin;      /* owned: target, for DROP/CREATE/ALTER DATABASE (pg/maintdb.h) */
    struct copy_snapshot snap;
    struct copy_catalog cat;
    struct schema_archive archive;
    char *workdir; /* owned */
    strlist target_roles;
    strlist missing_roles;
    bool created;     /* we created the target database */
    bool admin_in_db; /* admin moved (or tried to) into the job's database (dbjob.c, admin_move) */
    /*
     * Foreign keys, user triggers and rules are left out of the copy and created at the end
     * (dbjob_finish), those the target lacks (copy/deferred.h): online, on the trigger-less
     * apply path, and on every resumed run, whose copy may have been made that way.
     */
    bool deferred;
    /* More archive entries to leave out of the schema restore (online: the stream's publications).
     */
    struct schema_object_id *skip;
    int nskip;
    /* While a copy may start over (dbjob_restart.c), its failure is held here, not reported. */
    bool hold_failures;
    char *held_error;    /* owned: the first failure held */
    char *held_sqlstate; /* owned */
    bool source_lost;    /* a source session (and so the snapshot) was lost */
    bool target_lost;    /* the target's sessions were lost */
    bool target_gave_up; /* a step waited for the target past --reconnect-timeout: no restart */
};

/* Fills job, reports the database as started, connects to the target server. */
bool dbjob_begin(struct db_job *job, struct engine_run *run, struct db_progress *db,
                 const struct pg_tools *tools);
bool dbjob_copy(struct db_job *job);
bool dbjob_finish(struct db_job *job, pgconn *src);
/* Drops the target database the job created (or keeps it, marked, with --keep-failed). */
void dbjob_clean_up_failed(struct db_job *job);
/* Reports the outcome (cleaning up after a failure) and frees the job. */
void dbjob_end(struct db_job *job, bool ok);
/* Records the failure of what on connection c; returns false. */
bool dbjob_fail_conn(struct db_job *job, pgconn *c, const char *what);
/* Records the database's failure (the first one wins): reported, or held (hold_failures). */
void dbjob_fail(struct db_job *job, const char *sqlstate, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Stops holding failures and reports the one held, if any. */
void dbjob_report_held(struct db_job *job);
/* Forgets the failure held (the copy starts over). */
void dbjob_forget_held(struct db_job *job);
/*
 * job->admin in the target's maintenance database, alive: reconnected if it
 * was lost, waiting for the server for up to `wait` seconds through outage
 * *o (initialized here; the caller frees it). False when it did not come
 * back (o->reason says why).
 */
bool dbjob_admin_await(struct db_job *job, double wait, struct pg_outage *o);

/*
 * Starting a database's copy over (dbjob_restart.c). A copy that loses the
 * source loses its snapshot, and with it everything copied is worthless; a
 * copy that loses the target outside the steps that retry by themselves
 * loses work in progress. Either way the database's copy runs again from
 * the start once the servers are back, up to DBJOB_COPY_ATTEMPTS runs.
 */
#define DBJOB_COPY_ATTEMPTS 3
/* The longest a clean-up waits for a server that went away (or --reconnect-timeout if shorter). */
#define DBJOB_CLEANUP_WAIT_MAX 120.0
/* How long a clean-up waits for a server: --reconnect-timeout, at most DBJOB_CLEANUP_WAIT_MAX. */
double dbjob_cleanup_wait(const struct db_job *job);

/*
 * After a failed attempt (failures held, the snapshot not yet released):
 * whether a server went away (sets source_lost / target_lost), so that
 * another attempt can succeed. False after a cancel.
 */
bool dbjob_lost_server(struct db_job *job);
/*
 * Gets ready for attempt number `attempt`: says so, waits for both servers
 * (--reconnect-timeout), drops the incomplete target database and forgets
 * the failed attempt (snapshot, catalog, archive, progress). False when a
 * server did not come back (the failure held is then reported).
 */
bool dbjob_prepare_restart(struct db_job *job, int attempt);

#endif
