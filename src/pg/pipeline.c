/*
 * pipeline.c — libpq pipeline mode with tagged commands and bounded flight
 * (see pipeline.h).
 *
 * libpq returns, in pipeline mode, one result then a NULL for every command
 * (PGRES_PIPELINE_ABORTED for the commands the server skipped after an
 * error), and one PGRES_PIPELINE_SYNC result for every sync point. The pipe
 * keeps a ring of what it queued (command with its tag, or sync point) so
 * every result is matched with its tag in order. Results are only ever read
 * for commands that a sync point already sent after them: PQgetResult
 * blocks, and the server only flushes its output at a sync point (or when
 * its buffer fills), so reading further could wait forever.
 *
 * With a waiter (pgpipe_set_waiter) the connection is in libpq's
 * nonblocking mode and the pipe does its own waiting, for output to be
 * taken and for results, in poll() on the server's socket, calling the
 * waiter at least every interval: its caller's other duties (answering the
 * source of the changes) go on however long the server takes. Output is
 * flushed as libpq does in pipeline mode (once 64 kB are queued, and at
 * every sync point), waiting until all of it was taken, so libpq's buffer
 * stays as small as in blocking mode.
 */
#include "pg/pipeline.h"
#include "util/buf.h"
#include "util/mem.h"

#include <errno.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

struct entry {
    uintptr_t tag;
    bool sync; /* a sync point, not a command */
};

struct pgpipe {
    pgconn *c;    /* not owned */
    PGconn *conn; /* c's libpq connection */
    int group;
    int since_sync;     /* commands queued since the last sync point */
    int syncs;          /* sync points sent whose result was not read yet */
    int commands;       /* commands queued whose result was not read yet */
    bool failed;        /* a command failed (recorded on c) since enter / clear_error */
    bool broken;        /* the connection failed: nothing more can be sent or read */
    struct entry *ring; /* owned; cap entries, count of them from head */
    int cap, head, count;
    pgpipe_result_fn fn;
    void *arg;
    struct pgpipe_waiter waiter; /* tick NULL: none (libpq blocks by itself) */
    size_t unflushed;            /* bytes queued since output was last flushed (waiter mode) */
    strbuf msg;                  /* scratch for error messages */
};

/* libpq flushes pipeline output once this much is queued (OUTBUFFER_THRESHOLD). */
#define FLUSH_BYTES 65536

/* Records and logs a connection-level failure; the pipe is unusable afterwards. */
static bool conn_failed(pgpipe *p, const char *what)
{
    if (!p->broken) {
        pgconn__set_error(p->c, "08006", PQerrorMessage(p->conn));
        pgconn__log_failure(p->c, what);
    }
    p->broken = true;
    return false;
}

/*
 * Waiter mode: waits until the server's socket is readable (or writable, when
 * output is pending) and handles it; the waiter is called after every wait,
 * which lasts at most its interval. False when the connection failed.
 */
static bool wait_server(pgpipe *p, bool output_pending)
{
    struct pollfd fd = {.fd = PQsocket(p->conn), .events = POLLIN | (output_pending ? POLLOUT : 0)};
    if (fd.fd < 0)
        return conn_failed(p, "connection lost in pipeline mode");
    int n = poll(&fd, 1, p->waiter.interval_ms > 0 ? p->waiter.interval_ms : 1000);
    if (n < 0 && errno != EINTR) {
        pgconn__set_error(p->c, "08006", strerror(errno));
        pgconn__log_failure(p->c, "cannot wait for the server");
        p->broken = true;
        return false;
    }
    p->waiter.tick(p->waiter.arg);
    if (n > 0 && (fd.revents & (POLLIN | POLLERR | POLLHUP)) && !PQconsumeInput(p->conn))
        return conn_failed(p, "connection lost in pipeline mode");
    return true;
}

/* Waiter mode: sends everything libpq holds, waiting while the socket is full. */
static bool flush_output(pgpipe *p)
{
    p->unflushed = 0;
    for (;;) {
        int rc = PQflush(p->conn);
        if (rc == 0)
            return true;
        if (rc < 0)
            return conn_failed(p, "could not send to the server");
        if (!wait_server(p, true))
            return false;
    }
}

/* Waiter mode: waits until the next result can be read without blocking. */
static bool await_result(pgpipe *p)
{
    while (PQisBusy(p->conn)) {
        int rc = PQflush(p->conn);
        if (rc < 0)
            return conn_failed(p, "could not send to the server");
        if (!wait_server(p, rc == 1))
            return false;
    }
    return true;
}

