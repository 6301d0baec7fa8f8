/*
 * online_stream.c — one database's stream thread: it streams changes from
 * the slot to the applier until the cutover's position or a stop, and rides
 * through a lost source or target connection (a restart, a failover, a
 * terminated session): it reconnects with backoff for up to
 * --reconnect-timeout and starts the stream again from the position durable
 * on the target, so nothing is applied twice or lost.
 */
#include "cdc/source.h"
#include "engine/online_internal.h"
#include "pg/replication.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Whether the source stream's error may go away by itself: the connection
 * lost (libpq's own error, class 08, a terminated walsender, a server
 * shutting down or starting up), the slot still held by the walsender of
 * the lost connection (55006), no connection slot free (53300). Any other
 * server error (the slot dropped, a privilege revoked, a decoding error)
 * fails at once: reconnecting would meet it again.
 */
static bool source_error_transient(const char *sqlstate)
{
    return sqlstate == NULL || sqlstate[0] == '\0' || pg_sqlstate_connection_lost(sqlstate) ||
           strcmp(sqlstate, "55006") == 0 || strcmp(sqlstate, "53300") == 0;
}

/*
 * Which side broke when a stream failed in a way worth riding through: the
 * source (walsender terminated, connection lost, server restarted, the slot
 * still valid) or the target (the applier's connection lost); WAIT_NONE for
 * any other failure, and after a cancel.
 */
static int broken_side(struct online_db *od)
{
    const char *err = od->res.error ? od->res.error : "";
    /* At a cutover (stop_lsn set) too: it completes once the servers are back. */
    if (od->res.outcome != CDC_STREAM_FAILED || atomic_load(&od->stop))
        return WAIT_NONE;
    if (strncmp(err, "source stream:", 14) == 0 && !cdc_stream_slot_lost(err) &&
        source_error_transient(od->res.sqlstate))
        return WAIT_SOURCE;
    if (strncmp(err, "target:", 7) == 0 && cdc_applier_lost(od->applier))
        return WAIT_TARGET;
    return WAIT_NONE;
}

/* A new replication connection after a broken one; false when it cannot be had (yet). */
static bool reconnect_replication(struct online_db *od)
{
    pgrepl_close(od->repl);
    od->repl = NULL;
    char label[160];
    snprintf(label, sizeof(label), "source stream db=%s", od->job.db->name);
    if (pgrepl_connect_quiet(&od->repl, od->job.src_conninfo, label))
        return true;
    pg_outage_begin(&od->repl_outage, pgrepl_error_message(od->repl));
    pg_outage_retry(&od->repl_outage, pgrepl_error_message(od->repl));
    return false;
}

/* The stream runs again: the outages that stopped it are over. */
static void stream_started(void *arg)
{
    struct online_db *od = arg;
    pg_outage_end(&od->apply_outage);
    pg_outage_end(&od->repl_outage);
    atomic_store(&od->waiting_for, WAIT_NONE);
}

/* The stream's failure, replaced by why it gave up: the outage that lasted too long. */
static void gave_up(struct online_db *od, const struct pg_outage *o)
{
    char t[32];
    time_format_duration(o->gave_up_after, t, sizeof(t));
    char *error = xasprintf("%s: could not reconnect to %s for %s (--reconnect-timeout %gs): %s",
                            o == &od->apply_outage ? "target" : "source stream", o->what, t,
                            o->timeout, o->reason ? o->reason : "connection lost");
    free(od->res.error);
    od->res.error = error;
}

/*
 * After a broken stream: the target's sessions (if they were lost) and a
 * new replication connection, retried with backoff until they are back or
 * the outage lasts longer than --reconnect-timeout. False when it gave up
 * (od->res says why) or was stopped.
 */
static bool recover_stream(struct online_db *od, int side)
{
    bool need_target = side == WAIT_TARGET;
    struct pg_outage *o = need_target ? &od->apply_outage : &od->repl_outage;
    const char *reason = od->res.error ? strchr(od->res.error, ':') : NULL;
    pg_outage_begin(o, reason ? reason + 2 : "connection lost");
    atomic_store(&od->waiting_for, side);
    for (;;) {
        o = need_target ? &od->apply_outage : &od->repl_outage;
        if (!pg_outage_wait(o, &od->stop)) {
            if (o->gave_up_after > 0 || o->timeout == 0)
                gave_up(od, o);
            return false;
        }
        if (need_target) {
            if (!cdc_applier_reconnect(od->applier)) {
                pg_outage_retry(o, cdc_applier_error(od->applier));
                continue;
            }
            need_target = false;
            /* What the target lost in a crash comes again from the source: it is not applied. */
            atomic_store(&od->sp.durable_lsn, cdc_applier_durable(od->applier));
            atomic_store(&od->waiting_for, WAIT_SOURCE);
        }
        if (!reconnect_replication(od)) {
            atomic_store(&od->waiting_for, WAIT_SOURCE);
            continue;
        }
        return true;
    }
}

void *online_stream_main(void *arg)
{
    struct online_db *od = arg;
    char ctx[160];
    snprintf(ctx, sizeof(ctx), "db=%s", od->job.db->name);
    log_set_context(ctx);
    uint64_t start = od->start_lsn;
    for (;;) {
        struct cdc_stream_config cfg = {
            .repl = od->repl,
            .slot = od->name,
            .plugin = od->plugin,
            .publications = od->publications,
            .applier = od->applier,
            .start_lsn = start,
            .cancel = &od->stop,
            .stop_lsn = &od->stop_lsn,
            .progress = &od->sp,
            .on_start = stream_started,
            .on_start_arg = od,
        };
        cdc_stream_run(&cfg, &od->res);
        int side = broken_side(od);
        if (side == WAIT_NONE || !recover_stream(od, side))
            break;
        cdc_stream_result_free(&od->res);
        start = cdc_applier_durable(od->applier);
        char lsn[PGREPL_LSN_BUFSIZE];
        pgrepl_lsn_format(start, lsn, sizeof(lsn));
        log_info("the change stream broke (%s side); starting it again from the applied position "
                 "%s",
                 side == WAIT_TARGET ? "target" : "source", lsn);
    }
    atomic_store(&od->waiting_for, WAIT_NONE);
    atomic_store(&od->stream_done, true);
    return NULL;
}
