/*
 * pg_internal.h — what the PostgreSQL backend's files share: its part of the
 * handle (the connection, the schema, the secret key), its helpers
 * (pg_db.c) and its functions for struct store_ops.
 *
 * Order of the files (each uses only those below it, never the other way):
 * pg_open.c (connect, close, ping, reconnect, the key check, the ops table)
 * uses pg_schema.c (the upgrade steps) and the files of the functions:
 * pg_migrations.c, pg_leases.c, pg_events.c (events, requests, restarts)
 * and pg_nodes.c (nodes, settings), which use pg_db.c (the helpers below:
 * statements, transactions, errors, sealing), which uses only store_rows.c.
 *
 * Every statement is a fixed text with $n parameters, sent as text; the
 * tables are named without their schema (the connection's search_path is
 * the store's schema), so the SQL files (sql/store_pg_*.sql) need no name.
 */
#ifndef PGSHUTTLE_STORE_PG_INTERNAL_H
#define PGSHUTTLE_STORE_PG_INTERNAL_H

#include "store/internal.h"
#include "util/seal.h"

#include <libpq-fe.h>
#include <stdbool.h>

/* The PostgreSQL backend's part of the handle (struct store's be). */
struct pg_store {
    PGconn *conn;        /* owned */
    char *schema;        /* owned: the schema's name */
    char *quoted_schema; /* owned: the same as an SQL identifier */
    struct seal_key key; /* the secret key: specs and secret settings are sealed with it */
    bool session_ready;  /* the session's settings (search_path) are made on this connection */
    bool retrying;       /* pg__exec is running a statement again on a new connection */
};

#define PG_MAX_PARAMS 10

/* A statement's parameters, as text (NULL: SQL NULL); pg__param_* add one. */
struct pg_params {
    int n;
    const char *values[PG_MAX_PARAMS];
    char buf[PG_MAX_PARAMS][32];
};

void pg__param_text(struct pg_params *p, const char *v);
void pg__param_int(struct pg_params *p, int64_t v);
void pg__param_double(struct pg_params *p, double v);
void pg__param_bool(struct pg_params *p, bool v);

/* The backend part of st. */
struct pg_store *pg__be(struct store *st);

/*
 * Sets *error (when error is not NULL) to "store: DOING: MSG (PATH)" and
 * returns STORE_ERROR; msg never holds a spec, a secret or the URI's
 * password (PATH is the description store_path gives).
 */
enum store_rc pg__fail(struct store *st, const char *doing, const char *msg, char **error);

/*
 * Runs sql with p (NULL: none) on conn: the result of a statement that
 * succeeded (the caller PQclears it), or NULL with *msg (caller frees) the
 * first line of the server's message and *sqlstate (when not NULL) the
 * SQLSTATE of the failure ("" when the connection failed).
 */
PGresult *pg__query(PGconn *conn, const char *sql, const struct pg_params *p, char sqlstate[6],
                    char **msg);
/*
 * The same on st's connection, the failure in *error ("store: DOING: MSG
 * (PATH)"): the result of a statement that succeeded
 * (the caller PQclears it), or NULL with *error set and *sqlstate (when not
 * NULL) the SQLSTATE of the failure ("" when the connection failed).
 */
PGresult *pg__exec(struct store *st, const char *sql, const struct pg_params *p, const char *doing,
                   char sqlstate[6], char **error);
/* The same for a statement whose rows are not wanted: STORE_OK (*changed its rows) or STORE_ERROR.
 */
enum store_rc pg__run(struct store *st, const char *sql, const struct pg_params *p,
                      const char *doing, int *changed, char **error);

/*
 * BEGIN (READ COMMITTED: the row locks of the statements decide), COMMIT,
 * ROLLBACK (errors ignored: the caller reports its own; a broken connection
 * has no transaction left to roll back).
 */
enum store_rc pg__begin(struct store *st, const char *doing, char **error);
enum store_rc pg__commit(struct store *st, const char *doing, char **error);
void pg__rollback(struct store *st);

/* Column col of row as a copy (NULL for SQL NULL), an integer, a double, a boolean. */
char *pg__text(const PGresult *r, int row, int col);
int64_t pg__int(const PGresult *r, int row, int col);
double pg__double(const PGresult *r, int row, int col);
bool pg__bool(const PGresult *r, int row, int col);

/* Whether migration id exists: STORE_OK, STORE_NOT_FOUND or STORE_ERROR. */
enum store_rc pg__migration_exists(struct store *st, int64_t id, const char *doing, char **error);
/*
 * Inside the caller's transaction: locks migration id's row (FOR UPDATE)
 * and checks fence (NULL: anyone may): STORE_OK, STORE_CONFLICT (not
 * counted yet), STORE_NOT_FOUND or STORE_ERROR.
 */
enum store_rc pg__lock_migration(struct store *st, int64_t id, const struct store_fence *fence,
                                 const char *doing, char **error);
