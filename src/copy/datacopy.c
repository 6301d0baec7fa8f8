/*
 * datacopy.c — the parallel data phase: copy workers, index workers and the
 * hand-over between them (see datacopy.h).
 *
 * Copy workers claim table parts from a sorted array with an atomic counter.
 * Index work (index builds, ANALYZE, foreign keys) flows through a queue; a
 * pending count tells the coordinating thread when the queue has drained.
 */
#include "copy/datacopy.h"
#include "copy/indexbuild.h"
#include "copy/largeobjects.h"
#include "copy/snapshot.h"
#include "copy/tablecopy.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/queue.h"
#include "util/timeutil.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Index workers' DDL can deadlock with each other (two foreign keys between the same tables):
 * retry. */
#define DDL_ATTEMPTS 5

enum work_kind { WORK_INDEX, WORK_ANALYZE, WORK_FKEY };

struct work {
    enum work_kind kind;
    int item; /* index, table or foreign key position in the catalog */
};

struct table_state {
    _Atomic int parts_left;
    _Atomic int indexes_left;
    _Atomic int started;
    _Atomic int64_t rows;
    _Atomic int64_t bytes; /* the parts' sizes on the source */
    _Atomic int64_t sent;  /* COPY stream bytes */
    _Atomic bool indexed;  /* copied and every index built */
    double t0;
};

struct run {
    const struct copy_catalog *cat;
    const struct datacopy_config *cfg;
    struct copy_part *parts;
    int nparts;
    _Atomic int next_part;
    struct table_state *ts;
    _Atomic bool *fkey_pushed; /* per foreign key: handed to the index workers */
    wqueue *q;
    pthread_mutex_t lock;
    pthread_cond_t drained;
    int pending; /* work pushed and not finished, under lock */
    _Atomic bool stop;
    char *error;    /* first failure, under lock */
    char *sqlstate; /* its SQLSTATE, under lock */
    strlist missing_roles;
};

struct worker {
    struct run *run;
    int id;
    pthread_t thread;
};

static bool stopped(struct run *run)
{
    return atomic_load(&run->stop) || (run->cfg->cancel && atomic_load(run->cfg->cancel));
}

/* Records the first failure and tells everyone to stop. */
static void fail(struct run *run, const char *sqlstate, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fail(struct run *run, const char *sqlstate, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char buf[2048];
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&run->lock);
    if (run->error == NULL) {
        run->error = xstrdup(buf);
        run->sqlstate = sqlstate && sqlstate[0] ? xstrdup(sqlstate) : NULL;
    }
    pthread_mutex_unlock(&run->lock);
    atomic_store(&run->stop, true);
}

static void push_work(struct run *run, enum work_kind kind, int item)
{
    struct work *w = xmalloc(sizeof(*w));
    w->kind = kind;
    w->item = item;
    pthread_mutex_lock(&run->lock);
    run->pending++;
    pthread_mutex_unlock(&run->lock);
    wq_push(run->q, w);
}

static void work_done(struct run *run)
{
    pthread_mutex_lock(&run->lock);
    if (--run->pending == 0)
        pthread_cond_broadcast(&run->drained);
    pthread_mutex_unlock(&run->lock);
}

static void wait_drained(struct run *run)
{
    pthread_mutex_lock(&run->lock);
    while (run->pending > 0)
        pthread_cond_wait(&run->drained, &run->lock);
    pthread_mutex_unlock(&run->lock);
}

static void set_context(struct run *run, const char *what, const char *name)
{
    char ctx[256];
    if (name)
        snprintf(ctx, sizeof(ctx), "db=%s %s=%s", run->cat->db.name, what, name);
    else
        snprintf(ctx, sizeof(ctx), "db=%s %s", run->cat->db.name, what);
    log_set_context(ctx);
}

