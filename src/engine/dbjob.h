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
    /* More archive entries to leave out of the schema restore (online: the stream's publications). */
    struct schema_object_id *skip;
    int nskip;
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

#endif
