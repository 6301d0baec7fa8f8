/*
 * applier_progress.c — where the applier keeps the source position it has
 * applied (see applier.h): a replication origin when the role may use one,
 * else a row of CDC_PROGRESS_TABLE written in the same transaction as the
 * data; reading it back after a restart, and dropping it at the end.
 */
#include "cdc/applier_internal.h"
#include "sql_embedded.h"
#include "util/log.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

static const char SQL_PROGRESS_CREATE[] =
    "CREATE SCHEMA IF NOT EXISTS " CDC_PROGRESS_SCHEMA "; "
    "CREATE TABLE IF NOT EXISTS " CDC_PROGRESS_TABLE " ("
    "origin text PRIMARY KEY, lsn pg_catalog.pg_lsn NOT NULL, commit_ts timestamptz, "
    "updated_at timestamptz NOT NULL DEFAULT pg_catalog.now())";
static const char SQL_PROGRESS_READ[] =
    "SELECT lsn::text AS lsn, CASE WHEN commit_ts IS NULL THEN 0 ELSE "
    "((pg_catalog.date_part('epoch', commit_ts) - 946684800) * 1000000)::pg_catalog.int8 END AS ts "
    "FROM " CDC_PROGRESS_TABLE " WHERE origin = $1";

/* Ends a failed transaction of the apply session (its error is already recorded). */
static void apply__rollback_quietly(cdc_applier *a)
{
    if (!pgconn_exec_quiet(a->conn, "ROLLBACK"))
        a->broken = true;
}

/* The first value of sql's result (NULL if none or NULL) into *out, which the caller frees. */
bool apply__query_value(pgconn *c, const char *sql, int nparams, const char *const *params,
                        char **out)
{
    pgres *r;
    *out = NULL;
    if (!pgconn_query_quiet(c, sql, nparams, params, &r))
        return false;
    const char *v = pgres_ntuples(r) > 0 ? pgres_get(r, 0, 0) : NULL;
    *out = v ? xstrdup(v) : NULL;
    pgres_free(r);
    return true;
}

bool apply__query_bool(cdc_applier *a, pgconn *c, const char *sql, int nparams,
                       const char *const *params, bool *out, const char *what)
{
    char *v;
    if (!apply__query_value(c, sql, nparams, params, &v))
        return apply__conn_fail(a, c, what);
    *out = v && (v[0] == 't' || v[0] == 'T');
    free(v);
    return true;
}

static bool choose_progress(cdc_applier *a)
{
    const char *su = pgconn_parameter(a->conn, "is_superuser");
    bool allowed = su && strcmp(su, "on") == 0;
    /* Before 14 the origin functions check for a superuser themselves. */
    if (!allowed && pgconn_server_version(a->conn) >= 140000 &&
        !apply__query_bool(a, a->conn, sql_text("cdc_origin_allowed"), 0, NULL, &allowed,
                           "could not check the privileges on replication origins"))
        return false;
    switch (a->cfg.progress) {
    case CDC_PROGRESS_ORIGIN:
        if (!allowed) {
            apply__fail(a, "42501",
                        "replication origins need a superuser (or on PostgreSQL 14+ EXECUTE on "
                        "the pg_replication_origin_* functions)");
            return false;
        }
        a->use_origin = true;
        break;
    case CDC_PROGRESS_TABLE_ROW:
        a->use_origin = false;
        break;
    case CDC_PROGRESS_AUTO:
    default:
        a->use_origin = allowed;
        break;
    }
    return true;
}

static bool setup_origin(cdc_applier *a)
{
    const char *params[1] = {a->cfg.origin};
    bool exists;
    if (!apply__query_bool(a, a->conn,
                           "SELECT pg_catalog.pg_replication_origin_oid($1) IS NOT NULL", 1, params,
                           &exists, "could not look the replication origin up"))
        return false;
    char *v = NULL;
    if (!exists &&
        !apply__query_value(a->conn, "SELECT pg_catalog.pg_replication_origin_create($1)", 1,
                            params, &v))
        return apply__conn_fail(a, a->conn, "could not create the replication origin");
    free(v);
    if (!apply__query_value(a->conn, "SELECT pg_catalog.pg_replication_origin_session_setup($1)", 1,
                            params, &v))
        return apply__conn_fail(a, a->conn,
                                "could not set the replication origin up for this session");
    free(v);
    a->origin_set_up = true;
    return true;
}

static bool setup_progress_table(cdc_applier *a)
{
    bool exists;
    if (!apply__query_bool(a, a->conn,
                           "SELECT pg_catalog.to_regclass('" CDC_PROGRESS_TABLE "') IS NOT NULL", 0,
                           NULL, &exists, "could not look the progress table up"))
        return false;
    if (!exists && !pgconn_exec_quiet(a->conn, SQL_PROGRESS_CREATE))
        return apply__conn_fail(a, a->conn,
                                "could not create the progress table " CDC_PROGRESS_TABLE);
    return true;
}

