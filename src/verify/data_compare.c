/*
 * data_compare.c — comparing the rows of every table on both sides.
 *
 * The relations that store rows (sql/verify_tables.sql) are listed on both
 * sides and matched by schema and name: one missing on a side is a
 * difference. Every table present on both is fingerprinted on both sides
 * with a row count and an order-independent checksum (checksum_sql.c), over
 * the columns both sides have (a column added or dropped shows in the schema
 * comparison). A queue hands the tables, largest first, to db->jobs worker
 * threads; each worker holds its own source and target connection and runs
 * the target's query in a short-lived thread while it runs the source's, so
 * both servers work at once.
 */
#include "pg/quote.h"
#include "sql_embedded.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/queue.h"
#include "util/timeutil.h"
#include "verify/internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* A relation that stores rows, on one side. */
struct vtable {
    int64_t oid;
    char *schema; /* owned */
    char *name;   /* owned */
    char *qname;  /* owned: quoted schema.name */
    bool matview;
    bool populated;
    int64_t bytes;
    struct verify__column *cols; /* owned array */
    size_t ncols, cap;
};

struct vtables {
    struct vtable *items; /* owned array, sorted by schema and name */
    size_t n, cap;
};

static void vtables_free(struct vtables *ts)
{
    for (size_t i = 0; i < ts->n; i++) {
        struct vtable *t = &ts->items[i];
        for (size_t c = 0; c < t->ncols; c++) {
            free(t->cols[c].name);
            free(t->cols[c].send_fn);
            free(t->cols[c].elem_send_fn);
        }
        free(t->cols);
        free(t->schema);
        free(t->name);
        free(t->qname);
    }
    free(ts->items);
    memset(ts, 0, sizeof(*ts));
}

static int cmp_vtable(const void *a, const void *b)
{
    const struct vtable *x = a, *y = b;
    int c = strcmp(x->schema, y->schema);
    return c ? c : strcmp(x->name, y->name);
}

/* Reads the relations of one side: one row per column, grouped by relation. */
static bool load_tables(pgconn *c, struct vtables *out)
{
    pgres *r;
    if (!pgconn_query(c, sql_text("verify_tables"), 0, NULL, &r))
        return false;
    int n = pgres_ntuples(r);
    int f_oid = pgres_fnumber(r, "oid"), f_schema = pgres_fnumber(r, "schema");
    int f_name = pgres_fnumber(r, "name"), f_kind = pgres_fnumber(r, "kind");
    int f_pop = pgres_fnumber(r, "populated"), f_bytes = pgres_fnumber(r, "bytes");
    int f_col = pgres_fnumber(r, "column_name"), f_send = pgres_fnumber(r, "send_fn");
    int f_elem = pgres_fnumber(r, "elem_send_fn");
    struct vtable *t = NULL;
    for (int i = 0; i < n; i++) {
        int64_t oid = strtoll(pgres_get(r, i, f_oid), NULL, 10);
        if (t == NULL || t->oid != oid) {
            if (out->n == out->cap) {
                out->cap = out->cap ? out->cap * 2 : 64;
                out->items = xrealloc(out->items, out->cap * sizeof(*out->items));
            }
            t = &out->items[out->n++];
            memset(t, 0, sizeof(*t));
            t->oid = oid;
            t->schema = xstrdup(pgres_get(r, i, f_schema));
            t->name = xstrdup(pgres_get(r, i, f_name));
            t->qname = pgq_qualified_dup(t->schema, t->name);
            const char *kind = pgres_get(r, i, f_kind);
            t->matview = kind && kind[0] == 'm';
            const char *pop = pgres_get(r, i, f_pop);
            t->populated = pop == NULL || pop[0] == 't';
            const char *bytes = pgres_get(r, i, f_bytes);
            t->bytes = bytes ? strtoll(bytes, NULL, 10) : 0;
        }
        const char *col = pgres_get(r, i, f_col);
        if (col == NULL)
            continue; /* a table without columns */
        if (t->ncols == t->cap) {
            t->cap = t->cap ? t->cap * 2 : 8;
            t->cols = xrealloc(t->cols, t->cap * sizeof(*t->cols));
        }
        struct verify__column *vc = &t->cols[t->ncols++];
        vc->name = xstrdup(col);
        vc->send_fn = xstrdup(pgres_get(r, i, f_send));
        vc->elem_send_fn = xstrdup(pgres_get(r, i, f_elem));
    }
    pgres_free(r);
    qsort(out->items, out->n, sizeof(*out->items), cmp_vtable);
    return true;
}

