/*
 * datacopy.c — the parallel data phase: copy workers, index workers and the
 * hand-over between them (see datacopy.h).
 *
 * Copy workers claim table parts from a sorted array with an atomic counter.
 * Index work (index builds, ANALYZE, foreign keys) flows through a queue; a
 * pending count tells the coordinating thread when the queue has drained.
 *
 * A worker whose target session is lost reconnects (copysession.h) and
 * retries its item from the start, after asking the target what the lost
 * session had committed (resume.h), so nothing is done twice: a part whose
 * COMMIT went through before the reply was lost, an index or a constraint
 * already there. A lost source session cannot be retried (its snapshot is
 * gone): the data phase stops and says so (datacopy_result.source_lost).
 */
#include "copy/datacopy.h"
#include "copy/copysession.h"
#include "copy/indexbuild.h"
#include "copy/largeobjects.h"
#include "copy/resume.h"
#include "copy/snapshot.h"
#include "copy/tablecopy.h"
#include "pg/outage.h"
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

/* What the first failure was, for the caller (datacopy_result). */
enum failure_kind { FAILURE_OTHER, FAILURE_SOURCE_LOST, FAILURE_TARGET_GAVE_UP };

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
    char *error;               /* first failure, under lock */
    char *sqlstate;            /* its SQLSTATE, under lock */
    enum failure_kind failure; /* its kind, under lock */
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
static void vfail(struct run *run, enum failure_kind kind, const char *sqlstate, const char *fmt,
                  va_list ap) __attribute__((format(printf, 4, 0)));
static void vfail(struct run *run, enum failure_kind kind, const char *sqlstate, const char *fmt,
                  va_list ap)
{
    char buf[2048];
    vsnprintf(buf, sizeof(buf), fmt, ap);
    pthread_mutex_lock(&run->lock);
    if (run->error == NULL) {
        run->error = xstrdup(buf);
        run->sqlstate = sqlstate && sqlstate[0] ? xstrdup(sqlstate) : NULL;
        run->failure = kind;
    }
    pthread_mutex_unlock(&run->lock);
    atomic_store(&run->stop, true);
}

