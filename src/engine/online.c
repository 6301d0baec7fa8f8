/*
 * online.c — online migration.
 *
 * Per database, in order: on the source, replica identities (with
 * --replica-identity-full), the publications (pgoutput) and the slot, whose
 * exported snapshot the whole copy uses (dbjob.h); the replication
 * connection holds the snapshot until the copy is done and then streams
 * from the slot's consistent point in a thread of its own (cdc/stream.h),
 * while the next database copies. With --resume nothing is copied: each
 * stream continues from the position recorded on the target.
 *
 * Then the monitor (online_monitor.c): lag per database every second from
 * the moment its stream starts; once every database has caught up, Waiting
 * for user action / Waiting for cutover, streaming on.
 * Cutover: each stream applies up to the source's position at that moment,
 * then sequences, materialized views and the database's settings are set
 * and the slot, publications and origin dropped. A cancel or a failure stops
 * every stream and drops every slot and publication (a leaked slot makes the
 * source keep its WAL forever) and the incomplete target databases.
 *
 * A copy that loses a server starts over (dbjob_restart.c); a cutover that
 * loses one completes once it is back. The stream thread is in
 * online_stream.c, the clean-up in online_cleanup.c, the choices a role
 * without superuser needs (--publication, the trigger-less apply path) in
 * online_roles.c.
 */
#include "cdc/source.h"
#include "copy/database.h"
#include "engine/online_internal.h"
#include "pg/conninfo.h"
#include "pg/replication.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/timeutil.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Tries at completing a cutover when servers go away meanwhile. */
#define FINISH_ATTEMPTS 10

static bool fail_src(struct online_db *od, const char *what)
{
    return dbjob_fail_conn(&od->job, od->src, what);
}

/* The target as the stream name sees it: host and port, so one source database can go to two
 * targets. */
static char *target_key(const char *conninfo)
{
    char *host = pgconninfo_get(conninfo, "host");
    char *port = pgconninfo_get(conninfo, "port");
    char *key = xasprintf("%s:%s", host ? host : "", port ? port : "");
    free(host);
    free(port);
    return key;
}

static bool connect_source(struct online_db *od)
{
    char label[160];
    snprintf(label, sizeof(label), "source db=%s", od->job.db->name);
    if (!pgconn_connect(&od->src, od->job.src_conninfo, label) ||
        !pgconn_set_session_defaults(od->src))
        return fail_src(od, "connecting to the source database");
    return true;
}

static bool connect_replication(struct online_db *od)
{
    char label[160];
    snprintf(label, sizeof(label), "source stream db=%s", od->job.db->name);
    if (pgrepl_connect(&od->repl, od->job.src_conninfo, label))
        return true;
    dbjob_fail(&od->job, pgrepl_error_sqlstate(od->repl),
               "opening a replication connection to the source: %s",
               pgrepl_error_message(od->repl));
    return false;
}

static bool open_applier(struct online_db *od)
{
    char label[160];
    snprintf(label, sizeof(label), "apply db=%s", od->job.db->name);
    struct cdc_applier_config cfg = {
        .conninfo = od->job.dst_conninfo,
        .label = label,
        .origin = od->name,
        .progress = CDC_PROGRESS_AUTO,
        .tables = &od->table_names,
        .insert_only = &od->insert_only,
        .without_replica_role = od->trigger_less,
    };
    if (cdc_applier_open(&od->applier, &cfg))
        return true;
    dbjob_fail(&od->job, cdc_applier_sqlstate(od->applier),
               "preparing to apply changes on the target: %s", cdc_applier_error(od->applier));
    return false;
}

