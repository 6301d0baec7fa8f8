/*
 * store.h — the service's state store: migrations (spec with secrets, state,
 * lease), their events, the users' requests, the workers' restarts, the
 * nodes of the service and its settings.
 *
 * Everything the service knows lives here, so that `serve`, its workers and
 * several nodes agree through the store alone. The interface is narrow and
 * speaks in model terms and JSON text (written and read by the model); two
 * backends implement it and pass one test suite (tests/unit/test_store.c):
 *   - SQLite (the default): one file, <state-dir>/pgshuttle.db, mode 0600,
 *     in WAL mode with a busy timeout, so several processes of one host
 *     share it;
 *   - PostgreSQL (several nodes): a schema (pgshuttle_state by default) in a
 *     database every node reaches; specs and settings marked secret are
 *     sealed with the secret key (util/seal.h) before they are stored.
 *
 * A store handle is used by one thread at a time; each process (or thread
 * that needs its own) opens its own handle.
 *
 * Leases and fencing: a migration is run by the holder of its lease, named
 * by an owner string and an epoch that grows by one with each new holder.
 * Every write a worker makes carries its fence (owner and epoch): the store
 * refuses it with STORE_CONFLICT once the lease went to another holder, and
 * counts the refusal in the migration's stale_writes.
 *
 * Times are wall-clock seconds since the epoch (double).
 */
#ifndef PGSHUTTLE_STORE_STORE_H
#define PGSHUTTLE_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The schema version this build writes; store_open upgrades older files step by step. */
#define STORE_SCHEMA_VERSION 3
/* The PostgreSQL store's schema name when none is given. */
#define STORE_PG_SCHEMA_DEFAULT "pgshuttle_state"

enum store_rc {
    STORE_OK = 0,
    STORE_NOT_FOUND, /* no such migration (or request, or lease) */
    STORE_CONFLICT,  /* the name exists; the lease is another owner's */
    STORE_ERROR,     /* the store failed: *error says why */
};

struct store;

/* Where the store is and how to open it. */
struct store_config {
    const char *dir;    /* SQLite: the state directory (used when uri is NULL) */
    const char *uri;    /* PostgreSQL: a postgresql:// URI or a conninfo string; NULL = SQLite */
    const char *schema; /* PostgreSQL: the schema, NULL = STORE_PG_SCHEMA_DEFAULT */
    const char *secret_key_file; /* PostgreSQL: the key file (util/seal.h); required */
};

/*
 * Opens the store cfg names and brings its schema to STORE_SCHEMA_VERSION
 * (several processes opening at once upgrade it once: SQLite's BEGIN
 * IMMEDIATE, PostgreSQL's advisory lock). SQLite creates the directory and
 * file if needed (0700/0600). PostgreSQL needs the key: a store whose
 * secrets were sealed with another key is refused. NULL with *error set
 * (caller frees; never holding a password) when it cannot: not reachable,
 * not writable, not a store, a schema newer than this build, no key or the
 * wrong key.
 */
struct store *store_open_config(const struct store_config *cfg, char **error);
/* store_open_config of the SQLite store in dir. */
struct store *store_open(const char *dir, char **error);
void store_close(struct store *st);
/* The schema version of the open store (STORE_SCHEMA_VERSION once open). */
int store_schema_version(struct store *st);
/*
 * Where the store is, for people (owned by st): the SQLite file's name, or
 * "postgresql://USER@HOST:PORT/DB schema NAME" with no password.
 */
const char *store_path(const struct store *st);
/* "sqlite" or "postgresql". */
const char *store_kind(const struct store *st);
/* Whether several nodes may share it (PostgreSQL). */
bool store_is_shared(const struct store *st);
/*
 * A cheap read that fails if the store does not answer (for /healthz). A
 * PostgreSQL handle whose connection broke connects again on its next call
 * (every call does: a restarted store database is met with STORE_ERROR
 * until it is back, never with a dead handle).
 */
bool store_ping(struct store *st, char **error);

/* ---- migrations ------------------------------------------------------ */

