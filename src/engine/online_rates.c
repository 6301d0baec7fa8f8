/*
 * online_rates.c — the rates behind the time until ready for cutover
 * (model/readiness.h, docs/PROGRESS.md), measured by the observer thread
 * once a round.
 *
 * The source's position grows with every database's changes (WAL is the
 * server's), so one position read on the observer's own source connection
 * gives the incoming rate of every database whose slot exists: those that
 * copy (their backlog is the WAL written since their slot's position) and
 * those that stream. The apply rate is each stream's: how fast the position
 * the target reached grows (online_monitor.c's observe()).
 */
#include "cdc/source.h"
#include "engine/online_internal.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/timeutil.h"

#include <math.h>
#include <stdlib.h>

/* Seconds between two tries at a lost source connection (the rates are not worth more). */
#define RATES_RETRY_SECONDS 5.0

/* The source's position on the observer's connection; false (quietly) while it cannot be read. */
static bool rates_position(struct observer *ob, uint64_t *pos)
{
    double now = time_now();
    if (ob->rates_src == NULL) {
        if (ob->rates_conninfo == NULL || now < ob->rates_retry_at)
            return false;
        pgconn *c = NULL;
        if (!pgconn_connect_quiet(&c, ob->rates_conninfo, "source rates") ||
            !pgconn_set_session_defaults(c)) {
            log_debug("the incoming rate waits for the source: %s", pgconn_error_message(c));
            pgconn_close(c);
            ob->rates_retry_at = now + RATES_RETRY_SECONDS;
            return false;
        }
        ob->rates_src = c;
    }
    if (cdc_source_position(ob->rates_src, pos))
        return true;
    log_debug("could not read the source's position for the incoming rate: %s",
              pgconn_error_message(ob->rates_src));
    pgconn_close(ob->rates_src);
    ob->rates_src = NULL;
    ob->rates_retry_at = now + RATES_RETRY_SECONDS;
    return false;
}

void online_rates_start(struct observer *ob, const char *src_conninfo)
{
    ob->rates_conninfo = xstrdup(src_conninfo);
}

void online_rates_round(struct observer *ob)
{
    uint64_t pos = 0;
    if (!rates_position(ob, &pos))
        return;
    rate_meter_sample(&ob->incoming, time_now(), (int64_t) pos);
    int64_t incoming = llround(ob->incoming.rate);
    int started = atomic_load(&ob->started);
    for (int i = 0; i < ob->n; i++) {
        struct online_db *od = &ob->ods[i];
        struct db_progress *db = ob->run->dbs[i];
        uint64_t from = atomic_load(&od->copy_lsn);
        if (from != 0) {
            /* Copying: what its stream will have to apply once the copy is done. */
            atomic_store(&db->source_lsn, pos);
            atomic_store(&db->backlog_bytes, pos > from ? (int64_t) (pos - from) : 0);
            atomic_store(&db->incoming_bps, incoming);
        } else if (i < started && !atomic_load(&od->detach) && atomic_load(&db->streaming))
            atomic_store(&db->incoming_bps, incoming);
    }
}

void online_rates_applied(struct online_db *od, uint64_t reached)
{
    struct db_progress *db = od->job.db;
    rate_meter_sample(&od->apply_meter, time_now(), (int64_t) reached);
    int64_t rate = llround(od->apply_meter.rate);
    atomic_store(&db->apply_bps, rate);
    if (rate > atomic_load(&db->apply_peak_bps))
        atomic_store(&db->apply_peak_bps, rate);
}

void online_rates_stop(struct observer *ob)
{
    pgconn_close(ob->rates_src);
    ob->rates_src = NULL;
    free(ob->rates_conninfo);
    ob->rates_conninfo = NULL;
}
