/*
 * resource_json.h — the HTTP API's migration resource (docs/API.md), built
 * here from the model's plain data: the spec's settable properties (the
 * connection strings masked), the times, and currentStatus with each
 * database's figures and the validation results. Also the API's error
 * object. Every status, substatus and check word comes from status.h.
 */
#ifndef PGSHUTTLE_MODEL_RESOURCE_JSON_H
#define PGSHUTTLE_MODEL_RESOURCE_JSON_H

#include "model/migration_json.h"
#include "model/state.h"

#include <jansson.h>

/* What the store knows of a migration besides its spec and state. */
struct resource_times {
    double created; /* wall clock, seconds since the epoch */
    double updated; /* the last state write (the figures' "now") */
};

/*
 * A new JSON object (the caller json_decref()s it): {"name", "properties":
 * {settable fields..., startedOn, endedOn, durationSeconds, currentStatus},
 * "systemData": {createdAt, lastModifiedAt}}. state NULL: the worker has
 * not written one yet (In progress / Performing prerequisite steps, each
 * database of the spec with no figures). Connection strings go through
 * mask (NULL mask: "*****").
 */
json_t *migration_resource_to_json(const char *name, const struct migration_spec *spec,
                                   const struct migration_state *state,
                                   const struct resource_times *times, spec_conninfo_masker mask);

/*
 * Cuts a resource of migration_resource_to_json() down to what a grid of
 * migrations shows: without currentSubStateDetails' dbDetails and
 * validationDetails (most of its size), everything else kept.
 */
void migration_resource_trim_for_grid(json_t *doc);

/*
 * One check's result as validationDetails lists it (also the answer of a
 * connection test): {"type", "state", "startedOn" (ISO UTC or null),
 * "durationMs", "messages": [{"state", "message"}], "remediation"}.
 */
json_t *resource_check_to_json(const struct check_result *c);

/*
 * {"error": {"code", "message", "target"}} as a new object; target NULL
 * writes null. The message must already be free of secrets.
 */
json_t *resource_error_to_json(const char *code, const char *message, const char *target);

#endif
