/*
 * online_cleanup.c — what an online migration leaves on the servers, taken
 * away: the slot and publications on the source, the replication origin on
 * the target, the source's replica identities. Used at a cutover, after a
 * failure or cancel, and when a copy starts over. Connections lost on the
 * way (a server restarted) are opened afresh, waiting for a server that is
 * away for up to dbjob_cleanup_wait(); a server still unreachable gets an
 * error line that says what to drop there by hand.
 */
#include "cdc/source.h"
#include "engine/online_internal.h"
#include "pg/conninfo.h"
#include "pg/replication.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The slot may still be marked active for a moment after its connection closed. */
static bool drop_slot(struct online_db *od)
{
    for (int attempt = 0;; attempt++) {
        if (pgrepl_drop_slot_sql(od->src, od->name, true))
            return true;
        if (attempt == 50 || strcmp(pgconn_error_sqlstate(od->src), "55006") != 0)
            return false;
        pgconn_clear_error(od->src);
        time_sleep(0.1);
    }
}

/*
 * od->src, opened afresh if it was lost (a restart or a terminated session):
 * waits for the source through outage o (od->src_outage at a cutover; a
 * clean-up's own, so that an outage that made it give up does not count
 * again), woken by a cancel when `cancelable`. False when the source cannot
 * be reached; od->src is then NULL and o->reason says why.
 */
bool online_source_ready(struct online_db *od, struct pg_outage *o, bool cancelable)
{
    if (od->src && !o->down && pgconn_alive(od->src))
        return true;
    pgconn_close(od->src);
    char label[160];
    snprintf(label, sizeof(label), "source db=%s", od->job.db->name);
    od->src =
        pg_outage_connect(o, od->job.src_conninfo, label, cancelable ? &od->run->cancel : NULL);
    return od->src != NULL;
}

/* A clean-up's outage of server ("source", "target"): it waits for up to dbjob_cleanup_wait(). */
static void cleanup_outage(struct online_db *od, struct pg_outage *o, const char *server)
{
    char label[160];
    snprintf(label, sizeof(label), "clean-up db=%s", od->job.db->name);
    pg_outage_init(o, server,
                   strcmp(server, "source") == 0 ? od->job.src_conninfo : od->job.dst_conninfo,
                   label, dbjob_cleanup_wait(&od->job));
}

/* The source cannot be reached to drop the slot and publications: what to drop by hand, where. */
static void source_objects_left(struct online_db *od, const char *reason)
{
    char *hp = pgconninfo_hostport(od->job.src_conninfo);
    char *pubs = od->plugin == CDC_PLUGIN_PGOUTPUT && !od->run->spec->publication
                     ? xasprintf("; and DROP PUBLICATION IF EXISTS %s, %s%s", od->name, od->name,
                                 CDC_INSERT_ONLY_SUFFIX)
                     : xstrdup("");
    log_error("db=%s: could not reach the source to drop the migration's objects (%s): on the "
              "source %s, database \"%s\", run SELECT pg_drop_replication_slot('%s')%s; until the "
              "slot is dropped the source keeps its WAL",
              od->job.db->name, reason ? reason : "no connection", hp, od->job.db->name, od->name,
              pubs);
    free(pubs);
    free(hp);
}

/* The applier's sessions opened again after the target went away, waiting for it (clean-up). */
static bool applier_back(struct online_db *od)
{
    struct pg_outage o;
    cleanup_outage(od, &o, "target");
    pg_outage_begin(&o, cdc_applier_error(od->applier));
    bool ok;
    for (;;) {
        if ((ok = cdc_applier_reconnect(od->applier))) {
            pg_outage_end(&o);
            break;
        }
        pg_outage_retry(&o, cdc_applier_error(od->applier));
        if (!pg_outage_wait(&o, NULL))
            break;
    }
    pg_outage_free(&o);
    return ok;
}

/* Drops the replication origin on the target (reconnecting if its session was lost). */
static bool drop_origin(struct online_db *od)
{
    /* An applier that never set its progress up created nothing on the target. */
    if (od->applier == NULL || !cdc_applier_has_progress(od->applier))
        return true;
    if (cdc_applier_lost(od->applier) && !applier_back(od)) {
        char *hp = pgconninfo_hostport(od->job.dst_conninfo);
        log_error("db=%s: could not reach the target to drop the replication origin (%s): on the "
                  "target %s run SELECT pg_replication_origin_drop('%s') (if it exists)",
                  od->job.db->name, cdc_applier_error(od->applier), hp, od->name);
        free(hp);
        return false;
    }
    bool ok = cdc_applier_drop_progress(od->applier);
    /* A session lost while it sat idle shows only now: once more on a fresh one. */
    if (!ok && cdc_applier_lost(od->applier) && cdc_applier_reconnect(od->applier))
        ok = cdc_applier_drop_progress(od->applier);
    if (!ok)
        log_error("db=%s: could not drop the replication origin %s on the target: %s",
                  od->job.db->name, od->name, cdc_applier_error(od->applier));
    return ok;
}

/*
 * Drops the stream's objects on both sides; best effort, every failure
 * logged. Connections lost on the way (a server restarted) are opened
 * afresh; a server still unreachable gets a line saying what to drop there.
 */
bool online_drop_stream_objects(struct online_db *od)
{
    bool ok = true;
    pgrepl_close(od->repl);
    od->repl = NULL;
    if (!drop_origin(od))
        ok = false;
    if (!od->source_objects)
        return ok;
    struct pg_outage o;
    cleanup_outage(od, &o, "source");
    bool reachable = online_source_ready(od, &o, false);
    if (!reachable)
        source_objects_left(od, o.reason);
    pg_outage_free(&o);
    if (!reachable) {
        od->source_objects = false;
        return false;
    }
    pgconn_clear_error(od->src);
    if (!drop_slot(od)) {
        log_error("db=%s: could not drop replication slot %s on the source: drop it with SELECT "
                  "pg_drop_replication_slot('%s'), or the source keeps its WAL",
                  od->job.db->name, od->name, od->name);
        ok = false;
    } else
        log_info("db=%s: dropped replication slot %s", od->job.db->name, od->name);
    pgconn_clear_error(od->src);
    /* A publication given with --publication is the user's: it stays. */
    if (!od->run->spec->publication && !cdc_publications_drop(od->src, od->name)) {
        log_error("db=%s: could not drop publication %s on the source", od->job.db->name, od->name);
        ok = false;
    }
    od->source_objects = false;
    return ok;
}

/* The source's replica identities as they were before the migration (after a failure or cancel). */
void online_restore_identities(struct online_db *od)
{
    if (od->src && od->undo.n > 0 && pgconn_alive(od->src))
        cdc_identities_restore(od->src, &od->undo, NULL);
    sl_free(&od->undo);
}
