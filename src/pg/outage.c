/*
 * outage.c — the time, backoff and log lines of a connection's outage
 * (see outage.h).
 */
#include "pg/outage.h"
#include "pg/conninfo.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BACKOFF_FIRST 0.5
#define BACKOFF_MAX   5.0

void pg_outage_init(struct pg_outage *o, const char *server, const char *conninfo, const char *conn,
                    double timeout)
{
    memset(o, 0, sizeof(*o));
    char *hp = conninfo ? pgconninfo_hostport(conninfo) : NULL;
    snprintf(o->what, sizeof(o->what), "the %s (%s), connection \"%s\"", server, hp ? hp : "?",
             conn);
    free(hp);
    o->timeout = timeout;
}

void pg_outage_free(struct pg_outage *o)
{
    free(o->reason);
    o->reason = NULL;
}

static void set_reason(struct pg_outage *o, const char *reason)
{
    free(o->reason);
    o->reason = strdup(reason && reason[0] ? reason : "connection lost");
    if (o->reason == NULL)
        return;
    /* libpq's messages run over lines ("...\n\tIs the server running..."): one line. */
    char *w = o->reason;
    for (const char *r = o->reason; *r; r++) {
        if (*r == '\n' || *r == '\t') {
            if (w > o->reason && w[-1] != ' ')
                *w++ = ' ';
        } else
            *w++ = *r;
    }
    *w = '\0';
    while (w > o->reason && w[-1] == ' ')
        *--w = '\0';
}

void pg_outage_begin(struct pg_outage *o, const char *reason)
{
    set_reason(o, reason);
    if (o->down)
        return;
    o->down = true;
    o->began = time_now();
    o->backoff = BACKOFF_FIRST;
    o->next_try = o->began + BACKOFF_FIRST;
    o->attempts = 0;
    o->gave_up_after = 0;
    if (o->timeout > 0) {
        char t[32];
        time_format_duration(o->timeout, t, sizeof(t));
        log_warn("lost %s: %s; reconnecting (for up to %s)", o->what, o->reason, t);
    } else
        log_warn("lost %s: %s", o->what, o->reason);
}

bool pg_outage_expired(struct pg_outage *o)
{
    if (!o->down)
        return false;
    double elapsed = pg_outage_elapsed(o);
    if (elapsed < o->timeout)
        return false;
    char t[32];
    time_format_duration(elapsed, t, sizeof(t));
    if (o->timeout > 0)
        log_error("gave up reconnecting to %s after %s (--reconnect-timeout): %s", o->what, t,
                  o->reason ? o->reason : "connection lost");
    o->gave_up_after = elapsed;
    o->down = false;
    return true;
}

bool pg_outage_due(struct pg_outage *o)
{
    double now = time_now();
    if (now < o->next_try)
        return false;
    o->next_try = now + o->backoff;
    o->backoff = o->backoff * 2 > BACKOFF_MAX ? BACKOFF_MAX : o->backoff * 2;
    o->attempts++;
    return true;
}

bool pg_outage_wait(struct pg_outage *o, const _Atomic bool *cancel)
{
    while (!(cancel && atomic_load(cancel))) {
        if (pg_outage_expired(o))
            return false;
        if (pg_outage_due(o))
            return true;
        time_sleep(0.1);
    }
    o->down = false;
    return false;
}

void pg_outage_retry(struct pg_outage *o, const char *reason)
{
    set_reason(o, reason);
    log_debug("reconnecting to %s (attempt %d): %s", o->what, o->attempts, o->reason);
}

void pg_outage_end(struct pg_outage *o)
{
    if (!o->down)
        return;
    char t[32];
    time_format_duration(pg_outage_elapsed(o), t, sizeof(t));
    log_info("%s is back after %s (%d attempt%s)", o->what, t, o->attempts,
             o->attempts == 1 ? "" : "s");
    o->down = false;
}

pgconn *pg_outage_connect(struct pg_outage *o, const char *conninfo, const char *label,
                          const _Atomic bool *cancel)
{
    for (;;) {
        pgconn *c = NULL;
        if (pgconn_connect_quiet(&c, conninfo, label) && pgconn_set_session_defaults(c)) {
            pg_outage_end(o);
            return c;
        }
        if (o->down)
            pg_outage_retry(o, pgconn_error_message(c));
        else
            pg_outage_begin(o, pgconn_error_message(c));
        pgconn_close(c);
        if (!pg_outage_wait(o, cancel))
            return NULL;
    }
}

double pg_outage_elapsed(const struct pg_outage *o)
{
    return o->down ? time_now() - o->began : 0;
}

bool pg_sqlstate_connection_lost(const char *sqlstate)
{
    if (sqlstate == NULL)
        return false;
    return strncmp(sqlstate, "08", 2) == 0 || strcmp(sqlstate, "57P01") == 0 ||
           strcmp(sqlstate, "57P02") == 0 || strcmp(sqlstate, "57P03") == 0;
}

bool pgconn_lost(pgconn *c)
{
    if (c == NULL)
        return true;
    struct pg_conn *conn = pgconn__libpq(c);
    return conn == NULL || PQstatus(conn) == CONNECTION_BAD ||
           pg_sqlstate_connection_lost(pgconn_error_sqlstate(c));
}

bool pgconn_alive(pgconn *c)
{
    if (pgconn_lost(c))
        return false;
    if (pgconn_exec_quiet(c, "SELECT 1"))
        return true;
    bool lost = pgconn_lost(c);
    if (!lost)
        pgconn_clear_error(c);
    return !lost;
}
