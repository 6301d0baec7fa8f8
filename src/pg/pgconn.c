/*
 * pgconn.c — the libpq wrapper (see pgconn.h).
 *
 * Errors keep the server's primary message, detail/hint and SQLSTATE. Open
 * connections are kept in a registry so a cancel request can reach every
 * running query through PQcancel, which is safe from any thread.
 */
#include "pg/pgconn.h"
#include "pg/conninfo.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/mem.h"

#include <libpq-fe.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct pgconn {
    PGconn *conn;     /* owned */
    PGcancel *cancel; /* owned; NULL until connected */
    char *label;      /* owned */
    char *errmsg;     /* owned; "" when no error */
    char sqlstate[6];
    struct pgconn *next_open; /* registry link */
};

struct pgres {
    PGresult *res; /* owned */
};

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pgconn *registry = NULL;

static void registry_add(pgconn *c)
{
    pthread_mutex_lock(&registry_lock);
    c->next_open = registry;
    registry = c;
    pthread_mutex_unlock(&registry_lock);
}

static void registry_remove(pgconn *c)
{
    pthread_mutex_lock(&registry_lock);
    for (pgconn **p = &registry; *p; p = &(*p)->next_open)
        if (*p == c) {
            *p = c->next_open;
            break;
        }
    pthread_mutex_unlock(&registry_lock);
}

void pgconn_cancel_all(void)
{
    pthread_mutex_lock(&registry_lock);
    for (pgconn *c = registry; c; c = c->next_open) {
        char err[256];
        if (c->cancel)
            PQcancel(c->cancel, err, sizeof(err));
    }
    pthread_mutex_unlock(&registry_lock);
}

/* Trims trailing newlines/spaces that libpq leaves on messages. */
static char *trimmed(const char *s)
{
    char *t = xstrdup(s ? s : "");
    size_t n = strlen(t);
    while (n && (t[n - 1] == '\n' || t[n - 1] == ' '))
        t[--n] = '\0';
    return t;
}

static void set_error(pgconn *c, const char *sqlstate, const char *msg)
{
    free(c->errmsg);
    c->errmsg = trimmed(msg);
    snprintf(c->sqlstate, sizeof(c->sqlstate), "%s", sqlstate ? sqlstate : "");
}

/* Records the error of a failed result: primary message plus detail and hint. */
static void set_error_from_result(pgconn *c, const PGresult *res)
{
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (primary == NULL) {
        set_error(c, res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL,
                  (res && PQresultErrorMessage(res)[0]) ? PQresultErrorMessage(res)
                                                        : PQerrorMessage(c->conn));
        return;
    }
    strbuf sb = STRBUF_INIT;
    sb_append(&sb, primary);
    const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
    const char *hint = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);
    const char *context = PQresultErrorField(res, PG_DIAG_CONTEXT);
    if (detail)
        sb_printf(&sb, " (detail: %s)", detail);
    if (hint)
        sb_printf(&sb, " (hint: %s)", hint);
    if (context && strncmp(context, "COPY ", 5) == 0)
        sb_printf(&sb, " (context: %s)", context);
    set_error(c, PQresultErrorField(res, PG_DIAG_SQLSTATE), sb_str(&sb));
    sb_free(&sb);
}

/*
 * A failure stays in the connection for the caller, whose report prints it
 * once; the debug log has where it happened.
 */
static void log_failure(const pgconn *c, const char *what)
{
    if (!log_enabled(LOG_DEBUG))
        return;
    if (c->sqlstate[0])
        log_debug("%s: %s: %s (SQLSTATE %s)", c->label, what, c->errmsg, c->sqlstate);
    else
        log_debug("%s: %s: %s", c->label, what, c->errmsg);
}

/* Server notices (e.g. from functions during a restore) go to the debug log, not stderr. */
static void log_notice_from_server(void *arg, const char *message)
{
    const pgconn *c = arg;
    if (log_enabled(LOG_DEBUG)) {
        char *m = trimmed(message);
        log_debug("%s: server says: %s", c->label, m);
        free(m);
    }
}

#define MAX_EXTRA_KEYWORDS 8

