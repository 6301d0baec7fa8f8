/*
 * pipeline.h — libpq pipeline mode on a pgconn: many statements sent
 * without waiting, their results read back in order.
 *
 * A pgpipe wraps a pgconn (which stays the caller's) while it is in
 * pipeline mode. Each queued command carries a caller tag; results come
 * back, in queue order, through the callback given to pgpipe_enter, with
 * the command's status and affected-row count, so the caller can tell which
 * of its statements failed or touched no row.
 *
 * Flow control: after every `group` commands the pipe sends a sync point
 * and reads the results of the group before it, so at most two groups are
 * in flight. Neither side can then fill its socket buffers with output the
 * other is not reading (libpq would buffer without bound), and an error is
 * seen at most two groups after it happened.
 *
 * Errors. A statement that fails is reported to the callback as
 * PGPIPE_ERROR with the server's message and SQLSTATE; the first such error
 * since pgpipe_enter (or pgpipe_clear_error) is also recorded on the pgconn.
 * The server then skips every command up to the next sync point: those come
 * back as PGPIPE_SKIPPED. After a sync point an explicit transaction stays
 * open (aborted if something failed) until COMMIT or ROLLBACK. Statement
 * errors are not logged here (the caller knows what the statement was
 * for); functions return false only when the connection itself failed, after
 * recording (SQLSTATE 08006) and logging it once.
 */
#ifndef PGSHUTTLE_PG_PIPELINE_H
#define PGSHUTTLE_PG_PIPELINE_H

#include "pg/pgconn.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct pgpipe pgpipe;

/* Commands per sync point when pgpipe_enter gets 0. */
#define PGPIPE_DEFAULT_GROUP 500

enum pgpipe_status {
    PGPIPE_OK = 0,  /* command completed (rows: affected or returned) */
    PGPIPE_ERROR,   /* the server reported an error for this command */
    PGPIPE_SKIPPED, /* not run: an earlier command of the same group failed */
};

struct pgpipe_result {
    enum pgpipe_status status;
    uintptr_t tag; /* as given when the command was queued */
    /* OK: rows affected (INSERT/UPDATE/DELETE...) or returned (SELECT); -1 if none */
    int64_t rows;
    /* OK with rows returned: the first column of the first row (NULL if none); else NULL */
    const char *value;
    /* ERROR: the server's message (with detail/hint) and SQLSTATE; else "" */
    const char *message;
    const char *sqlstate;
};

/* Called for every result, in queue order; pointers in r are valid during the call only. */
typedef void (*pgpipe_result_fn)(void *arg, const struct pgpipe_result *r);

/*
 * Enters pipeline mode on c, which must be idle (no command running). group
 * is the number of commands per sync point (0: PGPIPE_DEFAULT_GROUP). *out is
 * NULL on failure.
 */
bool pgpipe_enter(pgconn *c, int group, pgpipe_result_fn fn, void *arg, pgpipe **out) PG_WUR;
/*
 * Reads every outstanding result (pgpipe_drain), leaves pipeline mode and
 * frees p. On a connection failure p is freed all the same (and the
 * connection is of no further use). NULL is fine.
 */
bool pgpipe_exit(pgpipe *p) PG_WUR;

/* Queues a named prepared statement (PQsendPrepare); its parameters' types are inferred. */
bool pgpipe_prepare(pgpipe *p, const char *name, const char *sql, uintptr_t tag) PG_WUR;
/*
 * Queues one execution of a prepared statement with text parameters (a NULL
 * entry is SQL NULL). libpq copies the values: they may change on return.
 */
bool pgpipe_send_prepared(pgpipe *p, const char *name, int nparams, const char *const *values,
                          uintptr_t tag) PG_WUR;
/* Queues sql with text parameters of type 0 ($1..$n; NULL entries are SQL NULL), unnamed. */
bool pgpipe_send(pgpipe *p, const char *sql, int nparams, const char *const *values,
                 uintptr_t tag) PG_WUR;
/*
 * Either of the two (sql, or with sql NULL the prepared statement name) with
 * each parameter's format: formats[i] 1 is binary, lengths[i] bytes at
 * values[i]; 0 is text. formats NULL: all text (lengths unused).
 */
bool pgpipe_send_formats(pgpipe *p, const char *sql, const char *name, int nparams,
                         const char *const *values, const int *lengths, const int *formats,
                         uintptr_t tag) PG_WUR;

/* Sends a sync point now (also flushes what is queued). */
bool pgpipe_sync(pgpipe *p) PG_WUR;
/* Sends a sync point if commands were queued since the last one, then reads every result. */
bool pgpipe_drain(pgpipe *p) PG_WUR;

/*
 * What to do while the pipe waits on the server (for output to be taken, or
 * for a result), however long that takes: tick is called after every wait,
 * and a wait lasts at most interval_ms (0: 1000). Called only from inside
 * pgpipe calls, on the caller's thread; it must not use the pipe.
 */
struct pgpipe_waiter {
    void (*tick)(void *arg);
    void *arg;
    int interval_ms;
};
/*
 * Sets p's waiter (once; NULL or one without tick: none). The connection is
 * in nonblocking mode until pgpipe_exit, and the pipe waits in poll().
 */
bool pgpipe_set_waiter(pgpipe *p, const struct pgpipe_waiter *w) PG_WUR;

/* Commands queued whose results were not read yet. */
int pgpipe_in_flight(const pgpipe *p);
/* True once a command failed since pgpipe_enter or pgpipe_clear_error. */
bool pgpipe_failed(const pgpipe *p);
/* Forgets that a command failed (the next error is recorded on the pgconn again). */
void pgpipe_clear_error(pgpipe *p);

#endif