static void emit(struct run *run, enum event_kind kind, const char *object, const char *message,
                 int64_t rows, int64_t bytes, double seconds)
{
    struct event ev = {.kind = kind,
                       .database = run->cat->db.name,
                       .object = object,
                       .message = message,
                       .rows = rows,
                       .bytes = bytes,
                       .seconds = seconds};
    event_emit(run->cfg->events, &ev);
}

/*
 * Table t is copied and indexed: analyze it, and add each foreign key whose
 * two tables are now both ready (adding one needs the referenced key's
 * index and takes locks that conflict with index builds on either table).
 */
static void table_indexed(struct run *run, int t)
{
    atomic_store(&run->ts[t].indexed, true);
    push_work(run, WORK_ANALYZE, t);
    for (int f = 0; !run->cfg->defer_fkeys && f < run->cat->nfkeys; f++) {
        const struct cat_fkey *fk = &run->cat->fkeys[f];
        if (fk->table != t && fk->ref_table != t)
            continue;
        if (atomic_load(&run->ts[fk->table].indexed) &&
            atomic_load(&run->ts[fk->ref_table].indexed) &&
            !atomic_exchange(&run->fkey_pushed[f], true))
            push_work(run, WORK_FKEY, f);
    }
}

/* Called when the last part of table t is in: hand it to the index workers. */
static void table_copied(struct run *run, int t)
{
    const struct cat_table *tab = &run->cat->tables[t];
    struct table_state *ts = &run->ts[t];
    struct db_progress *pr = run->cfg->progress;
    atomic_fetch_sub(&pr->tables_copying, 1);
    atomic_fetch_add(&pr->tables_copied, 1);
    double secs = time_now() - ts->t0;
    char msg[64], sent[32];
    progress_format_bytes(atomic_load(&ts->sent), sent, sizeof(sent));
    snprintf(msg, sizeof(msg), "%s COPY, %s sent", tab->binary_ok ? "binary" : "text", sent);
    emit(run, EV_TABLE_COPIED, tab->qname, msg, atomic_load(&ts->rows), atomic_load(&ts->bytes),
         secs);
    log_debug("copied %s: %lld rows in %.2fs", tab->qname, (long long) atomic_load(&ts->rows),
              secs);
    if (tab->nindexes == 0) {
        table_indexed(run, t);
        return;
    }
    for (int i = 0; i < run->cat->nindexes; i++)
        if (run->cat->indexes[i].table == t)
            push_work(run, WORK_INDEX, i);
}

static bool open_target(struct run *run, pgconn **dst, const char *label)
{
    if (!pgconn_connect(dst, run->cfg->dst_conninfo, label) || !pgconn_set_session_defaults(*dst) ||
        !pgconn_exec(*dst, "SELECT pg_catalog.set_config('search_path', '', false)")) {
        fail(run, pgconn_error_sqlstate(*dst), "%s: %s", label, pgconn_error_message(*dst));
        return false;
    }
    return true;
}

/* Values that need compressing are compressed with the chosen method (a column's own setting wins).
 */
static bool set_toast_compression(struct run *run, pgconn *dst, const char *label)
{
    if (run->cfg->toast_compression == NULL)
        return true;
    const char *params[] = {run->cfg->toast_compression};
    pgres *r;
    if (!pgconn_query(dst, "SELECT pg_catalog.set_config('default_toast_compression', $1, false)",
                      1, params, &r)) {
        fail(run, pgconn_error_sqlstate(dst), "%s: %s", label, pgconn_error_message(dst));
        return false;
    }
    pgres_free(r);
    return true;
}

