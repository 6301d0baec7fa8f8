/* readiness.c — the time until ready for cutover (see readiness.h). */
#include "model/readiness.h"

static bool ended(const struct db_progress_snapshot *d)
{
    return mig_status_is_final(d->status);
}

/* The seconds to apply backlog while incoming keeps coming at apply; false when it never ends. */
static bool catch_up(double backlog, double apply, double incoming, double *seconds)
{
    if (backlog <= 0) {
        *seconds = 0;
        return true;
    }
    if (apply <= incoming)
        return false;
    *seconds = backlog / (apply - incoming);
    return true;
}

/* The copy's average rate (table bytes per second), 0 when unknown. */
static double copy_rate(const struct db_progress_snapshot *d, double now)
{
    double started = (double) d->started_ms / 1000.0;
    int64_t done = db_progress_snapshot_bytes_done(d);
    if (!d->planned || started <= 0 || now <= started || done <= 0)
        return 0;
    return (double) done / (now - started);
}

/* Index and constraint work left, at the average time of what was built so far. */
static double post_copy_seconds(const struct db_progress_snapshot *d)
{
    int built = d->indexes_built + d->constraints_done;
    int left = d->indexes_total - d->indexes_built + d->constraints_total - d->constraints_done;
    if (built <= 0 || left <= 0)
        return 0;
    return (double) left * ((double) d->index_ms / 1000.0 / built);
}

static void streaming(const struct db_progress_snapshot *d, double fallback_apply,
                      struct readiness_db *out)
{
    if (d->apply_bps > 0) {
        out->trend_known = true;
        out->trend_bps = (double) (d->incoming_bps - d->apply_bps);
    }
    if (d->caught_up || d->lag_bytes <= 0) {
        out->known = true;
        out->eta_seconds = 0;
        return;
    }
    double apply = d->apply_bps > 0 ? (double) d->apply_bps : fallback_apply;
    out->known =
        catch_up((double) d->lag_bytes, apply, (double) d->incoming_bps, &out->eta_seconds);
}

/*
 * A database that copies: its time until caught up, and in *copy_end when
 * its copy (with indexes and constraints) ends; false when unknown.
 */
static bool copying(const struct db_progress_snapshot *d, double now, double earlier_apply,
                    double *ready, double *copy_end)
{
    double rate = copy_rate(d, now);
    if (rate <= 0)
        return false;
    int64_t done = db_progress_snapshot_bytes_done(d);
    double copy = d->bytes_total > done ? (double) (d->bytes_total - done) / rate : 0;
    *copy_end = copy + post_copy_seconds(d);
    double incoming = (double) d->incoming_bps;
    double backlog = (double) d->backlog_bytes + incoming * *copy_end;
    double apply = earlier_apply > 0 ? earlier_apply : READINESS_APPLY_PER_COPY_BYTE * rate;
    double seconds;
    if (!catch_up(backlog, apply, incoming, &seconds))
        return false;
    *ready = *copy_end + seconds;
    return true;
}

double readiness_estimate(const struct db_progress_snapshot *dbs, size_t n, double now,
                          struct readiness_db *out)
{
    /* What the run's streams showed they can apply, and the incoming rate they see. */
    double peak = 0, incoming = 0, rate = 0;
    for (size_t i = 0; i < n; i++) {
        if (dbs[i].apply_peak_bps > peak)
            peak = (double) dbs[i].apply_peak_bps;
        if (!ended(&dbs[i]) && dbs[i].incoming_bps > incoming)
            incoming = (double) dbs[i].incoming_bps;
    }
    double longest = 0;
    bool known = true, any = false;
    /* Seconds from now until the copy in progress (and those queued so far) ends; <0 unknown. */
    double copies_end = 0;
    for (size_t i = 0; i < n; i++) {
        const struct db_progress_snapshot *d = &dbs[i];
        struct readiness_db *o = &out[i];
        *o = (struct readiness_db){0};
        if (ended(d))
            continue;
        any = true;
        if (d->streaming)
            streaming(d, peak, o);
        else if (d->started_ms > 0) {
            double end = 0;
            o->known = copying(d, now, peak, &o->eta_seconds, &end);
            rate = copy_rate(d, now);
            copies_end = o->known && copies_end >= 0 ? copies_end + end : -1;
        } else if (d->bytes_total > 0 && rate > 0 && copies_end >= 0) {
            /* Queued, its size known: its copy follows the ones before it, at their rate. */
            double copy = (double) d->bytes_total / rate, seconds = 0;
            double apply = peak > 0 ? peak : READINESS_APPLY_PER_COPY_BYTE * rate;
            copies_end += copy;
            o->known = catch_up(incoming * copy, apply, incoming, &seconds);
            o->eta_seconds = copies_end + seconds;
        } else
            copies_end = -1;
        if (!o->known) {
            known = false;
            o->eta_seconds = 0;
        } else if (o->eta_seconds > longest)
            longest = o->eta_seconds;
    }
    return known && any ? longest : -1.0;
}
