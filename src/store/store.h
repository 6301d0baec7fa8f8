/*
 * store.h — the service's state store: migrations (spec with secrets, state,
 * lease), their events, the users' requests and the workers' restarts.
 *
 * Everything the service knows lives here, so that `serve`, its workers and
 * (later) several nodes agree through the store alone. The interface is
 * narrow and speaks in model terms and JSON text (written and read by the
 * model): a PostgreSQL backend can implement it later without touching its
 * callers. The SQLite backend keeps one file, <state-dir>/pgshuttle.db, mode
 * 0600, in WAL mode with a busy timeout, so several processes share it.
 *
 * A store handle is used by one thread at a time; each process (or thread
 * that needs its own) opens its own handle.
 *
 * Times are wall-clock seconds since the epoch (double).
 */
#ifndef PGSHUTTLE_STORE_STORE_H
#define PGSHUTTLE_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The schema version this build writes; store_open upgrades older files step by step. */
#define STORE_SCHEMA_VERSION 2

enum store_rc {
    STORE_OK = 0,
    STORE_NOT_FOUND, /* no such migration (or request, or lease) */
    STORE_CONFLICT,  /* the name exists; the lease is another owner's */
    STORE_ERROR,     /* the store failed: *error says why */
};

struct store;

/*
 * Opens (creating it and its directory if needed, mode 0700/0600) the store
 * in dir, and brings its schema to STORE_SCHEMA_VERSION. NULL with *error
 * set (caller frees) when it cannot: not writable, not a store, a schema
 * newer than this build.
 */
struct store *store_open(const char *dir, char **error);
void store_close(struct store *st);
/* The schema version of the open file (STORE_SCHEMA_VERSION once open). */
int store_schema_version(struct store *st);
/* The store's file name (owned by st). */
const char *store_path(const struct store *st);
/* A cheap read that fails if the store does not answer (for /healthz). */
bool store_ping(struct store *st, char **error);

/* ---- migrations ------------------------------------------------------ */

struct store_migration {
    int64_t id;
    char *name;
    char *spec_json;  /* migration_spec_to_json(SPEC_JSON_WITH_SECRETS) text: never serve it */
    char *state_json; /* migration_state_to_json(full form) text, or NULL before the worker wrote one */
    char *status;     /* mig_status_name() of the state ("In progress" at creation) */
    char *substatus;  /* mig_substatus_name() */
    bool active;      /* not in a final status: the supervisor keeps a worker on it */
    double created;
    double updated;       /* last state write */
    double window_start;  /* migration window start (UTC), 0 = none */
    int starts;           /* workers started for it so far (the first start counts) */
    char *lease_owner;    /* NULL when nobody holds it */
    int64_t lease_pid;    /* the holder's process id, 0 = none */
    char *lease_node;     /* the holder's node (host name), NULL = none */
    double lease_expires; /* 0 = none */
};

void store_migration_free(struct store_migration *m);
void store_migration_list_free(struct store_migration *ms, size_t n);

/*
 * Creates a migration: status In progress, substatus Performing prerequisite
 * steps, active. STORE_CONFLICT if the name exists (live or deleted-but-not-
 * yet-removed). *id gets its id.
 */
enum store_rc store_migration_create(struct store *st, const char *name, const char *spec_json,
                                     double window_start, int64_t *id, char **error);
enum store_rc store_migration_get(struct store *st, const char *name, struct store_migration *out,
                                  char **error);
enum store_rc store_migration_get_id(struct store *st, int64_t id, struct store_migration *out,
                                     char **error);
/* Every migration (active_only: only those still active), newest created first. */
enum store_rc store_migration_list(struct store *st, bool active_only,
                                   struct store_migration **out, size_t *n, char **error);
/* Removes a migration with its events, requests and restarts. */
enum store_rc store_migration_delete(struct store *st, const char *name, char **error);

