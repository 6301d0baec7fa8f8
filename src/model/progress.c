/* progress.c — progress counters and their arithmetic (see progress.h). */
#include "model/progress.h"
#include "util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

void db_progress_restart_copy(struct db_progress *p)
{
    atomic_store(&p->planned, false);
    atomic_store(&p->tables_total, 0);
    atomic_store(&p->tables_copying, 0);
    atomic_store(&p->tables_copied, 0);
    atomic_store(&p->tables_failed, 0);
    atomic_store(&p->rows_copied, 0);
    atomic_store(&p->bytes_copied, 0);
    atomic_store(&p->bytes_total, 0);
    atomic_store(&p->bytes_streaming, 0);
    atomic_store(&p->bytes_sent, 0);
    atomic_store(&p->large_objects, 0);
    atomic_store(&p->large_object_bytes, 0);
    atomic_store(&p->indexes_total, 0);
    atomic_store(&p->indexes_built, 0);
    atomic_store(&p->constraints_total, 0);
    atomic_store(&p->constraints_done, 0);
    atomic_store(&p->index_ms, 0);
}

int db_progress_tables_queued(const struct db_progress *p)
{
    int q = atomic_load(&p->tables_total) - atomic_load(&p->tables_copying) -
            atomic_load(&p->tables_copied) - atomic_load(&p->tables_failed);
    return q > 0 ? q : 0;
}

int64_t db_progress_bytes_done(const struct db_progress *p)
{
    int64_t done = atomic_load(&p->bytes_copied) + atomic_load(&p->bytes_streaming);
    int64_t total = atomic_load(&p->bytes_total);
    return done > total ? total : done;
}

void lag_history_add(struct lag_history *h, uint64_t lsn, double at)
{
    if (h->n > 0 && lsn <= h->lsn[h->n - 1]) {
        /* Not moved: it was still there at this time, which bounds its next WAL better. */
        if (lsn == h->lsn[h->n - 1])
            h->at[h->n - 1] = at;
        return;
    }
    if (h->n == LAG_HISTORY_SAMPLES) {
        /* Keep the oldest sample; the second oldest goes. */
        memmove(&h->lsn[1], &h->lsn[2], (size_t) (h->n - 2) * sizeof(h->lsn[0]));
        memmove(&h->at[1], &h->at[2], (size_t) (h->n - 2) * sizeof(h->at[0]));
        h->n--;
    }
    h->lsn[h->n] = lsn;
    h->at[h->n] = at;
    h->n++;
}

double lag_history_age(struct lag_history *h, uint64_t reached, double now)
{
    /* The first sample beyond reached, and how many before it can go. */
    int j = 0;
    while (j < h->n && h->lsn[j] <= reached)
        j++;
    if (j == h->n) {
        /* Everything sampled is reached; the newest sample stays as the base. */
        if (h->n > 1) {
            h->lsn[0] = h->lsn[h->n - 1];
            h->at[0] = h->at[h->n - 1];
            h->n = 1;
        }
        return 0.0;
    }
    double written; /* when the source wrote the WAL just past reached */
    if (j == 0)
        written = h->at[0]; /* reached is older than the history: its oldest sample bounds it */
    else {
        double span = (double) (h->lsn[j] - h->lsn[j - 1]);
        double part = (double) (reached - h->lsn[j - 1]) / span;
        written = h->at[j - 1] + part * (h->at[j] - h->at[j - 1]);
    }
    if (j > 1) {
        memmove(&h->lsn[0], &h->lsn[j - 1], (size_t) (h->n - j + 1) * sizeof(h->lsn[0]));
        memmove(&h->at[0], &h->at[j - 1], (size_t) (h->n - j + 1) * sizeof(h->at[0]));
        h->n -= j - 1;
    }
    double age = now - written;
    return age > 0 ? age : 0.0;
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

void progress_format_count(int64_t n, char *out, size_t outlen)
{
    char digits[32];
    unsigned long long magnitude =
        n < 0 ? 0ULL - (unsigned long long) n : (unsigned long long) n; /* INT64_MIN too */
    snprintf(digits, sizeof(digits), "%llu", magnitude);
    size_t len = strlen(digits), k = 0;
    char tmp[48];
    if (n < 0)
        tmp[k++] = '-';
    for (size_t i = 0; i < len; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            tmp[k++] = ',';
        tmp[k++] = digits[i];
    }
    tmp[k] = '\0';
    snprintf(out, outlen, "%s", tmp);
}
