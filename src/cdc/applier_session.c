/*
 * applier_session.c — the settings of the applier's two target sessions:
 * the apply session (replica role, asynchronous commits, index probes for
 * grouped statements, compressed page images) and the catalog session.
 */
#include "cdc/applier_internal.h"
#include "pg/quote.h"
#include "util/log.h"

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
    if (apply_session && !pgconn_exec_quiet(c, "SET session_replication_role = replica"))
        return apply__conn_fail(
            a, c,
            "cannot SET session_replication_role = replica (it needs a superuser, or "
            "on PostgreSQL 15+ GRANT SET ON PARAMETER session_replication_role)");
    return !apply_session || compress_page_images(a, c);
}