static void run_part(struct run *run, pgconn *src, pgconn *dst, const struct copy_part *p)
{
    const struct cat_table *tab = &run->cat->tables[p->table];
    struct table_state *ts = &run->ts[p->table];
    struct db_progress *pr = run->cfg->progress;
    char what[48];
    if (p->count > 1)
        snprintf(what, sizeof(what), "table(part %d/%d)", p->index + 1, p->count);
    else
        snprintf(what, sizeof(what), "table");
    set_context(run, what, tab->qname);

    if (atomic_fetch_add(&ts->started, 1) == 0) {
        ts->t0 = time_now();
        atomic_fetch_add(&pr->tables_copying, 1);
    }
    struct pgconn_copy_stats moved;
    bool ok = copy_part_run(src, dst, tab, p, &pr->bytes_streaming, run->cfg->cancel, &moved);
    /* The part's COPY bytes were an estimate of its share while it ran; now its size counts. */
    atomic_fetch_sub(&pr->bytes_streaming, moved.bytes);
    if (!ok) {
        pgconn *culprit = pgconn_error_message(dst)[0] ? dst : src;
        atomic_fetch_add(&pr->tables_failed, 1);
        atomic_fetch_sub(&pr->tables_copying, 1);
        fail(run, pgconn_error_sqlstate(culprit), "copying table %s failed (%s): %s", tab->qname,
             culprit == dst ? "target" : "source", pgconn_error_message(culprit));
        return;
    }
    atomic_fetch_add(&ts->rows, moved.rows);
    atomic_fetch_add(&pr->rows_copied, moved.rows);
    atomic_fetch_add(&ts->bytes, p->bytes);
    atomic_fetch_add(&pr->bytes_copied, p->bytes);
    atomic_fetch_add(&ts->sent, moved.bytes);
    atomic_fetch_add(&pr->bytes_sent, moved.bytes);
    if (atomic_fetch_sub(&ts->parts_left, 1) == 1)
        table_copied(run, p->table);
}

static void run_large_objects(struct run *run, pgconn *src, pgconn *dst)
{
    set_context(run, "large objects", NULL);
    strlist missing = STRLIST_INIT;
    double t0 = time_now();
    struct db_progress *pr = run->cfg->progress;
    if (!copy_large_objects(src, dst, run->cat, run->cfg->target_roles, &missing,
                            &pr->large_object_bytes)) {
        pgconn *culprit = pgconn_error_message(dst)[0] ? dst : src;
        fail(run, pgconn_error_sqlstate(culprit), "copying large objects failed: %s",
             pgconn_error_message(culprit));
    } else {
        atomic_store(&pr->large_objects, run->cat->nlarge_objects);
        emit(run, EV_LARGE_OBJECTS_COPIED, NULL, NULL, run->cat->nlarge_objects,
             atomic_load(&pr->large_object_bytes), time_now() - t0);
    }
    pthread_mutex_lock(&run->lock);
    for (size_t i = 0; i < missing.n; i++)
        if (!sl_contains(&run->missing_roles, missing.items[i]))
            sl_push(&run->missing_roles, missing.items[i]);
    pthread_mutex_unlock(&run->lock);
    sl_free(&missing);
}

static void *copy_worker(void *arg)
{
    struct worker *w = arg;
    struct run *run = w->run;
    char label[64];
    snprintf(label, sizeof(label), "source db=%s copy-%d", run->cat->db.name, w->id);
    set_context(run, "worker", label + strlen("source db=") + strlen(run->cat->db.name) + 1);

    pgconn *src = NULL, *dst = NULL;
    /* An empty search_path makes reg* columns print schema-qualified names. */
    if (!pgconn_connect(&src, run->cfg->src_conninfo, label) || !pgconn_set_session_defaults(src) ||
        !pgconn_exec(src, "SELECT pg_catalog.set_config('search_path', '', false)") ||
        !copy_snapshot_import(src, run->cfg->snapshot)) {
        fail(run, pgconn_error_sqlstate(src), "%s: %s", label, pgconn_error_message(src));
        goto done;
    }
    snprintf(label, sizeof(label), "target db=%s copy-%d", run->cat->db.name, w->id);
    if (!open_target(run, &dst, label) || !set_toast_compression(run, dst, label))
        goto done;

    for (;;) {
        if (stopped(run))
            break;
        int k = atomic_fetch_add(&run->next_part, 1);
        if (k < run->nparts)
            run_part(run, src, dst, &run->parts[k]);
        else if (k == run->nparts && run->cat->nlarge_objects > 0)
            run_large_objects(run, src, dst);
        else
            break;
    }
done:
    pgconn_close(src);
    pgconn_close(dst);
    log_set_context(NULL);
    return NULL;
}