/*
 * After a write under migration id changed no row: STORE_NOT_FOUND if the
 * migration is not there, else STORE_CONFLICT, counted in stale_writes
 * when the write carried a fence (pg__count_stale).
 */
enum store_rc pg__refused(struct store *st, int64_t id, const struct store_fence *fence,
                          const char *doing, char **error);
/* stale_writes + 1 (outside any transaction): STORE_CONFLICT, or STORE_ERROR. */
enum store_rc pg__count_stale(struct store *st, int64_t id, const char *doing, char **error);

/* plain sealed for context with the store's key (caller frees); NULL with *error. */
char *pg__seal(struct store *st, const char *plain, const char *context, const char *doing,
               char **error);
/* sealed opened for context (caller frees *plain): STORE_OK or STORE_ERROR. */
enum store_rc pg__unseal(struct store *st, const char *sealed, const char *context, char **plain,
                         const char *doing, char **error);

/*
 * Brings the schema of st's connection to this build's version
 * (pg_schema.c), creating it if needed: false with *msg (caller frees).
 */
bool pg_schema_upgrade(struct store *st, char **msg);

/* The backend's functions (struct store_ops), by file. */
/* pg_migrations.c */
enum store_rc pg_migration_create(struct store *st, const char *name, const char *spec_json,
                                  double window_start, int64_t *id, char **error);
enum store_rc pg_migration_get(struct store *st, const char *name, struct store_migration *out,
                               char **error);
enum store_rc pg_migration_get_id(struct store *st, int64_t id, struct store_migration *out,
                                  char **error);
enum store_rc pg_migration_list(struct store *st, bool active_only, struct store_migration **out,
                                size_t *n, char **error);
enum store_rc pg_migration_delete(struct store *st, const char *name, char **error);
enum store_rc pg_migration_set_state(struct store *st, int64_t id, const struct store_fence *fence,
                                     const char *state_json, const char *status,
                                     const char *substatus, bool active, char **error);
enum store_rc pg_migration_set_spec(struct store *st, int64_t id, const char *spec_json,
                                    char **error);
/* The columns every read of a migration selects, in the order pg_migration_rows reads them. */
#define PG_MIGRATION_COLUMNS                                                                       \
    "id, name, spec_json, state_json, status, substatus, active, created, updated, "               \
    "window_start, starts, lease_owner, lease_pid, lease_node, lease_expires, lease_epoch, "       \
    "stale_writes"
/* The rows of r (PG_MIGRATION_COLUMNS) as migrations, their specs opened: STORE_OK or STORE_ERROR.
 */
enum store_rc pg_migration_rows(struct store *st, const PGresult *r, struct store_migration **out,
                                size_t *n, const char *doing, char **error);
/* pg_leases.c */
enum store_rc pg_lease_acquire(struct store *st, int64_t id, const char *owner, int64_t pid,
                               const char *node, double ttl, int64_t *epoch, char **error);
enum store_rc pg_lease_claim(struct store *st, const char *node, const char *owner, double ttl,
                             size_t max, struct store_migration **out, size_t *n, char **error);
enum store_rc pg_lease_renew(struct store *st, int64_t id, const struct store_fence *fence,
                             double ttl, char **error);
enum store_rc pg_lease_release(struct store *st, int64_t id, const struct store_fence *fence,
                               char **error);
/* pg_events.c */
enum store_rc pg_event_append(struct store *st, int64_t id, const struct store_fence *fence,
                              double at, const char *kind, const char *json, char **error);
enum store_rc pg_event_list(struct store *st, int64_t id, int64_t after_seq, size_t limit,
                            struct store_event **out, size_t *n, char **error);
enum store_rc pg_request_add(struct store *st, int64_t id, enum store_request_kind kind,
                             const char *databases_json, char **error);
enum store_rc pg_request_take(struct store *st, int64_t id, const struct store_fence *fence,
                              bool all, struct store_request **out, size_t *n, char **error);
enum store_rc pg_restart_record(struct store *st, int64_t id, double at, const char *reason,
                                char **error);
enum store_rc pg_restart_count(struct store *st, int64_t id, double since, int *count,
                               char **error);
/* pg_nodes.c */
enum store_rc pg_node_register(struct store *st, const struct store_node *node, char **error);
enum store_rc pg_node_heartbeat(struct store *st, const char *name, int running, char **error);
enum store_rc pg_node_stop(struct store *st, const char *name, char **error);
enum store_rc pg_node_set_draining(struct store *st, const char *name, bool draining, char **error);
enum store_rc pg_node_get(struct store *st, const char *name, struct store_node *out, char **error);
enum store_rc pg_node_list(struct store *st, struct store_node **out, size_t *n, char **error);
enum store_rc pg_node_revoke_leases(struct store *st, const char *self, double before, int *revoked,
                                    char **error);
enum store_rc pg_node_remove(struct store *st, const char *name, char **error);
enum store_rc pg_setting_get_or_put(struct store *st, const char *key, const char *value,
                                    bool secret, char **out, char **error);

#endif