static void fail(struct run *run, const char *sqlstate, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fail(struct run *run, const char *sqlstate, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(run, FAILURE_OTHER, sqlstate, fmt, ap);
    va_end(ap);
}

static void fail_as(struct run *run, enum failure_kind kind, const char *sqlstate, const char *fmt,
                    ...) __attribute__((format(printf, 4, 5)));
static void fail_as(struct run *run, enum failure_kind kind, const char *sqlstate, const char *fmt,
                    ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(run, kind, sqlstate, fmt, ap);
    va_end(ap);
}

/*
 * After a failed statement on target session s, what: "building index x on
 * t": true when the session was lost and is back, so the caller retries;
 * otherwise records the failure ("what failed: ...") and returns false.
 */
static bool target_back(struct run *run, struct copy_session *s, const char *what)
{
    bool gave_up;
    if (copy_session_recover(s, &run->stop, run->cfg->cancel, &gave_up))
        return true;
    if (gave_up) {
        char *why = copy_session_gave_up_message(s);
        fail_as(run, FAILURE_TARGET_GAVE_UP, "08006", "%s failed: %s", what, why);
        free(why);
    } else
        fail(run, pgconn_error_sqlstate(s->conn), "%s failed: %s", what,
             pgconn_error_message(s->conn));
    return false;
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

/* The copy of table t failed (the first part to fail says why): for a table list. */
static void table_failed(struct run *run, const struct cat_table *tab, const char *sqlstate,
                         const char *message)
{
    struct db_progress *pr = run->cfg->progress;
    atomic_fetch_add(&pr->tables_failed, 1);
    atomic_fetch_sub(&pr->tables_copying, 1);
    struct event ev = {.kind = EV_TABLE_FAILED,
                       .database = run->cat->db.name,
                       .object = tab->qname,
                       .message = message,
                       .sqlstate = sqlstate};
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

static bool open_target(struct run *run, struct copy_session *s, const char *label,
                        const char *maintenance_work_mem)
{
    copy_session_init(s, run->cfg->dst_conninfo, label, run->cfg->reconnect_timeout);
    /* Values that need compressing use the chosen method (a column's own setting wins). */
    s->toast_compression = run->cfg->toast_compression;
    s->maintenance_work_mem = maintenance_work_mem;
    if (!copy_session_open(s)) {
        fail(run, pgconn_error_sqlstate(s->conn), "%s: %s", label, pgconn_error_message(s->conn));
        return false;
    }
    return true;
}

/* The part is in: its figures count now, once. */
static void part_done(struct run *run, const struct copy_part *p,
                      const struct pgconn_copy_stats *moved)
{
    struct table_state *ts = &run->ts[p->table];
    struct db_progress *pr = run->cfg->progress;
    atomic_fetch_add(&ts->rows, moved->rows);
    atomic_fetch_add(&pr->rows_copied, moved->rows);
    atomic_fetch_add(&ts->bytes, p->bytes);
    atomic_fetch_add(&pr->bytes_copied, p->bytes);
    atomic_fetch_add(&ts->sent, moved->bytes);
    atomic_fetch_add(&pr->bytes_sent, moved->bytes);
    if (atomic_fetch_sub(&ts->parts_left, 1) == 1)
        table_copied(run, p->table);
}

/*
 * A failed copy on src or dst: the failure's culprit and whether it is a
 * lost source session (whose snapshot cannot be imported again). A source
 * COPY stopped because the target failed carries an error too, so a lost
 * connection decides first.
 */
static pgconn *copy_culprit(pgconn *src, pgconn *dst, bool *source_lost)
{
    *source_lost = pgconn_lost(src);
    if (*source_lost || (!pgconn_lost(dst) && !pgconn_error_message(dst)[0]))
        return src;
    return dst;
}

static void part_failed(struct run *run, const struct cat_table *tab, pgconn *culprit, bool is_src,
                        bool source_lost)
{
    table_failed(run, tab, pgconn_error_sqlstate(culprit), pgconn_error_message(culprit));
    fail_as(run, source_lost ? FAILURE_SOURCE_LOST : FAILURE_OTHER, pgconn_error_sqlstate(culprit),
            "copying table %s failed (%s%s): %s", tab->qname, is_src ? "source" : "target",
            source_lost ? ", its session and the snapshot are lost" : "",
            pgconn_error_message(culprit));
}

/*
 * Copies part p; when the target session is lost, reconnects and copies
 * the part again from the start, in the same snapshot (the source session
 * is rolled back to before the part). The lost transaction rolled back,
 * unless the connection went after COMMIT was sent and before its reply
 * came: then the part may be in. A whole table would be truncated again by
 * the retry, but a range (a ctid range cannot be deleted again on the
 * target, whose row positions differ) must not be copied twice, so the
 * retry first asks the target for the status of the lost transaction by
 * its ID (txid_status): committed, the part is done; aborted, copy it.
 * Progress counts the part once, when it is in.
 */
static void run_part(struct run *run, pgconn *src, struct copy_session *dst,
                     const struct copy_part *p)
{
    const struct cat_table *tab = &run->cat->tables[p->table];
    struct table_state *ts = &run->ts[p->table];
    struct db_progress *pr = run->cfg->progress;
    char what[48], part[48] = "";
    if (p->count > 1) {
        snprintf(what, sizeof(what), "table(part %d/%d)", p->index + 1, p->count);
        snprintf(part, sizeof(part), " (part %d/%d)", p->index + 1, p->count);
    } else
        snprintf(what, sizeof(what), "table");
    set_context(run, what, tab->qname);

    if (atomic_fetch_add(&ts->started, 1) == 0) {
        ts->t0 = time_now();
        atomic_fetch_add(&pr->tables_copying, 1);
        emit(run, EV_TABLE_STARTED, tab->qname, NULL, 0, tab->bytes, 0);
    }
    for (bool retried = false;; retried = true) {
        struct pgconn_copy_stats moved;
        int64_t xid;
        pgconn_clear_error(src);
        bool ok = copy_part_run(src, dst->conn, tab, p, &pr->bytes_streaming, run->cfg->cancel,
                                &moved, &xid);
        /* The part's COPY bytes were an estimate of its share while it ran; now its size counts. */
        atomic_fetch_sub(&pr->bytes_streaming, moved.bytes);
        if (ok) {
            part_done(run, p, &moved);
            return;
        }
        bool source_lost;
        pgconn *culprit = copy_culprit(src, dst->conn, &source_lost);
        bool gave_up = false;
        if (culprit == src || !copy_session_recover(dst, &run->stop, run->cfg->cancel, &gave_up)) {
            if (gave_up) {
                char *why = copy_session_gave_up_message(dst);
                table_failed(run, tab, "08006", why);
                fail_as(run, FAILURE_TARGET_GAVE_UP, "08006", "copying table %s%s failed: %s",
                        tab->qname, part, why);
                free(why);
            } else
                part_failed(run, tab, culprit, culprit == src, source_lost);
            return;
        }
        bool committed = false;
        /* txid_status is PostgreSQL 10+; a whole table's retry truncates it anyway. */
        if (p->kind == PART_WHOLE && pgconn_server_version(dst->conn) < 100000)
            xid = 0;
        while (xid > 0 && !copy_resume_committed(dst->conn, xid, &committed)) {
            if (!target_back(run, dst, "checking whether the lost copy committed")) {
                table_failed(run, tab, pgconn_error_sqlstate(dst->conn),
                             pgconn_error_message(dst->conn));
                return;
            }
        }
        if (committed) {
            log_info("table %s%s was committed before the connection was lost", tab->qname, part);
            part_done(run, p, &moved);
            return;
        }
        if (!retried)
            log_info("retrying the copy of table %s%s from the start", tab->qname, part);
    }
}

/*
 * Large objects, each in its own target transaction; after a lost target
 * session the copy goes on from the object that failed, unless that one
 * turns out committed (lost at COMMIT), then from the next.
 */
static void run_large_objects(struct run *run, pgconn *src, struct copy_session *dst)
{
    set_context(run, "large objects", NULL);
    strlist missing = STRLIST_INIT;
    double t0 = time_now();
    struct db_progress *pr = run->cfg->progress;
    int next = 0, retried_at = -1;
    int64_t pending = 0;
    bool ok = true;
    while (!copy_large_objects(src, dst->conn, run->cat, run->cfg->target_roles, &missing,
                               &pr->large_object_bytes, &next, &pending)) {
        uint32_t oid = run->cat->large_objects[next].oid;
        bool source_lost;
        pgconn *culprit = copy_culprit(src, dst->conn, &source_lost);
        char what[64];
        snprintf(what, sizeof(what), "copying large object %u", oid);
        if (culprit == src) {
            fail_as(run, source_lost ? FAILURE_SOURCE_LOST : FAILURE_OTHER,
                    pgconn_error_sqlstate(src), "%s failed (source): %s", what,
                    pgconn_error_message(src));
            ok = false;
            break;
        }
        bool committed = false;
        while (target_back(run, dst, what)) {
            if (copy_resume_large_object(dst->conn, oid, &committed))
                break;
        }
        if (stopped(run)) {
            ok = false;
            break;
        }
        if (committed) {
            log_info("large object %u was committed before the connection was lost", oid);
            next++;
        } else {
            atomic_fetch_sub(&pr->large_object_bytes, pending);
            if (retried_at != next)
                log_info("retrying the copy of large object %u from the start", oid);
        }
        retried_at = next;
    }
    if (ok) {
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

    pgconn *src = NULL;
    struct copy_session dst;
    memset(&dst, 0, sizeof(dst));
    /* An empty search_path makes reg* columns print schema-qualified names. */
    if (!pgconn_connect(&src, run->cfg->src_conninfo, label) || !pgconn_set_session_defaults(src) ||
        !pgconn_exec(src, "SELECT pg_catalog.set_config('search_path', '', false)") ||
        !copy_snapshot_import(src, run->cfg->snapshot)) {
        fail_as(run, pgconn_lost(src) ? FAILURE_SOURCE_LOST : FAILURE_OTHER,
                pgconn_error_sqlstate(src), "%s: %s", label, pgconn_error_message(src));
        goto done;
    }
    snprintf(label, sizeof(label), "target db=%s copy-%d", run->cat->db.name, w->id);
    if (!open_target(run, &dst, label, NULL))
        goto done;

    for (;;) {
        if (stopped(run))
            break;
        int k = atomic_fetch_add(&run->next_part, 1);
        if (k < run->nparts)
            run_part(run, src, &dst, &run->parts[k]);
        else if (k == run->nparts && run->cat->nlarge_objects > 0)
            run_large_objects(run, src, &dst);
        else
            break;
    }
done:
    pgconn_close(src);
    copy_session_close(&dst);
    log_set_context(NULL);
    return NULL;
}

/* Runs stmts from the first-th on. */
static bool exec_from(pgconn *dst, const strlist *stmts, size_t first)
{
    for (size_t i = first; i < stmts->n; i++)
        if (!pgconn_exec_retry(dst, stmts->items[i], DDL_ATTEMPTS))
            return false;
    return true;
}

/*
 * Builds index x. After a lost session the index or its constraint may be
 * in already (its statement committed right before the loss): the retry
 * skips the statements whose work is on the target (an invalid index left
 * behind is dropped first) and runs the rest, which are safe to repeat.
 */
static void run_index(struct run *run, struct copy_session *dst, int i)
{
    const struct cat_index *x = &run->cat->indexes[i];
    const struct cat_table *tab = &run->cat->tables[x->table];
    set_context(run, "index", x->name);
    strlist stmts = STRLIST_INIT;
    copy_index_statements(run->cat, x, &stmts);
    char what[256];
    snprintf(what, sizeof(what), "building index %s on %s", x->name, tab->qname);
    double t0 = time_now();
    int done = 0;
    bool ok = false, checked = true, logged = false;
    for (;;) {
        if (!checked) {
            bool built, constrained;
            checked = copy_resume_index(dst->conn, run->cat, x, &built, &constrained);
            if (checked) {
                done = copy_index_steps_done(x, built, constrained);
                if (!logged && done > 0)
                    log_info("index %s was already built before the connection was lost", x->name);
                else if (!logged)
                    log_info("retrying the build of index %s on %s", x->name, tab->qname);
                logged = true;
            }
        }
        if (checked && exec_from(dst->conn, &stmts, (size_t) done)) {
            ok = true;
            break;
        }
        if (!target_back(run, dst, what))
            break;
        checked = false;
    }
    if (ok) {
        double secs = time_now() - t0;
        atomic_fetch_add(&run->cfg->progress->index_ms, (int64_t) (secs * 1000.0));
        atomic_fetch_add(&run->cfg->progress->indexes_built, 1);
        emit(run, EV_INDEX_BUILT, x->name, x->constraint_name ? "constraint" : NULL, 0, 0, secs);
        if (atomic_fetch_sub(&run->ts[x->table].indexes_left, 1) == 1)
            table_indexed(run, x->table);
    }
    sl_free(&stmts);
}

/* ANALYZE can simply run again after a lost session. */
static void run_analyze(struct run *run, struct copy_session *dst, int t)
{
    const struct cat_table *tab = &run->cat->tables[t];
    set_context(run, "analyze", tab->qname);
    char *sql = xasprintf("ANALYZE %s", tab->qname);
    char *what = xasprintf("ANALYZE %s", tab->qname);
    bool logged = false;
    while (!pgconn_exec_retry(dst->conn, sql, DDL_ATTEMPTS) && target_back(run, dst, what)) {
        if (!logged)
            log_info("retrying ANALYZE of table %s", tab->qname);
        logged = true;
    }
    free(sql);
    free(what);
}

/* Adds foreign key f; after a lost session, only if it is not there already. */
static void run_fkey(struct run *run, struct copy_session *dst, int f)
{
    const struct cat_fkey *fk = &run->cat->fkeys[f];
    const char *qtable = run->cat->tables[fk->table].qname;
    set_context(run, "constraint", fk->name);
    strbuf sql = STRBUF_INIT;
    copy_fkey_statement(run->cat, fk, &sql);
    char *what = xasprintf("adding foreign key %s on %s", fk->name, qtable);
    double t0 = time_now();
    bool ok = false, checked = true, exists = false, logged = false;
    for (;;) {
        if (!checked) {
            checked = copy_resume_constraint(dst->conn, qtable, fk->name, &exists);
            if (checked && !logged)
                log_info(exists ? "foreign key %s on %s was already added before the connection "
                                  "was lost"
                                : "retrying foreign key %s on %s",
                         fk->name, qtable);
            logged = logged || checked;
        }
        if (checked && (exists || pgconn_exec_retry(dst->conn, sb_str(&sql), DDL_ATTEMPTS))) {
            ok = true;
            break;
        }
        if (!target_back(run, dst, what))
            break;
        checked = false;
    }
    if (ok) {
        atomic_fetch_add(&run->cfg->progress->index_ms, (int64_t) ((time_now() - t0) * 1000.0));
        atomic_fetch_add(&run->cfg->progress->constraints_done, 1);
    }
    free(what);
    sb_free(&sql);
}

static void *index_worker(void *arg)
{
    struct worker *w = arg;
    struct run *run = w->run;
    char label[64];
    snprintf(label, sizeof(label), "target db=%s index-%d", run->cat->db.name, w->id);
    struct copy_session dst;
    bool ok = open_target(run, &dst, label, run->cfg->maintenance_work_mem);
    struct work *item;
    while ((item = wq_pop(run->q)) != NULL) {
        if (ok && !stopped(run)) {
            switch (item->kind) {
            case WORK_INDEX:
                run_index(run, &dst, item->item);
                break;
            case WORK_ANALYZE:
                run_analyze(run, &dst, item->item);
                break;
            case WORK_FKEY:
                run_fkey(run, &dst, item->item);
                break;
            }
        }
        free(item);
        work_done(run);
    }
    copy_session_close(&dst);
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
    for (int t = 0; t < cat->ntables; t++)
        emit(&run, EV_TABLE_QUEUED, cat->tables[t].qname, NULL, 0, cat->tables[t].bytes, 0);
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
    res->source_lost = run.failure == FAILURE_SOURCE_LOST;
    res->target_gave_up = run.failure == FAILURE_TARGET_GAVE_UP;
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
