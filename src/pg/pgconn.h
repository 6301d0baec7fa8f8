/*
 * pgconn.h — the one wrapper around libpq.
 *
 * Nothing outside src/pg calls libpq. A pgconn is one connection with a
 * label for log lines (never a conninfo with a password) and the last error
 * it met: the server's message and SQLSTATE, or libpq's own message with
 * SQLSTATE "08006"-style class for connection trouble. Functions that can
 * fail return false after logging the failure once, with the label; callers
 * propagate and may read pgconn_error_message() for a summary.
 *
 * A pgconn belongs to one thread at a time. pgconn_cancel_all() may be
 * called from any thread to interrupt every running query (for cancel).
 */
#ifndef PGSHUTTLE_PG_PGCONN_H
#define PGSHUTTLE_PG_PGCONN_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define PG_WUR __attribute__((warn_unused_result))

typedef struct pgconn pgconn;
typedef struct pgres pgres;

/*
 * Opens a connection. label names it in logs ("source", "target db=x").
 * On failure, *out is still set (so the caller can read the error) unless
 * memory ran out; the caller closes it either way.
 */
bool pgconn_connect(pgconn **out, const char *conninfo, const char *label) PG_WUR;
/* Same, without logging a failure (for probes whose caller reports). */
bool pgconn_connect_quiet(pgconn **out, const char *conninfo, const char *label) PG_WUR;
void pgconn_close(pgconn *c);

const char *pgconn_label(const pgconn *c);
/* Server version as a number, e.g. 150018 or 90624; 0 if unknown. */
int pgconn_server_version(const pgconn *c);
/* Major version: 15 for 150018, 9 for 90624 (see pgconn_server_version for minor). */
int pgconn_server_major(const pgconn *c);
const char *pgconn_parameter(const pgconn *c, const char *name);

/* The last error: message (never NULL; "" if none) and SQLSTATE ("" if none). */
const char *pgconn_error_message(const pgconn *c);
const char *pgconn_error_sqlstate(const pgconn *c);
/* Forgets the last error. */
void pgconn_clear_error(pgconn *c);

/* Sets the session settings every pgshuttle session uses (timeouts off, ISO dates, ...). */
bool pgconn_set_session_defaults(pgconn *c) PG_WUR;

/* Runs one or more commands (simple query protocol); results are discarded. */
bool pgconn_exec(pgconn *c, const char *sql) PG_WUR;
/* Same, without logging a failure. */
bool pgconn_exec_quiet(pgconn *c, const char *sql) PG_WUR;

/*
 * Like pgconn_exec, but runs sql again (up to attempts times, with a short
 * growing pause) when the server aborted it for a deadlock or a
 * serialization failure, which concurrent DDL on related tables can cause.
 */
bool pgconn_exec_retry(pgconn *c, const char *sql, int attempts) PG_WUR;

/* Runs sql with text parameters ($1..$n, NULL entries are SQL NULL) and returns rows in *out. */
bool pgconn_query(pgconn *c, const char *sql, int nparams, const char *const *params,
                  pgres **out) PG_WUR;
bool pgconn_query_quiet(pgconn *c, const char *sql, int nparams, const char *const *params,
                        pgres **out) PG_WUR;
/* Runs sql and returns the first column of the first row (NULL if no row or NULL); caller frees. */
bool pgconn_query_value(pgconn *c, const char *sql, int nparams, const char *const *params,
                        char **out) PG_WUR;
/*
 * Whether the session's role may SET the parameter name (one a superuser
 * sets): a superuser, or on 15+ a role granted SET ON PARAMETER. False
 * when the query failed (the error is on c).
 */
bool pgconn_may_set_parameter(pgconn *c, const char *name, bool *may) PG_WUR;

int pgres_ntuples(const pgres *r);
int pgres_nfields(const pgres *r);
/* Column number of name, or -1. */
int pgres_fnumber(const pgres *r, const char *name);
/* Value at row, col as text, or NULL when SQL NULL. Valid until pgres_free. */
const char *pgres_get(const pgres *r, int row, int col);
/* Same, by column name; NULL if the column is absent. */
const char *pgres_getn(const pgres *r, int row, const char *name);
int64_t pgres_get_int64(const pgres *r, int row, const char *name, int64_t if_null);
bool pgres_get_bool(const pgres *r, int row, const char *name);
void pgres_free(pgres *r);

/* What one COPY moved. */
struct pgconn_copy_stats {
    int64_t rows;  /* rows the target reported */
    int64_t bytes; /* COPY data bytes forwarded */
};

/*
 * Streams one COPY: runs copy_in_sql (COPY ... FROM STDIN) on dst, then
 * copy_out_sql (COPY ... TO STDOUT) on src, and forwards every byte, with no
 * intermediate file. Adds bytes forwarded to *live as it goes (if not NULL),
 * stops early when *cancel becomes true, and fills *stats (also on failure:
 * the bytes forwarded before it). On failure the error is in the connection
 * that failed, and logged; both connections are left idle (their
 * transactions may be aborted).
 */
bool pgconn_copy_pipe(pgconn *src, const char *copy_out_sql, pgconn *dst, const char *copy_in_sql,
                      _Atomic int64_t *live, const _Atomic bool *cancel,
                      struct pgconn_copy_stats *stats) PG_WUR;

/* Interrupts the running query of every open connection (any thread). */
void pgconn_cancel_all(void);

/*
 * For the other files of src/pg only (libuv's mod__ convention): modules of
 * this layer that speak libpq themselves (replication.c) keep their errors,
 * label, log lines and cancel registration in a pgconn through these.
 */
struct pg_conn;   /* libpq's PGconn */
struct pg_result; /* libpq's PGresult */

/*
 * Like pgconn_connect(_quiet), with extra keywords (keys/vals, NULL-terminated)
 * that override the conninfo's (e.g. replication=database).
 */
bool pgconn__connect_with(pgconn **out, const char *conninfo, const char *label,
                          const char *const *keys, const char *const *vals, bool quiet) PG_WUR;
/* The libpq connection (NULL if the connection attempt failed before one existed). */
struct pg_conn *pgconn__libpq(pgconn *c);
void pgconn__set_error(pgconn *c, const char *sqlstate, const char *msg);
/* Records the error of a failed result (message, detail, hint, SQLSTATE); res may be NULL. */
void pgconn__set_error_from_result(pgconn *c, const struct pg_result *res);
/* Logs the recorded error once: "label: what: message (SQLSTATE x)". */
void pgconn__log_failure(const pgconn *c, const char *what);

#endif