static bool exec_all(pgconn *dst, const strlist *stmts)
{
    for (size_t i = 0; i < stmts->n; i++)
        if (!pgconn_exec_retry(dst, stmts->items[i], DDL_ATTEMPTS))
            return false;
    return true;
}

static void run_index(struct run *run, pgconn *dst, int i)
{
    const struct cat_index *x = &run->cat->indexes[i];
    const struct cat_table *tab = &run->cat->tables[x->table];
    set_context(run, "index", x->name);
    strlist stmts = STRLIST_INIT;
    copy_index_statements(run->cat, x, &stmts);
    double t0 = time_now();
    if (!exec_all(dst, &stmts)) {
        fail(run, pgconn_error_sqlstate(dst), "building index %s on %s failed: %s", x->name,
             tab->qname, pgconn_error_message(dst));
    } else {
        atomic_fetch_add(&run->cfg->progress->indexes_built, 1);
        emit(run, EV_INDEX_BUILT, x->name, x->constraint_name ? "constraint" : NULL, 0, 0,
             time_now() - t0);
        if (atomic_fetch_sub(&run->ts[x->table].indexes_left, 1) == 1)
            table_indexed(run, x->table);
    }
    sl_free(&stmts);
}

static void run_analyze(struct run *run, pgconn *dst, int t)
{
    const struct cat_table *tab = &run->cat->tables[t];
    set_context(run, "analyze", tab->qname);
    char *sql = xasprintf("ANALYZE %s", tab->qname);
    if (!pgconn_exec_retry(dst, sql, DDL_ATTEMPTS))
        fail(run, pgconn_error_sqlstate(dst), "ANALYZE %s failed: %s", tab->qname,
             pgconn_error_message(dst));
    free(sql);
}

static void run_fkey(struct run *run, pgconn *dst, int f)
{
    const struct cat_fkey *fk = &run->cat->fkeys[f];
    set_context(run, "constraint", fk->name);
    strbuf sql = STRBUF_INIT;
    copy_fkey_statement(run->cat, fk, &sql);
    if (!pgconn_exec_retry(dst, sb_str(&sql), DDL_ATTEMPTS))
        fail(run, pgconn_error_sqlstate(dst), "adding foreign key %s on %s failed: %s", fk->name,
             run->cat->tables[fk->table].qname, pgconn_error_message(dst));
    else
        atomic_fetch_add(&run->cfg->progress->constraints_done, 1);
    sb_free(&sql);
}

static void *index_worker(void *arg)
{
    struct worker *w = arg;
    struct run *run = w->run;
    char label[64];
    snprintf(label, sizeof(label), "target db=%s index-%d", run->cat->db.name, w->id);
    pgconn *dst = NULL;
    bool ok = open_target(run, &dst, label);
    if (ok && run->cfg->maintenance_work_mem) {
        const char *params[] = {run->cfg->maintenance_work_mem};
        pgres *r;
        if (pgconn_query(dst, "SELECT pg_catalog.set_config('maintenance_work_mem', $1, false)", 1,
                         params, &r))
            pgres_free(r);
        else
            fail(run, pgconn_error_sqlstate(dst), "%s: %s", label, pgconn_error_message(dst));
    }
    struct work *item;
    while ((item = wq_pop(run->q)) != NULL) {
        if (ok && !stopped(run)) {
            switch (item->kind) {
            case WORK_INDEX:
                run_index(run, dst, item->item);
                break;
            case WORK_ANALYZE:
                run_analyze(run, dst, item->item);
                break;
            case WORK_FKEY:
                run_fkey(run, dst, item->item);
                break;
            }
        }
        free(item);
        work_done(run);
    }
    pgconn_close(dst);
    log_set_context(NULL);
    return NULL;
}

