/* state_json.c — a migration's state to JSON and back (see state_json.h). */
#include "model/state_json.h"
#include "model/check_json.h"
#include "model/json_read.h"
#include "util/mem.h"

#include <stdlib.h>

json_t *migration_state_to_json(const struct migration_state *s, enum snapshot_json_form form)
{
    json_t *o = json_object();
    json_object_set_new(o, "status", json_string(mig_status_name(s->status)));
    json_object_set_new(o, "substatus", json_string(mig_substatus_name(s->substatus)));
    json_object_set_new(o, "seconds", json_real(s->finished_wall - s->started_wall));
    json_t *dbs = json_array();
    for (size_t i = 0; i < s->ndbs; i++)
        json_array_append_new(dbs, db_progress_snapshot_to_json(&s->dbs[i], form));
    json_object_set_new(o, "databases", dbs);
    if (s->source_type)
        json_object_set_new(o, "source_type", json_string(s->source_type));
    json_object_set_new(o, "checks", check_results_to_json(&s->checks));
    json_t *w = json_array();
    for (size_t i = 0; i < s->warnings.n; i++)
        json_array_append_new(w, json_string(s->warnings.items[i]));
    json_object_set_new(o, "warnings", w);
    if (s->error) {
        json_object_set_new(o, "error", json_string(s->error));
        if (s->error_database)
            json_object_set_new(o, "error_database", json_string(s->error_database));
        if (s->error_sqlstate)
            json_object_set_new(o, "sqlstate", json_string(s->error_sqlstate));
    }
    if (form == SNAPSHOT_JSON_FULL) {
        json_object_set_new(o, "started", json_real(s->started_wall));
        json_object_set_new(o, "finished", json_real(s->finished_wall));
    }
    return o;
}

static bool read_databases(const json_t *doc, struct migration_state *out, char **error)
{
    const json_t *a = json_object_get(doc, "databases");
    if (a == NULL)
        return true;
    if (!json_is_array(a))
        return json_read_fail("databases", "expected an array", error);
    out->dbs = xcalloc(json_array_size(a) + 1, sizeof(*out->dbs));
    for (size_t i = 0; i < json_array_size(a); i++) {
        char *why = NULL;
        if (!db_progress_snapshot_from_json(json_array_get(a, i), &out->dbs[i], &why)) {
            *error = xasprintf("databases[%zu]: %s", i, why);
            free(why);
            return false;
        }
        out->ndbs++;
    }
    return true;
}

static bool read_warnings(const json_t *doc, struct migration_state *out, char **error)
{
    const json_t *a = json_object_get(doc, "warnings");
    if (a == NULL)
        return true;
    if (!json_is_array(a))
        return json_read_fail("warnings", "expected an array of strings", error);
    for (size_t i = 0; i < json_array_size(a); i++) {
        const json_t *w = json_array_get(a, i);
        if (!json_is_string(w))
            return json_read_fail("warnings", "expected an array of strings", error);
        sl_push(&out->warnings, json_string_value(w));
    }
    return true;
}

/* The statuses, texts and times. */
static bool read_words(const json_t *doc, struct migration_state *out, char **error)
{
    const char *status = NULL, *substatus = NULL, *error_text = NULL, *database = NULL,
               *sqlstate = NULL, *source_type = NULL;
    double seconds = 0;
    if (!json_read_string(doc, "status", true, false, &status, error) ||
        !json_read_string(doc, "substatus", true, false, &substatus, error) ||
        !json_read_number(doc, "seconds", false, &seconds, error) ||
        !json_read_string(doc, "source_type", false, false, &source_type, error) ||
        !json_read_string(doc, "error", false, false, &error_text, error) ||
        !json_read_string(doc, "error_database", false, false, &database, error) ||
        !json_read_string(doc, "sqlstate", false, false, &sqlstate, error) ||
        !json_read_number(doc, "started", false, &out->started_wall, error) ||
        !json_read_number(doc, "finished", false, &out->finished_wall, error))
        return false;
    if (!mig_status_parse(status, &out->status))
        return json_read_fail("status", "not a migration status", error);
    if (!mig_substatus_parse(substatus, &out->substatus))
        return json_read_fail("substatus", "not a migration substatus", error);
    if (error_text == NULL && (database || sqlstate))
        return json_read_fail(database ? "error_database" : "sqlstate", "given without \"error\"",
                              error);
    if (error_text)
        migration_state_fail(out, database, sqlstate, error_text);
    out->source_type = xstrdup(source_type);
    return true;
}

bool migration_state_from_json(const json_t *doc, struct migration_state *out, char **error)
{
    static const char *const known[] = {
        "status", "substatus",      "seconds",  "databases", "source_type", "checks", "warnings",
        "error",  "error_database", "sqlstate", "started",   "finished",    NULL};
    migration_state_init(out);
    const json_t *checks = json_object_get(doc, "checks");
    if (!json_read_object(doc, "a migration's state", known, error) ||
        !read_words(doc, out, error) || !read_databases(doc, out, error) ||
        !read_warnings(doc, out, error) ||
        (checks && !check_results_from_json(checks, &out->checks, error))) {
        migration_state_free(out);
        return false;
    }
    return true;
}