/*
 * The worker's write of the state (and status, substatus, active derived by
 * the caller from it). Only the lease owner may write: STORE_CONFLICT if
 * owner does not hold the lease (a worker that lost its lease must stop).
 * owner NULL: the supervisor or the API writing a migration no worker holds
 * (Failed by the restart policy, Canceled before a worker started); then
 * STORE_CONFLICT if someone holds a live lease, and an expired lease is
 * cleared with the write (its stalled worker can no longer renew or write).
 */
enum store_rc store_migration_set_state(struct store *st, int64_t id, const char *owner,
                                        const char *state_json, const char *status,
                                        const char *substatus, bool active, char **error);
/* Replaces the spec (an overwrite confirmation sets overwriteDbsInTarget). */
enum store_rc store_migration_set_spec(struct store *st, int64_t id, const char *spec_json,
                                       char **error);

/* ---- leases ---------------------------------------------------------- */

/*
 * Takes the lease for ttl seconds if nobody holds a live one (or owner
 * already does). STORE_CONFLICT if another owner's lease is live. A new
 * holder (not a renewal) increments starts.
 */
enum store_rc store_lease_acquire(struct store *st, int64_t id, const char *owner, int64_t pid,
                                  const char *node, double ttl, char **error);
/*
 * Extends owner's lease by ttl from now; STORE_CONFLICT if owner no longer holds it.
 * An owner still holds a lease past its expiry until another owner acquires it
 * or a write with owner NULL (store_migration_set_state) clears it: a worker a
 * little late to renew carries on.
 */
enum store_rc store_lease_renew(struct store *st, int64_t id, const char *owner, double ttl,
                                char **error);
/* Gives the lease up (a no-op, STORE_OK, if owner does not hold it or the migration is gone). */
enum store_rc store_lease_release(struct store *st, int64_t id, const char *owner, char **error);

/* ---- events ---------------------------------------------------------- */

struct store_event {
    int64_t seq; /* increasing per store */
    double at;
    char *kind; /* event_kind_name() or a service word ("restart", "request") */
    char *json; /* event_to_json() text, or the service's own object */
};

void store_event_list_free(struct store_event *evs, size_t n);
enum store_rc store_event_append(struct store *st, int64_t id, double at, const char *kind,
                                 const char *json, char **error);
/* Events of migration id with seq > after_seq, oldest first, at most limit (0 = all). */
enum store_rc store_event_list(struct store *st, int64_t id, int64_t after_seq, size_t limit,
                               struct store_event **out, size_t *n, char **error);

/* ---- requests (API → worker) ----------------------------------------- */

enum store_request_kind {
    STORE_REQ_CUTOVER = 0,
    STORE_REQ_CANCEL,
    STORE_REQ_OVERWRITE, /* the user confirms overwriting the existing target databases */
    STORE_REQ_DELETE,    /* cancel if running, then remove (the supervisor removes it once final) */
    STORE_REQ_COUNT
};

struct store_request {
    int64_t seq;
    enum store_request_kind kind;
    char *databases_json; /* a JSON array of database names, or NULL for the whole migration */
    double at;
};

const char *store_request_kind_name(enum store_request_kind k);
void store_request_list_free(struct store_request *rs, size_t n);
enum store_rc store_request_add(struct store *st, int64_t id, enum store_request_kind kind,
                                const char *databases_json, char **error);
/*
 * The requests not yet taken (all: every request ever made, taken or not:
 * a restarted worker applies them all again), oldest first; marks them taken.
 */
enum store_rc store_request_take(struct store *st, int64_t id, bool all,
                                 struct store_request **out, size_t *n, char **error);

/* ---- restarts (the supervisor's restart policy) ----------------------- */

enum store_rc store_restart_record(struct store *st, int64_t id, double at, const char *reason,
                                   char **error);
/* How many restarts of id were recorded at or after since. */
enum store_rc store_restart_count(struct store *st, int64_t id, double since, int *count,
                                  char **error);

#endif
