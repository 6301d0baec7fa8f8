/*
 * sqlite_db.c — the SQLite backend's shared helpers: the per-handle cache of
 * prepared statements, transactions, error texts and column copies.
 *
 * Every statement the store runs is a fixed string with ? parameters; values
 * are bound, never pasted into SQL.
 */
#include "store/sqlite_internal.h"

#include "util/mem.h"

#include <stdlib.h>

sqlite3 *sqlite__db(struct store *st)
{
    return ((struct sqlite_store *) st->be)->db;
}

sqlite3_stmt *sqlite__stmt(struct store *st, const char *sql, const char *doing, char **error)
{
    struct sqlite_store *sq = st->be;
    for (size_t i = 0; i < sq->nstmts; i++) {
        if (sq->stmts[i].sql == sql) {
            sqlite3_stmt *s = sq->stmts[i].stmt;
            sqlite3_reset(s);
            sqlite3_clear_bindings(s);
            return s;
        }
    }
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v3(sqlite__db(st), sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) !=
        SQLITE_OK) {
        sqlite__fail(st, doing, error);
        sqlite3_finalize(s);
        return NULL;
    }
    sq->stmts = xrealloc(sq->stmts, (sq->nstmts + 1) * sizeof(*sq->stmts));
    sq->stmts[sq->nstmts++] = (struct sqlite_stmt){.sql = sql, .stmt = s};
    return s;
}

void sqlite__stmt_clear(struct store *st)
{
    struct sqlite_store *sq = st->be;
    for (size_t i = 0; i < sq->nstmts; i++)
        sqlite3_finalize(sq->stmts[i].stmt);
    free(sq->stmts);
    sq->stmts = NULL;
    sq->nstmts = 0;
}

enum store_rc sqlite__fail_msg(struct store *st, const char *doing, const char *msg, char **error)
{
    if (error != NULL)
        store__give_error(error, xasprintf("store: %s: %s (%s)", doing, msg, st->path));
    return STORE_ERROR;
}

enum store_rc sqlite__fail(struct store *st, const char *doing, char **error)
{
    return sqlite__fail_msg(st, doing, sqlite3_errmsg(sqlite__db(st)), error);
}

enum store_rc sqlite__run(struct store *st, sqlite3_stmt *s, const char *doing, int *changed,
                          char **error)
{
    enum store_rc rc = STORE_OK;
    if (sqlite3_step(s) != SQLITE_DONE)
        rc = sqlite__fail(st, doing, error);
    else if (changed != NULL)
        *changed = sqlite3_changes(sqlite__db(st));
    sqlite3_reset(s);
    return rc;
}

enum store_rc sqlite__run_one(struct store *st, sqlite3_stmt *s, const char *doing, char **error)
{
    int changed = 0;
    enum store_rc rc = sqlite__run(st, s, doing, &changed, error);
    return rc == STORE_OK && changed == 0 ? STORE_NOT_FOUND : rc;
}

enum store_rc sqlite__run_leased(struct store *st, sqlite3_stmt *s, int64_t id,
                                 const struct store_fence *fence, const char *doing, char **error)
{
    int changed = 0;
    enum store_rc rc = sqlite__run(st, s, doing, &changed, error);
    if (rc != STORE_OK || changed > 0)
        return rc;
    /* Nothing written: no such migration, or the lease says no. */
    rc = sqlite__migration_exists(st, id, doing, error);
    if (rc != STORE_OK)
        return rc;
    return fence != NULL ? sqlite__count_stale(st, id, doing, error) : STORE_CONFLICT;
}

static const char sql_count_stale[] =
    "UPDATE migrations SET stale_writes = stale_writes + 1 WHERE id = ?";

enum store_rc sqlite__count_stale(struct store *st, int64_t id, const char *doing, char **error)
{
    sqlite3_stmt *s = sqlite__stmt(st, sql_count_stale, doing, error);
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, id);
    enum store_rc rc = sqlite__run(st, s, doing, NULL, error);
    return rc == STORE_OK ? STORE_CONFLICT : rc;
}

static const char sql_fence[] = "SELECT lease_owner = ?2 AND lease_epoch = ?3 "
                                "FROM migrations WHERE id = ?1";

enum store_rc sqlite__check_fence(struct store *st, int64_t id, const struct store_fence *fence,
                                  const char *doing, char **error)
{
    sqlite3_stmt *s = sqlite__stmt(st, sql_fence, doing, error);
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, id);
    sqlite__bind_text(s, 2, fence->owner);
    sqlite3_bind_int64(s, 3, fence->epoch);
    int step = sqlite3_step(s);
    enum store_rc rc = step == SQLITE_DONE             ? STORE_NOT_FOUND
                       : step != SQLITE_ROW            ? sqlite__fail(st, doing, error)
                       : sqlite3_column_int(s, 0) == 1 ? STORE_OK
                                                       : STORE_CONFLICT;
    sqlite3_reset(s);
    return rc;
}

/* Runs a statement that returns no rows (BEGIN, COMMIT). */
static enum store_rc run_simple(struct store *st, const char *sql, const char *doing, char **error)
{
    sqlite3_stmt *s = sqlite__stmt(st, sql, doing, error);
    if (s == NULL)
        return STORE_ERROR;
    return sqlite__run(st, s, doing, NULL, error);
}

static const char sql_begin[] = "BEGIN IMMEDIATE";
static const char sql_commit[] = "COMMIT";

enum store_rc sqlite__begin(struct store *st, const char *doing, char **error)
{
    return run_simple(st, sql_begin, doing, error);
}

enum store_rc sqlite__commit(struct store *st, const char *doing, char **error)
{
    enum store_rc rc = run_simple(st, sql_commit, doing, error);
    if (rc != STORE_OK)
        sqlite__rollback(st);
    return rc;
}

void sqlite__rollback(struct store *st)
{
    if (!sqlite3_get_autocommit(sqlite__db(st)))
        sqlite3_exec(sqlite__db(st), "ROLLBACK", NULL, NULL, NULL);
}

void sqlite__bind_text(sqlite3_stmt *s, int i, const char *v)
{
    if (v == NULL)
        sqlite3_bind_null(s, i);
    else
        sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
}

char *sqlite__column_text(sqlite3_stmt *s, int i)
{
    return xstrdup((const char *) sqlite3_column_text(s, i));
}

static const char sql_exists[] = "SELECT 1 FROM migrations WHERE id = ?";

enum store_rc sqlite__migration_exists(struct store *st, int64_t id, const char *doing,
                                       char **error)
{
    sqlite3_stmt *s = sqlite__stmt(st, sql_exists, doing, error);
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, id);
    int rc = sqlite3_step(s);
    enum store_rc out = rc == SQLITE_ROW    ? STORE_OK
                        : rc == SQLITE_DONE ? STORE_NOT_FOUND
                                            : sqlite__fail(st, doing, error);
    sqlite3_reset(s);
    return out;
}

enum store_rc sqlite__stmt_under(struct store *st, int64_t id, const char *sql, const char *doing,
                                 sqlite3_stmt **s, char **error)
{
    *s = NULL;
    enum store_rc rc = sqlite__migration_exists(st, id, doing, error);
    if (rc != STORE_OK)
        return rc;
    *s = sqlite__stmt(st, sql, doing, error);
    if (*s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(*s, 1, id);
    return STORE_OK;
}