/* What one side said about a table. */
struct side_out {
    bool ok;
    char *count; /* owned */
    char *sum;   /* owned */
    char *error; /* owned: the server's message when !ok */
};

struct table_job {
    const struct vtable *src, *tgt;
    char *src_sql, *tgt_sql; /* owned */
    bool columns_differ;
    struct side_out so, to;
    bool done; /* set by the worker; read after it was joined */
};

static void run_side(pgconn *c, const char *sql, struct side_out *o)
{
    pgres *r;
    if (!pgconn_query_quiet(c, sql, 0, NULL, &r)) {
        o->error = xstrdup(pgconn_error_message(c));
        pgconn_clear_error(c);
        return;
    }
    o->count = xstrdup(pgres_get(r, 0, 0));
    o->sum = xstrdup(pgres_get(r, 0, 1));
    o->ok = o->count != NULL && o->sum != NULL;
    if (!o->ok)
        o->error = xstrdup("the checksum query returned no row");
    pgres_free(r);
}

struct side_call {
    pgconn *conn; /* lent to this thread until it is joined */
    const char *sql;
    struct side_out *out;
};

static void *side_main(void *arg)
{
    struct side_call *call = arg;
    run_side(call->conn, call->sql, call->out);
    return NULL;
}

struct worker {
    struct verify__db *db;
    wqueue *queue;
    int id;
    pthread_t thread;
    bool started;
    char *error; /* owned: why the worker could not connect */
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    char *src_label = xasprintf("source db=%s worker=%d", w->db->name, w->id);
    char *tgt_label = xasprintf("target db=%s worker=%d", w->db->name, w->id);
    pgconn *src = NULL, *tgt = NULL;
    if (!verify__connect(&src, w->db->src_conninfo, src_label))
        w->error = xasprintf("source: %s", src ? pgconn_error_message(src) : "out of memory");
    else if (!verify__connect(&tgt, w->db->tgt_conninfo, tgt_label))
        w->error = xasprintf("target: %s", tgt ? pgconn_error_message(tgt) : "out of memory");
    struct table_job *job;
    while (w->error == NULL && (job = wq_pop(w->queue)) != NULL) {
        char *context = xasprintf("db=%s table=%s", w->db->name, job->src->qname);
        log_set_context(context);
        free(context);
        double started = time_now();
        struct side_call call = {.conn = tgt, .sql = job->tgt_sql, .out = &job->to};
        pthread_t th;
        bool threaded = pthread_create(&th, NULL, side_main, &call) == 0;
        run_side(src, job->src_sql, &job->so);
        if (threaded)
            pthread_join(th, NULL);
        else
            side_main(&call);
        job->done = true;
        log_debug("compared in %.2fs", time_now() - started);
    }
    log_set_context(NULL);
    pgconn_close(src);
    pgconn_close(tgt);
    free(src_label);
    free(tgt_label);
    return NULL;
}

/* The columns both sides have, in the source's order, as each side reads them. */
static void common_columns(const struct vtable *s, const struct vtable *t,
                           struct verify__column *src_cols, struct verify__column *tgt_cols,
                           size_t *n, bool *differ)
{
    *n = 0;
    size_t found = 0;
    for (size_t i = 0; i < s->ncols; i++)
        for (size_t j = 0; j < t->ncols; j++)
            if (strcmp(s->cols[i].name, t->cols[j].name) == 0) {
                src_cols[*n] = s->cols[i];
                tgt_cols[*n] = t->cols[j];
                (*n)++;
                found++;
                break;
            }
    *differ = found != s->ncols || found != t->ncols;
}