struct store_migration {
    int64_t id;
    char *name;
    char *spec_json;  /* migration_spec_to_json(SPEC_JSON_WITH_SECRETS) text: never serve it */
    char *state_json; /* migration_state_to_json(full form) text, or NULL before the worker wrote
                         one */
    char *status;     /* mig_status_name() of the state ("In progress" at creation) */
    char *substatus;  /* mig_substatus_name() */
    bool active;      /* not in a final status: the supervisor keeps a worker on it */
    double created;
    double updated;       /* last state write */
    double window_start;  /* migration window start (UTC), 0 = none */
    int starts;           /* workers started for it so far (the first start counts) */
    char *lease_owner;    /* NULL when nobody holds it */
    int64_t lease_pid;    /* the holder's process id, 0 = none (claimed, worker not started yet) */
    char *lease_node;     /* the holder's node (its name), NULL = none */
    double lease_expires; /* 0 = none */
    int64_t lease_epoch;  /* grows by one with each new holder; 0 = never held */
    int64_t stale_writes; /* fenced writes refused (their writer had lost the lease) */
};

/* What a worker's write carries: who it is and which holding of the lease. */
struct store_fence {
    const char *owner;
    int64_t epoch;
};

/* Frees what m owns and zeroes it (m itself is the caller's, e.g. a get's out). */
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
enum store_rc store_migration_list(struct store *st, bool active_only, struct store_migration **out,
                                   size_t *n, char **error);
/* Removes a migration with its events, requests and restarts. */
enum store_rc store_migration_delete(struct store *st, const char *name, char **error);

/*
 * The worker's write of the state (and status, substatus, active derived by
 * the caller from it). Only the lease holder may write: STORE_CONFLICT if
 * fence's owner and epoch do not hold the lease (a worker that lost its
 * lease must stop; the refusal counts in stale_writes).
 * fence NULL: the supervisor or the API writing a migration no worker holds
 * (Failed by the restart policy, Canceled before a worker started); then
 * STORE_CONFLICT if someone holds a live lease, and an expired lease is
 * cleared with the write (its stalled worker can no longer renew or write).
 */
enum store_rc store_migration_set_state(struct store *st, int64_t id,
                                        const struct store_fence *fence, const char *state_json,
                                        const char *status, const char *substatus, bool active,
                                        char **error);
/* Replaces the spec (an overwrite confirmation sets overwriteDbsInTarget). */
enum store_rc store_migration_set_spec(struct store *st, int64_t id, const char *spec_json,
                                       char **error);

/* ---- leases ---------------------------------------------------------- */

/*
 * Takes the lease for ttl seconds if nobody holds a live one (or owner
 * already does: then pid and node are updated, the epoch kept). A new holder
 * (not a renewal) increments starts and the epoch. STORE_CONFLICT if another
 * owner's lease is live. *epoch (when not NULL) gets the lease's epoch.
 */
enum store_rc store_lease_acquire(struct store *st, int64_t id, const char *owner, int64_t pid,
                                  const char *node, double ttl, int64_t *epoch, char **error);
/*
 * A node's claim: up to max active migrations whose lease nobody holds (or
 * whose lease ran out), oldest created first, each taken for owner (pid 0,
 * node, ttl; a new holder: starts and epoch incremented), in one
 * transaction; rows another node is claiming at the same moment are
 * skipped, not waited for (PostgreSQL: FOR UPDATE SKIP LOCKED). *out gets
 * the migrations claimed (caller frees with store_migration_list_free), *n
 * how many (0 is not an error).
 */
enum store_rc store_lease_claim(struct store *st, const char *node, const char *owner, double ttl,
                                size_t max, struct store_migration **out, size_t *n, char **error);
/*
 * Extends the lease by ttl from now; STORE_CONFLICT if fence no longer holds
 * it (counted in stale_writes), or if it was revoked (store_node_revoke_leases). A holder keeps a
 * lease past its expiry until another owner acquires or claims it or a write with no fence
 * (store_migration_set_state) clears it: a worker a little late to renew
 * carries on.
 */
enum store_rc store_lease_renew(struct store *st, int64_t id, const struct store_fence *fence,
                                double ttl, char **error);
/* Gives the lease up (a no-op, STORE_OK, if fence does not hold it or the migration is gone). */
enum store_rc store_lease_release(struct store *st, int64_t id, const struct store_fence *fence,
                                  char **error);

