/* snapshot.c — exporting and importing the copy snapshot (see snapshot.h). */
#include "copy/snapshot.h"
#include "pg/quote.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/mem.h"

#include <stdlib.h>

bool copy_snapshot_export(const char *conninfo, const char *label, struct copy_snapshot *snap)
{
    snap->holder = NULL;
    snap->name = NULL;
    if (!pgconn_connect(&snap->holder, conninfo, label))
        return false;
    if (!pgconn_set_session_defaults(snap->holder) ||
        !pgconn_exec(snap->holder, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") ||
        !pgconn_query_value(snap->holder, "SELECT pg_export_snapshot()", 0, NULL, &snap->name))
        return false;
    log_debug("%s: exported snapshot %s", label, snap->name);
    return true;
}

bool copy_snapshot_import(pgconn *c, const char *name)
{
    strbuf sql = STRBUF_INIT;
    sb_append(&sql, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT ");
    pgq_literal(&sql, name);
    bool ok = pgconn_exec(c, sb_str(&sql));
    sb_free(&sql);
    return ok;
}

void copy_snapshot_release(struct copy_snapshot *snap)
{
    if (snap->holder) {
        if (!pgconn_exec_quiet(snap->holder, "COMMIT"))
            log_debug("ending the snapshot transaction failed: %s",
                      pgconn_error_message(snap->holder));
        pgconn_close(snap->holder);
    }
    free(snap->name);
    snap->holder = NULL;
    snap->name = NULL;
}
