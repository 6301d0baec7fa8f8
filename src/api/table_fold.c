/*
 * table_fold.c — every table of a migration in its latest copy state, for
 * GET /migrations/{name}/tables: a migration's events folded in order into
 * one row per (database, table).
 *
 *   table_queued   (object, bytes)             → queued; a table queued again
 *                                                 (its database's copy starts
 *                                                 over) forgets what it had
 *   table_started  (object, bytes)             → copying
 *   table          (object, rows, bytes, seconds) → copied
 *   table_failed   (object, message, sqlstate) → failed
 *
 * Kinds are matched by their JSON names, and the events' fields read from
 * their JSON directly, so that a store holding kinds this build does not
 * know still folds. Rows are found through a hash map of "database\0table"
 * (10,000 tables are as quick as 10) and listed in the order each table
 * first appeared: the plan's order once queued events exist.
 */
#include "api/api_internal.h"
#include "model/event_json.h"
#include "util/hashmap.h"
#include "util/mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum table_state { TS_QUEUED = 0, TS_COPYING, TS_COPIED, TS_FAILED };

static const char *const state_words[] = {"queued", "copying", "copied", "failed"};

/* What an event kind does to its table's row; -1: not a table event. */
static int table_event(const char *kind)
{
    static const char *const kinds[] = {"table_queued", "table_started", NULL, "table_failed"};
    if (kind == NULL)
        return -1;
    for (int s = TS_QUEUED; s <= TS_FAILED; s++) {
        const char *k = s == TS_COPIED ? event_kind_name(EV_TABLE_COPIED) : kinds[s];
        if (strcmp(kind, k) == 0)
            return s;
    }
    return -1;
}

struct table_row {
    char *database; /* owned */
    char *table;    /* owned */
    enum table_state state;
    int64_t rows, bytes; /* -1: not known */
    double seconds;      /* < 0: not known */
    double started, ended;
    char *message, *sqlstate; /* owned: a failure's */
};

struct fold {
    hmap index; /* "database\0table" → row number + 1 */
    struct table_row *rows;
    size_t n, cap;
};

static void row_reset(struct table_row *r)
{
    r->state = TS_QUEUED;
    r->rows = r->bytes = -1;
    r->seconds = -1;
    r->started = r->ended = 0;
    free(r->message);
    free(r->sqlstate);
    r->message = r->sqlstate = NULL;
}

/* The row of (database, table), added (queued, nothing known) when it is new. */
static struct table_row *row_of(struct fold *f, const char *database, const char *table)
{
    size_t dlen = strlen(database), tlen = strlen(table);
    char *key = xmalloc(dlen + 1 + tlen);
    memcpy(key, database, dlen + 1);
    memcpy(key + dlen + 1, table, tlen);
    uint64_t hash = hmap_hash(key, dlen + 1 + tlen);
    uintptr_t at = (uintptr_t) hmap_get_hashed(&f->index, hash, key, dlen + 1 + tlen);
    if (at == 0) {
        if (f->n == f->cap) {
            f->cap = f->cap ? f->cap * 2 : 64;
            f->rows = xrealloc(f->rows, f->cap * sizeof(*f->rows));
        }
        struct table_row *r = &f->rows[f->n];
        *r = (struct table_row){.database = xstrdup(database), .table = xstrdup(table)};
        row_reset(r);
        at = ++f->n;
        hmap_put_hashed(&f->index, hash, key, dlen + 1 + tlen, (void *) at);
    }
    free(key);
    return &f->rows[at - 1];
}

static int64_t int_field(const json_t *doc, const char *key)
{
    const json_t *v = json_object_get(doc, key);
    return json_is_integer(v) ? (int64_t) json_integer_value(v) : -1;
}

static char *string_field(const json_t *doc, const char *key)
{
    const char *s = json_string_value(json_object_get(doc, key));
    return s ? xstrdup(s) : NULL;
}

/* Folds one table event (its kind's state s, its JSON doc, its time at) into f. */
static void fold_event(struct fold *f, int s, const json_t *doc, double at, const char *only_db)
{
    const char *database = json_string_value(json_object_get(doc, "database"));
    const char *table = json_string_value(json_object_get(doc, "object"));
    if (database == NULL || table == NULL || (only_db && strcmp(database, only_db) != 0))
        return;
    struct table_row *r = row_of(f, database, table);
    int64_t bytes = int_field(doc, "bytes");
    switch ((enum table_state) s) {
    case TS_QUEUED:
        row_reset(r);
        break;
    case TS_COPYING:
        r->state = TS_COPYING;
        r->started = at;
        r->ended = 0;
        r->rows = -1;
        r->seconds = -1;
        break;
    case TS_COPIED: {
        const json_t *secs = json_object_get(doc, "seconds");
        r->state = TS_COPIED;
        r->rows = int_field(doc, "rows");
        r->seconds = json_is_number(secs) ? json_number_value(secs) : -1;
        r->ended = at;
        if (r->started <= 0 && r->seconds >= 0) /* no started event: when it began */
            r->started = at - r->seconds;
        break;
    }
    case TS_FAILED:
        r->state = TS_FAILED;
        r->ended = at;
        free(r->message);
        free(r->sqlstate);
        r->message = string_field(doc, "message");
        r->sqlstate = string_field(doc, "sqlstate");
        break;
    }
    if (s != TS_FAILED) { /* a failure's words stay only while it is the latest state */
        free(r->message);
        free(r->sqlstate);
        r->message = r->sqlstate = NULL;
    }
    if (bytes >= 0)
        r->bytes = bytes;
}

static json_t *int_or_null(int64_t v)
{
    return v >= 0 ? json_integer((json_int_t) v) : json_null();
}

static json_t *row_json(const struct table_row *r)
{
    return json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "database", r->database,
                     "table", r->table, "state", state_words[r->state], "rows",
                     int_or_null(r->rows), "bytes", int_or_null(r->bytes), "seconds",
                     r->seconds >= 0 ? json_real(r->seconds) : json_null(), "startedOn",
                     api_time_json(r->started), "endedOn", api_time_json(r->ended), "message",
                     r->message ? json_string(r->message) : json_null(), "sqlstate",
                     r->sqlstate ? json_string(r->sqlstate) : json_null());
}

json_t *api_table_states(const struct store_event *evs, size_t n, const char *only_db)
{
    struct fold f = {.index = HMAP_INIT};
    for (size_t i = 0; i < n; i++) {
        int s = table_event(evs[i].kind);
        if (s < 0)
            continue;
        json_t *doc = json_loads(evs[i].json ? evs[i].json : "", 0, NULL);
        if (json_is_object(doc))
            fold_event(&f, s, doc, evs[i].at, only_db);
        json_decref(doc);
    }
    json_t *value = json_array();
    for (size_t i = 0; i < f.n; i++) {
        json_array_append_new(value, row_json(&f.rows[i]));
        row_reset(&f.rows[i]);
        free(f.rows[i].database);
        free(f.rows[i].table);
    }
    free(f.rows);
    hmap_free(&f.index);
    return value;
}
