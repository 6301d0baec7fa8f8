/*
 * online_monitor.c — the lag of every stream of an online migration, and
 * the wait for cutover (see online_internal.h, docs/PROGRESS.md).
 *
 * Once a second the observer thread measures the rates (online_rates.c)
 * and reads each streaming database's position on the source and its slot,
 * works out the lag in bytes and in seconds, emits a streaming event and
 * tells whether the database caught up; the monitor, in the engine's
 * thread, moves the migration to Waiting for cutover when every database
 * has, and returns at the cutover.
 */
#include "cdc/source.h"
#include "engine/online_internal.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <string.h>

/* The figures of the last round again, saying what the stream waits for (JSON: waiting_for). */
static void emit_waiting(struct online_db *od, const char *waiting_for)
{
    struct db_progress *db = od->job.db;
    struct event ev = {.kind = EV_STREAMING,
                       .database = db->name,
                       .lag_bytes = atomic_load(&db->lag_bytes),
                       .lag_seconds = (double) atomic_load(&db->lag_ms) / 1e3,
                       .changes = atomic_load(&db->changes_applied),
                       .transactions = atomic_load(&db->txns_applied),
                       .applied_lsn = atomic_load(&db->applied_lsn),
                       .source_lsn = atomic_load(&db->source_lsn),
                       .waiting_for = waiting_for};
    atomic_store(&db->waiting_for, waiting_for);
    event_emit(od->run->events, &ev);
}

/*
 * The plain source connection after it was lost (a restart, a terminated
 * session): a new one, tried with backoff at the observer's rounds. False
 * while there is none; at the reconnect timeout the migration fails.
 */
static bool source_back(struct online_db *od)
{
    struct pg_outage *o = &od->src_outage;
    if (pg_outage_expired(o)) {
        char t[32];
        time_format_duration(o->gave_up_after, t, sizeof(t));
        engine_fail(od->run, od->job.db->name, "08006",
                    "could not reconnect to %s for %s (--reconnect-timeout %gs): %s", o->what, t,
                    o->timeout, o->reason ? o->reason : "connection lost");
        atomic_store(&od->stop, true);
        return false;
    }
    if (!pg_outage_due(o))
        return false;
    pgconn *c = NULL;
    if (!pgconn_connect_quiet(&c, od->job.src_conninfo, pgconn_label(od->src)) ||
        !pgconn_set_session_defaults(c)) {
        pg_outage_retry(o, pgconn_error_message(c));
        pgconn_close(c);
        return false;
    }
    pgconn_close(od->src);
    od->src = c;
    pg_outage_end(o);
    return true;
}

