/*
 * internal.h — what the SQLite store's files share: the handle, its cache of
 * prepared statements, transactions and the error text.
 *
 * Order of the files (each uses only those below it, never the other way):
 * store_open.c (open, close, ping) uses store_schema.c (the upgrade steps,
 * on a bare connection) and store_db.c;
 * store_migrations.c, store_leases.c and store_events.c use store_db.c (this
 * header's functions), which uses nothing of the store.
 */
#ifndef PGSHUTTLE_STORE_INTERNAL_H
#define PGSHUTTLE_STORE_INTERNAL_H

#include "store/store.h"

#include <sqlite3.h>
#include <stdbool.h>

/* A prepared statement kept for the handle's life, found by its SQL text's address. */
struct store_stmt {
    const char *sql;    /* a static string: the cache key */
    sqlite3_stmt *stmt; /* owned */
};

struct store {
    sqlite3 *db;              /* owned */
    char *path;               /* owned: DIR/pgshuttle.db */
    int version;              /* the schema version once open */
    struct store_stmt *stmts; /* owned, nstmts of them */
    size_t nstmts;
};

/*
 * The prepared statement for sql (a string with static storage: its address
 * is the key), reset and with its bindings cleared; NULL with *error set
 * (doing says what the caller was doing) if it cannot be prepared.
 */
sqlite3_stmt *store__stmt(struct store *st, const char *sql, const char *doing, char **error);
/* Finalizes every cached statement. */
void store__stmt_clear(struct store *st);

/*
 * Sets *error (when error is not NULL) to "DOING: SQLITE MESSAGE (PATH)" and
 * returns STORE_ERROR. The message is the connection's last error; doing
 * never holds a spec (it holds passwords).
 */
enum store_rc store__fail(struct store *st, const char *doing, char **error);
/* The same with a message of the caller's instead of SQLite's. */
enum store_rc store__fail_msg(struct store *st, const char *doing, const char *msg, char **error);

/* BEGIN IMMEDIATE (waits up to the busy timeout for other writers), COMMIT, ROLLBACK. */
enum store_rc store__begin(struct store *st, const char *doing, char **error);
enum store_rc store__commit(struct store *st, const char *doing, char **error);
/* Rolls back the open transaction, if any (errors ignored: the caller reports its own). */
void store__rollback(struct store *st);

/*
 * Steps s, bound by the caller, which returns no rows, then resets it:
 * STORE_OK (*changed, when not NULL, the rows it changed) or STORE_ERROR.
 */
enum store_rc store__run(struct store *st, sqlite3_stmt *s, const char *doing, int *changed,
                         char **error);
/* The same for an UPDATE or DELETE of one row: STORE_NOT_FOUND if it changed none. */
enum store_rc store__run_one(struct store *st, sqlite3_stmt *s, const char *doing, char **error);
/*
 * The same for an UPDATE of migration id that a lease may refuse: when it
 * changed no row, STORE_CONFLICT if the migration exists, else
 * STORE_NOT_FOUND (or STORE_ERROR).
 */
enum store_rc store__run_leased(struct store *st, sqlite3_stmt *s, int64_t id, const char *doing,
                                char **error);
/*
 * For a read of what lies under migration id: checks that it exists
 * (store__migration_exists), then sets *s to the statement for sql with id
 * bound to ?1. STORE_OK, STORE_NOT_FOUND or STORE_ERROR.
 */
enum store_rc store__stmt_under(struct store *st, int64_t id, const char *sql, const char *doing,
                                sqlite3_stmt **s, char **error);

/* Binds a text (NULL binds SQL NULL), transient copy. */
void store__bind_text(sqlite3_stmt *s, int i, const char *v);
/* A copy of column i's text (NULL for SQL NULL); the caller frees it. */
char *store__column_text(sqlite3_stmt *s, int i);

/*
 * Whether migration id exists: STORE_OK, STORE_NOT_FOUND or STORE_ERROR
 * (doing names the caller's action in the error).
 */
enum store_rc store__migration_exists(struct store *st, int64_t id, const char *doing,
                                      char **error);

#endif
