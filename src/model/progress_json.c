/* progress_json.c — a progress snapshot to JSON and back (see progress_json.h). */
#include "model/progress_json.h"
#include "model/json_read.h"
#include "model/lsn.h"
#include "util/mem.h"

#include <math.h>

json_t *db_progress_snapshot_to_json(const struct db_progress_snapshot *s,
                                     enum snapshot_json_form form)
{
    json_t *d = json_object();
    json_object_set_new(d, "name", json_string(s->name));
    json_object_set_new(d, "status", json_string(mig_status_name(s->status)));
    json_object_set_new(d, "tables", json_integer(s->tables_copied));
    json_object_set_new(d, "rows", json_integer(s->rows_copied));
    json_object_set_new(d, "bytes", json_integer(s->bytes_copied));
    json_object_set_new(d, "bytes_sent", json_integer(s->bytes_sent));
    json_object_set_new(d, "large_objects", json_integer(s->large_objects));
    json_object_set_new(d, "large_object_bytes", json_integer(s->large_object_bytes));
    json_object_set_new(d, "indexes", json_integer(s->indexes_built));
    if (form == SNAPSHOT_JSON_RESULT)
        return d;
    json_object_set_new(d, "changes", json_integer(s->changes_applied));
    json_object_set_new(d, "transactions", json_integer(s->txns_applied));
    if (form == SNAPSHOT_JSON_RESULT_ONLINE)
        return d;
    char lsn[LSN_TEXT_SIZE];
    json_object_set_new(d, "substatus", json_string(mig_substatus_name(s->substatus)));
    json_object_set_new(d, "planned", json_boolean(s->planned));
    json_object_set_new(d, "tables_total", json_integer(s->tables_total));
    json_object_set_new(d, "tables_copying", json_integer(s->tables_copying));
    json_object_set_new(d, "tables_failed", json_integer(s->tables_failed));
    json_object_set_new(d, "bytes_total", json_integer(s->bytes_total));
    json_object_set_new(d, "bytes_streaming", json_integer(s->bytes_streaming));
    json_object_set_new(d, "indexes_total", json_integer(s->indexes_total));
    json_object_set_new(d, "constraints_total", json_integer(s->constraints_total));
    json_object_set_new(d, "constraints_done", json_integer(s->constraints_done));
    json_object_set_new(d, "streaming", json_boolean(s->streaming));
    json_object_set_new(d, "caught_up", json_boolean(s->caught_up));
    json_object_set_new(d, "lag_bytes", json_integer(s->lag_bytes));
    json_object_set_new(d, "lag_seconds", json_real((double) s->lag_ms / 1000.0));
    lsn_to_text(s->applied_lsn, lsn, sizeof(lsn));
    json_object_set_new(d, "applied_lsn", json_string(lsn));
    lsn_to_text(s->source_lsn, lsn, sizeof(lsn));
    json_object_set_new(d, "source_lsn", json_string(lsn));
    json_object_set_new(d, "waiting_for",
                        s->waiting_for ? json_string(s->waiting_for) : json_null());
    json_object_set_new(d, "started_ms", json_integer(s->started_ms));
    json_object_set_new(d, "finished_ms", json_integer(s->finished_ms));
    json_object_set_new(d, "inserts", json_integer(s->inserts_applied));
    json_object_set_new(d, "updates", json_integer(s->updates_applied));
    json_object_set_new(d, "deletes", json_integer(s->deletes_applied));
    json_object_set_new(d, "truncates", json_integer(s->truncates_applied));
    json_object_set_new(d, "index_ms", json_integer(s->index_ms));
    json_object_set_new(d, "incoming_bps", json_integer(s->incoming_bps));
    json_object_set_new(d, "apply_bps", json_integer(s->apply_bps));
    json_object_set_new(d, "apply_peak_bps", json_integer(s->apply_peak_bps));
    json_object_set_new(d, "backlog_bytes", json_integer(s->backlog_bytes));
    return d;
}