bool copy_data_run(pgconn *planner, const struct copy_catalog *cat,
                   const struct datacopy_config *cfg, struct datacopy_result *res)
{
    memset(res, 0, sizeof(*res));
    struct run run;
    memset(&run, 0, sizeof(run));
    run.cat = cat;
    run.cfg = cfg;
    pthread_mutex_init(&run.lock, NULL);
    pthread_cond_init(&run.drained, NULL);

    int jobs = cfg->jobs > 0 ? cfg->jobs : 1;
    int index_jobs = cfg->index_jobs > 0 ? cfg->index_jobs : 1;
    int64_t split = cfg->split_bytes == 0 ? copy_auto_split_bytes(cat, jobs) : cfg->split_bytes;
    if (!copy_plan_parts(planner, cat, split, &run.parts, &run.nparts)) {
        res->error = xstrdup(pgconn_error_message(planner));
        return false;
    }
    run.ts = xcalloc((size_t) cat->ntables + 1, sizeof(struct table_state));
    run.fkey_pushed = xcalloc((size_t) cat->nfkeys + 1, sizeof(_Atomic bool));
    for (int i = 0; i < run.nparts; i++)
        atomic_fetch_add(&run.ts[run.parts[i].table].parts_left, 1);
    for (int t = 0; t < cat->ntables; t++)
        atomic_store(&run.ts[t].indexes_left, cat->tables[t].nindexes);

    struct db_progress *pr = cfg->progress;
    atomic_store(&pr->tables_total, cat->ntables);
    atomic_store(&pr->bytes_total, cat->total_bytes);
    atomic_store(&pr->indexes_total, cat->nindexes);
    if (!cfg->defer_fkeys)
        atomic_store(&pr->constraints_total, cat->nfkeys);
    atomic_store(&pr->planned, true);
    log_info("copying %d tables (%d parts) with %d workers, building %d indexes with %d workers",
             cat->ntables, run.nparts, jobs, cat->nindexes, index_jobs);

    run.q = wq_create();
    struct worker *copiers = xcalloc((size_t) jobs, sizeof(struct worker));
    struct worker *indexers = xcalloc((size_t) index_jobs, sizeof(struct worker));
    for (int i = 0; i < index_jobs; i++) {
        indexers[i] = (struct worker){.run = &run, .id = i + 1};
        pthread_create(&indexers[i].thread, NULL, index_worker, &indexers[i]);
    }
    for (int i = 0; i < jobs; i++) {
        copiers[i] = (struct worker){.run = &run, .id = i + 1};
        pthread_create(&copiers[i].thread, NULL, copy_worker, &copiers[i]);
    }
    for (int i = 0; i < jobs; i++)
        pthread_join(copiers[i].thread, NULL);
    wait_drained(&run);
    /* Every table is indexed by now, so every foreign key was handed over. */
    for (int f = 0; !stopped(&run) && !cfg->defer_fkeys && f < cat->nfkeys; f++)
        if (!atomic_exchange(&run.fkey_pushed[f], true))
            push_work(&run, WORK_FKEY, f);
    wait_drained(&run);
    wq_close(run.q);
    for (int i = 0; i < index_jobs; i++)
        pthread_join(indexers[i].thread, NULL);

    if (run.error == NULL && cfg->cancel && atomic_load(cfg->cancel))
        run.error = xstrdup("canceled");
    res->error = run.error;
    res->error_sqlstate = run.sqlstate;
    res->missing_roles = run.missing_roles;
    bool ok = run.error == NULL;

    wq_destroy(run.q);
    free(copiers);
    free(indexers);
    free(run.parts);
    free(run.ts);
    free(run.fkey_pushed);
    pthread_mutex_destroy(&run.lock);
    pthread_cond_destroy(&run.drained);
    return ok;
}

void copy_data_result_free(struct datacopy_result *res)
{
    free(res->error);
    free(res->error_sqlstate);
    sl_free(&res->missing_roles);
    memset(res, 0, sizeof(*res));
}