/* extra_keys/extra_vals (NULL-terminated, may be NULL) override the conninfo's keywords. */
static bool connect_impl(pgconn **out, const char *conninfo, const char *label,
                         const char *const *extra_keys, const char *const *extra_vals, bool quiet)
{
    pgconn *c = xcalloc(1, sizeof(*c));
    c->label = xstrdup(label);
    c->errmsg = xstrdup("");
    *out = c;

    /* Keywords before dbname are defaults the conninfo may override; those after it win. */
    const char *keys[4 + MAX_EXTRA_KEYWORDS] = {"connect_timeout", "fallback_application_name",
                                                "dbname"};
    const char *vals[4 + MAX_EXTRA_KEYWORDS] = {"10", "pgshuttle", conninfo};
    for (int i = 0; extra_keys && i < MAX_EXTRA_KEYWORDS && extra_keys[i]; i++) {
        keys[3 + i] = extra_keys[i];
        vals[3 + i] = extra_vals[i];
    }
    c->conn = PQconnectdbParams(keys, vals, 1);
    if (c->conn == NULL || PQstatus(c->conn) != CONNECTION_OK) {
        /* libpq quotes what it could not use (a host, a database name, a
         * string it could not parse), which may hold a password. */
        char *msg =
            pgconninfo_redact(c->conn ? PQerrorMessage(c->conn) : "out of memory", conninfo);
        set_error(c, NULL, msg);
        free(msg);
        if (!quiet)
            log_error("%s: could not connect: %s", c->label, c->errmsg);
        return false;
    }
    c->cancel = PQgetCancel(c->conn);
    PQsetNoticeProcessor(c->conn, log_notice_from_server, c);
    registry_add(c);
    return true;
}

bool pgconn_connect(pgconn **out, const char *conninfo, const char *label)
{
    return connect_impl(out, conninfo, label, NULL, NULL, false);
}

bool pgconn_connect_quiet(pgconn **out, const char *conninfo, const char *label)
{
    return connect_impl(out, conninfo, label, NULL, NULL, true);
}

bool pgconn__connect_with(pgconn **out, const char *conninfo, const char *label,
                          const char *const *keys, const char *const *vals, bool quiet)
{
    return connect_impl(out, conninfo, label, keys, vals, quiet);
}

struct pg_conn *pgconn__libpq(pgconn *c)
{
    return c->conn;
}

void pgconn__set_error(pgconn *c, const char *sqlstate, const char *msg)
{
    set_error(c, sqlstate, msg);
}

void pgconn__set_error_from_result(pgconn *c, const struct pg_result *res)
{
    set_error_from_result(c, res);
}

void pgconn__log_failure(const pgconn *c, const char *what)
{
    log_failure(c, what);
}

void pgconn_close(pgconn *c)
{
    if (c == NULL)
        return;
    registry_remove(c);
    if (c->cancel)
        PQfreeCancel(c->cancel);
    if (c->conn)
        PQfinish(c->conn);
    free(c->label);
    free(c->errmsg);
    free(c);
}

const char *pgconn_label(const pgconn *c)
{
    return c->label;
}

int pgconn_server_version(const pgconn *c)
{
    return c->conn ? PQserverVersion(c->conn) : 0;
}

int pgconn_server_major(const pgconn *c)
{
    int v = pgconn_server_version(c);
    return v / 10000;
}

const char *pgconn_parameter(const pgconn *c, const char *name)
{
    return c->conn ? PQparameterStatus(c->conn, name) : NULL;
}

const char *pgconn_error_message(const pgconn *c)
{
    return c->errmsg ? c->errmsg : "";
}

const char *pgconn_error_sqlstate(const pgconn *c)
{
    return c->sqlstate;
}

void pgconn_clear_error(pgconn *c)
{
    set_error(c, NULL, "");
}

bool pgconn_set_session_defaults(pgconn *c)
{
    strbuf sql = STRBUF_INIT;
    sb_append(&sql, "SET statement_timeout = 0; SET lock_timeout = 0; "
                    "SET DateStyle = 'ISO'; SET IntervalStyle = 'postgres'; "
                    "SET extra_float_digits = 3; SET standard_conforming_strings = on;");
    if (pgconn_server_version(c) >= 90600)
        sb_append(&sql, " SET idle_in_transaction_session_timeout = 0;");
    /* Bulk statements are planned once and run long: JIT compiling them only costs CPU. */
    if (pgconn_server_version(c) >= 110000)
        sb_append(&sql, " SET jit = off;");
    bool ok = pgconn_exec(c, sb_str(&sql));
    sb_free(&sql);
    return ok;
}

static bool exec_impl(pgconn *c, const char *sql, bool quiet)
{
    PGresult *res = PQexec(c->conn, sql);
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY;
    if (!ok) {
        set_error_from_result(c, res);
        if (!quiet)
            log_failure(c, "command failed");
        log_debug("%s: failed command: %s", c->label, sql);
    }
    PQclear(res);
    /* Drain anything left (e.g. an unexpected COPY state). */
    PGresult *extra;
    while ((extra = PQgetResult(c->conn)) != NULL)
        PQclear(extra);
    return ok;
}

bool pgconn_exec(pgconn *c, const char *sql)
{
    return exec_impl(c, sql, false);
}

