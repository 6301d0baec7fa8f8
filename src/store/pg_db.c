/*
 * pg_db.c — the PostgreSQL store's shared helpers: parameters, statements,
 * transactions, error texts, column copies, the fence checks and sealing.
 *
 * Values travel as text parameters ($n), never pasted into SQL. An error
 * text is "store: DOING: MESSAGE (PATH)": the server's message (its first
 * line) and the store's description, never the URI given (it may hold a
 * password), a spec or a secret.
 */
#include "store/pg_internal.h"

#include "util/mem.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- parameters ------------------------------------------------------- */

void pg__param_text(struct pg_params *p, const char *v)
{
    if (p->n < PG_MAX_PARAMS)
        p->values[p->n++] = v;
}

/* Adds buf (the next slot's, filled by the caller) as the next parameter. */
static char *next_buf(struct pg_params *p)
{
    return p->n < PG_MAX_PARAMS ? p->buf[p->n] : NULL;
}

void pg__param_int(struct pg_params *p, int64_t v)
{
    char *b = next_buf(p);
    if (b != NULL) {
        snprintf(b, sizeof(p->buf[0]), "%" PRId64, v);
        pg__param_text(p, b);
    }
}

/* 17 significant digits: the double comes back exactly. */
void pg__param_double(struct pg_params *p, double v)
{
    char *b = next_buf(p);
    if (b != NULL) {
        snprintf(b, sizeof(p->buf[0]), "%.17g", v);
        pg__param_text(p, b);
    }
}

void pg__param_bool(struct pg_params *p, bool v)
{
    pg__param_text(p, v ? "true" : "false");
}

/* ---- statements ------------------------------------------------------- */

struct pg_store *pg__be(struct store *st)
{
    return st->be;
}

enum store_rc pg__fail(struct store *st, const char *doing, const char *msg, char **error)
{
    if (error != NULL)
        store__give_error(error, xasprintf("store: %s: %s (%s)", doing, msg, st->path));
    return STORE_ERROR;
}

/* The first line of libpq's message (the rest is DETAIL or CONTEXT: values may show there). */
static char *first_line(const char *msg)
{
    size_t len = strcspn(msg, "\n");
    char *line = xstrdup(msg);
    line[len] = '\0';
    return line;
}

PGresult *pg__exec(struct store *st, const char *sql, const struct pg_params *p, const char *doing,
                   char sqlstate[6], char **error)
{
    PGconn *conn = pg__be(st)->conn;
    if (sqlstate != NULL)
        sqlstate[0] = '\0';
    if (PQstatus(conn) != CONNECTION_OK) {
        pg__fail(st, doing, "the connection to the store was lost", error);
        return NULL;
    }
    PGresult *r = PQexecParams(conn, sql, p ? p->n : 0, NULL, p ? p->values : NULL, NULL, NULL, 0);
    ExecStatusType status = PQresultStatus(r);
    if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK)
        return r;
    const char *code = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    if (sqlstate != NULL && code != NULL)
        snprintf(sqlstate, 6, "%s", code);
    char *msg = first_line(r != NULL ? PQresultErrorMessage(r) : PQerrorMessage(conn));
    if (msg[0] == '\0' || PQstatus(conn) != CONNECTION_OK) {
        free(msg);
        msg = xstrdup("the connection to the store was lost");
    }
    pg__fail(st, doing, msg, error);
    free(msg);
    PQclear(r);
    return NULL;
}

enum store_rc pg__run(struct store *st, const char *sql, const struct pg_params *p,
                      const char *doing, int *changed, char **error)
{
    PGresult *r = pg__exec(st, sql, p, doing, NULL, error);
    if (r == NULL)
        return STORE_ERROR;
    if (changed != NULL)
        *changed = atoi(PQcmdTuples(r));
    PQclear(r);
    return STORE_OK;
}

/* ---- transactions ----------------------------------------------------- */

enum store_rc pg__begin(struct store *st, const char *doing, char **error)
{
    return pg__run(st, "BEGIN ISOLATION LEVEL READ COMMITTED", NULL, doing, NULL, error);
}

enum store_rc pg__commit(struct store *st, const char *doing, char **error)
{
    enum store_rc rc = pg__run(st, "COMMIT", NULL, doing, NULL, error);
    if (rc != STORE_OK)
        pg__rollback(st);
    return rc;
}

