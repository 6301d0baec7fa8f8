/*
 * store_db.c — the SQLite store's shared helpers: the per-handle cache of
 * prepared statements, transactions, error texts and column copies.
 *
 * Every statement the store runs is a fixed string with ? parameters; values
 * are bound, never pasted into SQL.
 */
#include "store/internal.h"

#include "util/mem.h"

#include <stdlib.h>

sqlite3_stmt *store__stmt(struct store *st, const char *sql, const char *doing, char **error)
{
    for (size_t i = 0; i < st->nstmts; i++) {
        if (st->stmts[i].sql == sql) {
            sqlite3_stmt *s = st->stmts[i].stmt;
            sqlite3_reset(s);
            sqlite3_clear_bindings(s);
            return s;
        }
    }
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK) {
        store__fail(st, doing, error);
        sqlite3_finalize(s);
        return NULL;
    }
    st->stmts = xrealloc(st->stmts, (st->nstmts + 1) * sizeof(*st->stmts));
    st->stmts[st->nstmts++] = (struct store_stmt){.sql = sql, .stmt = s};
    return s;
}

void store__stmt_clear(struct store *st)
{
    for (size_t i = 0; i < st->nstmts; i++)
        sqlite3_finalize(st->stmts[i].stmt);
    free(st->stmts);
    st->stmts = NULL;
    st->nstmts = 0;
}

enum store_rc store__fail_msg(struct store *st, const char *doing, const char *msg, char **error)
{
    if (error != NULL) {
        free(*error);
        *error = xasprintf("store: %s: %s (%s)", doing, msg, st->path);
    }
    return STORE_ERROR;
}

enum store_rc store__fail(struct store *st, const char *doing, char **error)
{
    return store__fail_msg(st, doing, sqlite3_errmsg(st->db), error);
}

enum store_rc store__run(struct store *st, sqlite3_stmt *s, const char *doing, int *changed,
                         char **error)
{
    enum store_rc rc = STORE_OK;
    if (sqlite3_step(s) != SQLITE_DONE)
        rc = store__fail(st, doing, error);
    else if (changed != NULL)
        *changed = sqlite3_changes(st->db);
    sqlite3_reset(s);
    return rc;
}

enum store_rc store__run_one(struct store *st, sqlite3_stmt *s, const char *doing, char **error)
{
    int changed = 0;
    enum store_rc rc = store__run(st, s, doing, &changed, error);
    return rc == STORE_OK && changed == 0 ? STORE_NOT_FOUND : rc;
}

enum store_rc store__run_leased(struct store *st, sqlite3_stmt *s, int64_t id, const char *doing,
                                char **error)
{
    int changed = 0;
    enum store_rc rc = store__run(st, s, doing, &changed, error);
    if (rc != STORE_OK || changed > 0)
        return rc;
    /* Nothing written: no such migration, or the lease says no. */
    rc = store__migration_exists(st, id, doing, error);
    return rc == STORE_OK ? STORE_CONFLICT : rc;
}

/* Runs a statement that returns no rows (BEGIN, COMMIT). */
static enum store_rc run_simple(struct store *st, const char *sql, const char *doing, char **error)
{
    sqlite3_stmt *s = store__stmt(st, sql, doing, error);
    if (s == NULL)
        return STORE_ERROR;
    return store__run(st, s, doing, NULL, error);
}

static const char sql_begin[] = "BEGIN IMMEDIATE";
static const char sql_commit[] = "COMMIT";

enum store_rc store__begin(struct store *st, const char *doing, char **error)
{
    return run_simple(st, sql_begin, doing, error);
}

enum store_rc store__commit(struct store *st, const char *doing, char **error)
{
    enum store_rc rc = run_simple(st, sql_commit, doing, error);
    if (rc != STORE_OK)
        store__rollback(st);
    return rc;
}

void store__rollback(struct store *st)
{
    if (!sqlite3_get_autocommit(st->db))
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

void store__bind_text(sqlite3_stmt *s, int i, const char *v)
{
    if (v == NULL)
        sqlite3_bind_null(s, i);
    else
        sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
}

char *store__column_text(sqlite3_stmt *s, int i)
{
    return xstrdup((const char *) sqlite3_column_text(s, i));
}

static const char sql_exists[] = "SELECT 1 FROM migrations WHERE id = ?";

enum store_rc store__migration_exists(struct store *st, int64_t id, const char *doing, char **error)
{
    sqlite3_stmt *s = store__stmt(st, sql_exists, doing, error);
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, id);
    int rc = sqlite3_step(s);
    enum store_rc out = rc == SQLITE_ROW    ? STORE_OK
                        : rc == SQLITE_DONE ? STORE_NOT_FOUND
                                            : store__fail(st, doing, error);
    sqlite3_reset(s);
    return out;
}

enum store_rc store__stmt_under(struct store *st, int64_t id, const char *sql, const char *doing,
                                sqlite3_stmt **s, char **error)
{
    *s = NULL;
    enum store_rc rc = store__migration_exists(st, id, doing, error);
    if (rc != STORE_OK)
        return rc;
    *s = store__stmt(st, sql, doing, error);
    if (*s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(*s, 1, id);
    return STORE_OK;
}