/* The fields besides the integers (name, statuses, flags, lag, positions). */
static bool read_words(const json_t *doc, struct db_progress_snapshot *out, char **error)
{
    const char *name = NULL, *status = NULL, *substatus = NULL, *waiting = NULL;
    double lag_seconds = 0;
    if (!json_read_string(doc, "name", true, false, &name, error) ||
        !json_read_string(doc, "status", true, false, &status, error) ||
        !json_read_string(doc, "substatus", false, false, &substatus, error) ||
        !json_read_bool(doc, "planned", false, &out->planned, error) ||
        !json_read_bool(doc, "streaming", false, &out->streaming, error) ||
        !json_read_bool(doc, "caught_up", false, &out->caught_up, error) ||
        !json_read_number(doc, "lag_seconds", false, &lag_seconds, error) ||
        !json_read_lsn(doc, "applied_lsn", &out->applied_lsn, error) ||
        !json_read_lsn(doc, "source_lsn", &out->source_lsn, error) ||
        !json_read_string(doc, "waiting_for", false, true, &waiting, error))
        return false;
    if (!mig_status_parse(status, &out->status))
        return json_read_fail("status", "not a migration status", error);
    if (substatus && !mig_substatus_parse(substatus, &out->substatus))
        return json_read_fail("substatus", "not a migration substatus", error);
    out->waiting_for = db_progress_waiting_for_word(waiting);
    if (waiting && out->waiting_for == NULL)
        return json_read_fail("waiting_for", "expected \"source\", \"target\" or null", error);
    out->lag_ms = llround(lag_seconds * 1000.0);
    out->name = xstrdup(name);
    return true;
}

bool db_progress_snapshot_from_json(const json_t *doc, struct db_progress_snapshot *out,
                                    char **error)
{
    static const char *const known[] = {"name",
                                        "status",
                                        "tables",
                                        "rows",
                                        "bytes",
                                        "bytes_sent",
                                        "large_objects",
                                        "large_object_bytes",
                                        "indexes",
                                        "changes",
                                        "transactions",
                                        "substatus",
                                        "planned",
                                        "tables_total",
                                        "tables_copying",
                                        "tables_failed",
                                        "bytes_total",
                                        "bytes_streaming",
                                        "indexes_total",
                                        "constraints_total",
                                        "constraints_done",
                                        "streaming",
                                        "caught_up",
                                        "lag_bytes",
                                        "lag_seconds",
                                        "applied_lsn",
                                        "source_lsn",
                                        "waiting_for",
                                        "started_ms",
                                        "finished_ms",
                                        "inserts",
                                        "updates",
                                        "deletes",
                                        "truncates",
                                        "index_ms",
                                        "incoming_bps",
                                        "apply_bps",
                                        "apply_peak_bps",
                                        "backlog_bytes",
                                        NULL};
    *out = (struct db_progress_snapshot){0};
    if (!json_read_object(doc, "a database's progress", known, error) ||
        !json_read_int32(doc, "tables", false, &out->tables_copied, error) ||
        !json_read_int(doc, "rows", false, &out->rows_copied, error) ||
        !json_read_int(doc, "bytes", false, &out->bytes_copied, error) ||
        !json_read_int(doc, "bytes_sent", false, &out->bytes_sent, error) ||
        !json_read_int32(doc, "large_objects", false, &out->large_objects, error) ||
        !json_read_int(doc, "large_object_bytes", false, &out->large_object_bytes, error) ||
        !json_read_int32(doc, "indexes", false, &out->indexes_built, error) ||
        !json_read_int(doc, "changes", false, &out->changes_applied, error) ||
        !json_read_int(doc, "transactions", false, &out->txns_applied, error) ||
        !json_read_int32(doc, "tables_total", false, &out->tables_total, error) ||
        !json_read_int32(doc, "tables_copying", false, &out->tables_copying, error) ||
        !json_read_int32(doc, "tables_failed", false, &out->tables_failed, error) ||
        !json_read_int(doc, "bytes_total", false, &out->bytes_total, error) ||
        !json_read_int(doc, "bytes_streaming", false, &out->bytes_streaming, error) ||
        !json_read_int32(doc, "indexes_total", false, &out->indexes_total, error) ||
        !json_read_int32(doc, "constraints_total", false, &out->constraints_total, error) ||
        !json_read_int32(doc, "constraints_done", false, &out->constraints_done, error) ||
        !json_read_int(doc, "lag_bytes", false, &out->lag_bytes, error) ||
        !json_read_int(doc, "started_ms", false, &out->started_ms, error) ||
        !json_read_int(doc, "finished_ms", false, &out->finished_ms, error) ||
        !json_read_int(doc, "inserts", false, &out->inserts_applied, error) ||
        !json_read_int(doc, "updates", false, &out->updates_applied, error) ||
        !json_read_int(doc, "deletes", false, &out->deletes_applied, error) ||
        !json_read_int(doc, "truncates", false, &out->truncates_applied, error) ||
        !json_read_int(doc, "index_ms", false, &out->index_ms, error) ||
        !json_read_int(doc, "incoming_bps", false, &out->incoming_bps, error) ||
        !json_read_int(doc, "apply_bps", false, &out->apply_bps, error) ||
        !json_read_int(doc, "apply_peak_bps", false, &out->apply_peak_bps, error) ||
        !json_read_int(doc, "backlog_bytes", false, &out->backlog_bytes, error) ||
        !read_words(doc, out, error)) {
        db_progress_snapshot_free(out);
        return false;
    }
    return true;
}