bool pgconn_exec_quiet(pgconn *c, const char *sql)
{
    return exec_impl(c, sql, true);
}

bool pgconn_exec_retry(pgconn *c, const char *sql, int attempts)
{
    for (int i = 1;; i++) {
        if (exec_impl(c, sql, true))
            return true;
        bool transient = strcmp(c->sqlstate, "40P01") == 0 || strcmp(c->sqlstate, "40001") == 0;
        if (!transient || i >= attempts) {
            log_failure(c, "command failed");
            return false;
        }
        log_debug("%s: %s (attempt %d of %d), retrying", c->label, c->errmsg, i, attempts);
        usleep((useconds_t) (50000 * i));
    }
}

static bool query_impl(pgconn *c, const char *sql, int nparams, const char *const *params,
                       pgres **out, bool quiet)
{
    *out = NULL;
    PGresult *res = PQexecParams(c->conn, sql, nparams, NULL, params, NULL, NULL, 0);
    if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK) {
        set_error_from_result(c, res);
        if (!quiet)
            log_failure(c, "query failed");
        log_debug("%s: failed query: %s", c->label, sql);
        PQclear(res);
        return false;
    }
    pgres *r = xmalloc(sizeof(*r));
    r->res = res;
    *out = r;
    return true;
}

bool pgconn_query(pgconn *c, const char *sql, int nparams, const char *const *params, pgres **out)
{
    return query_impl(c, sql, nparams, params, out, false);
}

bool pgconn_query_quiet(pgconn *c, const char *sql, int nparams, const char *const *params,
                        pgres **out)
{
    return query_impl(c, sql, nparams, params, out, true);
}

bool pgconn_query_value(pgconn *c, const char *sql, int nparams, const char *const *params,
                        char **out)
{
    pgres *r;
    *out = NULL;
    if (!pgconn_query(c, sql, nparams, params, &r))
        return false;
    if (pgres_ntuples(r) > 0 && pgres_nfields(r) > 0)
        *out = xstrdup(pgres_get(r, 0, 0));
    pgres_free(r);
    return true;
}

int pgres_ntuples(const pgres *r)
{
    return PQntuples(r->res);
}

int pgres_nfields(const pgres *r)
{
    return PQnfields(r->res);
}

int pgres_fnumber(const pgres *r, const char *name)
{
    /* PQfnumber folds unquoted names to lower case; our column names are lower case already. */
    return PQfnumber(r->res, name);
}

const char *pgres_get(const pgres *r, int row, int col)
{
    if (row < 0 || col < 0 || row >= PQntuples(r->res) || col >= PQnfields(r->res))
        return NULL;
    return PQgetisnull(r->res, row, col) ? NULL : PQgetvalue(r->res, row, col);
}

const char *pgres_getn(const pgres *r, int row, const char *name)
{
    return pgres_get(r, row, PQfnumber(r->res, name));
}

int64_t pgres_get_int64(const pgres *r, int row, const char *name, int64_t if_null)
{
    const char *v = pgres_getn(r, row, name);
    return v ? strtoll(v, NULL, 10) : if_null;
}

bool pgres_get_bool(const pgres *r, int row, const char *name)
{
    const char *v = pgres_getn(r, row, name);
    return v && (v[0] == 't' || v[0] == 'T' || v[0] == '1');
}

void pgres_free(pgres *r)
{
    if (r == NULL)
        return;
    PQclear(r->res);
    free(r);
}

/* Reads every pending result of c; returns false (and records the error) if one failed. */
static bool finish_results(pgconn *c, int64_t *rows)
{
    bool ok = true;
    PGresult *res;
    while ((res = PQgetResult(c->conn)) != NULL) {
        ExecStatusType st = PQresultStatus(res);
        if (st == PGRES_COMMAND_OK) {
            if (rows && PQcmdTuples(res)[0])
                *rows = strtoll(PQcmdTuples(res), NULL, 10);
        } else if (st == PGRES_COPY_OUT) {
            /* Still streaming: drain what is left, then loop for the final result. */
            char *buf;
            int n;
            while ((n = PQgetCopyData(c->conn, &buf, 0)) > 0)
                PQfreemem(buf);
        } else if (st == PGRES_COPY_IN) {
            PQputCopyEnd(c->conn, "canceled by pgshuttle");
        } else if (ok) {
            set_error_from_result(c, res);
            ok = false;
        }
        PQclear(res);
    }
    return ok;
}

#define COPY_BATCH (256 * 1024)

