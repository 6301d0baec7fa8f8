/*
 * migration_json.h — a migration spec as JSON, written and read here only,
 * for the store, the HTTP API and scripts. The shape is the API's resource
 * (../docs/API.md): {"name": ..., "properties": {...}}, with the property
 * names of Azure's migration resource where it has the idea; see the table
 * in migration_json.c. Reading is strict and goes through the rules of
 * migration.h, so a bad document gets the API's message for the field.
 */
#ifndef PGSHUTTLE_MODEL_MIGRATION_JSON_H
#define PGSHUTTLE_MODEL_MIGRATION_JSON_H

#include "model/migration.h"

#include <jansson.h>

/* With the connection strings as given (for the store only), or with their passwords masked. */
enum spec_json_secrets { SPEC_JSON_WITH_SECRETS = 0, SPEC_JSON_MASKED };

/*
 * Returns a copy of conninfo with its passwords masked; the caller frees it.
 * The model cannot parse a conninfo (libpq is the pg layer's): callers pass
 * pgconninfo_mask or pgconninfo_redact's like.
 */
typedef char *(*spec_conninfo_masker)(const char *conninfo);

/*
 * The spec as a new JSON object (the caller json_decref()s it). With
 * SPEC_JSON_MASKED, sourceServer and targetServer go through mask; a NULL
 * mask writes "*****" in their place.
 */
json_t *migration_spec_to_json(const struct migration_spec *s, enum spec_json_secrets secrets,
                               spec_conninfo_masker mask);

/*
 * Reads a spec from doc (borrowed) into out, which it initialises
 * (migration_spec_init: absent fields keep their defaults). Strict: an
 * unknown field, a value of the wrong type or one the rules refuse, and a
 * spec migration_spec_check() refuses each give false, *error naming the
 * field (caller frees), and out freed.
 */
bool migration_spec_from_json(const json_t *doc, struct migration_spec *out, char **error)
    __attribute__((warn_unused_result));

/*
 * The same for a connection test, which needs the servers and not the
 * databases: dbsToMigrate may be absent or empty; every other field and
 * rule is as above.
 */
bool migration_spec_from_json_endpoints(const json_t *doc, struct migration_spec *out, char **error)
    __attribute__((warn_unused_result));

/* The same from JSON text (duplicate keys are refused). */
bool migration_spec_from_json_text(const char *text, struct migration_spec *out, char **error)
    __attribute__((warn_unused_result));

#endif