/* Which tables stream fully and which for inserts only; warns about the latter. */
static void classify_tables(struct online_db *od)
{
    for (int i = 0; i < od->tables.n; i++) {
        const struct cdc_table *t = &od->tables.tables[i];
        sl_push(&od->table_names, t->qname);
        if (!t->identified && t->relkind == 'r')
            sl_push(&od->insert_only, t->qname);
    }
    if (od->insert_only.n == 0)
        return;
    char *list = sl_join(&od->insert_only, ", ");
    engine_warn(od->run, od->job.db->name,
                "%zu table(s) have no primary key or replica identity and are streamed for "
                "inserts only: rows updated or deleted on the source during the migration keep "
                "their old contents on the target (use --replica-identity-full to stream them "
                "fully): %s",
                od->insert_only.n, list);
    free(list);
}

/* A slot or publications of this stream from an earlier, interrupted run: not ours to keep. */
static bool drop_leftovers(struct online_db *od)
{
    struct cdc_slot_state st;
    if (!cdc_slot_state_read(od->src, od->name, &st))
        return fail_src(od, "looking for an earlier replication slot");
    if (st.exists && st.active) {
        dbjob_fail(&od->job, NULL,
                   "replication slot %s on the source is in use by another process (another "
                   "pgshuttle migration of this database to the same target?)",
                   od->name);
        return false;
    }
    if (st.exists) {
        engine_warn(od->run, od->job.db->name,
                    "dropping replication slot %s, left on the source by an earlier interrupted "
                    "migration (run with --resume to continue such a migration instead)",
                    od->name);
        if (!pgrepl_drop_slot_sql(od->src, od->name, true))
            return fail_src(od, "dropping the earlier replication slot");
    }
    /* What an interrupted run changed goes back first: this run decides afresh. */
    strlist earlier = STRLIST_INIT;
    bool ok = cdc_identities_recorded(od->src, od->name, &earlier);
    if (ok && earlier.n > 0) {
        engine_warn(od->run, od->job.db->name,
                    "restoring the replica identities of %zu source table(s) that an earlier "
                    "interrupted migration had set to FULL",
                    earlier.n);
        cdc_identities_restore(od->src, &earlier, NULL);
    }
    sl_free(&earlier);
    if (!ok)
        return fail_src(od, "looking for replica identities an earlier migration changed");
    if (!cdc_publications_drop(od->src, od->name))
        return fail_src(od, "dropping earlier publications");
    return true;
}

/* Failed inside create_source_objects' transaction: nothing it did stays. */
static bool fail_source_objects(struct online_db *od, const char *what)
{
    fail_src(od, what);
    if (!pgconn_exec_quiet(od->src, "ROLLBACK"))
        log_warn("could not roll back the source's replica identities and publications");
    sl_free(&od->undo);
    return false;
}

/*
 * On the source, in one transaction: REPLICA IDENTITY FULL where asked, the
 * publications (pgoutput), and on the main one the identities to restore.
 * A crash at any point leaves either all of it (a --resume or a fresh start
 * finds what to restore) or none.
 */
static bool create_source_objects(struct online_db *od)
{
    if (!pgconn_exec(od->src, "BEGIN"))
        return fail_src(od, "starting the source's setup");
    if (od->run->spec->replica_identity_full &&
        !cdc_set_replica_identity_full(od->src, &od->tables, &od->undo))
        return fail_source_objects(od, "setting REPLICA IDENTITY FULL (--replica-identity-full "
                                       "needs ownership of the tables)");
    classify_tables(od);
    if (od->plugin == CDC_PLUGIN_PGOUTPUT && od->run->spec->publication) {
        if (od->undo.n > 0)
            engine_warn(od->run, od->job.db->name,
                        "the replica identities set to FULL are not recorded on the source "
                        "(--publication: pgshuttle keeps them in the comment of a publication of "
                        "its own): if this run is killed, restore them by hand, or let a run "
                        "without --publication do it");
    } else if (od->plugin == CDC_PLUGIN_PGOUTPUT) {
        if (!cdc_publications_create(od->src, od->name, &od->tables, &od->publications))
            return fail_source_objects(od, "creating the publication (it needs ownership of "
                                           "every table, or superuser)");
        if (od->undo.n > 0 && !cdc_identities_record(od->src, od->name, &od->undo))
            return fail_source_objects(od, "recording the replica identities to restore");
    }
    if (!pgconn_exec(od->src, "COMMIT"))
        return fail_source_objects(od, "committing the source's setup");
    return true;
}

