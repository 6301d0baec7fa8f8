/*
 * copysession.h — a target session of the data phase (a copy or an index
 * worker's) that rides through the target going away.
 *
 * It is opened with the settings the worker's statements rely on (an empty
 * search_path, the TOAST compression, maintenance_work_mem). After a failed
 * statement, copy_session_recover() tells a lost connection from any other
 * failure and, for a lost one, reconnects with pg_outage's backoff and log
 * lines (one warning when it goes, one info line when it is back) for up to
 * the reconnect timeout. What the lost session had committed is the
 * caller's to find out (resume.h). A copy_session belongs to one thread.
 */
#ifndef PGSHUTTLE_COPY_COPYSESSION_H
#define PGSHUTTLE_COPY_COPYSESSION_H

#include "pg/outage.h"
#include "pg/pgconn.h"

#include <stdatomic.h>
#include <stdbool.h>

struct copy_session {
    pgconn *conn;                     /* owned; NULL until opened */
    const char *conninfo;             /* borrowed: the target database */
    char label[64];                   /* "target db=app copy-1" */
    const char *toast_compression;    /* borrowed or NULL: default_toast_compression */
    const char *maintenance_work_mem; /* borrowed or NULL: for index builds */
    struct pg_outage outage;
};

/* timeout: seconds to keep reconnecting (0: a lost session is a failure at once). */
void copy_session_init(struct copy_session *s, const char *conninfo, const char *label,
                       double timeout);
/* Connects and applies the settings; on failure the error is in s->conn. */
bool copy_session_open(struct copy_session *s) PG_WUR;

/*
 * After a failure on s->conn: true when the connection had been lost and a
 * new one is open. False when the failure was not a lost connection, when
 * no reconnecting is allowed, when *stop or *cancel was set, or when the
 * timeout passed (then *gave_up is set; copy_session_gave_up_message says
 * why).
 */
bool copy_session_recover(struct copy_session *s, const _Atomic bool *stop,
                          const _Atomic bool *cancel, bool *gave_up) PG_WUR;
/* "could not reconnect to ... for 3s (--reconnect-timeout 3s): reason"; caller frees. */
char *copy_session_gave_up_message(const struct copy_session *s);

void copy_session_close(struct copy_session *s);

#endif
