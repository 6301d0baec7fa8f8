/* progress.c — progress counters and their arithmetic (see progress.h). */
#include "model/progress.h"
#include "util/mem.h"

#include <stdio.h>
#include <stdlib.h>

struct db_progress *db_progress_new(const char *name)
{
    struct db_progress *p = xcalloc(1, sizeof(*p));
    p->name = xstrdup(name);
    atomic_store(&p->status, MIG_IN_PROGRESS);
    atomic_store(&p->substatus, SUB_PREREQUISITES);
    return p;
}

void db_progress_free(struct db_progress *p)
{
    if (p == NULL)
        return;
    free(p->name);
    free(p);
}

int db_progress_tables_queued(const struct db_progress *p)
{
    int q = atomic_load(&p->tables_total) - atomic_load(&p->tables_copying) -
            atomic_load(&p->tables_copied) - atomic_load(&p->tables_failed);
    return q > 0 ? q : 0;
}

void rate_meter_sample(struct rate_meter *m, double now, int64_t value)
{
    if (m->last_time <= 0) {
        m->last_time = now;
        m->last_value = value;
        m->rate = 0;
        return;
    }
    double dt = now - m->last_time;
    if (dt < 0.2)
        return; /* too short an interval to say anything */
    double inst = (double) (value - m->last_value) / dt;
    if (inst < 0)
        inst = 0;
    /* Weight recent samples more the longer the interval was (time constant ~3 s). */
    double alpha = dt / (dt + 3.0);
    m->rate = m->rate <= 0 ? inst : m->rate + alpha * (inst - m->rate);
    m->last_time = now;
    m->last_value = value;
}

double progress_fraction(int64_t done, int64_t total)
{
    if (total <= 0)
        return 0.0;
    if (done >= total)
        return 1.0;
    return done <= 0 ? 0.0 : (double) done / (double) total;
}

double progress_eta(int64_t done, int64_t total, double rate)
{
    if (total <= 0 || rate <= 0)
        return -1.0;
    if (done >= total)
        return 0.0;
    return (double) (total - done) / rate;
}

void progress_format_bytes(int64_t bytes, char *out, size_t outlen)
{
    static const char *const units[] = {"B", "kB", "MB", "GB", "TB", "PB"};
    double v = (double) bytes;
    int u = 0;
    while (v >= 1024.0 && u < 5) {
        v /= 1024.0;
        u++;
    }
    if (u == 0)
        snprintf(out, outlen, "%lld B", (long long) bytes);
    else
        snprintf(out, outlen, "%.1f %s", v, units[u]);
}
