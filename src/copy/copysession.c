/* copysession.c — a data-phase target session that reconnects (see copysession.h). */
#include "copy/copysession.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <string.h>

void copy_session_init(struct copy_session *s, const char *conninfo, const char *label,
                       double timeout)
{
    memset(s, 0, sizeof(*s));
    s->conninfo = conninfo;
    snprintf(s->label, sizeof(s->label), "%s", label);
    pg_outage_init(&s->outage, "target", conninfo, label, timeout);
}

static bool set_param(pgconn *c, const char *name, const char *value)
{
    if (value == NULL)
        return true;
    const char *params[] = {name, value};
    pgres *r;
    if (!pgconn_query(c, "SELECT pg_catalog.set_config($1, $2, false)", 2, params, &r))
        return false;
    pgres_free(r);
    return true;
}

/* quiet: a reconnection attempt, whose failure the outage keeps (debug log only). */
static bool connect_session(struct copy_session *s, bool quiet)
{
    pgconn_close(s->conn);
    s->conn = NULL;
    bool ok = quiet ? pgconn_connect_quiet(&s->conn, s->conninfo, s->label)
                    : pgconn_connect(&s->conn, s->conninfo, s->label);
    /* An empty search_path makes reg* values print schema-qualified names. */
    return ok && pgconn_set_session_defaults(s->conn) &&
           pgconn_exec(s->conn, "SELECT pg_catalog.set_config('search_path', '', false)") &&
           set_param(s->conn, "default_toast_compression", s->toast_compression) &&
           set_param(s->conn, "maintenance_work_mem", s->maintenance_work_mem);
}

bool copy_session_open(struct copy_session *s)
{
    return connect_session(s, false);
}

static bool stopping(const _Atomic bool *stop, const _Atomic bool *cancel)
{
    return (stop && atomic_load(stop)) || (cancel && atomic_load(cancel));
}

bool copy_session_recover(struct copy_session *s, const _Atomic bool *stop,
                          const _Atomic bool *cancel, bool *gave_up)
{
    *gave_up = false;
    if (s->outage.timeout <= 0 || !pgconn_lost(s->conn) || stopping(stop, cancel))
        return false;
    pg_outage_begin(&s->outage, pgconn_error_message(s->conn));
    /* pg_outage_wait's loop, woken by either flag. */
    while (!stopping(stop, cancel)) {
        if (pg_outage_expired(&s->outage)) {
            *gave_up = true;
            return false;
        }
        if (!pg_outage_due(&s->outage)) {
            time_sleep(0.1);
            continue;
        }
        if (connect_session(s, true)) {
            pg_outage_end(&s->outage);
            return true;
        }
        pg_outage_retry(&s->outage, s->conn ? pgconn_error_message(s->conn) : "out of memory");
    }
    s->outage.down = false;
    return false;
}

char *copy_session_gave_up_message(const struct copy_session *s)
{
    char t[32], limit[32];
    time_format_duration(s->outage.gave_up_after, t, sizeof(t));
    time_format_duration(s->outage.timeout, limit, sizeof(limit));
    return xasprintf("could not reconnect to %s for %s (--reconnect-timeout %s): %s",
                     s->outage.what, t, limit,
                     s->outage.reason ? s->outage.reason : "connection lost");
}

void copy_session_close(struct copy_session *s)
{
    pgconn_close(s->conn);
    s->conn = NULL;
    pg_outage_free(&s->outage);
}