/* Lag and progress of one database; true when it has caught up with the source. */
static bool observe(struct online_db *od)
{
    struct db_progress *db = od->job.db;
    uint64_t pos = 0;
    struct cdc_slot_state st = {0};
    if (od->src_outage.down && !source_back(od)) {
        if (!atomic_load(&od->stop))
            emit_waiting(od, "source");
        return false;
    }
    if (!cdc_source_position(od->src, &pos) || !cdc_slot_state_read(od->src, od->name, &st)) {
        if (pgconn_lost(od->src)) {
            pg_outage_begin(&od->src_outage, pgconn_error_message(od->src));
            emit_waiting(od, "source");
            return false;
        }
        log_warn("db=%s: could not read the source's position for the lag: %s", db->name,
                 pgconn_error_message(od->src));
        pgconn_clear_error(od->src);
        return false;
    }
    int waiting = atomic_load(&od->waiting_for);
    atomic_store(&db->waiting_for, NULL);
    if (waiting != WAIT_NONE) {
        /* The stream is down: the figures would say it is idle. */
        atomic_store(&db->source_lsn, pos);
        emit_waiting(od, waiting == WAIT_TARGET ? "target" : "source");
        atomic_store(&db->caught_up, false);
        od->prev_source_lsn = 0;
        return false;
    }
    /* Reached: applied and durable, or (nothing pending) known to hold nothing to apply. */
    uint64_t durable = atomic_load(&od->sp.durable_lsn);
    uint64_t reached = durable;
    if (atomic_load(&od->sp.idle) && atomic_load(&od->sp.server_lsn) > reached)
        reached = atomic_load(&od->sp.server_lsn);
    if (st.confirmed_flush > reached)
        reached = st.confirmed_flush;
    int64_t lag_bytes = pos > reached ? (int64_t) (pos - reached) : 0;
    /*
     * Seconds: how long ago the source wrote the oldest WAL not reached, from
     * the position history, or the oldest pending commit's age if higher
     * (finer under load); the highest seen over the round, as a snapshot
     * would mostly see 0.
     */
    double now = time_wall();
    lag_history_add(&od->written, pos, now);
    int64_t lag_us = (int64_t) (lag_history_age(&od->written, reached, now) * 1e6);
    if (od->lag_peak_us > lag_us)
        lag_us = od->lag_peak_us;
    if (atomic_load(&od->sp.lag_us) > lag_us)
        lag_us = atomic_load(&od->sp.lag_us);
    od->lag_peak_us = 0;
    const struct cdc_applier_stats *s = cdc_applier_stats(od->applier);
    online_rates_applied(od, reached);
    atomic_store(&db->backlog_bytes, lag_bytes);
    atomic_store(&db->lag_bytes, lag_bytes);
    atomic_store(&db->lag_ms, lag_us / 1000);
    atomic_store(&db->changes_applied, atomic_load(&s->changes));
    atomic_store(&db->txns_applied, atomic_load(&s->txns));
    atomic_store(&db->inserts_applied, atomic_load(&s->inserts));
    atomic_store(&db->updates_applied, atomic_load(&s->updates));
    atomic_store(&db->deletes_applied, atomic_load(&s->deletes));
    atomic_store(&db->truncates_applied, atomic_load(&s->truncates));
    atomic_store(&db->applied_lsn, durable);
    atomic_store(&db->source_lsn, pos);
    /*
     * Caught up: everything the source had a round ago is reached, and no
     * change waited longer than CAUGHT_UP_LAG_US over this round (so a
     * backlog just applied does not show as caught up with its lag).
     */
    bool caught_up = od->prev_source_lsn != 0 && reached >= od->prev_source_lsn &&
                     lag_us <= CAUGHT_UP_LAG_US && atomic_load(&od->sp.streaming);
    od->prev_source_lsn = pos;
    atomic_store(&db->caught_up, caught_up);
    struct event ev = {.kind = EV_STREAMING,
                       .database = db->name,
                       .lag_bytes = lag_bytes,
                       .lag_seconds = (double) lag_us / 1e6,
                       .changes = atomic_load(&s->changes),
                       .transactions = atomic_load(&s->txns),
                       .applied_lsn = durable,
                       .source_lsn = pos};
    event_emit(od->run->events, &ev);
    if (strcmp(st.wal_status, "lost") == 0) {
        engine_fail(od->run, db->name, NULL,
                    "the source invalidated replication slot %s (it kept more WAL than "
                    "max_slot_wal_keep_size allows): the changes since are gone and the migration "
                    "must start over",
                    od->name);
        atomic_store(&od->stop, true);
    }
    return caught_up;
}

/* The first stream that failed, reported; true if one did. */
static bool stream_failed(struct engine_run *run, struct online_db *ods, int n)
{
    for (int i = 0; i < n; i++) {
        struct online_db *od = &ods[i];
        if (od->finished || !atomic_load(&od->stream_done) || od->res.outcome == CDC_STREAM_REACHED)
            continue;
        if (od->res.outcome == CDC_STREAM_FAILED)
            engine_fail(run, od->job.db->name, od->res.sqlstate, "streaming changes: %s",
                        od->res.error ? od->res.error : "the stream stopped");
        return true;
    }
    return false;
}

