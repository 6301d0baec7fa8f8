/*
 * sqlite_internal.h — what the SQLite backend's files share: its part of the
 * handle (the connection and its cache of prepared statements), its helpers
 * (sqlite_db.c) and its functions for struct store_ops.
 *
 * Order of the files (each uses only those below it, never the other way):
 * sqlite_open.c (open, close, ping, the ops table) uses sqlite_schema.c (the
 * upgrade steps, on a bare connection) and the files of the functions:
 * sqlite_migrations.c, sqlite_leases.c, sqlite_events.c (events, requests,
 * restarts) and sqlite_nodes.c (nodes, settings), which use sqlite_db.c
 * (the helpers below), which uses only store_rows.c.
 */
#ifndef PGSHUTTLE_STORE_SQLITE_INTERNAL_H
#define PGSHUTTLE_STORE_SQLITE_INTERNAL_H

#include "store/internal.h"

#include <sqlite3.h>
#include <stdbool.h>

/* A prepared statement kept for the handle's life, found by its SQL text's address. */
struct sqlite_stmt {
    const char *sql;    /* a static string: the cache key */
    sqlite3_stmt *stmt; /* owned */
};

/* The SQLite backend's part of the handle (struct store's be). */
struct sqlite_store {
    sqlite3 *db;               /* owned */
    struct sqlite_stmt *stmts; /* owned, nstmts of them */
    size_t nstmts;
};

/* The connection of st. */
sqlite3 *sqlite__db(struct store *st);

/*
 * The prepared statement for sql (a string with static storage: its address
 * is the key), reset and with its bindings cleared; NULL with *error set
 * (doing says what the caller was doing) if it cannot be prepared.
 */
sqlite3_stmt *sqlite__stmt(struct store *st, const char *sql, const char *doing, char **error);
/* Finalizes every cached statement. */
void sqlite__stmt_clear(struct store *st);

/*
 * Sets *error (when error is not NULL) to "store: DOING: SQLITE MESSAGE
 * (PATH)" and returns STORE_ERROR. The message is the connection's last
 * error; doing never holds a spec (it holds passwords).
 */
enum store_rc sqlite__fail(struct store *st, const char *doing, char **error);
/* The same with a message of the caller's instead of SQLite's. */
enum store_rc sqlite__fail_msg(struct store *st, const char *doing, const char *msg, char **error);

/* BEGIN IMMEDIATE (waits up to the busy timeout for other writers), COMMIT, ROLLBACK. */
enum store_rc sqlite__begin(struct store *st, const char *doing, char **error);
enum store_rc sqlite__commit(struct store *st, const char *doing, char **error);
/* Rolls back the open transaction, if any (errors ignored: the caller reports its own). */
void sqlite__rollback(struct store *st);

/*
 * Steps s, bound by the caller, which returns no rows, then resets it:
 * STORE_OK (*changed, when not NULL, the rows it changed) or STORE_ERROR.
 */
enum store_rc sqlite__run(struct store *st, sqlite3_stmt *s, const char *doing, int *changed,
                          char **error);
/* The same for an UPDATE or DELETE of one row: STORE_NOT_FOUND if it changed none. */
enum store_rc sqlite__run_one(struct store *st, sqlite3_stmt *s, const char *doing, char **error);
/*
 * The same for a write under migration id that a lease may refuse: when it
 * changed no row, STORE_CONFLICT if the migration exists, else
 * STORE_NOT_FOUND (or STORE_ERROR). A refused write with a fence counts in
 * the migration's stale_writes (sqlite__count_stale).
 */
enum store_rc sqlite__run_leased(struct store *st, sqlite3_stmt *s, int64_t id,
                                 const struct store_fence *fence, const char *doing, char **error);
/*
 * After a fenced write was refused (outside its transaction, if it had
 * one): stale_writes + 1. Returns STORE_CONFLICT, or STORE_ERROR if the
 * count cannot be written.
 */
enum store_rc sqlite__count_stale(struct store *st, int64_t id, const char *doing, char **error);
/*
 * Whether fence holds the lease of migration id: STORE_OK, STORE_CONFLICT
 * (not counted: the caller counts it once its transaction is over),
 * STORE_NOT_FOUND or STORE_ERROR.
 */
enum store_rc sqlite__check_fence(struct store *st, int64_t id, const struct store_fence *fence,
                                  const char *doing, char **error);
/*
 * For a read of what lies under migration id: checks that it exists
 * (sqlite__migration_exists), then sets *s to the statement for sql with id
 * bound to ?1. STORE_OK, STORE_NOT_FOUND or STORE_ERROR.
 */