/* ---- events ---------------------------------------------------------- */

struct store_event {
    int64_t seq; /* increasing per store */
    double at;
    char *kind; /* event_kind_name() or a service word ("restart", "request") */
    char *json; /* event_to_json() text, or the service's own object */
};

void store_event_list_free(struct store_event *evs, size_t n);
/*
 * Appends an event. With a fence (a worker's event), STORE_CONFLICT and
 * nothing appended if the fence no longer holds the lease (counted in
 * stale_writes); NULL: the supervisor's or the API's own.
 */
enum store_rc store_event_append(struct store *st, int64_t id, const struct store_fence *fence,
                                 double at, const char *kind, const char *json, char **error);
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
 * With a fence (the worker's poll), STORE_CONFLICT and nothing taken if the
 * fence no longer holds the lease (counted in stale_writes); NULL: a read
 * that takes (the supervisor's look for a delete request).
 */
enum store_rc store_request_take(struct store *st, int64_t id, const struct store_fence *fence,
                                 bool all, struct store_request **out, size_t *n, char **error);

/* ---- restarts (the supervisor's restart policy) ----------------------- */

enum store_rc store_restart_record(struct store *st, int64_t id, double at, const char *reason,
                                   char **error);
/* How many restarts of id were recorded at or after since. */
enum store_rc store_restart_count(struct store *st, int64_t id, double since, int *count,
                                  char **error);

/* ---- nodes (the `serve` processes sharing the store) ----------------- */

struct store_node {
    char *name;
    char *address;  /* where its API answers (http://HOST:PORT), NULL = unknown */
    int capacity;   /* --max-migrations; 0 = no limit */
    int running;    /* workers it runs, as of its last heartbeat */
    int64_t pid;    /* serve's process id on its host */
    char *version;  /* pgshuttle's version */
    double started; /* when it registered */
    double heartbeat;
    bool draining; /* takes no new migration; hands its running ones over */
    bool stopped;  /* stopped cleanly (store_node_stop) */
};

void store_node_free(struct store_node *n);
void store_node_list_free(struct store_node *ns, size_t n);
/*
 * Registers node name (a new row, or the row of an earlier start of the
 * same name: a restart takes its place, not draining, not stopped) and sets
 * its heartbeat to now.
 */
enum store_rc store_node_register(struct store *st, const struct store_node *node, char **error);
/* The node's heartbeat (now) and running count; STORE_NOT_FOUND if its row is gone. */
enum store_rc store_node_heartbeat(struct store *st, const char *name, int running, char **error);
/* A clean stop: stopped, running 0. STORE_NOT_FOUND if its row is gone. */
enum store_rc store_node_stop(struct store *st, const char *name, char **error);
/* Marks the node draining (or not); STORE_NOT_FOUND if there is no such node. */
enum store_rc store_node_set_draining(struct store *st, const char *name, bool draining,
                                      char **error);
enum store_rc store_node_get(struct store *st, const char *name, struct store_node *out,
                             char **error);
/* Every node, by name. */
enum store_rc store_node_list(struct store *st, struct store_node **out, size_t *n, char **error);
/* Forgets a node (its row only; leases it held run out on their own). */
enum store_rc store_node_remove(struct store *st, const char *name, char **error);
/*
 * A node that stopped heartbeating loses its leases: those held on nodes
 * other than self whose last heartbeat is older than before (wall time),
 * and that did not stop cleanly, are revoked — they run out now (expiry
 * 0), their holders can no longer renew them (a revoked lease does not
 * renew: STORE_CONFLICT), and the next claim takes them. *revoked (when
 * not NULL) gets how many.
 */
enum store_rc store_node_revoke_leases(struct store *st, const char *self, double before,
                                       int *revoked, char **error);

/* ---- settings (the service's own values, shared by its nodes) -------- */

/*
 * The value of setting key, or, when it has none yet, value stored (the
 * first of several nodes wins); *out gets what the store keeps (caller
 * frees). secret: sealed with the secret key in a PostgreSQL store (the API
 * token).
 */
enum store_rc store_setting_get_or_put(struct store *st, const char *key, const char *value,
                                       bool secret, char **out, char **error);

#endif
