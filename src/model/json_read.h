/*
 * json_read.h — strict reading of the model's JSON objects: every field
 * known, every value of its type, and a message naming the field otherwise.
 * The model's *_from_json functions read through these.
 */
#ifndef PGSHUTTLE_MODEL_JSON_READ_H
#define PGSHUTTLE_MODEL_JSON_READ_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * True when doc is an object whose fields are all in known (ended by NULL);
 * else false and *error (caller frees) says what (names the unknown field).
 */
bool json_read_object(const json_t *doc, const char *what, const char *const *known, char **error);

/*
 * Each reads field key of obj into *out (borrowed from obj for strings).
 * An absent field leaves *out alone and fails only when required; a value
 * of another type fails. A failure sets *error (caller frees) naming key.
 */
bool json_read_string(const json_t *obj, const char *key, bool required, bool nullable,
                      const char **out, char **error);
bool json_read_int(const json_t *obj, const char *key, bool required, int64_t *out, char **error);
bool json_read_number(const json_t *obj, const char *key, bool required, double *out, char **error);
bool json_read_bool(const json_t *obj, const char *key, bool required, bool *out, char **error);

/* An integer field that must fit an int. */
bool json_read_int32(const json_t *obj, const char *key, bool required, int *out, char **error);

/* A WAL position as text ("16/B374D848"). */
bool json_read_lsn(const json_t *obj, const char *key, uint64_t *out, char **error);

/* Fails with *error = "field \"key\": what"; returns false. */
bool json_read_fail(const char *key, const char *what, char **error);

#endif
