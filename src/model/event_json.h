/*
 * event_json.h — an event as one JSON object (the `--output json` lines),
 * written and read here only. Fields by kind: see event_to_json in
 * event_json.c. Reading is strict: an unknown field or a value of the wrong
 * type fails with a message naming the field.
 */
#ifndef PGSHUTTLE_MODEL_EVENT_JSON_H
#define PGSHUTTLE_MODEL_EVENT_JSON_H

#include "model/events.h"

#include <jansson.h>

/* What the line says besides the event: when it was written, and the pid of a waiting migration. */
struct event_json_meta {
    const char *time; /* ISO 8601 text ("time"); borrowed */
    int64_t pid;      /* "pid": written when the migration waits for the user; 0 = none */
};

/* A new JSON object for ev (the caller json_decref()s it). */
json_t *event_to_json(const struct event *ev, const struct event_json_meta *meta);
/*
 * The compact JSON text of an event of kind with only a message (a
 * service's EV_WARNING or EV_ERROR line), its time at (wall seconds);
 * the caller frees it.
 */
char *event_message_json(enum event_kind kind, const char *message, double at);
/*
 * Reads doc into ev and meta (zeroed first); their strings are borrowed
 * from doc, valid while the caller holds it. False and *error (caller
 * frees), naming the field, if bad.
 */
bool event_from_json(const json_t *doc, struct event *ev, struct event_json_meta *meta,
                     char **error) __attribute__((warn_unused_result));

#endif