static void ring_push(pgpipe *p, uintptr_t tag, bool sync)
{
    if (p->count == p->cap) {
        int cap = p->cap ? p->cap * 2 : 2 * p->group + 8;
        struct entry *ring = xmalloc((size_t) cap * sizeof(*ring));
        for (int i = 0; i < p->count; i++)
            ring[i] = p->ring[(p->head + i) % p->cap];
        free(p->ring);
        p->ring = ring;
        p->cap = cap;
        p->head = 0;
    }
    p->ring[(p->head + p->count) % p->cap] = (struct entry){.tag = tag, .sync = sync};
    p->count++;
}

static struct entry ring_pop(pgpipe *p)
{
    struct entry e = p->ring[p->head];
    p->head = (p->head + 1) % p->cap;
    p->count--;
    return e;
}

bool pgpipe_enter(pgconn *c, int group, pgpipe_result_fn fn, void *arg, pgpipe **out)
{
    *out = NULL;
    PGconn *conn = pgconn__libpq(c);
    if (conn == NULL || PQenterPipelineMode(conn) != 1) {
        pgconn__set_error(c, "08006", conn ? PQerrorMessage(conn) : "not connected");
        pgconn__log_failure(c, "could not enter pipeline mode");
        return false;
    }
    pgpipe *p = xcalloc(1, sizeof(*p));
    p->c = c;
    p->conn = conn;
    p->group = group > 0 ? group : PGPIPE_DEFAULT_GROUP;
    p->fn = fn;
    p->arg = arg;
    *out = p;
    return true;
}

/* The server's message of a failed result: primary, then detail and hint. */
static const char *result_message(pgpipe *p, const PGresult *res)
{
    sb_reset(&p->msg);
    const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    if (primary == NULL) {
        sb_append(&p->msg, PQresultErrorMessage(res));
        while (p->msg.len && (p->msg.data[p->msg.len - 1] == '\n'))
            p->msg.data[--p->msg.len] = '\0';
        return sb_str(&p->msg);
    }
    sb_append(&p->msg, primary);
    const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
    const char *hint = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);
    if (detail)
        sb_printf(&p->msg, " (detail: %s)", detail);
    if (hint)
        sb_printf(&p->msg, " (hint: %s)", hint);
    return sb_str(&p->msg);
}

/* Reads the result of the oldest queued entry and hands it to the callback. */
static bool read_one(pgpipe *p)
{
    if (p->waiter.tick && !await_result(p))
        return false;
    struct entry e = ring_pop(p);
    PGresult *res = PQgetResult(p->conn);
    if (e.sync) {
        p->syncs--;
        bool ok = res != NULL && PQresultStatus(res) == PGRES_PIPELINE_SYNC;
        PQclear(res);
        return ok ? true : conn_failed(p, "pipeline out of step at a sync point");
    }
    p->commands--;
    if (res == NULL)
        return conn_failed(p, "pipeline result missing");
    struct pgpipe_result r = {.tag = e.tag, .rows = -1, .message = "", .sqlstate = ""};
    switch (PQresultStatus(res)) {
    case PGRES_COMMAND_OK:
        r.status = PGPIPE_OK;
        if (PQcmdTuples(res)[0])
            r.rows = strtoll(PQcmdTuples(res), NULL, 10);
        break;
    case PGRES_TUPLES_OK:
        r.status = PGPIPE_OK;
        r.rows = PQntuples(res);
        if (PQntuples(res) > 0 && PQnfields(res) > 0 && !PQgetisnull(res, 0, 0))
            r.value = PQgetvalue(res, 0, 0);
        break;
    case PGRES_PIPELINE_ABORTED:
        r.status = PGPIPE_SKIPPED;
        break;
    default:
        if (PQstatus(p->conn) == CONNECTION_BAD) {
            PQclear(res);
            return conn_failed(p, "connection lost in pipeline mode");
        }
        r.status = PGPIPE_ERROR;
        r.message = result_message(p, res);
        const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
        r.sqlstate = state ? state : "";
        if (!p->failed)
            pgconn__set_error_from_result(p->c, res);
        p->failed = true;
        break;
    }
    if (p->fn)
        p->fn(p->arg, &r);
    PQclear(res);
    /* Every command's results end with a NULL. */
    while ((res = PQgetResult(p->conn)) != NULL) {
        ExecStatusType st = PQresultStatus(res);
        PQclear(res);
        if (st == PGRES_PIPELINE_SYNC || PQstatus(p->conn) == CONNECTION_BAD)
            return conn_failed(p, "pipeline out of step");
    }
    return true;
}

