/*
 * applier_state.c — the applier's error and what its state tells: the first
 * error of a public call is recorded (with its SQLSTATE) and logged, whether
 * a connection was lost, and the positions, counters and flags the caller
 * reads. Every other applier file uses it; it calls none of them.
 */
#include "cdc/applier_internal.h"
#include "pg/outage.h"
#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>

void apply__fail(cdc_applier *a, const char *sqlstate, const char *fmt, ...)
{
    a->batch_failed = true;
    if (a->error_locked)
        return;
    a->error_locked = true;
    va_list ap;
    va_start(ap, fmt);
    char buf[4096];
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    sb_reset(&a->error);
    sb_append(&a->error, buf);
    snprintf(a->sqlstate, sizeof(a->sqlstate), "%s", sqlstate ? sqlstate : "");
    /* A lost connection is the caller's to report: once, as an outage or as the failure. */
    enum log_level level = cdc_applier_lost(a) ? LOG_DEBUG : LOG_ERROR;
    if (!log_enabled(level))
        return;
    if (a->sqlstate[0])
        log_msg(level, "%s: %s (SQLSTATE %s)", a->label, buf, a->sqlstate);
    else
        log_msg(level, "%s: %s", a->label, buf);
}

/* A failed call on one of the connections, with what the applier was doing. */
bool apply__conn_fail(cdc_applier *a, pgconn *c, const char *what)
{
    apply__fail(a, pgconn_error_sqlstate(c), "%s: %s", what, pgconn_error_message(c));
    return false;
}

void apply__start_operation(cdc_applier *a)
{
    a->error_locked = false;
    a->batch_failed = false;
}

bool cdc_applier_lost(cdc_applier *a)
{
    return pg_sqlstate_connection_lost(a->sqlstate) || pgconn_lost(a->conn) ||
           pgconn_lost(a->catalog);
}

cdc_lsn cdc_applier_committed(const cdc_applier *a)
{
    return a->committed;
}

const char *cdc_applier_error(const cdc_applier *a)
{
    return sb_str(&a->error);
}

const char *cdc_applier_sqlstate(const cdc_applier *a)
{
    return a->sqlstate;
}

const struct cdc_applier_stats *cdc_applier_stats(const cdc_applier *a)
{
    return &a->stats;
}

bool cdc_applier_compresses_wal(const cdc_applier *a)
{
    return a->wal_lz4;
}

bool cdc_applier_has_progress(const cdc_applier *a)
{
    return a->progress_set_up;
}

bool cdc_applier_uses_origin(const cdc_applier *a)
{
    return a->use_origin;
}

cdc_lsn cdc_applier_durable(const cdc_applier *a)
{
    return a->durable;
}

bool cdc_applier_in_transaction(const cdc_applier *a)
{
    return a->in_txn;
}

bool cdc_applier_idle(const cdc_applier *a)
{
    return !a->in_txn && !a->batch_open;
}

int64_t cdc_applier_oldest_pending_ts(const cdc_applier *a)
{
    if (a->batch_open && a->batch_txns > 0)
        return a->batch_first_ts;
    return a->in_txn ? a->txn_ts : 0;
}