static void *observer_main(void *arg)
{
    struct observer *ob = arg;
    log_set_context(NULL);
    double next = 0;
    while (!atomic_load(&ob->stop)) {
        int started = atomic_load(&ob->started);
        /* Not inside observe(): the databases to leave alone are left alone from now on. */
        for (int i = 0; i < started; i++)
            if (atomic_load(&ob->ods[i].detach))
                atomic_store(&ob->ods[i].detached, true);
        double now = time_now();
        if (now >= next) {
            next = now + 1.0;
            online_rates_round(ob);
            bool all = started == ob->n;
            for (int i = 0; i < started; i++)
                if (!atomic_load(&ob->ods[i].detach))
                    all = observe(&ob->ods[i]) && all;
            if (started == ob->n) {
                atomic_store(&ob->all_caught_up, all);
                atomic_fetch_add(&ob->rounds, 1);
            }
        }
        /* Between rounds, the highest commit-to-apply lag (a round's snapshot would miss it). */
        for (int i = 0; i < started; i++) {
            int64_t lag = atomic_load(&ob->ods[i].sp.lag_us);
            if (lag > ob->ods[i].lag_peak_us)
                ob->ods[i].lag_peak_us = lag;
        }
        time_sleep(0.1);
    }
    return NULL;
}

void online_observer_start(struct observer *ob, const char *src_conninfo)
{
    online_rates_start(ob, src_conninfo);
    if (!ob->running && pthread_create(&ob->thread, NULL, observer_main, ob) == 0)
        ob->running = true;
}

void online_observer_add(struct observer *ob, int i)
{
    atomic_store(&ob->started, i + 1);
    if (!ob->running && pthread_create(&ob->thread, NULL, observer_main, ob) == 0)
        ob->running = true;
}

void online_observer_detach(struct observer *ob, int i)
{
    atomic_store(&ob->ods[i].detach, true);
    while (ob->running && !atomic_load(&ob->ods[i].detached))
        time_sleep(0.02);
}

enum db_request online_db_request(struct engine_run *run, struct observer *ob, int i)
{
    struct online_db *od = &ob->ods[i];
    if (i >= atomic_load(&ob->started) || od->finished || !od->begun)
        return DB_REQUEST_NONE;
    if (atomic_load(&run->cancel_db[i]))
        return DB_REQUEST_CANCEL;
    if (atomic_load(&run->cutover_db[i]) && atomic_load(&od->job.db->caught_up))
        return DB_REQUEST_CUTOVER;
    return DB_REQUEST_NONE;
}

void online_observer_stop(struct observer *ob)
{
    if (ob->running) {
        atomic_store(&ob->stop, true);
        pthread_join(ob->thread, NULL);
        ob->running = false;
    }
    online_rates_stop(ob);
}

enum monitor_outcome online_monitor(struct engine_run *run, struct observer *ob)
{
    uint64_t seen = atomic_load(&ob->rounds);
    for (;;) {
        if (engine_canceled(run) || engine_failed(run) || stream_failed(run, ob->ods, ob->n))
            return MONITOR_STOP;
        bool active = false;
        for (int i = 0; i < ob->n; i++) {
            if (online_db_request(run, ob, i) != DB_REQUEST_NONE)
                return MONITOR_REQUEST;
            active = active || !ob->ods[i].finished;
        }
        if (!active)
            return MONITOR_DONE;
        uint64_t rounds = atomic_load(&ob->rounds);
        if (rounds != seen) {
            seen = rounds;
            if (atomic_load(&ob->all_caught_up) && !ob->waiting) {
                ob->waiting = true;
                for (int i = 0; i < ob->n; i++)
                    if (!ob->ods[i].finished)
                        engine_set_status(run, ob->ods[i].job.db, MIG_WAITING_FOR_USER,
                                          SUB_WAITING_FOR_CUTOVER);
                engine_set_status(run, NULL, MIG_WAITING_FOR_USER, SUB_WAITING_FOR_CUTOVER);
                engine_phase(run, NULL,
                             run->spec->cutover_auto
                                 ? "every database caught up: cutting over (--cutover auto)"
                                 : "every database caught up; changes keep streaming until "
                                   "cutover");
            }
            if (ob->waiting && run->spec->cutover_auto)
                return MONITOR_CUTOVER;
        }
        if (atomic_load(&run->cutover))
            return MONITOR_CUTOVER;
        time_sleep(0.1);
    }
}