/* Fresh start: source objects, slot and snapshot, the copy, the starting position. */
static bool set_up_and_copy(struct online_db *od)
{
    struct engine_run *run = od->run;
    const char *dbname = od->job.db->name;
    if (!connect_source(od) || !drop_leftovers(od))
        return false;
    if (!cdc_tables_load(od->src, &od->tables))
        return fail_src(od, "listing the tables to stream");
    if (od->plugin == CDC_PLUGIN_PGOUTPUT && run->spec->publication && !online_use_publication(od))
        return false;
    od->source_objects = true;
    if (!create_source_objects(od))
        return false;

    engine_phase(run, dbname, "creating replication slot %s", od->name);
    struct pgrepl_slot slot;
    if (!connect_replication(od))
        return false;
    if (!pgrepl_create_slot(od->repl, od->name,
                            od->plugin == CDC_PLUGIN_PGOUTPUT ? "pgoutput" : "test_decoding",
                            &slot)) {
        dbjob_fail(&od->job, pgrepl_error_sqlstate(od->repl), "creating the replication slot: %s",
                   pgrepl_error_message(od->repl));
        return false;
    }
    od->start_lsn = slot.consistent_point;
    atomic_store(&od->copy_lsn, od->start_lsn);
    /* The copy's snapshot: WAL past this point was written from now on. */
    lag_history_add(&od->written, od->start_lsn, time_wall());
    char lsn[PGREPL_LSN_BUFSIZE];
    pgrepl_lsn_format(slot.consistent_point, lsn, sizeof(lsn));
    engine_phase(run, dbname, "the copy reads the source as of %s; changes after it stream", lsn);

    char label[160];
    snprintf(label, sizeof(label), "source snapshot db=%s", dbname);
    if (!pgconn_connect(&od->job.snap.holder, od->job.src_conninfo, label) ||
        !pgconn_set_session_defaults(od->job.snap.holder) ||
        !copy_snapshot_import(od->job.snap.holder, slot.snapshot))
        return dbjob_fail_conn(&od->job, od->job.snap.holder, "importing the slot's snapshot");
    od->job.snap.name = xstrdup(slot.snapshot);
    uint32_t *pairs = NULL;
    int npairs = 0;
    if (!cdc_publication_object_ids(od->job.snap.holder, od->name, &pairs, &npairs))
        return dbjob_fail_conn(&od->job, od->job.snap.holder, "listing the stream's publications");
    od->job.skip = xcalloc((size_t) npairs + 1, sizeof(*od->job.skip));
    for (int i = 0; i < npairs; i++)
        od->job.skip[i] =
            (struct schema_object_id){.catalog = pairs[2 * i], .oid = pairs[2 * i + 1]};
    od->job.nskip = npairs;
    free(pairs);

    bool ok = dbjob_copy(&od->job);
    /* Whether the source or the target went away: its session tells, before it goes. */
    if (!ok)
        dbjob_lost_server(&od->job);
    /* Every copy transaction has imported the snapshot by now: let it go. */
    copy_snapshot_release(&od->job.snap);
    if (!pgrepl_release_snapshot(od->repl) && ok) {
        dbjob_fail(&od->job, pgrepl_error_sqlstate(od->repl), "ending the slot's snapshot: %s",
                   pgrepl_error_message(od->repl));
        ok = false;
    }
    if (!ok || engine_db_canceled(run, od->job.db))
        return false;
    if (!open_applier(od))
        return false;
    if (!cdc_applier_record_position(od->applier, od->start_lsn)) {
        dbjob_fail(&od->job, cdc_applier_sqlstate(od->applier),
                   "recording the starting position on the target: %s",
                   cdc_applier_error(od->applier));
        return false;
    }
    return true;
}

