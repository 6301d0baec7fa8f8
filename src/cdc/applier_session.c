/*
 * applier_session.c — the applier's two target sessions: their settings
 * (the apply session's replica role, asynchronous commits, index probes for
 * grouped statements, compressed page images; the catalog session's), and
 * waiting on the catalog session for the target's WAL to be flushed
 * (cdc_applier_sync). Opening both anew after a lost connection is
 * applier.c's (cdc_applier_reconnect).
 */
#include "cdc/applier_internal.h"
#include "pg/quote.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <stdlib.h>

/*
 * After a checkpoint, the first change to each page writes the whole page
 * into the target's WAL, so a backlog of updates spread over a big table
 * writes several times the data's size: on a scale-50 pgbench backlog the
 * apply backend waited a quarter of its time on WAL writes and segment
 * syncs. Compressed (lz4), those images take about a quarter of the space
 * and the waits were gone (docs/CDC_NOTES.md). Only for this session, and
 * only where the server left compression off and lets this role set it
 * (superuser, or GRANT SET ON PARAMETER on 15+): elsewhere the session
 * keeps the server's setting.
 */
static bool compress_page_images(cdc_applier *a, pgconn *c)
{
    if (pgconn_server_major(c) < 15) /* lz4 for wal_compression is 15+ */
        return true;
    char *set = NULL;
    if (!apply__query_value(c,
                            "SELECT pg_catalog.set_config('wal_compression', 'lz4', false) "
                            "WHERE pg_catalog.current_setting('wal_compression') = 'off' "
                            "AND pg_catalog.has_parameter_privilege('wal_compression', 'SET') "
                            "AND EXISTS (SELECT FROM pg_catalog.pg_settings "
                            "WHERE name = 'wal_compression' AND 'lz4' = ANY (enumvals))",
                            0, NULL, &set))
        return apply__conn_fail(a, c, "could not set the session up");
    a->wal_lz4 = set != NULL;
    free(set);
    if (a->wal_lz4)
        log_info("%s: full-page images in the target's WAL are compressed "
                 "(wal_compression = lz4 for the apply session)",
                 a->label);
    return true;
}

bool apply__setup_session(cdc_applier *a, pgconn *c, bool apply_session)
{
    if (!pgconn_set_session_defaults(c)) /* logged by pgconn */
        return apply__conn_fail(a, c, "could not set the session up");
    strbuf sql = STRBUF_INIT;
    /* Names in the statements are all qualified; with an empty search_path, format_type()
       qualifies every type outside pg_catalog (as the built-in apply worker runs). */
    sb_append(&sql, "SET search_path = ''; SET client_encoding = ");
    const char *enc = pgconn_parameter(c, "server_encoding");
    pgq_literal(&sql, enc ? enc : "UTF8");
    /* A grouped UPDATE or DELETE joins its array rows to the table by key: the planner, seeing
       a few hundred rows, prefers hashing the whole table to as many index probes, which are
       far cheaper on a table of any size. The apply session runs no other joins. */
    if (apply_session)
        sb_append(&sql, "; SET synchronous_commit = off; SET enable_hashjoin = off; "
                        "SET enable_mergejoin = off");
    else
        sb_append(&sql, "; SET synchronous_commit = on");
    bool ok = pgconn_exec_quiet(c, sb_str(&sql));
    sb_free(&sql);
    if (!ok)
        return apply__conn_fail(a, c, "could not set the session up");
    if (apply_session && !a->cfg.without_replica_role &&
        !pgconn_exec_quiet(c, "SET session_replication_role = replica"))
        return apply__conn_fail(
            a, c,
            "cannot SET session_replication_role = replica (it needs a superuser, or "
            "on PostgreSQL 15+ GRANT SET ON PARAMETER session_replication_role)");
    return !apply_session || compress_page_images(a, c);
}

/* How cdc_applier_sync waits for the target's WAL writer. */
#define SYNC_POLL_S 0.01
#define SYNC_WAIT_S 30.0

bool cdc_applier_sync(cdc_applier *a)
{
    if (a->npending == 0)
        return true;
    apply__start_operation(a);
    /*
     * Wait until the target's WAL is flushed past everything this session
     * committed. (A commit that only took a transaction id writes no WAL
     * before its commit record and is not flushed even when synchronous:
     * that is no way to force a flush.) The WAL writer flushes asynchronous
     * commits within three wal_writer_delay, 600 ms by default.
     */
    char *v = NULL;
    cdc_lsn insert = 0, flush = 0;
    bool ok = apply__query_value(a->catalog, "SELECT pg_catalog.pg_current_wal_insert_lsn()::text",
                                 0, NULL, &v) &&
              cdc_lsn_parse(v, &insert);
    free(v);
    for (double waited = 0; ok; waited += SYNC_POLL_S) {
        v = NULL;
        ok = apply__query_value(a->catalog, "SELECT pg_catalog.pg_current_wal_flush_lsn()::text", 0,
                                NULL, &v) &&
             cdc_lsn_parse(v, &flush);
        free(v);
        if (!ok || flush >= insert)
            break;
        if (waited >= SYNC_WAIT_S) {
            apply__fail(a, "58000", "the target's WAL was not flushed within %.0f s", SYNC_WAIT_S);
            return false;
        }
        time_sleep(SYNC_POLL_S);
    }
    if (!ok)
        return apply__conn_fail(a, a->catalog, "could not read the target's WAL position");
    if (a->committed > a->durable)
        a->durable = a->committed;
    a->npending = 0;
    return true;
}