static struct table_job *make_job(const struct vtable *s, const struct vtable *t)
{
    struct table_job *job = xcalloc(1, sizeof(*job));
    job->src = s;
    job->tgt = t;
    size_t max = s->ncols > t->ncols ? s->ncols : t->ncols;
    struct verify__column *sc = xcalloc(max + 1, sizeof(*sc));
    struct verify__column *tc = xcalloc(max + 1, sizeof(*tc));
    size_t n;
    common_columns(s, t, sc, tc, &n, &job->columns_differ);
    job->src_sql = verify__checksum_sql(s->qname, sc, n);
    job->tgt_sql = verify__checksum_sql(t->qname, tc, n);
    free(sc);
    free(tc);
    return job;
}

static int cmp_job_size(const void *a, const void *b)
{
    const struct table_job *x = *(const struct table_job *const *) a;
    const struct table_job *y = *(const struct table_job *const *) b;
    return x->src->bytes < y->src->bytes ? 1 : x->src->bytes > y->src->bytes ? -1 : 0;
}

/* Runs every job on up to db->jobs workers; returns when all are done (or undoable). */
static void run_jobs(struct verify__db *db, struct table_job **jobs, size_t njobs)
{
    if (njobs == 0)
        return;
    struct table_job **by_size = xcalloc(njobs, sizeof(*by_size));
    memcpy(by_size, jobs, njobs * sizeof(*by_size));
    qsort(by_size, njobs, sizeof(*by_size), cmp_job_size);
    wqueue *q = wq_create();
    for (size_t i = 0; i < njobs; i++)
        wq_push(q, by_size[i]);
    wq_close(q);

    size_t nworkers = (size_t) db->jobs < njobs ? (size_t) db->jobs : njobs;
    struct worker *workers = xcalloc(nworkers, sizeof(*workers));
    for (size_t i = 0; i < nworkers; i++) {
        workers[i] = (struct worker){.db = db, .queue = q, .id = (int) i + 1};
        workers[i].started =
            pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]) == 0;
        if (!workers[i].started)
            log_warn("could not start comparison worker %zu", i + 1);
    }
    for (size_t i = 0; i < nworkers; i++)
        if (workers[i].started)
            pthread_join(workers[i].thread, NULL);
    /* Whatever no worker could take stays in the queue; the caller reports it. */
    while (wq_pop(q) != NULL)
        ;
    for (size_t i = 0; i < nworkers; i++) {
        if (workers[i].error) {
            log_warn("comparison worker %d could not connect: %s", workers[i].id, workers[i].error);
            free(workers[i].error);
        }
    }
    free(workers);
    wq_destroy(q);
    free(by_size);
}

/* Counts a source relation as a table or a materialized view (when populated: it has rows). */
static void count_relation(struct verify_db_result *res, const struct vtable *t)
{
    if (t->matview && t->populated)
        res->matviews++;
    else if (!t->matview)
        res->tables++;
}