/* --resume: the slot, publications and target database of an interrupted run, and its position. */
static bool pick_up(struct online_db *od)
{
    struct engine_run *run = od->run;
    const char *dbname = od->job.db->name;
    if (!connect_source(od))
        return false;
    struct cdc_slot_state st;
    if (!cdc_slot_state_read(od->src, od->name, &st))
        return fail_src(od, "looking for the replication slot");
    if (!st.exists) {
        engine_fail(run, dbname, NULL,
                    "cannot resume: replication slot %s does not exist on the source (the "
                    "migration finished, was canceled, or never started); start over without "
                    "--resume (with --overwrite)",
                    od->name);
        return false;
    }
    od->source_objects = true;
    /* The walsender of a killed process notices the closed connection within moments. */
    for (int i = 0; i < 100 && st.active; i++) {
        time_sleep(0.1);
        if (!cdc_slot_state_read(od->src, od->name, &st))
            return fail_src(od, "looking for the replication slot");
    }
    if (st.active) {
        engine_fail(run, dbname, NULL,
                    "cannot resume: replication slot %s is in use by another process (is the "
                    "interrupted pgshuttle still running?)",
                    od->name);
        return false;
    }
    if (strcmp(st.wal_status, "lost") == 0) {
        engine_fail(run, dbname, NULL,
                    "cannot resume: replication slot %s was invalidated by the source "
                    "(max_slot_wal_keep_size) and the changes since are gone; start over with "
                    "--overwrite",
                    od->name);
        return false;
    }
    od->plugin =
        strcmp(st.plugin, "test_decoding") == 0 ? CDC_PLUGIN_TEST_DECODING : CDC_PLUGIN_PGOUTPUT;
    bool exists = false;
    if (!copy_database_exists(od->job.admin, dbname, &exists))
        return dbjob_fail_conn(&od->job, od->job.admin, "looking for the target database");
    if (!exists) {
        engine_fail(run, dbname, NULL,
                    "cannot resume: database \"%s\" does not exist on the target; start over "
                    "without --resume",
                    dbname);
        return false;
    }
    od->job.created = true; /* a failed resume cleans up like any failed migration */
    if (!cdc_tables_load(od->src, &od->tables))
        return fail_src(od, "listing the tables to stream");
    classify_tables(od);
    /* The copy may have left foreign keys, triggers and rules for the cutover: it adds what the
       target lacks. */
    od->job.deferred = true;
    if (od->plugin == CDC_PLUGIN_PGOUTPUT && run->spec->publication) {
        if (!online_use_publication(od))
            return false;
    } else if (od->plugin == CDC_PLUGIN_PGOUTPUT) {
        if (!cdc_publications_existing(od->src, od->name, &od->publications))
            return fail_src(od, "looking for the publications");
        if (od->publications == NULL) {
            engine_fail(run, dbname, NULL,
                        "cannot resume: publication %s does not exist on the source; start over "
                        "with --overwrite",
                        od->name);
            return false;
        }
        /* The identities the interrupted run set to FULL, restored when this one ends. */
        if (!cdc_identities_recorded(od->src, od->name, &od->undo))
            return fail_src(od, "reading the replica identities to restore");
    }
    if (!open_applier(od))
        return false;
    uint64_t pos = 0;
    bool recorded = false;
    if (!cdc_applier_read_position(od->applier, &pos, &recorded)) {
        engine_fail(run, dbname, cdc_applier_sqlstate(od->applier),
                    "reading the applied position on the target: %s",
                    cdc_applier_error(od->applier));
        return false;
    }
    if (!recorded) {
        engine_fail(run, dbname, NULL,
                    "cannot resume: the initial copy of \"%s\" had not finished when the "
                    "migration stopped (no applied position on the target); start over without "
                    "--resume, with --overwrite",
                    dbname);
        return false;
    }
    char a[PGREPL_LSN_BUFSIZE], b[PGREPL_LSN_BUFSIZE];
    pgrepl_lsn_format(pos, a, sizeof(a));
    pgrepl_lsn_format(st.confirmed_flush, b, sizeof(b));
    if (st.confirmed_flush > pos) {
        engine_fail(run, dbname, NULL,
                    "cannot resume: the source was told changes up to %s were applied, but the "
                    "target holds them only up to %s; the changes in between would be lost. Start "
                    "over with --overwrite",
                    b, a);
        return false;
    }
    engine_phase(run, dbname, "resuming the stream at %s (the source confirmed %s)", a, b);
    od->start_lsn = pos;
    return connect_replication(od);
}

