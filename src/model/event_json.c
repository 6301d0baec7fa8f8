/* event_json.c — an event to JSON and back (see event_json.h). */
#include "model/event_json.h"
#include "model/json_read.h"
#include "model/lsn.h"
#include "model/progress_snapshot.h"
#include "util/timeutil.h"

#include <string.h>

static bool has_sizes(enum event_kind k)
{
    return k == EV_TABLE_COPIED || k == EV_DATABASE_DONE || k == EV_LARGE_OBJECTS_COPIED;
}

/* A table's size alone (no rows): queued and started tables. */
static bool has_size_only(enum event_kind k)
{
    return k == EV_TABLE_QUEUED || k == EV_TABLE_STARTED;
}

static bool has_seconds(enum event_kind k)
{
    return k == EV_TABLE_COPIED || k == EV_INDEX_BUILT || k == EV_DATABASE_DONE || k == EV_CHECK ||
           k == EV_LARGE_OBJECTS_COPIED;
}

static bool waits_for_user(const struct event *ev)
{
    return ev->kind == EV_STATUS && ev->database == NULL && ev->status == MIG_WAITING_FOR_USER;
}

/* A check's result: scope and name stand for database and object. */
static void put_check(json_t *o, const struct event *ev)
{
    json_object_set_new(o, "scope", json_string(ev->database ? ev->database : "instance"));
    json_object_set_new(o, "name", json_string(ev->object));
    json_object_set_new(o, "status", json_string(check_status_name(ev->check_status)));
    json_object_set_new(o, "remediation",
                        ev->remediation ? json_string(ev->remediation) : json_null());
}

static void put_streaming(json_t *o, const struct event *ev)
{
    char lsn[LSN_TEXT_SIZE];
    json_object_set_new(o, "lag_bytes", json_integer(ev->lag_bytes));
    json_object_set_new(o, "lag_seconds", json_real(ev->lag_seconds));
    json_object_set_new(o, "changes", json_integer(ev->changes));
    json_object_set_new(o, "transactions", json_integer(ev->transactions));
    lsn_to_text(ev->applied_lsn, lsn, sizeof(lsn));
    json_object_set_new(o, "applied_lsn", json_string(lsn));
    lsn_to_text(ev->source_lsn, lsn, sizeof(lsn));
    json_object_set_new(o, "source_lsn", json_string(lsn));
    if (ev->waiting_for)
        json_object_set_new(o, "waiting_for", json_string(ev->waiting_for));
}

json_t *event_to_json(const struct event *ev, const struct event_json_meta *meta)
{
    json_t *o = json_object();
    json_object_set_new(o, "event", json_string(event_kind_name(ev->kind)));
    json_object_set_new(o, "time", json_string(meta->time));
    if (ev->database && ev->kind != EV_CHECK)
        json_object_set_new(o, "database", json_string(ev->database));
    if (ev->kind == EV_STATUS || ev->kind == EV_DATABASE_DONE) {
        json_object_set_new(o, "status", json_string(mig_status_name(ev->status)));
        if (ev->kind == EV_STATUS)
            json_object_set_new(o, "substatus", json_string(mig_substatus_name(ev->substatus)));
    }
    if (ev->object && ev->kind != EV_CHECK)
        json_object_set_new(o, "object", json_string(ev->object));
    if (ev->message)
        json_object_set_new(o, "message", json_string(ev->message));
    if (ev->sqlstate && ev->sqlstate[0])
        json_object_set_new(o, "sqlstate", json_string(ev->sqlstate));
    if (has_sizes(ev->kind)) {
        json_object_set_new(o, ev->kind == EV_LARGE_OBJECTS_COPIED ? "count" : "rows",
                            json_integer(ev->rows));
        json_object_set_new(o, "bytes", json_integer(ev->bytes));
    }
    if (has_size_only(ev->kind))
        json_object_set_new(o, "bytes", json_integer(ev->bytes));
    if (ev->kind == EV_DATABASE_DONE) {
        json_object_set_new(o, "tables", json_integer(ev->tables));
        json_object_set_new(o, "bytes_sent", json_integer(ev->bytes_sent));
    }
    if (waits_for_user(ev) && meta->pid)
        json_object_set_new(o, "pid", json_integer((json_int_t) meta->pid));
    if (ev->kind == EV_CHECK)
        put_check(o, ev);
    if (has_seconds(ev->kind))
        json_object_set_new(o, "seconds", json_real(ev->seconds));
    if (ev->kind == EV_STREAMING)
        put_streaming(o, ev);
    return o;
}

static bool read_kind(const json_t *doc, enum event_kind *out, char **error)
{
    const char *name = NULL;
    if (!json_read_string(doc, "event", true, false, &name, error))
        return false;
    for (int k = 0; k < EV_KIND_COUNT; k++) {
        if (strcmp(event_kind_name((enum event_kind) k), name) == 0) {
            *out = (enum event_kind) k;
            return true;
        }
    }
    return json_read_fail("event", "not an event kind", error);
}

static bool in_list(const char *const *list, const char *key)
{
    for (; *list; list++)
        if (strcmp(*list, key) == 0)
            return true;
    return false;
}

