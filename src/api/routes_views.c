/*
 * routes_views.c — views of one migration built from what the store and
 * the worker's log hold: its events, the tail of its log, lag samples from
 * the streaming events, and per-table copy figures from the table events.
 *
 * /tables lists every table in its latest copy state (queued, copying,
 * copied, failed) from the table events (table_fold.c), and each
 * database's counters from the state.
 */
#include "api/api_internal.h"
#include "model/event_json.h"
#include "model/utc_time.h"
#include "util/mem.h"
#include "util/statedir.h"
#include "util/timeutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The part of a log /log reads: its last 8 MiB (tail counts lines inside it). */
#define LOG_TAIL_WINDOW  (8u << 20)
#define LOG_TAIL_DEFAULT 200
#define LOG_TAIL_MAX     100000

/* Loads the migration of the path and its events; false with the answer set. */
static bool load_events(struct api_ctx *ctx, const struct api_request *req, struct api_migration *m,
                        struct store_event **evs, size_t *n, int64_t after, size_t limit,
                        struct api_answer *a)
{
    struct store *st = api_migration_open(ctx, req, m, a);
    if (st == NULL)
        return false;
    char *error = NULL;
    bool ok = true;
    if (store_event_list(st, m->row.id, after, limit, evs, n, &error) != STORE_OK) {
        api_answer_store_error(a, error);
        api_migration_free(m);
        ok = false;
    }
    api_store_give(ctx, st);
    return ok;
}

/* A non-negative integer query parameter (absent: dflt); false with a 400. */
static bool query_count(const struct api_request *req, const char *key, long long dflt,
                        long long max, long long *out, struct api_answer *a)
{
    const char *text = req->query(req, key);
    *out = dflt;
    if (text == NULL)
        return true;
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || end == text || *end || v < 0 || v > max) {
        char *msg = xasprintf("%s must be a whole number from 0 to %lld", key, max);
        api_answer_error(a, 400, "InvalidParameter", msg, key);
        free(msg);
        return false;
    }
    *out = v;
    return true;
}

void api_route_events(struct api_ctx *ctx, const struct api_request *req, struct api_answer *a)
{
    long long after, limit;
    if (!query_count(req, "after", 0, INT64_MAX, &after, a) ||
        !query_count(req, "limit", 0, 100000, &limit, a))
        return;
    struct api_migration m;
    struct store_event *evs = NULL;
    size_t n = 0;
    if (!load_events(ctx, req, &m, &evs, &n, after, (size_t) limit, a))
        return;
    json_t *value = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *ev = json_loads(evs[i].json ? evs[i].json : "null", 0, NULL);
        json_array_append_new(
            value, json_pack("{s:I, s:o, s:s, s:o}", "seq", (json_int_t) evs[i].seq, "time",
                             api_time_json(evs[i].at), "kind", evs[i].kind ? evs[i].kind : "",
                             "event", ev ? ev : json_null()));
    }
    store_event_list_free(evs, n);
    api_migration_free(&m);
    api_answer_json(a, 200, json_pack("{s:o}", "value", value));
}

/* The last lines of text[0..len): at most tail of them (a copy the caller frees). */
static char *last_lines(const char *text, size_t len, long long tail)
{
    size_t start = len;
    long long lines = 0;
    /* a final newline ends the last line, it does not start another */
    size_t end = len > 0 && text[len - 1] == '\n' ? len - 1 : len;
    start = end;
    while (start > 0) {
        if (text[start - 1] == '\n' && ++lines >= tail)
            break;
        start--;
    }
    if (tail == 0)
        start = len;
    char *out = xmalloc(len - start + 1);
    memcpy(out, text + start, len - start);
    out[len - start] = '\0';
    return out;
}

/*
 * A worker logs on its own node: when another node runs the migration now,
 * the log route says so first (with that node's address, when the store
 * knows it), then gives what this node kept of earlier runs, if anything.
 * Empty when this node (or none) runs it.
 */
static char *log_elsewhere(struct api_ctx *ctx, struct store *st, const struct api_migration *m)
{
    const char *runner = api_migration_node(&m->row, time_wall());
    if (runner == NULL || (ctx->node && strcmp(runner, ctx->node) == 0))
        return xstrdup("");
    struct store_node node;
    memset(&node, 0, sizeof(node));
    char *err = NULL;
    bool known = store_node_get(st, runner, &node, &err) == STORE_OK && node.address;
    free(err);
    char *text = xasprintf("(node %s runs %s now and keeps its worker's log%s%s%s; what follows "
                           "is this node's, of earlier runs)\n",
                           runner, m->row.name, known ? ": ask " : "", known ? node.address : "",
                           known ? " for it" : "");
    store_node_free(&node);
    return text;
}