static bool copy_with_restarts(struct online_db *od);

static bool start_database(struct online_db *od)
{
    struct engine_run *run = od->run;
    struct db_progress *db = od->job.db;
    /* Outages from the start: a copy that starts over and a clean-up wait through them too. */
    char label[160];
    snprintf(label, sizeof(label), "source db=%s", db->name);
    pg_outage_init(&od->src_outage, "source", od->job.src_conninfo, label,
                   run->spec->reconnect_timeout);
    snprintf(label, sizeof(label), "source stream db=%s", db->name);
    pg_outage_init(&od->repl_outage, "source", od->job.src_conninfo, label,
                   run->spec->reconnect_timeout);
    snprintf(label, sizeof(label), "apply db=%s", db->name);
    pg_outage_init(&od->apply_outage, "target", od->job.dst_conninfo, label,
                   run->spec->reconnect_timeout);
    bool ok = run->spec->resume ? pick_up(od) : copy_with_restarts(od);
    atomic_store(&od->copy_lsn, 0); /* the observer measures its stream from now on */
    if (!ok)
        return false;
    engine_set_status(run, db, MIG_IN_PROGRESS, SUB_MIGRATING_DATA);
    engine_phase(run, db->name, "streaming changes (%s)",
                 od->plugin == CDC_PLUGIN_PGOUTPUT ? "pgoutput" : "test_decoding");
    if (pthread_create(&od->thread, NULL, online_stream_main, od) != 0) {
        engine_fail(run, db->name, NULL, "could not start the streaming thread");
        return false;
    }
    od->thread_started = true;
    atomic_store(&db->streaming, true);
    return true;
}

/* ---- cutover and cleanup ------------------------------------------------ */

static void join_stream(struct online_db *od)
{
    if (od->thread_started) {
        pthread_join(od->thread, NULL);
        od->thread_started = false;
    }
}

/* A new session to the target database, waiting for it (--reconnect-timeout); NULL if it is not
 * back (reported). */
static pgconn *target_session(struct online_db *od, const char *label)
{
    struct pg_outage o;
    pg_outage_init(&o, "target", od->job.dst_conninfo, label, od->run->spec->reconnect_timeout);
    pgconn *c = pg_outage_connect(&o, od->job.dst_conninfo, label, &od->run->cancel);
    if (c == NULL)
        dbjob_fail(&od->job, NULL, "%s did not come back within --reconnect-timeout: %s", o.what,
                   o.reason ? o.reason : "connection lost");
    pg_outage_free(&o);
    return c;
}

/* The source's position for the cutover, waiting for the source (--reconnect-timeout) if it went
 * away. */
static bool source_position(struct online_db *od, uint64_t *pos)
{
    for (int attempt = 1;; attempt++) {
        if (!online_source_ready(od, &od->src_outage, true)) {
            dbjob_fail(&od->job, NULL,
                       "reading the source's position for the cutover: %s did not come back "
                       "within --reconnect-timeout: %s",
                       od->src_outage.what,
                       od->src_outage.reason ? od->src_outage.reason : "connection lost");
            return false;
        }
        if (cdc_source_position(od->src, pos))
            return true;
        if (!pgconn_lost(od->src) || attempt == FINISH_ATTEMPTS)
            return fail_src(od, "reading the source's position for the cutover");
    }
}

