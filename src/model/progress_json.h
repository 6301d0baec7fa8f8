/*
 * progress_json.h — a database's progress snapshot as JSON, written and
 * read here only. Figures the events also carry have the events' names
 * (rows, bytes, tables, bytes_sent, changes, transactions, lag_bytes,
 * lag_seconds, applied_lsn, source_lsn, waiting_for). The migration's
 * "result" keeps the first fields only (SNAPSHOT_JSON_RESULT*); the full
 * form adds the rest. Reading (full form) is strict.
 */
#ifndef PGSHUTTLE_MODEL_PROGRESS_JSON_H
#define PGSHUTTLE_MODEL_PROGRESS_JSON_H

#include "model/progress_snapshot.h"

#include <jansson.h>

enum snapshot_json_form {
    SNAPSHOT_JSON_FULL = 0,     /* every figure */
    SNAPSHOT_JSON_RESULT,       /* an offline migration's result: copy figures */
    SNAPSHOT_JSON_RESULT_ONLINE /* an online one's: changes and transactions too */
};

/* A new JSON object for s (the caller json_decref()s it). */
json_t *db_progress_snapshot_to_json(const struct db_progress_snapshot *s,
                                     enum snapshot_json_form form);
/*
 * Reads the full form doc (borrowed) into out (zeroed first; free with
 * db_progress_snapshot_free). Absent figures are 0; name and status are
 * required. False and *error (caller frees), naming the field, if bad.
 */
bool db_progress_snapshot_from_json(const json_t *doc, struct db_progress_snapshot *out,
                                    char **error) __attribute__((warn_unused_result));

#endif