/* Where the position lives (origin or progress row), set up for this session. */
bool apply__setup_progress(cdc_applier *a)
{
    if (!choose_progress(a) || !(a->use_origin ? setup_origin(a) : setup_progress_table(a)))
        return false;
    a->progress_set_up = true;
    return true;
}

bool cdc_applier_read_position(cdc_applier *a, cdc_lsn *pos, bool *exists)
{
    *pos = 0;
    *exists = false;
    apply__start_operation(a);
    const char *params[1] = {a->cfg.origin};
    pgres *r;
    if (a->use_origin) {
        char *v;
        if (!apply__query_value(a->catalog,
                                "SELECT pg_catalog.pg_replication_origin_progress($1, true)::text",
                                1, params, &v))
            return apply__conn_fail(a, a->catalog,
                                    "could not read the replication origin's position");
        if (v && !cdc_lsn_parse(v, pos)) {
            apply__fail(a, "XX000", "unexpected replication origin position '%s'", v);
            free(v);
            return false;
        }
        *exists = v != NULL && *pos != 0;
        free(v);
        return true;
    }
    if (!pgconn_query_quiet(a->catalog, SQL_PROGRESS_READ, 1, params, &r))
        return apply__conn_fail(a, a->catalog, "could not read the progress row");
    if (pgres_ntuples(r) > 0) {
        const char *lsn = pgres_getn(r, 0, "lsn");
        *exists = lsn && cdc_lsn_parse(lsn, pos);
    }
    pgres_free(r);
    return true;
}

bool cdc_applier_drop_progress(cdc_applier *a)
{
    apply__start_operation(a);
    if (a->broken || !cdc_applier_idle(a)) {
        apply__fail(a, "55000", "the progress can only be dropped when no change is pending");
        return false;
    }
    const char *params[1] = {a->cfg.origin};
    char *v = NULL;
    if (a->use_origin) {
        if (a->origin_set_up &&
            !apply__query_value(a->conn, "SELECT pg_catalog.pg_replication_origin_session_reset()",
                                0, NULL, &v))
            return apply__conn_fail(a, a->conn, "could not release the replication origin");
        free(v);
        a->origin_set_up = false;
        a->progress_dropped = true;
        if (!apply__query_value(a->conn,
                                "SELECT pg_catalog.pg_replication_origin_drop($1) "
                                "WHERE pg_catalog.pg_replication_origin_oid($1) IS NOT NULL",
                                1, params, &v))
            return apply__conn_fail(a, a->conn, "could not drop the replication origin");
        free(v);
        log_info("%s: replication origin %s dropped", a->label, a->cfg.origin);
        return true;
    }
    a->progress_dropped = true;
    bool exists;
    if (!apply__query_bool(a, a->conn,
                           "SELECT pg_catalog.to_regclass('" CDC_PROGRESS_TABLE "') IS NOT NULL", 0,
                           NULL, &exists, "could not look the progress table up"))
        return false;
    if (!exists)
        return true;
    /* Under a lock, so that no other stream adds its row between the count and the drop. */
    pgres *r;
    bool ok = pgconn_exec_quiet(a->conn, "BEGIN; LOCK TABLE " CDC_PROGRESS_TABLE
                                         " IN ACCESS EXCLUSIVE MODE") &&
              pgconn_query_quiet(a->conn,
                                 "WITH d AS (DELETE FROM " CDC_PROGRESS_TABLE
                                 " WHERE origin = $1 RETURNING 1) "
                                 "SELECT (SELECT pg_catalog.count(*) FROM " CDC_PROGRESS_TABLE
                                 ") - (SELECT pg_catalog.count(*) FROM d) AS others",
                                 1, params, &r);
    if (!ok) {
        apply__conn_fail(a, a->conn, "could not drop the progress row");
        apply__rollback_quietly(a);
        return false;
    }
    int64_t others = pgres_get_int64(r, 0, "others", 0);
    pgres_free(r);
    if (others == 0) {
        /* The schema goes too when nothing else lives in it. */
        ok = pgconn_exec_quiet(a->conn, "DROP TABLE " CDC_PROGRESS_TABLE "; SAVEPOINT s");
        if (ok && !pgconn_exec_quiet(a->conn, "DROP SCHEMA " CDC_PROGRESS_SCHEMA))
            ok = pgconn_exec_quiet(a->conn, "ROLLBACK TO SAVEPOINT s");
    }
    ok = ok && pgconn_exec_quiet(a->conn, "COMMIT");
    if (!ok) {
        apply__conn_fail(a, a->conn, "could not drop the progress table");
        apply__rollback_quietly(a);
        return false;
    }
    log_info("%s: progress row %s dropped%s", a->label, a->cfg.origin,
             others == 0 ? " with its table" : "");
    return true;
}