/*
 * dbjob_finish (sequences, materialized views, the database's settings),
 * again when a server went away on the way: every step may run twice. Up to
 * FINISH_ATTEMPTS times, each after the server is back.
 */
static bool finish_database(struct online_db *od)
{
    struct db_job *job = &od->job;
    for (int attempt = 1;; attempt++) {
        job->source_lost = job->target_lost = false;
        if (!online_source_ready(od, &od->src_outage, true)) {
            dbjob_fail(job, NULL,
                       "completing the cutover: %s did not come back within "
                       "--reconnect-timeout: %s",
                       od->src_outage.what,
                       od->src_outage.reason ? od->src_outage.reason : "connection lost");
            return false;
        }
        job->hold_failures = attempt < FINISH_ATTEMPTS;
        if (dbjob_finish(job, od->src)) {
            job->hold_failures = false;
            return true;
        }
        if (engine_canceled(od->run) || !(job->source_lost || job->target_lost) ||
            attempt == FINISH_ATTEMPTS) {
            dbjob_report_held(job);
            return false;
        }
        log_warn("db=%s: the %s went away while completing the cutover (%s); completing it again "
                 "once it is back",
                 od->job.db->name, job->source_lost ? "source" : "target",
                 job->held_error ? job->held_error : "connection lost");
        dbjob_forget_held(job);
        job->hold_failures = false;
        if (job->target_lost) {
            pgconn *c = target_session(od, "target");
            if (c == NULL)
                return false;
            pgconn_close(c);
        }
    }
}

/*
 * At a cutover: the same, and on the target too, whose schema was copied
 * while the tables were FULL. False when the target could not be set.
 */
static bool restore_identities_both(struct online_db *od)
{
    if (od->undo.n == 0)
        return true;
    strlist done = STRLIST_INIT;
    cdc_identities_restore(od->src, &od->undo, &done);
    sl_free(&od->undo);
    pgconn *dst = target_session(od, "target");
    bool ok = dst != NULL;
    for (size_t i = 0; ok && i < done.n; i++)
        ok = pgconn_exec(dst, done.items[i]);
    if (!ok)
        dbjob_fail_conn(&od->job, dst, "restoring the tables' replica identities on the target");
    pgconn_close(dst);
    sl_free(&done);
    return ok;
}

/*
 * A failed attempt's slot, publications and replica identities go (what
 * cannot be dropped now, the next attempt drops as an earlier run's), and
 * what it read of the source is forgotten: the next attempt makes new ones.
 */
static void forget_stream_attempt(struct online_db *od)
{
    cdc_applier_close(od->applier);
    od->applier = NULL;
    if (!online_drop_stream_objects(od))
        log_warn("db=%s: the next attempt drops what is left of this one's objects",
                 od->job.db->name);
    online_restore_identities(od);
    atomic_store(&od->copy_lsn, 0);
    pgconn_close(od->src);
    od->src = NULL;
    cdc_tables_free(&od->tables);
    sl_free(&od->table_names);
    sl_free(&od->insert_only);
    free(od->publications);
    od->publications = NULL;
    od->start_lsn = 0;
}

/*
 * The source objects, slot, snapshot and copy of set_up_and_copy(), again
 * from the start when a server went away on the way (dbjob_restart.c), up
 * to DBJOB_COPY_ATTEMPTS times.
 */
static bool copy_with_restarts(struct online_db *od)
{
    struct db_job *job = &od->job;
    for (int attempt = 1;; attempt++) {
        job->hold_failures = attempt < DBJOB_COPY_ATTEMPTS;
        if (set_up_and_copy(od)) {
            job->hold_failures = false;
            return true;
        }
        if (!engine_db_canceled(od->run, od->job.db) && (od->src == NULL || !pgconn_alive(od->src)))
            job->source_lost = true;
        if (attempt == DBJOB_COPY_ATTEMPTS || !dbjob_lost_server(job)) {
            dbjob_report_held(job);
            return false;
        }
        if (!dbjob_prepare_restart(job, attempt + 1))
            return false;
        forget_stream_attempt(od);
    }
}

