/*
 * check_json.h — a validation check's result as JSON, written and read here
 * only: {"scope", "name", "status", "started_at", "message", "remediation",
 * "seconds"}; started_at is ISO 8601 UTC with milliseconds, or null when
 * unknown (and may be absent: states stored before checks had it).
 * Reading is strict: an unknown field or a value of the wrong type fails
 * with a message naming the field.
 */
#ifndef PGSHUTTLE_MODEL_CHECK_JSON_H
#define PGSHUTTLE_MODEL_CHECK_JSON_H

#include "model/check.h"

#include <jansson.h>

/* A new JSON object for c (the caller json_decref()s it). */
json_t *check_result_to_json(const struct check_result *c);
/* A new JSON array of every result in r. */
json_t *check_results_to_json(const struct check_results *r);

/* Appends the result doc (borrowed) describes to out; false and *error (caller frees) if bad. */
bool check_result_from_json(const json_t *doc, struct check_results *out, char **error)
    __attribute__((warn_unused_result));
/* Appends every result of the array doc to out; false and *error (caller frees) if bad. */
bool check_results_from_json(const json_t *doc, struct check_results *out, char **error)
    __attribute__((warn_unused_result));

#endif
