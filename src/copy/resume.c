/* resume.c — what a lost target session had committed (see resume.h). */
#include "copy/resume.h"
#include "pg/quote.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How long a transaction may stay "in progress" after its session was lost. */
#define IN_PROGRESS_WAIT 30.0

bool copy_resume_committed(pgconn *dst, int64_t xid, bool *committed)
{
    char xidstr[24];
    snprintf(xidstr, sizeof(xidstr), "%lld", (long long) xid);
    const char *params[] = {xidstr};
    double until = time_now() + IN_PROGRESS_WAIT;
    for (;;) {
        char *status = NULL;
        if (!pgconn_query_value(dst, "SELECT pg_catalog.txid_status($1::bigint)", 1, params,
                                &status))
            return false;
        bool in_progress = status && strcmp(status, "in progress") == 0;
        *committed = status && strcmp(status, "committed") == 0;
        free(status);
        if (!in_progress)
            return true;
        if (time_now() > until) {
            /* Neither a retry (it could commit later) nor a skip (it may not) is safe. */
            log_error("transaction %s of the lost session is still in progress after %.0fs", xidstr,
                      IN_PROGRESS_WAIT);
            return false;
        }
        time_sleep(0.2);
    }
}

bool copy_resume_constraint(pgconn *dst, const char *qtable, const char *name, bool *exists)
{
    const char *params[] = {qtable, name};
    char *n = NULL;
    if (!pgconn_query_value(dst,
                            "SELECT count(*) FROM pg_catalog.pg_constraint "
                            "WHERE conrelid = $1::regclass AND conname = $2",
                            2, params, &n))
        return false;
    *exists = n && strcmp(n, "0") != 0;
    free(n);
    return true;
}

bool copy_resume_index(pgconn *dst, const struct copy_catalog *cat, const struct cat_index *x,
                       bool *built, bool *constrained)
{
    *built = *constrained = false;
    const char *params[] = {x->schema, x->name};
    char *valid = NULL;
    if (!pgconn_query_value(dst,
                            "SELECT i.indisvalid FROM pg_catalog.pg_index i "
                            "JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid "
                            "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                            "WHERE n.nspname = $1 AND c.relname = $2",
                            2, params, &valid))
        return false;
    bool exists = valid != NULL, is_valid = valid && strcmp(valid, "t") == 0;
    free(valid);
    if (exists && !is_valid) {
        char *qindex = pgq_qualified_dup(x->schema, x->name);
        char *sql = xasprintf("DROP INDEX %s", qindex);
        bool ok = pgconn_exec(dst, sql);
        free(sql);
        free(qindex);
        if (!ok)
            return false;
        log_info("dropped the invalid index %s left by the lost session", x->name);
        exists = false;
    }
    *built = exists;
    /* ADD CONSTRAINT ... USING INDEX renames the index after the constraint: look for both. */
    if (x->constraint_name)
        return copy_resume_constraint(dst, cat->tables[x->table].qname, x->constraint_name,
                                      constrained);
    return true;
}

bool copy_resume_large_object(pgconn *dst, uint32_t oid, bool *exists)
{
    char oidstr[16];
    snprintf(oidstr, sizeof(oidstr), "%u", oid);
    const char *params[] = {oidstr};
    char *n = NULL;
    if (!pgconn_query_value(dst,
                            "SELECT count(*) FROM pg_catalog.pg_largeobject_metadata "
                            "WHERE oid = $1::oid",
                            1, params, &n))
        return false;
    *exists = n && strcmp(n, "0") != 0;
    free(n);
    return true;
}