void api_route_log(struct api_ctx *ctx, const struct api_request *req, struct api_answer *a)
{
    long long tail;
    if (!query_count(req, "tail", LOG_TAIL_DEFAULT, LOG_TAIL_MAX, &tail, a))
        return;
    struct api_migration m;
    struct store *st = api_migration_open(ctx, req, &m, a);
    if (st == NULL)
        return;
    char *note = log_elsewhere(ctx, st, &m);
    api_store_give(ctx, st);
    char *path = state_dir_log_path(ctx->state_dir, m.row.name);
    api_migration_free(&m);
    FILE *f = fopen(path, "r");
    free(path);
    if (f == NULL) {
        /* no worker of this node wrote a log */
        api_answer_text(a, 200, note, "text/plain; charset=utf-8");
        return;
    }
    struct stat sb;
    size_t size = fstat(fileno(f), &sb) == 0 && sb.st_size > 0 ? (size_t) sb.st_size : 0;
    size_t want = size > LOG_TAIL_WINDOW ? LOG_TAIL_WINDOW : size;
    char *text = xmalloc(want + 1);
    size_t got = 0;
    if (fseeko(f, (off_t) (size - want), SEEK_SET) == 0)
        got = fread(text, 1, want, f);
    fclose(f);
    text[got] = '\0';
    char *out = last_lines(text, got, tail);
    free(text);
    char *all = xasprintf("%s%s", note, out);
    free(note);
    free(out);
    api_answer_text(a, 200, all, "text/plain; charset=utf-8");
}

void api_route_lag(struct api_ctx *ctx, const struct api_request *req, struct api_answer *a)
{
    const char *since_text = req->query(req, "since");
    double since = 0;
    if (since_text && !utc_time_parse(since_text, &since)) {
        char *end;
        since = strtod(since_text, &end);
        if (end == since_text || *end || since < 0) {
            api_answer_error(a, 400, "InvalidParameter",
                             "since must be a UTC time such as \"2026-12-07T09:00:00Z\" or "
                             "seconds since the epoch",
                             "since");
            return;
        }
    }
    struct api_migration m;
    struct store_event *evs = NULL;
    size_t n = 0;
    if (!load_events(ctx, req, &m, &evs, &n, 0, 0, a))
        return;
    json_t *value = json_array();
    const char *streaming = event_kind_name(EV_STREAMING);
    for (size_t i = 0; i < n; i++) {
        if (evs[i].at < since || evs[i].kind == NULL || strcmp(evs[i].kind, streaming) != 0)
            continue;
        json_t *doc = json_loads(evs[i].json ? evs[i].json : "", 0, NULL);
        struct event ev;
        struct event_json_meta meta;
        char *error = NULL;
        if (doc && event_from_json(doc, &ev, &meta, &error))
            json_array_append_new(value, json_pack("{s:o, s:s?, s:f, s:I}", "time",
                                                   api_time_json(evs[i].at), "database",
                                                   ev.database, "lagSeconds", ev.lag_seconds,
                                                   "lagBytes", (json_int_t) ev.lag_bytes));
        free(error);
        json_decref(doc);
    }
    store_event_list_free(evs, n);
    api_migration_free(&m);
    api_answer_json(a, 200, json_pack("{s:o}", "value", value));
}

/* Each database's table counters from the state. */
static json_t *table_counts(const struct api_migration *m, const char *db)
{
    json_t *o = json_object();
    for (size_t i = 0; m->has_state && i < m->state.ndbs; i++) {
        const struct db_progress_snapshot *d = &m->state.dbs[i];
        if (d->name == NULL || (db && strcmp(db, d->name) != 0))
            continue;
        int queued = d->tables_total - d->tables_copying - d->tables_copied - d->tables_failed;
        json_object_set_new(o, d->name,
                            json_pack("{s:i, s:i, s:i, s:i, s:i}", "total", d->tables_total,
                                      "queued", queued > 0 ? queued : 0, "copying",
                                      d->tables_copying, "copied", d->tables_copied, "failed",
                                      d->tables_failed));
    }
    return o;
}

void api_route_tables(struct api_ctx *ctx, const struct api_request *req, struct api_answer *a)
{
    const char *db = req->query(req, "db");
    struct api_migration m;
    struct store_event *evs = NULL;
    size_t n = 0;
    if (!load_events(ctx, req, &m, &evs, &n, 0, 0, a))
        return;
    if (db && !sl_contains(&m.spec.databases, db)) {
        char *msg = xasprintf("db: \"%s\" is not a database of this migration", db);
        api_answer_error(a, 400, "InvalidParameter", msg, "db");
        free(msg);
    } else
        api_answer_json(a, 200,
                        json_pack("{s:o, s:o}", "value", api_table_states(evs, n, db), "databases",
                                  table_counts(&m, db)));
    store_event_list_free(evs, n);
    api_migration_free(&m);
}
