/*
 * dbjob.c — the steps of one database's copy that offline and online
 * migrations share: drop (if asked) and create the target database, schema
 * pre-data, the parallel data phase (tables, large objects, indexes,
 * constraints, ANALYZE) and schema post-data, all from one source snapshot;
 * then, at the end, sequences, materialized views and the database's own
 * settings. A database that fails part-way is dropped (or, with keep_failed,
 * left marked incomplete), so it never looks complete when it is not.
 */
#include "copy/catalog.h"
#include "copy/database.h"
#include "copy/datacopy.h"
#include "copy/deferred.h"
#include "copy/indexbuild.h"
#include "copy/schema.h"
#include "copy/sequences.h"
#include "copy/snapshot.h"
#include "engine/dbjob.h"
#include "pg/maintdb.h"
#include "pg/outage.h"
#include "pg/pgconn.h"
#include "util/fsutil.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/timeutil.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void dbjob_fail(struct db_job *job, const char *sqlstate, const char *fmt, ...)
{
    char msg[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (engine_db_canceled_alone(job->run, job->db)) {
        /* What fails once the database is canceled on its own fails because of it. */
        log_info("db=%s: stopped (canceled by the user): %s", job->db->name, msg);
        return;
    }
    if (!job->hold_failures) {
        engine_fail(job->run, job->db->name, sqlstate, "%s", msg);
        return;
    }
    if (job->held_error != NULL)
        return;
    job->held_error = xstrdup(msg);
    job->held_sqlstate = sqlstate && sqlstate[0] ? xstrdup(sqlstate) : NULL;
    log_debug("db=%s: failed (the copy may start over): %s", job->db->name, msg);
}

void dbjob_report_held(struct db_job *job)
{
    job->hold_failures = false;
    if (job->held_error && !engine_db_canceled_alone(job->run, job->db))
        engine_fail(job->run, job->db->name, job->held_sqlstate, "%s", job->held_error);
    dbjob_forget_held(job);
}

void dbjob_forget_held(struct db_job *job)
{
    free(job->held_error);
    free(job->held_sqlstate);
    job->held_error = NULL;
    job->held_sqlstate = NULL;
}

bool dbjob_fail_conn(struct db_job *job, pgconn *c, const char *what)
{
    dbjob_fail(job, c ? pgconn_error_sqlstate(c) : NULL, "%s: %s", what,
               c ? pgconn_error_message(c) : "unknown error");
    return false;
}

/*
 * Moves job->admin into the job's database (into_db) or out of it, through
 * the database pg/maintdb.h picks. Only when the target connection string
 * names the job's database itself: the drop and the create go through
 * another one (postgres, or template1 for postgres), then the session moves
 * into the new database, so as not to hold template1, which CREATE DATABASE
 * copies by default, for the whole copy; a drop after a failure moves it out
 * again. On failure job->admin is the connection that failed.
 */
static bool admin_move(struct db_job *job, bool into_db)
{
    char *ci = into_db ? xstrdup(job->dst_conninfo)
                       : pgmaint_conninfo_for(job->run->spec->target, job->db->name);
    pgconn *c = NULL;
    bool ok = pgconn_connect(&c, ci, "target") && pgconn_set_session_defaults(c);
    free(ci);
    pgconn_close(job->admin);
    job->admin = c;
    /* A failed move in leaves a dead session: a drop must reconnect through pgmaint too. */
    job->admin_in_db = into_db;
    return ok;
}

bool dbjob_admin_await(struct db_job *job, double wait, struct pg_outage *o)
{
    char *ci = pgmaint_conninfo_for(job->run->spec->target, job->db->name);
    pg_outage_init(o, "target", ci, "target", wait);
    bool ok = job->admin != NULL && !job->admin_in_db && pgconn_alive(job->admin);
    if (!ok) {
        pgconn_close(job->admin);
        job->admin = pg_outage_connect(o, ci, "target", &job->run->cancel);
        job->admin_in_db = false;
        ok = job->admin != NULL;
    }
    free(ci);
    return ok;
}

static bool prepare_target(struct db_job *job)
{
    struct engine_run *run = job->run;
    const char *name = job->db->name;
    /* Validation looked already; look again: another session may have created it since. */
    bool exists = false;
    if (!copy_database_exists(job->admin, name, &exists))
        return dbjob_fail_conn(job, job->admin, "checking the target database");
    if (exists) {
        if (!run->spec->overwrite && !sl_contains(&run->overwrite_ok, name)) {
            dbjob_fail(job, NULL, "database \"%s\" already exists on the target; use --overwrite",
                       name);
            return false;
        }
        engine_set_status(run, job->db, MIG_IN_PROGRESS, SUB_DROPPING_DATABASE);
        engine_set_status(run, NULL, MIG_IN_PROGRESS, SUB_DROPPING_DATABASE);
        engine_phase(run, name, "dropping the existing target database");
        if (!copy_database_drop(job->admin, name))
            return dbjob_fail_conn(job, job->admin, "dropping the existing target database");
    }
    engine_set_status(run, job->db, MIG_IN_PROGRESS, SUB_MIGRATING_DATA);
    engine_set_status(run, NULL, MIG_IN_PROGRESS, SUB_MIGRATING_DATA);
    if (!copy_database_create(job->admin, &job->cat.db, &job->missing_roles))
        return dbjob_fail_conn(job, job->admin, "creating the target database");
    job->created = true;
    char *configured = pgmaint_configured_db(run->spec->target);
    bool move = strcmp(configured, name) == 0;
    free(configured);
    if (move && !admin_move(job, true))
        return dbjob_fail_conn(job, job->admin, "connecting to the new target database");
    return true;
}

/* Warns once about the roles the target lacks, saying what happens instead. */
static void report_missing_roles(struct db_job *job)
{
    if (job->missing_roles.n == 0)
        return;
    char *list = sl_join(&job->missing_roles, ", ");
    engine_warn(job->run, job->db->name,
                "roles missing on the target: %s. Objects they own are owned by the migrating "
                "role instead and grants to them were skipped; create these roles on the target "
                "before migrating to keep ownership and privileges",
                list);
    free(list);
}

static void note_missing(strlist *into, const strlist *from)
{
    for (size_t i = 0; i < from->n; i++)
        if (!sl_contains(into, from->items[i]))
            sl_push(into, from->items[i]);
}

static bool run_data_phase(struct db_job *job)
{
    const struct migration_spec *spec = job->run->spec;
    struct datacopy_config cfg = {
        .src_conninfo = job->src_conninfo,
        .dst_conninfo = job->dst_conninfo,
        .snapshot = job->snap.name,
        .jobs = spec->jobs,
        .index_jobs = spec->index_jobs,
        .split_bytes = spec->split_bytes,
        .maintenance_work_mem = spec->maintenance_work_mem,
        .toast_compression = job->run->toast_compression,
        .cancel = engine_db_stop_flag(job->run, job->db),
        .progress = job->db,
        .events = job->run->events,
        .target_roles = &job->target_roles,
        .reconnect_timeout = spec->reconnect_timeout,
        .defer_fkeys = job->deferred,
    };
    struct datacopy_result res;
    bool ok = copy_data_run(job->snap.holder, &job->cat, &cfg, &res);
    note_missing(&job->missing_roles, &res.missing_roles);
    if (!ok) {
        job->source_lost = res.source_lost;
        job->target_gave_up = res.target_gave_up;
        dbjob_fail(job, res.error_sqlstate, "%s", res.error);
    }
    copy_data_result_free(&res);
    return ok;
}

/*
 * Refreshes the materialized views that hold data on the source (a schema
 * dump leaves them empty), then analyzes them. A view that reads another
 * one fails until that one is populated: such failures are retried after
 * the others, until a round makes no progress.
 */
static bool refresh_matviews(struct db_job *job, pgconn *dst)
{
    size_t n = job->cat.matviews.n, left = n;
    bool *done = xcalloc(n + 1, sizeof(bool));
    bool progress = true;
    while (left > 0 && progress) {
        progress = false;
        for (size_t i = 0; i < n; i++) {
            if (done[i])
                continue;
            const char *mv = job->cat.matviews.items[i];
            char *sql = xasprintf("REFRESH MATERIALIZED VIEW %s; ANALYZE %s", mv, mv);
            if (pgconn_exec_quiet(dst, sql)) {
                done[i] = true;
                left--;
                progress = true;
            }
            free(sql);
        }
    }
    free(done);
    if (left > 0)
        return dbjob_fail_conn(job, dst, "refreshing materialized views");
    return true;
}

/*
 * The trigger-less apply path's end: the foreign keys, user triggers and
 * rules of the source (as it has them now) that the target lacks. Adding a
 * foreign key scans the referencing table: this is what that path costs.
 */
static bool create_deferred(struct db_job *job, pgconn *src, pgconn *dst)
{
    struct copy_deferred d;
    if (!copy_deferred_load(src, &d))
        return dbjob_fail_conn(job, src, "reading the foreign keys, triggers and rules");
    engine_phase(job->run, job->db->name,
                 "creating %d foreign keys and %d triggers and rules that the apply left out "
                 "(where missing)",
                 d.nfkeys, d.n - d.nfkeys);
    atomic_store(&job->db->constraints_total, d.nfkeys);
    atomic_store(&job->db->constraints_done, 0);
    double t0 = time_now();
    bool ok = copy_deferred_create(dst, &d, &job->db->constraints_done);
    if (!ok)
        dbjob_fail_conn(job, dst, "creating the foreign keys, triggers and rules");
    else
        log_info("foreign keys, triggers and rules in place after %.1fs", time_now() - t0);
    copy_deferred_free(&d);
    return ok;
}

/* Sequences (read through src), materialized views, the database's settings and grants. */
bool dbjob_finish(struct db_job *job, pgconn *src)
{
    struct engine_run *run = job->run;
    const char *name = job->db->name;
    engine_set_status(run, job->db, MIG_IN_PROGRESS, SUB_COMPLETING);

    pgconn *dst = NULL;
    bool ok = pgconn_connect(&dst, job->dst_conninfo, "target") && pgconn_set_session_defaults(dst);
    if (!ok) {
        job->target_lost = pgconn_lost(dst);
        dbjob_fail_conn(job, dst, "connecting to the target database");
        pgconn_close(dst);
        return false;
    }

    if (job->deferred)
        ok = create_deferred(job, src, dst);
    if (ok)
        engine_phase(run, name, "setting %d sequences", job->cat.nsequences);
    if (ok && !copy_sequences(src, dst, &job->cat)) {
        pgconn *culprit = pgconn_error_message(dst)[0] ? dst : src;
        ok = dbjob_fail_conn(job, culprit, "setting sequences");
    }
    if (ok && job->cat.matviews.n > 0) {
        engine_phase(run, name, "refreshing %zu materialized views", job->cat.matviews.n);
        ok = refresh_matviews(job, dst);
    }
    /* Whether a server went away: every step here can run again (dbjob.h). */
    if (!ok) {
        job->source_lost = pgconn_lost(src);
        job->target_lost = pgconn_lost(dst);
    }
    pgconn_close(dst);
    /* The admin session may have been lost while an online migration streamed (a restart). */
    if (ok && !pgconn_alive(job->admin) && !admin_move(job, job->admin_in_db)) {
        job->target_lost = pgconn_lost(job->admin);
        ok = dbjob_fail_conn(job, job->admin, "connecting to the target again");
    }
    if (ok &&
        !copy_database_finish(job->admin, &job->cat.db, &job->target_roles, &job->missing_roles)) {
        job->target_lost = pgconn_lost(job->admin);
        ok = dbjob_fail_conn(job, job->admin,
                             "setting the database's settings, privileges and comment");
    }
    return ok;
}

/* The rest of the schema: triggers, rules, policies, partition indexes, ... */
static bool restore_post_data(struct db_job *job)
{
    engine_phase(job->run, job->db->name, "restoring the schema's post-data section");
    /* One job: parallel post-data restores can deadlock on related tables. */
    bool ok = schema_restore(&job->archive, job->dst_conninfo, "post-data", 1);
    note_missing(&job->missing_roles, &job->archive.missing_roles);
    if (!ok)
        dbjob_fail(job, NULL, "%s",
                   job->archive.error ? job->archive.error
                                      : "restoring the post-data schema (triggers, rules, "
                                        "policies, partition indexes, ...) failed");
    return ok;
}

/*
 * pg_restore gives an inheritance child its parents' column order, which
 * differs from the source's when the child joined a parent after creation or
 * a parent gained columns later. The data still lands in the right columns
 * (COPY names them); the order difference is reported, never silent.
 */
static bool check_column_order(struct db_job *job)
{
    pgconn *dst = NULL;
    strlist differing = STRLIST_INIT;
    bool ok = pgconn_connect(&dst, job->dst_conninfo, "target") &&
              copy_column_order_diff(job->snap.holder, dst, &differing);
    if (!ok)
        dbjob_fail_conn(job, dst, "comparing column order");
    else if (differing.n > 0) {
        char *list = sl_join(&differing, "; ");
        engine_warn(job->run, job->db->name,
                    "%zu table(s) have a different column order on the target (pg_dump/pg_restore "
                    "cannot reproduce the order of inheritance children that joined a parent "
                    "after creation or whose parent gained columns later; data is unaffected, "
                    "but SELECT * and INSERT without a column list see the new order): %s",
                    differing.n, list);
        free(list);
    }
    sl_free(&differing);
    pgconn_close(dst);
    return ok;
}

/*
 * The trigger-less apply path: the foreign keys, triggers and rules (and
 * their comments) stay out of the restore; the data phase builds no
 * foreign key either.
 */
static bool leave_out_deferred(struct db_job *job, struct schema_object_id **ids, int *n)
{
    struct copy_deferred d;
    if (!copy_deferred_load(job->snap.holder, &d))
        return dbjob_fail_conn(job, job->snap.holder,
                               "reading the foreign keys, triggers and rules");
    copy_deferred_skip(&d, ids, n, &job->archive.skip_comments);
    atomic_store(&job->db->constraints_total, d.nfkeys);
    log_info("%d foreign keys and %d triggers and rules are left for the cutover", d.nfkeys,
             d.n - d.nfkeys);
    copy_deferred_free(&d);
    return true;
}

bool dbjob_copy(struct db_job *job)
{
    struct engine_run *run = job->run;
    const char *name = job->db->name;
    if (!pgconn_exec(job->snap.holder, "SELECT pg_catalog.set_config('search_path', '', false)") ||
        !copy_catalog_load(job->snap.holder, &job->cat))
        return dbjob_fail_conn(job, job->snap.holder, "reading the source catalog");

    for (size_t i = 0; i < job->cat.roles_used.n; i++)
        if (!sl_contains(&job->target_roles, job->cat.roles_used.items[i]))
            sl_push(&job->missing_roles, job->cat.roles_used.items[i]);

    if (!prepare_target(job))
        return false;

    engine_phase(run, name, "dumping the schema");
    job->workdir = fs_make_workdir();
    if (job->workdir == NULL ||
        !schema_dump(job->tools, job->src_conninfo, job->snap.name, job->workdir, &job->archive)) {
        dbjob_fail(job, NULL, "dumping the source schema failed: %s",
                   job->archive.error ? job->archive.error : "see the log above");
        return false;
    }
    int nbuilt;
    struct schema_object_id *built = copy_built_objects(&job->cat, &nbuilt);
    if (job->deferred && !leave_out_deferred(job, &built, &nbuilt)) {
        free(built);
        return false;
    }
    if (job->nskip > 0) {
        built = xrealloc(built, (size_t) (nbuilt + job->nskip) * sizeof(*built));
        memcpy(built + nbuilt, job->skip, (size_t) job->nskip * sizeof(*built));
        nbuilt += job->nskip;
    }
    bool ok = schema_write_list(&job->archive, built, nbuilt);
    free(built);
    if (!ok) {
        dbjob_fail(job, NULL, "reading the schema archive failed: %s",
                   job->archive.error ? job->archive.error : "see the log above");
        return false;
    }
    engine_phase(run, name, "restoring the schema's pre-data section");
    job->archive.reconnect_timeout = run->spec->reconnect_timeout; /* for both sections */
    job->archive.cancel = engine_db_stop_flag(run, job->db);
    ok = schema_restore(&job->archive, job->dst_conninfo, "pre-data", 1);
    note_missing(&job->missing_roles, &job->archive.missing_roles);
    if (!ok) {
        dbjob_fail(job, NULL, "%s",
                   job->archive.error ? job->archive.error
                                      : "restoring the pre-data schema failed");
        return false;
    }
    if (engine_db_canceled(run, job->db) || !check_column_order(job))
        return false;

    engine_phase(run, name, "copying data and building indexes");
    if (!run_data_phase(job))
        return false;
    if (engine_db_canceled(run, job->db))
        return false;
    return restore_post_data(job);
}

double dbjob_cleanup_wait(const struct db_job *job)
{
    double t = job->run->spec->reconnect_timeout;
    return t < DBJOB_CLEANUP_WAIT_MAX ? t : DBJOB_CLEANUP_WAIT_MAX;
}

void dbjob_clean_up_failed(struct db_job *job)
{
    if (!job->created)
        return;
    const char *name = job->db->name;
    if (job->run->spec->keep_failed) {
        log_warn("db=%s: the incomplete target database is kept (--keep-failed) and marked "
                 "\"%s\"",
                 name, COPY_INCOMPLETE_MARK);
        return;
    }
    if (job->admin)
        pgconn_clear_error(job->admin);
    /* Into the maintenance database, afresh when the session was lost (waiting for a restart). */
    struct pg_outage o;
    bool ok = dbjob_admin_await(job, dbjob_cleanup_wait(job), &o);
    if (!ok)
        log_error("db=%s: could not drop the incomplete target database (%s); it is marked \"%s\": "
                  "drop it with DROP DATABASE once the target is back",
                  name, o.reason ? o.reason : "connection lost", COPY_INCOMPLETE_MARK);
    pg_outage_free(&o);
    if (!ok)
        return;
    if (copy_database_drop_created(job->admin, name))
        log_info("db=%s: dropped the incomplete target database", name);
    else
        log_error("db=%s: could not drop the incomplete target database; it is marked \"%s\"", name,
                  COPY_INCOMPLETE_MARK);
}

bool dbjob_begin(struct db_job *job, struct engine_run *run, struct db_progress *db,
                 const struct pg_tools *tools)
{
    memset(job, 0, sizeof(*job));
    job->run = run;
    job->db = db;
    job->tools = tools;
    job->src_conninfo = engine_db_conninfo(run->spec->source, db->name);
    job->dst_conninfo = engine_db_conninfo(run->spec->target, db->name);
    char ctx[160];
    snprintf(ctx, sizeof(ctx), "db=%s", db->name);
    log_set_context(ctx);
    atomic_store(&db->started_ms, (int64_t) (time_wall() * 1000));
    engine_set_status(run, db, MIG_IN_PROGRESS, SUB_PREREQUISITES);

    /* Not through the database to drop and create: a session cannot drop its own database. */
    char *admin = pgmaint_conninfo_for(run->spec->target, db->name);
    bool ok = pgconn_connect(&job->admin, admin, "target") &&
              pgconn_set_session_defaults(job->admin) &&
              copy_target_roles(job->admin, &job->target_roles);
    free(admin);
    if (!ok)
        dbjob_fail_conn(job, job->admin, "connecting to the target server");
    return ok;
}

void dbjob_end(struct db_job *job, bool ok)
{
    struct engine_run *run = job->run;
    struct db_progress *db = job->db;
    report_missing_roles(job);
    copy_snapshot_release(&job->snap);
    if (!ok)
        dbjob_clean_up_failed(job);
    if (job->workdir)
        fs_remove_tree(job->workdir);
    atomic_store(&db->finished_ms, (int64_t) (time_wall() * 1000));
    if (ok)
        engine_set_status(run, db, MIG_SUCCEEDED, SUB_COMPLETED);
    else
        engine_set_status(run, db, engine_db_canceled(run, db) ? MIG_CANCELED : MIG_FAILED,
                          engine_db_canceled(run, db)
                              ? (enum mig_substatus) atomic_load(&db->substatus)
                              : SUB_FAILED);
    struct event ev = {.kind = EV_DATABASE_DONE,
                       .database = db->name,
                       .status = (enum mig_status) atomic_load(&db->status),
                       .rows = atomic_load(&db->rows_copied),
                       .bytes = atomic_load(&db->bytes_copied),
                       .bytes_sent = atomic_load(&db->bytes_sent),
                       .tables = atomic_load(&db->tables_copied),
                       .seconds =
                           (double) (atomic_load(&db->finished_ms) - atomic_load(&db->started_ms)) /
                           1000.0};
    event_emit(run->events, &ev);

    schema_archive_free(&job->archive);
    copy_catalog_free(&job->cat);
    sl_free(&job->target_roles);
    sl_free(&job->missing_roles);
    pgconn_close(job->admin);
    free(job->workdir);
    free(job->src_conninfo);
    free(job->dst_conninfo);
    free(job->skip);
    dbjob_forget_held(job);
    memset(job, 0, sizeof(*job));
    log_set_context(NULL);
}