bool pgpipe_sync(pgpipe *p)
{
    if (p->broken)
        return false;
    if (PQpipelineSync(p->conn) != 1)
        return conn_failed(p, "could not send a pipeline sync");
    ring_push(p, 0, true);
    p->syncs++;
    p->since_sync = 0;
    return !p->waiter.tick || flush_output(p);
}

/* Bytes a command puts on the wire, near enough to pace flushes. */
static size_t command_bytes(const char *text, int nparams, const char *const *values,
                            const int *lengths, const int *formats)
{
    size_t n = strlen(text) + 64;
    for (int i = 0; i < nparams; i++)
        n += 4 + (values[i] == NULL            ? 0
                  : formats && formats[i] == 1 ? (size_t) lengths[i]
                                               : strlen(values[i]));
    return n;
}

/*
 * After a command was queued: output flushed as libpq would (waiter mode), a
 * sync point every group, and no more than two groups in flight.
 */
static bool queued(pgpipe *p, uintptr_t tag, size_t bytes)
{
    ring_push(p, tag, false);
    p->commands++;
    if (p->waiter.tick && (p->unflushed += bytes) >= FLUSH_BYTES && !flush_output(p))
        return false;
    if (++p->since_sync < p->group)
        return true;
    if (!pgpipe_sync(p))
        return false;
    while (p->syncs > 1)
        if (!read_one(p))
            return false;
    return true;
}

bool pgpipe_prepare(pgpipe *p, const char *name, const char *sql, uintptr_t tag)
{
    if (p->broken)
        return false;
    if (PQsendPrepare(p->conn, name, sql, 0, NULL) != 1)
        return conn_failed(p, "could not queue a statement to prepare");
    return queued(p, tag, command_bytes(sql, 0, NULL, NULL, NULL));
}

bool pgpipe_send_formats(pgpipe *p, const char *sql, const char *name, int nparams,
                         const char *const *values, const int *lengths, const int *formats,
                         uintptr_t tag)
{
    if (p->broken)
        return false;
    int sent = sql ? PQsendQueryParams(p->conn, sql, nparams, NULL, values, lengths, formats, 0)
                   : PQsendQueryPrepared(p->conn, name, nparams, values, lengths, formats, 0);
    if (sent != 1)
        return conn_failed(p, sql ? "could not queue a statement"
                                  : "could not queue a prepared statement");
    return queued(p, tag, command_bytes(sql ? sql : name, nparams, values, lengths, formats));
}

bool pgpipe_send_prepared(pgpipe *p, const char *name, int nparams, const char *const *values,
                          uintptr_t tag)
{
    return pgpipe_send_formats(p, NULL, name, nparams, values, NULL, NULL, tag);
}

bool pgpipe_send(pgpipe *p, const char *sql, int nparams, const char *const *values, uintptr_t tag)
{
    return pgpipe_send_formats(p, sql, NULL, nparams, values, NULL, NULL, tag);
}

bool pgpipe_drain(pgpipe *p)
{
    if (p->broken)
        return false;
    if (p->since_sync > 0 && !pgpipe_sync(p))
        return false;
    while (p->count > 0)
        if (!read_one(p))
            return false;
    return true;
}

bool pgpipe_exit(pgpipe *p)
{
    if (p == NULL)
        return true;
    bool ok = pgpipe_drain(p);
    if (ok && PQexitPipelineMode(p->conn) != 1)
        ok = conn_failed(p, "could not leave pipeline mode");
    /* Blocking again for the connection's other users (nothing is left to flush). */
    if (p->waiter.tick && !p->broken && PQsetnonblocking(p->conn, 0) != 0)
        ok = conn_failed(p, "could not leave nonblocking mode");
    sb_free(&p->msg);
    free(p->ring);
    free(p);
    return ok;
}

bool pgpipe_set_waiter(pgpipe *p, const struct pgpipe_waiter *w)
{
    if (w == NULL || w->tick == NULL || p->waiter.tick)
        return true;
    if (PQsetnonblocking(p->conn, 1) != 0)
        return conn_failed(p, "could not enter nonblocking mode");
    p->waiter = *w;
    return true;
}

int pgpipe_in_flight(const pgpipe *p)
{
    return p->commands;
}

bool pgpipe_failed(const pgpipe *p)
{
    return p->failed;
}

void pgpipe_clear_error(pgpipe *p)
{
    p->failed = false;
}