/* Cutover of one database whose stream reached its stop position. */
static bool finish_online(struct online_db *od)
{
    struct engine_run *run = od->run;
    const char *dbname = od->job.db->name;
    if (od->res.outcome != CDC_STREAM_REACHED) {
        if (od->res.outcome == CDC_STREAM_FAILED)
            engine_fail(run, dbname, od->res.sqlstate, "streaming changes: %s",
                        od->res.error ? od->res.error : "the stream stopped");
        return false;
    }
    if (od->job.cat.ntables == 0 && od->job.cat.db.name == NULL) {
        /* Resumed: the catalog of the copy is not in memory; read it now. */
        if (!online_source_ready(od, &od->src_outage, true))
            return fail_src(od, "reading the source catalog");
        if (!pgconn_exec(od->src, "SELECT pg_catalog.set_config('search_path', '', false)") ||
            !pgconn_exec(od->src, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") ||
            !copy_catalog_load(od->src, &od->job.cat) || !pgconn_exec(od->src, "COMMIT"))
            return fail_src(od, "reading the source catalog");
    }
    if (!finish_database(od))
        return false;
    atomic_store(&od->job.db->streaming, false);
    return online_drop_stream_objects(od) && restore_identities_both(od);
}

static void stop_and_clean(struct online_db *od)
{
    atomic_store(&od->stop, true);
    join_stream(od);
    atomic_store(&od->job.db->streaming, false);
    online_drop_stream_objects(od);
}

static void free_online(struct online_db *od)
{
    cdc_applier_close(od->applier);
    pgrepl_close(od->repl);
    pgconn_close(od->src);
    cdc_tables_free(&od->tables);
    sl_free(&od->table_names);
    sl_free(&od->insert_only);
    sl_free(&od->undo);
    cdc_stream_result_free(&od->res);
    free(od->publications);
    free(od->name);
    pg_outage_free(&od->src_outage);
    pg_outage_free(&od->repl_outage);
    pg_outage_free(&od->apply_outage);
}

/*
 * The source's position for a cutover, and the stream told to stop there;
 * false when the position could not be read (reported).
 */
static bool set_stop_position(struct online_db *od)
{
    uint64_t pos = 0;
    if (!source_position(od, &pos))
        return false;
    char lsn[PGREPL_LSN_BUFSIZE];
    pgrepl_lsn_format(pos, lsn, sizeof(lsn));
    engine_set_status(od->run, od->job.db, MIG_IN_PROGRESS, SUB_COMPLETING);
    engine_phase(od->run, od->job.db->name, "cutover: applying the changes up to %s", lsn);
    atomic_store(&od->stop_lsn, pos);
    return true;
}

/* The database's outcome reported and its resources freed: done with. */
static void end_database(struct online_db *od, bool ok)
{
    if (!ok)
        stop_and_clean(od);
    online_restore_identities(od);
    dbjob_end(&od->job, ok);
    free_online(od);
    od->finished = true;
}

/*
 * Cut over on its own (the observer detached from it), while the others
 * stream on; false when it failed (the migration fails).
 */
static bool cut_over_alone(struct online_db *od)
{
    engine_phase(od->run, od->job.db->name, "cutting this database over on its own");
    bool ok = set_stop_position(od);
    if (ok) {
        join_stream(od);
        ok = finish_online(od);
    }
    end_database(od, ok && !od->source_objects);
    return ok;
}

/*
 * Canceled on its own: its stream stopped, slot and publications dropped,
 * the target database dropped; Canceled. The others go on.
 */
static void cancel_alone(struct online_db *od)
{
    engine_phase(od->run, od->job.db->name,
                 "canceled by the user: stopping its stream and dropping its target database");
    end_database(od, false);
}

/* The per-database requests that can be done now; false when a cutover failed. */
static bool serve_requests(struct engine_run *run, struct observer *ob)
{
    for (int i = 0; i < ob->n; i++) {
        enum db_request req = online_db_request(run, ob, i);
        if (req == DB_REQUEST_NONE)
            continue;
        online_observer_detach(ob, i);
        if (req == DB_REQUEST_CANCEL)
            cancel_alone(&ob->ods[i]);
        else if (!cut_over_alone(&ob->ods[i]))
            return false;
    }
    return true;
}

enum mig_status engine_online_run(struct engine_run *run, const struct pg_tools *tools)
{
    int n = run->ndbs;
    struct online_db *ods = xcalloc((size_t) n + 1, sizeof(*ods));
    char *tkey = target_key(run->spec->target);
    struct observer ob = {.run = run, .ods = ods, .n = n};
    bool ok = true, told = false;
    if (n > 0) {
        char *ci = engine_db_conninfo(run->spec->source, run->dbs[0]->name);
        online_observer_start(&ob, ci);
        free(ci);
    }
    for (int i = 0; i < n && ok; i++) {
        struct online_db *od = &ods[i];
        od->run = run;
        od->name = cdc_stream_name(run->dbs[i]->name, tkey);
        od->plugin = run->spec->plugin && strcmp(run->spec->plugin, "test_decoding") == 0
                         ? CDC_PLUGIN_TEST_DECODING
                         : CDC_PLUGIN_PGOUTPUT;
        if (engine_db_canceled_alone(run, run->dbs[i])) {
            /* Canceled on its own before it started: nothing to do, nothing to observe. */
            engine_db_skip_canceled(run, run->dbs[i]);
            free(od->name);
            od->name = NULL;
            od->finished = true;
            atomic_store(&od->detach, true);
            atomic_store(&od->detached, true);
            online_observer_add(&ob, i);
            continue;
        }
        od->begun = true;
        ok = dbjob_begin(&od->job, run, run->dbs[i], tools) &&
             online_choose_apply_path(od, &told) && start_database(od);
        if (!ok && engine_db_canceled_alone(run, od->job.db)) {
            /* Canceled on its own while it copied: cleaned up, the others go on. */
            atomic_store(&od->detach, true);
            atomic_store(&od->detached, true);
            cancel_alone(od);
            ok = true;
        }
        if (ok)
            online_observer_add(&ob, i);
        log_set_context(NULL);
        /* Between two copies: the databases that stream already may be cut over or canceled. */
        ok = ok && !engine_canceled(run) && serve_requests(run, &ob);
    }
    free(tkey);
    enum monitor_outcome outcome = MONITOR_STOP;
    while (ok) {
        outcome = online_monitor(run, &ob);
        if (outcome != MONITOR_REQUEST)
            break;
        ok = serve_requests(run, &ob);
    }
    ok = ok && outcome != MONITOR_STOP;
    /* From here on the main thread uses the source connections again. */
    online_observer_stop(&ob);
    if (ok && outcome == MONITOR_CUTOVER) {
        engine_set_status(run, NULL, MIG_IN_PROGRESS, SUB_COMPLETING);
        for (int i = 0; i < n && ok; i++) {
            if (!ods[i].finished)
                ok = set_stop_position(&ods[i]);
        }
        for (int i = 0; i < n; i++)
            join_stream(&ods[i]);
        for (int i = 0; i < n && ok; i++)
            ok = ods[i].finished || finish_online(&ods[i]);
    }
    for (int i = 0; i < n; i++) {
        struct online_db *od = &ods[i];
        if (!od->begun || od->finished)
            continue;
        bool db_ok = ok && !od->source_objects;
        if (!db_ok)
            stop_and_clean(od);
        online_restore_identities(od);
        dbjob_end(&od->job, db_ok);
        free_online(od);
    }
    free(ods);
    if (ok)
        return MIG_SUCCEEDED; /* every database not canceled on its own succeeded */
    return engine_canceled(run) ? MIG_CANCELED : MIG_FAILED;
}