enum store_rc sqlite__stmt_under(struct store *st, int64_t id, const char *sql, const char *doing,
                                 sqlite3_stmt **s, char **error);

/* Binds a text (NULL binds SQL NULL), transient copy. */
void sqlite__bind_text(sqlite3_stmt *s, int i, const char *v);
/* A copy of column i's text (NULL for SQL NULL); the caller frees it. */
char *sqlite__column_text(sqlite3_stmt *s, int i);

/*
 * Whether migration id exists: STORE_OK, STORE_NOT_FOUND or STORE_ERROR
 * (doing names the caller's action in the error).
 */
enum store_rc sqlite__migration_exists(struct store *st, int64_t id, const char *doing,
                                       char **error);

/*
 * Brings db's schema to STORE_SCHEMA_VERSION step by step (sqlite_schema.c);
 * *version gets it. False with *msg (caller frees; without the file name)
 * when the file is newer than this build, someone else's database, or a
 * step fails.
 */
bool sqlite_schema_upgrade(sqlite3 *db, int *version, char **msg);

/* The backend's functions (struct store_ops), by file. */
/* sqlite_migrations.c */
enum store_rc sqlite_migration_create(struct store *st, const char *name, const char *spec_json,
                                      double window_start, int64_t *id, char **error);
enum store_rc sqlite_migration_get(struct store *st, const char *name, struct store_migration *out,
                                   char **error);
enum store_rc sqlite_migration_get_id(struct store *st, int64_t id, struct store_migration *out,
                                      char **error);
enum store_rc sqlite_migration_list(struct store *st, bool active_only,
                                    struct store_migration **out, size_t *n, char **error);
enum store_rc sqlite_migration_delete(struct store *st, const char *name, char **error);
enum store_rc sqlite_migration_set_state(struct store *st, int64_t id,
                                         const struct store_fence *fence, const char *state_json,
                                         const char *status, const char *substatus, bool active,
                                         char **error);
enum store_rc sqlite_migration_set_spec(struct store *st, int64_t id, const char *spec_json,
                                        char **error);
/* sqlite_leases.c */
enum store_rc sqlite_lease_acquire(struct store *st, int64_t id, const char *owner, int64_t pid,
                                   const char *node, double ttl, int64_t *epoch, char **error);
enum store_rc sqlite_lease_claim(struct store *st, const char *node, const char *owner, double ttl,
                                 size_t max, struct store_migration **out, size_t *n, char **error);
enum store_rc sqlite_lease_renew(struct store *st, int64_t id, const struct store_fence *fence,
                                 double ttl, char **error);
enum store_rc sqlite_lease_release(struct store *st, int64_t id, const struct store_fence *fence,
                                   char **error);
/* sqlite_events.c */
enum store_rc sqlite_event_append(struct store *st, int64_t id, const struct store_fence *fence,
                                  double at, const char *kind, const char *json, char **error);
enum store_rc sqlite_event_list(struct store *st, int64_t id, int64_t after_seq, size_t limit,
                                struct store_event **out, size_t *n, char **error);
enum store_rc sqlite_request_add(struct store *st, int64_t id, enum store_request_kind kind,
                                 const char *databases_json, char **error);
enum store_rc sqlite_request_take(struct store *st, int64_t id, const struct store_fence *fence,
                                  bool all, struct store_request **out, size_t *n, char **error);
enum store_rc sqlite_restart_record(struct store *st, int64_t id, double at, const char *reason,
                                    char **error);
enum store_rc sqlite_restart_count(struct store *st, int64_t id, double since, int *count,
                                   char **error);
/* sqlite_nodes.c */
enum store_rc sqlite_node_register(struct store *st, const struct store_node *node, char **error);
enum store_rc sqlite_node_heartbeat(struct store *st, const char *name, int running, char **error);
enum store_rc sqlite_node_stop(struct store *st, const char *name, char **error);
enum store_rc sqlite_node_set_draining(struct store *st, const char *name, bool draining,
                                       char **error);
enum store_rc sqlite_node_get(struct store *st, const char *name, struct store_node *out,
                              char **error);
enum store_rc sqlite_node_list(struct store *st, struct store_node **out, size_t *n, char **error);
enum store_rc sqlite_node_revoke_leases(struct store *st, const char *self, double before,
                                        int *revoked, char **error);
enum store_rc sqlite_node_remove(struct store *st, const char *name, char **error);
enum store_rc sqlite_setting_get_or_put(struct store *st, const char *key, const char *value,
                                        bool secret, char **out, char **error);

#endif
