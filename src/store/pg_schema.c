/*
 * pg_schema.c — the PostgreSQL store's schema and its upgrade steps.
 *
 * The schema has its own steps, numbered apart from the SQLite store's
 * versions: step N (sql/store_pg_vN.sql) takes a schema from step N-1 to
 * N, and the schema_version table's one row holds the last step run. Step
 * 1 holds what STORE_SCHEMA_VERSION 3 holds (the first version the
 * PostgreSQL store had); each later STORE_SCHEMA_VERSION adds one step.
 *
 * Every step runs in its own transaction holding a transaction-level
 * advisory lock whose key is derived from the schema's name, and reads the
 * step again inside it: several nodes starting at once on an empty or old
 * schema upgrade it once, the others waiting and then finding it done. The
 * schema is created inside the lock too, only when it is not there (CREATE
 * SCHEMA needs the CREATE privilege on the database even with IF NOT
 * EXISTS).
 */
#include "store/pg_internal.h"

#include "util/mem.h"

#include "sql_embedded.h"

#include <stdlib.h>
#include <string.h>

/* The last step this build knows, and the STORE_SCHEMA_VERSION a schema at that step holds. */
#define PG_SCHEMA_STEP               1
#define PG_SCHEMA_STEP_STORE_VERSION 3
_Static_assert(PG_SCHEMA_STEP_STORE_VERSION == STORE_SCHEMA_VERSION,
               "a new store version adds a sql/store_pg_vN.sql step");

/* steps[i] takes the schema from step i to i + 1. */
static const char *const steps[PG_SCHEMA_STEP] = {"store_pg_v1"};

/* The lock's key: a hash of a fixed word and the schema's name (its oid may not exist yet). */
static const char sql_lock[] =
    "SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('pgshuttle store ' || $1))";
/* Whether the schema exists, has a schema_version table, has any relation at all. */
static const char sql_look[] =
    "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1), "
    "EXISTS (SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
    "ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = 'schema_version'), "
    "EXISTS (SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
    "ON n.oid = c.relnamespace WHERE n.nspname = $1)";

/* Runs sql (several statements, no parameters) in the open transaction; false with *msg. */
static bool exec_script(PGconn *conn, const char *sql, char **msg)
{
    PGresult *r = PQexec(conn, sql);
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
    if (!ok) {
        *msg = xstrdup(PQresultErrorMessage(r));
        (*msg)[strcspn(*msg, "\n")] = '\0';
    }
    PQclear(r);
    return ok;
}

/* *msg from a failed pg__exec's error text. */
static bool failed(char *err, char **msg)
{
    *msg = err != NULL ? err : xstrdup("unknown error");
    return false;
}

/*
 * Inside the caller's locked transaction: the schema's step in *step,
 * creating the schema if it is not there (step 0). false with *msg when it
 * holds tables but no schema_version (someone else's).
 */
static bool read_step(struct store *st, int *step, char **msg)
{
    struct pg_store *pg = pg__be(st);
    struct pg_params p = {0};
    pg__param_text(&p, pg->schema);
    char *err = NULL;
    PGresult *r = pg__exec(st, sql_look, &p, "reading the schema", NULL, &err);
    if (r == NULL)
        return failed(err, msg);
    bool exists = pg__bool(r, 0, 0), versioned = pg__bool(r, 0, 1), any = pg__bool(r, 0, 2);
    PQclear(r);
    *step = 0;
    if (!exists) {
        char *create = xasprintf("CREATE SCHEMA IF NOT EXISTS %s", pg->quoted_schema);
        bool ok = exec_script(pg->conn, create, msg);
        free(create);
        return ok;
    }
    if (!versioned) {
        if (any)
            *msg = xasprintf("not a pgshuttle store (schema %s has tables and no schema_version)",
                             pg->quoted_schema);
        return !any;
    }
    r = pg__exec(st, "SELECT version FROM schema_version", NULL, "reading the schema version", NULL,
                 &err);
    if (r == NULL)
        return failed(err, msg);
    if (PQntuples(r) != 1) {
        PQclear(r);
        *msg = xstrdup("not a pgshuttle store (its schema_version table does not have one row)");
        return false;
    }
    *step = (int) pg__int(r, 0, 0);
    PQclear(r);
    return true;
}

/*
 * One locked transaction: reads the step, runs the next one if the schema
 * is behind. *step gets the step it is at when the transaction ends.
 */
static bool locked_step(struct store *st, int *step, char **msg)
{
    const char *doing = "upgrading the schema";
    struct pg_store *pg = pg__be(st);
    char *err = NULL;
    struct pg_params p = {0};
    pg__param_text(&p, pg->schema);
    if (pg__begin(st, doing, &err) != STORE_OK ||
        pg__run(st, sql_lock, &p, doing, NULL, &err) != STORE_OK)
        return failed(err, msg);
    bool ok = read_step(st, step, msg);
    if (ok && *step > PG_SCHEMA_STEP) {
        *msg = xasprintf("its schema version %d is newer than this pgshuttle's (%d): "
                         "use a newer pgshuttle",
                         *step, PG_SCHEMA_STEP);
        ok = false;
    } else if (ok && *step < 0) {
        *msg = xasprintf("its schema version %d is not one pgshuttle writes", *step);
        ok = false;
    } else if (ok && *step < PG_SCHEMA_STEP) {
        int from = *step;
        struct pg_params v = {0};
        pg__param_int(&v, from + 1);
        ok = exec_script(pg->conn, sql_text(steps[from]), msg);
        if (ok && pg__run(st, "UPDATE schema_version SET version = $1", &v, doing, NULL, &err) !=
                      STORE_OK)
            ok = failed(err, msg);
        if (!ok) {
            char *why = *msg;
            *msg = xasprintf("upgrading the schema from version %d to %d: %s", from, from + 1, why);
            free(why);
        }
        *step = from + 1;
    }
    if (!ok) {
        pg__rollback(st);
        return false;
    }
    return pg__commit(st, doing, &err) == STORE_OK || failed(err, msg);
}

bool pg_schema_upgrade(struct store *st, char **msg)
{
    int step = -1;
    do {
        if (!locked_step(st, &step, msg))
            return false;
    } while (step < PG_SCHEMA_STEP);
    st->version = PG_SCHEMA_STEP_STORE_VERSION;
    return true;
}