void pg__rollback(struct store *st)
{
    PGconn *conn = pg__be(st)->conn;
    if (PQstatus(conn) == CONNECTION_OK && PQtransactionStatus(conn) != PQTRANS_IDLE)
        PQclear(PQexec(conn, "ROLLBACK"));
}

/* ---- columns ---------------------------------------------------------- */

char *pg__text(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NULL : xstrdup(PQgetvalue(r, row, col));
}

int64_t pg__int(const PGresult *r, int row, int col)
{
    return strtoll(PQgetvalue(r, row, col), NULL, 10);
}

double pg__double(const PGresult *r, int row, int col)
{
    return strtod(PQgetvalue(r, row, col), NULL);
}

bool pg__bool(const PGresult *r, int row, int col)
{
    return PQgetvalue(r, row, col)[0] == 't';
}

/* ---- migrations under a lease ----------------------------------------- */

enum store_rc pg__migration_exists(struct store *st, int64_t id, const char *doing, char **error)
{
    struct pg_params p = {0};
    pg__param_int(&p, id);
    PGresult *r = pg__exec(st, "SELECT 1 FROM migrations WHERE id = $1", &p, doing, NULL, error);
    if (r == NULL)
        return STORE_ERROR;
    enum store_rc rc = PQntuples(r) > 0 ? STORE_OK : STORE_NOT_FOUND;
    PQclear(r);
    return rc;
}

/* $2 NULL: no fence to check. NULL (no holder) is not true: a conflict. */
static const char sql_lock[] =
    "SELECT $2::text IS NULL OR (lease_owner = $2 AND lease_epoch = $3::bigint) "
    "FROM migrations WHERE id = $1 FOR UPDATE";

enum store_rc pg__lock_migration(struct store *st, int64_t id, const struct store_fence *fence,
                                 const char *doing, char **error)
{
    struct pg_params p = {0};
    pg__param_int(&p, id);
    pg__param_text(&p, fence ? fence->owner : NULL);
    pg__param_int(&p, fence ? fence->epoch : 0);
    PGresult *r = pg__exec(st, sql_lock, &p, doing, NULL, error);
    if (r == NULL)
        return STORE_ERROR;
    enum store_rc rc = PQntuples(r) == 0   ? STORE_NOT_FOUND
                       : pg__bool(r, 0, 0) ? STORE_OK
                                           : STORE_CONFLICT;
    PQclear(r);
    return rc;
}

enum store_rc pg__count_stale(struct store *st, int64_t id, const char *doing, char **error)
{
    struct pg_params p = {0};
    pg__param_int(&p, id);
    enum store_rc rc =
        pg__run(st, "UPDATE migrations SET stale_writes = stale_writes + 1 WHERE id = $1", &p,
                doing, NULL, error);
    return rc == STORE_OK ? STORE_CONFLICT : rc;
}

enum store_rc pg__refused(struct store *st, int64_t id, const struct store_fence *fence,
                          const char *doing, char **error)
{
    enum store_rc rc = pg__migration_exists(st, id, doing, error);
    if (rc != STORE_OK)
        return rc;
    return fence != NULL ? pg__count_stale(st, id, doing, error) : STORE_CONFLICT;
}

/* ---- sealing ---------------------------------------------------------- */

char *pg__seal(struct store *st, const char *plain, const char *context, const char *doing,
               char **error)
{
    char *sealed = seal_text(&pg__be(st)->key, plain, context);
    if (sealed == NULL)
        pg__fail(st, doing, "cannot seal a secret (the random source failed)", error);
    return sealed;
}

enum store_rc pg__unseal(struct store *st, const char *sealed, const char *context, char **plain,
                         const char *doing, char **error)
{
    char *why = NULL;
    if (sealed != NULL && seal_open(&pg__be(st)->key, sealed, context, plain, &why))
        return STORE_OK;
    char *msg =
        xasprintf("a sealed value (%s) does not open: %s", context, why ? why : "it is not sealed");
    pg__fail(st, doing, msg, error);
    free(msg);
    free(why);
    *plain = NULL;
    return STORE_ERROR;
}
