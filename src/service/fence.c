/*
 * fence.c — the fence on the servers (docs/NODES.md, Fencing). The store
 * refuses every write of a worker that lost its lease, but a worker paused
 * (SIGSTOP, a frozen VM) or cut off from the store while its lease ran out
 * still holds sessions on the source and the target: an apply transaction
 * it would commit on waking, the replication slot its walsender keeps busy.
 * Each worker names its sessions after the migration and its lease's epoch,
 * and a new holder ends those of lower epochs before it writes anything:
 * their transactions roll back, the slot is free, and the stale worker,
 * waking, finds its connections gone and its store writes refused.
 */
#include "pg/conninfo.h"
#include "pg/maintdb.h"
#include "pg/pgconn.h"
#include "service/internal.h"
#include "util/log.h"
#include "util/mem.h"

#include "sql_embedded.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#define TAG_PREFIX "pgshuttle m%" PRId64 " e"

void worker_tag_sessions(const struct worker *w)
{
    char tag[80];
    snprintf(tag, sizeof(tag), TAG_PREFIX "%" PRId64, w->id, w->epoch);
    /* libpq's default application_name, for this process and the tools it starts */
    setenv("PGAPPNAME", tag, 1);
}

/* Ends the stale sessions on one server (label: "source" or "target"). */
static void fence_server(const struct worker *w, const char *conninfo, const char *label)
{
    char *db = pgmaint_configured_db(conninfo);
    char *admin = pgconninfo_set(conninfo, "dbname", db);
    free(db);
    pgconn *c = NULL;
    if (!pgconn_connect_quiet(&c, admin, label)) {
        log_warn("fencing: cannot reach the %s to end an earlier holder's sessions: %s", label,
                 c ? pgconn_error_message(c) : "no reason given");
        pgconn_close(c);
        free(admin);
        return;
    }
    free(admin);
    char prefix[64], epoch[32];
    snprintf(prefix, sizeof(prefix), TAG_PREFIX, w->id);
    snprintf(epoch, sizeof(epoch), "%" PRId64, w->epoch);
    const char *params[] = {prefix, epoch};
    pgres *r = NULL;
    if (!pgconn_query(c, sql_text("service_fence_sessions"), 2, params, &r)) {
        log_warn("fencing: cannot end an earlier holder's sessions on the %s: %s", label,
                 pgconn_error_message(c));
    } else {
        for (int i = 0; i < pgres_ntuples(r); i++)
            log_notice("fencing: ended session pid %s (%s) of an earlier holder on the %s%s",
                       pgres_getn(r, i, "pid"), pgres_getn(r, i, "application_name"), label,
                       pgres_get_bool(r, i, "ended") ? "" : " (it would not end)");
    }
    pgres_free(r);
    pgconn_close(c);
}

void worker_fence_stale_sessions(const struct worker *w, const struct migration_spec *spec)
{
    if (w->epoch <= 1)
        return; /* the first holder has no one before it */
    fence_server(w, spec->source, "source");
    fence_server(w, spec->target, "target");
}
