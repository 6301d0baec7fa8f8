/*
 * state_json.h — a migration's state as JSON, written and read here only:
 * {"status", "substatus", "seconds", "databases": [snapshots],
 * "source_type" (when known), "checks": [...], "warnings": [...], "error",
 * "error_database", "sqlstate" (when it failed)}; the full form adds
 * "started" and "finished" (wall clock, seconds since the epoch) and the
 * snapshots' every figure. The CLI's "result" line is the result form.
 * Reading (full form) is strict.
 */
#ifndef PGSHUTTLE_MODEL_STATE_JSON_H
#define PGSHUTTLE_MODEL_STATE_JSON_H

#include "model/progress_json.h"
#include "model/state.h"

#include <jansson.h>

/* A new JSON object for s in form (the databases' form; the caller json_decref()s it). */
json_t *migration_state_to_json(const struct migration_state *s, enum snapshot_json_form form);
/*
 * Reads the full form doc (borrowed) into out (initialised first; free with
 * migration_state_free). "seconds" is accepted and not kept (finished minus
 * started). False and *error (caller frees), naming the field, if bad.
 */
bool migration_state_from_json(const json_t *doc, struct migration_state *out, char **error)
    __attribute__((warn_unused_result));

#endif