/* The fields an event of kind k may have (what event_to_json may write for it). */
static bool known_field(enum event_kind k, const char *key)
{
    static const char *const common[] = {"event", "time", "message", "sqlstate", NULL};
    static const char *const check[] = {"scope", "name", "status", "remediation", NULL};
    static const char *const streaming[] = {"database",   "lag_bytes",    "lag_seconds",
                                            "changes",    "transactions", "applied_lsn",
                                            "source_lsn", "waiting_for",  NULL};
    static const char *const other[] = {"database", "object", NULL};
    static const char *const done[] = {"status", "tables", "bytes_sent", NULL};
    static const char *const status[] = {"status", "substatus", "pid", NULL};
    if (in_list(common, key) || in_list(k == EV_CHECK       ? check
                                        : k == EV_STREAMING ? streaming
                                                            : other,
                                        key))
        return true;
    if ((k == EV_DATABASE_DONE && in_list(done, key)) || (k == EV_STATUS && in_list(status, key)))
        return true;
    if (has_size_only(k) && strcmp(key, "bytes") == 0)
        return true;
    if (has_sizes(k) && (strcmp(key, "bytes") == 0 ||
                         strcmp(key, k == EV_LARGE_OBJECTS_COPIED ? "count" : "rows") == 0))
        return true;
    return has_seconds(k) && strcmp(key, "seconds") == 0;
}

static bool read_known(const json_t *doc, enum event_kind k, char **error)
{
    const char *key;
    json_t *value;
    json_object_foreach((json_t *) doc, key, value)
    {
        if (!known_field(k, key))
            return json_read_fail(key, "unknown field for this event", error);
    }
    return true;
}

/* status, substatus and the check's status, by kind. */
static bool read_statuses(const json_t *doc, struct event *ev, char **error)
{
    const char *status = NULL, *substatus = NULL;
    if (!json_read_string(doc, "status", false, false, &status, error) ||
        !json_read_string(doc, "substatus", false, false, &substatus, error))
        return false;
    if (ev->kind == EV_CHECK && status && !check_status_parse(status, &ev->check_status))
        return json_read_fail("status", "not a check status", error);
    if (ev->kind != EV_CHECK && status && !mig_status_parse(status, &ev->status))
        return json_read_fail("status", "not a migration status", error);
    if (substatus && !mig_substatus_parse(substatus, &ev->substatus))
        return json_read_fail("substatus", "not a migration substatus", error);
    return true;
}

static bool read_streaming(const json_t *doc, struct event *ev, char **error)
{
    const char *waiting = NULL;
    if (!json_read_int(doc, "lag_bytes", false, &ev->lag_bytes, error) ||
        !json_read_number(doc, "lag_seconds", false, &ev->lag_seconds, error) ||
        !json_read_int(doc, "changes", false, &ev->changes, error) ||
        !json_read_int(doc, "transactions", false, &ev->transactions, error) ||
        !json_read_lsn(doc, "applied_lsn", &ev->applied_lsn, error) ||
        !json_read_lsn(doc, "source_lsn", &ev->source_lsn, error) ||
        !json_read_string(doc, "waiting_for", false, false, &waiting, error))
        return false;
    ev->waiting_for = db_progress_waiting_for_word(waiting);
    if (waiting && ev->waiting_for == NULL)
        return json_read_fail("waiting_for", "expected \"source\" or \"target\"", error);
    return true;
}

bool event_from_json(const json_t *doc, struct event *ev, struct event_json_meta *meta,
                     char **error)
{
    *ev = (struct event){0};
    *meta = (struct event_json_meta){0};
    if (!json_is_object(doc))
        return json_read_fail("event", "expected a JSON object", error);
    if (!read_kind(doc, &ev->kind, error) || !read_known(doc, ev->kind, error))
        return false;
    bool check = ev->kind == EV_CHECK;
    const char *scope = NULL;
    int tables = 0;
    if (!json_read_string(doc, "time", true, false, &meta->time, error) ||
        !json_read_int(doc, "pid", false, &meta->pid, error) ||
        !json_read_string(doc, check ? "scope" : "database", false, false,
                          check ? &scope : &ev->database, error) ||
        !json_read_string(doc, check ? "name" : "object", false, false, &ev->object, error) ||
        !json_read_string(doc, "message", false, false, &ev->message, error) ||
        !json_read_string(doc, "sqlstate", false, false, &ev->sqlstate, error) ||
        !json_read_string(doc, "remediation", false, true, &ev->remediation, error) ||
        !read_statuses(doc, ev, error) ||
        !json_read_int(doc, ev->kind == EV_LARGE_OBJECTS_COPIED ? "count" : "rows", false,
                       &ev->rows, error) ||
        !json_read_int(doc, "bytes", false, &ev->bytes, error) ||
        !json_read_int(doc, "bytes_sent", false, &ev->bytes_sent, error) ||
        !json_read_int32(doc, "tables", false, &tables, error) ||
        !json_read_number(doc, "seconds", false, &ev->seconds, error) ||
        !read_streaming(doc, ev, error))
        return false;
    ev->tables = tables;
    if (check)
        ev->database = scope && strcmp(scope, "instance") != 0 ? scope : NULL;
    return true;
}

char *event_message_json(enum event_kind kind, const char *message, double at)
{
    char when[64];
    time_format_iso(at, when, sizeof(when));
    struct event ev = {.kind = kind, .message = message};
    struct event_json_meta meta = {.time = when};
    json_t *doc = event_to_json(&ev, &meta);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    return text;
}