/* Turns one finished job into differences and counts. */
static void report_job(struct verify__db *db, struct table_job *job)
{
    const char *object = job->src->qname;
    const char *what = job->src->matview ? "materialized view" : NULL;
    if (!job->done) {
        verify_db_add(db->res, VERIFY_DIFF_ERROR, object, NULL, NULL,
                      "not compared: no worker could connect to both servers");
        return;
    }
    if (!job->so.ok)
        verify__add_error(db->res, true, object, "checksum query failed", job->so.error);
    if (!job->to.ok)
        verify__add_error(db->res, false, object, "checksum query failed", job->to.error);
    if (!job->so.ok || !job->to.ok)
        return;
    if (job->src->matview)
        db->res->matview_rows += strtoll(job->so.count, NULL, 10);
    else
        db->res->rows += strtoll(job->so.count, NULL, 10);
    if (strcmp(job->so.count, job->to.count) != 0) {
        verify_db_add(db->res, VERIFY_DIFF_ROW_COUNT, object, job->so.count, job->to.count, what);
    } else if (strcmp(job->so.sum, job->to.sum) != 0) {
        char *detail =
            xasprintf("%s%ssame row count %s%s", what ? what : "", what ? ", " : "", job->so.count,
                      job->columns_differ ? ", over the columns both sides have" : "");
        verify_db_add(db->res, VERIFY_DIFF_CHECKSUM, object, job->so.sum, job->to.sum, detail);
        free(detail);
    }
}

static void free_job(struct table_job *job)
{
    free(job->src_sql);
    free(job->tgt_sql);
    free(job->so.count);
    free(job->so.sum);
    free(job->so.error);
    free(job->to.count);
    free(job->to.sum);
    free(job->to.error);
    free(job);
}

/* A relation on one side only, or populated on one side only. */
static void report_unmatched(struct verify__db *db, const struct vtable *t, bool on_source,
                             const char *why)
{
    char *detail = t->matview ? xasprintf("materialized view%s%s", why ? ", " : "", why ? why : "")
                              : (why ? xstrdup(why) : NULL);
    verify_db_add(db->res, on_source ? VERIFY_DIFF_TABLE_MISSING : VERIFY_DIFF_TABLE_EXTRA,
                  t->qname, NULL, NULL, detail);
    free(detail);
}

void verify__compare_tables(struct verify__db *db)
{
    struct vtables s = {0}, t = {0};
    bool ok = true;
    if (!load_tables(db->src, &s)) {
        verify__add_error(db->res, true, "tables", "listing tables failed",
                          pgconn_error_message(db->src));
        ok = false;
    }
    if (!load_tables(db->tgt, &t)) {
        verify__add_error(db->res, false, "tables", "listing tables failed",
                          pgconn_error_message(db->tgt));
        ok = false;
    }
    if (!ok) {
        vtables_free(&s);
        vtables_free(&t);
        return;
    }

    /* Match by name: tables missing on a side are reported first, then the jobs' results. */
    struct table_job **jobs = xcalloc(s.n + t.n + 1, sizeof(*jobs));
    size_t njobs = 0;
    size_t i = 0, j = 0;
    while (i < s.n || j < t.n) {
        int c = i >= s.n ? 1 : j >= t.n ? -1 : cmp_vtable(&s.items[i], &t.items[j]);
        if (c < 0) {
            count_relation(db->res, &s.items[i]);
            report_unmatched(db, &s.items[i], true, NULL);
            i++;
        } else if (c > 0) {
            report_unmatched(db, &t.items[j], false, NULL);
            j++;
        } else {
            const struct vtable *a = &s.items[i++], *b = &t.items[j++];
            count_relation(db->res, a);
            if (a->populated && b->populated)
                jobs[njobs++] = make_job(a, b);
            else if (a->populated)
                report_unmatched(db, a, true, "not populated on the target");
            else if (b->populated)
                report_unmatched(db, b, false, "not populated on the source");
        }
    }

    double started = time_now();
    log_info("comparing %zu tables and materialized views (%d at a time)", njobs,
             db->jobs < (int) njobs ? db->jobs : (int) njobs);
    run_jobs(db, jobs, njobs);
    for (size_t k = 0; k < njobs; k++) {
        report_job(db, jobs[k]);
        free_job(jobs[k]);
    }
    char took[32];
    time_format_duration(time_now() - started, took, sizeof(took));
    log_info("compared %zu tables and materialized views in %s", njobs, took);
    free(jobs);
    vtables_free(&s);
    vtables_free(&t);
}
