/*
 * outage.h — riding through a server that went away.
 *
 * One struct pg_outage per connection that should survive a restart, a
 * failover or a terminated session. When the connection is found lost, the
 * owner calls pg_outage_begin() (one warning line: which server, which
 * connection, libpq's reason); pg_outage_wait() sleeps before each attempt
 * to reconnect (0.5 s doubling to 5 s) and says when the timeout has
 * passed (one error line, with how long it tried); pg_outage_end() logs one
 * info line with the outage's length once the connection is back. Nothing
 * in between is logged above debug, so a long outage is two lines.
 *
 * The owner reconnects by itself (it knows its connection and its session
 * settings); this only keeps the time, the backoff and the log. A
 * pg_outage belongs to the thread that owns the connection.
 */
#ifndef PGSHUTTLE_PG_OUTAGE_H
#define PGSHUTTLE_PG_OUTAGE_H

#include "pg/pgconn.h"

#include <stdatomic.h>
#include <stdbool.h>

struct pg_outage {
    char what[160];       /* "the source (127.0.0.1:5432), connection source db=app" */
    double timeout;       /* seconds to keep trying; 0 = give up at once */
    bool down;            /* between begin and end (or giving up) */
    double began;         /* time_now() when it went away */
    double backoff;       /* the next pause before an attempt */
    int attempts;         /* reconnection attempts so far */
    double next_try;      /* time_now() of the next attempt (pg_outage_due) */
    double gave_up_after; /* seconds it had tried when it gave up (0 if it did not) */
    char *reason;         /* owned: libpq's reason it went away, or the last attempt's */
};

/*
 * server: "source" or "target"; conninfo: to name its host and port (never a
 * password); conn: the connection's label; timeout: --reconnect-timeout.
 */
void pg_outage_init(struct pg_outage *o, const char *server, const char *conninfo, const char *conn,
                    double timeout);
void pg_outage_free(struct pg_outage *o);

/* The connection was lost for reason: logs the one warning (only if it was up). */
void pg_outage_begin(struct pg_outage *o, const char *reason);
/*
 * Before an attempt to reconnect: sleeps for the backoff (waking early on
 * *cancel). False when the timeout has passed (logs the error once: how long
 * it tried and the last reason) or *cancel was set; the outage then ends.
 */
bool pg_outage_wait(struct pg_outage *o, const _Atomic bool *cancel);
/*
 * The same without sleeping, for a loop that serves other work: true when
 * an attempt is due now (the next one is then scheduled). Check
 * pg_outage_expired() first.
 */
bool pg_outage_due(struct pg_outage *o);
/* True (logging the error once, the outage ending) when the timeout has passed. */
bool pg_outage_expired(struct pg_outage *o);
/* An attempt failed for reason (kept for the final error; debug log only). */
void pg_outage_retry(struct pg_outage *o, const char *reason);
/* The connection is back: logs the one info line with the outage's length. */
void pg_outage_end(struct pg_outage *o);
/*
 * A new connection with conninfo (session defaults set), through the
 * outage: on the first failure the outage begins (unless it has), attempts
 * follow its backoff, and it ends when one succeeds. NULL when the timeout
 * passed or *cancel was set (o->reason says why).
 */
pgconn *pg_outage_connect(struct pg_outage *o, const char *conninfo, const char *label,
                          const _Atomic bool *cancel);
/* Seconds since it went away (0 when up). */
double pg_outage_elapsed(const struct pg_outage *o);

/* Whether an SQLSTATE means the connection was lost: class 08, 57P01, 57P02, 57P03. */
bool pg_sqlstate_connection_lost(const char *sqlstate);
/* Whether c's connection is gone: libpq says it is bad, or its last error says it was lost. */
bool pgconn_lost(pgconn *c);
/*
 * Asks the server (SELECT 1, quietly): false when the connection turns out
 * lost (a server restarted while it sat idle, which libpq cannot know before
 * it speaks). Another failure counts as alive; the error is cleared.
 */
bool pgconn_alive(pgconn *c);

#endif