bool pgconn_copy_pipe(pgconn *src, const char *copy_out_sql, pgconn *dst, const char *copy_in_sql,
                      _Atomic int64_t *live, const _Atomic bool *cancel,
                      struct pgconn_copy_stats *stats)
{
    stats->rows = 0;
    stats->bytes = 0;
    if (!PQsendQuery(dst->conn, copy_in_sql)) {
        set_error(dst, "08006", PQerrorMessage(dst->conn));
        log_failure(dst, "could not start COPY FROM");
        return false;
    }
    PGresult *res = PQgetResult(dst->conn);
    if (res == NULL || PQresultStatus(res) != PGRES_COPY_IN) {
        set_error_from_result(dst, res);
        PQclear(res);
        finish_results(dst, NULL);
        log_failure(dst, "COPY FROM failed to start");
        return false;
    }
    PQclear(res);

    if (!PQsendQuery(src->conn, copy_out_sql)) {
        set_error(src, "08006", PQerrorMessage(src->conn));
        PQputCopyEnd(dst->conn, "source COPY could not start");
        finish_results(dst, NULL);
        log_failure(src, "could not start COPY TO");
        return false;
    }
    res = PQgetResult(src->conn);
    if (res == NULL || PQresultStatus(res) != PGRES_COPY_OUT) {
        set_error_from_result(src, res);
        PQclear(res);
        finish_results(src, NULL);
        PQputCopyEnd(dst->conn, "source COPY failed");
        finish_results(dst, NULL);
        log_failure(src, "COPY TO failed to start");
        return false;
    }
    PQclear(res);

    /* Rows arrive one CopyData message each; batch them into larger messages. */
    char *batch = xmalloc(COPY_BATCH);
    size_t fill = 0;
    int64_t since_check = 0;
    bool dst_failed = false, canceled = false;
    int n;
    char *buf;
    while ((n = PQgetCopyData(src->conn, &buf, 0)) > 0) {
        if ((size_t) n > COPY_BATCH - fill) {
            if (fill && PQputCopyData(dst->conn, batch, (int) fill) != 1)
                dst_failed = true;
            fill = 0;
        }
        if ((size_t) n > COPY_BATCH) {
            if (!dst_failed && PQputCopyData(dst->conn, buf, n) != 1)
                dst_failed = true;
        } else {
            memcpy(batch + fill, buf, (size_t) n);
            fill += (size_t) n;
        }
        PQfreemem(buf);
        stats->bytes += n;
        if (live)
            atomic_fetch_add(live, n);
        since_check += n;
        if (since_check >= 8 * 1024 * 1024) {
            since_check = 0;
            /* Keep the target's input drained (notices); a lost connection shows here. */
            if (!PQconsumeInput(dst->conn))
                dst_failed = true;
            if (cancel && atomic_load(cancel))
                canceled = true;
        }
        if (dst_failed || canceled) {
            /* Stop the source; the loop ends when the server acknowledges. */
            char err[256];
            PGcancel *pc = PQgetCancel(src->conn);
            if (pc) {
                PQcancel(pc, err, sizeof(err));
                PQfreeCancel(pc);
            }
            while ((n = PQgetCopyData(src->conn, &buf, 0)) > 0)
                PQfreemem(buf);
            break;
        }
    }
    bool src_ok = n == -1 || dst_failed || canceled;
    if (n == -2) {
        set_error(src, "08006", PQerrorMessage(src->conn));
        src_ok = false;
    }
    if (fill && !dst_failed && !canceled && PQputCopyData(dst->conn, batch, (int) fill) != 1)
        dst_failed = true;
    free(batch);

    bool src_results_ok = finish_results(src, NULL);
    if (!dst_failed && !canceled)
        src_ok = src_ok && src_results_ok;

    const char *abort_reason = NULL;
    if (canceled)
        abort_reason = "canceled";
    else if (!src_ok)
        abort_reason = "source COPY failed";
    PQputCopyEnd(dst->conn, abort_reason);
    bool dst_ok = finish_results(dst, &stats->rows);

    if (canceled) {
        set_error(dst, "57014", "copy canceled");
        return false;
    }
    if (!src_ok) {
        log_failure(src, "COPY TO failed");
        return false;
    }
    if (!dst_ok) {
        log_failure(dst, "COPY FROM failed");
        return false;
    }
    return true;
}

bool pgconn_may_set_parameter(pgconn *c, const char *name, bool *may)
{
    *may = false;
    const char *su = pgconn_parameter(c, "is_superuser");
    if (su && strcmp(su, "on") == 0) {
        *may = true;
        return true;
    }
    if (pgconn_server_major(c) < 15) /* only superusers, before GRANT SET ON PARAMETER */
        return true;
    const char *params[] = {name};
    char *v = NULL;
    if (!pgconn_query_value(c, "SELECT pg_catalog.has_parameter_privilege($1, 'SET')", 1, params,
                            &v))
        return false;
    *may = v && strcmp(v, "t") == 0;
    free(v);
    return true;
}
